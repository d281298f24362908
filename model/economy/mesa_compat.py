"""What differs between the Mesa versions this package supports, in one place.

Mesa 3.3 runs on Python 3.11; Mesa 3.4 and later need Python 3.12+. What changed
for this model from 3.3 to 3.5 (for the next person who upgrades):

* ``Model(seed=...)`` is deprecated (a ``FutureWarning``) in favour of ``rng=``;
  both versions accept ``rng=<int>``, so the model passes its seed as ``rng``.
* ``Model.scenario`` is Mesa's own property from 3.4: a
  ``mesa.experimental.scenarios.Scenario`` whose setter writes
  ``scenario.model = model``. This model's validated parameters therefore live in
  ``model.params``; ``model.scenario`` is Mesa's record of the run (its seed as
  ``rng`` and the keyword overrides), built by :func:`run_record`.
* ``Agent._ids`` is gone in 3.4: Mesa numbers agents per model in
  ``Model.register_agent``. Mesa 3.3's class-level counter keeps a reference to
  every model ever built (mesa#3179), so on 3.3 only the model numbers its own
  agents and drops that entry (:func:`number_agent`).
* ``Model.step`` is wrapped by an event schedule (``model.time`` advances by one
  per step); ``model.steps`` still counts weeks and is incremented before the
  model's own ``step`` runs, as in 3.3.
* ``mesa.batch_run`` takes ``rng=`` (a seed or a list of seeds) and passes each as
  ``seed=`` to a model whose constructor has a ``seed`` argument; 3.3 has no
  ``rng`` argument (give seeds as a ``seed`` parameter list there).
* SolaraViz (3.4+) rebuilds a model whose constructor accepts ``scenario`` by
  passing it a Mesa ``Scenario``; :class:`model.SharedManufacturingModel` accepts
  one and reads its ``rng`` and overrides.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import SimpleNamespace
from typing import Any

import mesa

MESA_VERSION = tuple(int(part) for part in mesa.__version__.split(".")[:2])

# Mesa 3.4 added scenarios and per-model agent numbering; before it, agents were
# numbered by a class-level counter keyed by model.
MESA_HAS_SCENARIOS = MESA_VERSION >= (3, 4)
MESA_NUMBERS_AGENTS_PER_MODEL = not hasattr(mesa.Agent, "_ids")

if MESA_HAS_SCENARIOS:
    from mesa.experimental.scenarios import Scenario as MesaScenario
else:  # Mesa 3.3: nothing can be a Mesa scenario
    MesaScenario = type("MesaScenarioUnavailable", (), {})


def run_record(seed: int, overrides: Mapping[str, Any]) -> Any:
    """Mesa's scenario for a run: its seed as ``rng`` and the dotted-key overrides as attributes.

    On Mesa 3.3, which has no scenarios, a plain namespace with the same attributes.
    """
    if MESA_HAS_SCENARIOS:
        return MesaScenario(rng=seed, **overrides)
    return SimpleNamespace(rng=seed, **overrides)


def read_run_record(record: Any) -> tuple[Any, dict[str, Any]]:
    """The seed (``rng``) and dotted-key overrides a Mesa scenario carries."""
    values = {key: value for key, value in vars(record).items() if key not in ("rng", "model", "_scenario_id")}
    return getattr(record, "rng", None), values


def is_run_record(value: Any) -> bool:
    """Whether ``value`` is a Mesa scenario (Mesa 3.4+) rather than one of this package's scenarios."""
    return MESA_HAS_SCENARIOS and isinstance(value, MesaScenario)


def number_agents(model: mesa.Model, agents: list, next_id: Iterator[int]) -> None:
    """Give new agents their ``unique_id`` where Mesa does not (Mesa 3.3), without keeping the model alive.

    Mesa 3.4+ numbers agents 1, 2, ... per model when they register; on 3.3 the
    model's own counter ``next_id`` gives the same numbers.
    """
    if MESA_NUMBERS_AGENTS_PER_MODEL:
        return
    for agent in agents:
        agent.unique_id = next(next_id)
    mesa.Agent._ids.pop(model, None)  # mesa#3179: the class-level counter would hold the model
