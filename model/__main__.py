"""``python -m model``: the command line, as ``run.py`` and ``shared-mfg``."""

import sys

from .cli import main

sys.exit(main(prog="python -m model"))
