"""Shared helpers: small economies that run in a fraction of a second."""

from __future__ import annotations

from pathlib import Path

from model import SharedManufacturingModel, load_scenario
from model.economy.scenario import Scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"


def scenario(name: str = "sharing", **overrides) -> Scenario:
    """A shipped scenario with dotted-key overrides given as keyword arguments (``size__firms=300``)."""
    dotted = {key.replace("__", "."): value for key, value in overrides.items()}
    return load_scenario(SCENARIOS / f"{name}.yaml", dotted)


def run(name: str = "sharing", seed: int = 1, weeks: int = 26, **overrides) -> SharedManufacturingModel:
    economy = SharedManufacturingModel(scenario(name, **overrides), seed=seed)
    economy.run(weeks)
    return economy


def interrupted_inside_a_kernel(*args, **kwargs):
    """Stands in for a run that Ctrl-C interrupted as a Numba kernel returned: Numba wraps the KeyboardInterrupt."""
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as interrupt:
        raise SystemError("CPUDispatcher(...) returned a result with an exception set") from interrupt
