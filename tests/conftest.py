"""Hypothesis settings for the whole suite.

No deadline per example: the first call of a compiled kernel compiles it (a second
or more, once per environment), and Hypothesis would call that slow first example
a flaky test. In CI (``CI`` set in the environment, as ``.ci/run`` does) the
examples are derandomised: the same ones every run, so a commit that passed once
passes again; elsewhere each run explores new ones.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("suite", deadline=None)
settings.register_profile("ci", parent=settings.get_profile("suite"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "suite")
