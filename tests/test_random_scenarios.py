"""Any valid scenario builds in seconds and plays its weeks, whatever its parameter values.

Set-up and a week cost time in proportion to the agents (firms, workers), never
to a parameter's value: a scenario whose values would need more agents than a run
can afford is refused when it is loaded, with a message that names the keys.
"""

from __future__ import annotations

import math
import time
from typing import get_args

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from model import ScenarioError, SharedManufacturingModel, load_scenario
from model.economy.scenario import Scenario, parameters
from tests.helpers import SCENARIOS

DRAWN = [row for row in parameters() if row["key"] not in ("size.firms", "steps") and row["min"] is not None]
CHOICES = [row for row in parameters() if isinstance(row["default"], bool | str)]


def options(key: str) -> tuple[str, ...]:
    """The named options a string parameter allows, from its type in the scenario schema."""
    *sections, name = key.split(".")
    section = Scenario
    for part in sections:
        section = section.model_fields[part].annotation
    return get_args(section.model_fields[name].annotation)


def value_of(row: dict, unit: float):
    """A value in the parameter's range from a uniform number: log-uniform over wide positive ranges."""
    low, high = row["min"], row["max"]
    wide = low >= 0 and high / max(low, 1e-6) > 1_000
    value = (
        math.exp(math.log(max(low, 1e-6)) + unit * (math.log(high) - math.log(max(low, 1e-6))))
        if wide
        else (low + unit * (high - low))
    )
    value = min(max(value, low), high)
    return round(value) if isinstance(row["default"], int) and not isinstance(row["default"], bool) else float(value)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    units=st.lists(st.floats(0.0, 1.0), min_size=len(DRAWN), max_size=len(DRAWN)),
    picks=st.lists(st.integers(0, 1), min_size=len(CHOICES), max_size=len(CHOICES)),  # every option list has 2
    seed=st.integers(0, 1000),
)
def test_every_valid_scenario_builds_in_seconds_at_300_firms(units, picks, seed):
    overrides = {row["key"]: value_of(row, unit) for row, unit in zip(DRAWN, units)}
    for row, pick in zip(CHOICES, picks):
        if isinstance(row["default"], bool):
            overrides[row["key"]] = bool(pick)
        else:  # a named option (how workers and openings meet, how platforms price)
            overrides[row["key"]] = options(row["key"])[pick]
    overrides["size.firms"] = 300
    try:
        scenario = load_scenario(None, overrides)
    except ScenarioError as error:
        assert str(error)  # refused with a reason (cross-field checks: shocks, the labour force it would need)
        assume(False)
    start = time.perf_counter()
    economy = SharedManufacturingModel(scenario, seed=seed)
    built = time.perf_counter() - start
    economy.run(2)
    assert built < 5.0, f"set-up took {built:.1f} s"
    assert economy.steps == 2


def test_a_size_law_with_a_tail_exponent_near_zero_puts_every_firm_at_the_cap_without_overflow():
    # Found by the test above: exponent 1e-6 raised a uniform draw to the power -1e6 (overflow).
    from model.economy.population import pareto_machines

    draw = load_scenario(SCENARIOS / "sharing.yaml")
    tiny = pareto_machines(draw, 1000, np.random.default_rng(1), upper=500, exponent=1e-6)
    assert (tiny == 500).all()
    usual = pareto_machines(draw, 100_000, np.random.default_rng(1), upper=500, exponent=1.2)
    assert usual.min() == draw.firms.min_machines and usual.max() == 500 and (usual < 500).mean() > 0.99
