"""Switching sharing off through its mechanisms gives back the baseline economy, week for week.

Two switches: a commission of 100% (no seller can cover its cost on a platform)
and zero digital readiness with upgrading out of reach (no firm can join). Because every mechanism draws from
its own named stream, week by week, an economy whose platforms nobody uses
draws exactly the random numbers of the economy without platforms: the switched
economy must reproduce the baseline's every metric, every week, exactly. And the
sharing economy itself must differ from it, beyond the spread across seeds.

Likewise each policy lever and platform business rule, switched off with its other
parameters set to anything, must give back the sharing economy exactly.
"""

from __future__ import annotations

import pandas as pd
import pytest

from model import SharedManufacturingModel
from model.experiments.stats import mean_interval
from tests.helpers import scenario

SEEDS = range(5)
FIRMS = 1000
# Utilisation's effect (+0.02) is within the spread across seeds at this size; tests/test_sharing_effects.py
# asserts it on a larger economy.
METRICS = ["unmet_demand_share", "outsourcing_ratio", "producers_per_order"]
# No firm ready to join, and upgrading out of reach.
NO_READINESS = {f"firms__{kind}__digital_readiness": 0.0 for kind in ("large", "sme", "micro")} | {
    "platforms__upgrade_cost_yuan_per_machine": 1e8
}


def history(name: str, seed: int, **overrides) -> pd.DataFrame:
    economy = SharedManufacturingModel(scenario(name, size__firms=FIRMS, **overrides), seed=seed)
    economy.run(260)  # five years: adoption spreads over the first two
    return economy.datacollector.get_model_vars_dataframe()


@pytest.fixture(scope="module")
def baseline() -> list[pd.DataFrame]:
    return [history("baseline", seed) for seed in SEEDS]


@pytest.mark.parametrize(
    "switch", [{"platforms__commission_rate": 1.0}, NO_READINESS], ids=["commission_100pct", "readiness_zero"]
)
def test_switching_sharing_off_gives_the_baseline_week_for_week(baseline, switch):
    for seed, expected in zip(SEEDS, baseline):
        switched = history("sharing", seed, **switch)
        assert (switched["platform_members"] == 0).all()
        pd.testing.assert_frame_equal(switched.drop(columns="n_platforms"), expected.drop(columns="n_platforms"))


def test_sharing_itself_differs_from_the_baseline(baseline):
    for metric in METRICS:
        paired = [
            history("sharing", seed)[metric].iloc[157:].mean() - base[metric].iloc[157:].mean()
            for seed, base in zip(SEEDS, baseline)
        ]
        ci = mean_interval(pd.Series(paired))
        assert ci.low > 0 or ci.high < 0, f"{metric}: sharing - baseline = {ci.mean:.4g} [{ci.low:.4g}, {ci.high:.4g}]"


@pytest.mark.parametrize(
    "switched_off",
    [
        {
            "firms__large__opens_data": False,
            "firms__large__data_defect_reduction": 0.9,
            "firms__large__data_fee_yuan_per_week": 99.0,
        },
        {"public_labs__count": 0, "public_labs__machines": 50, "public_labs__price_yuan_per_hour": 1.0},
        {
            "supervision__audit_share": 0.0,
            "supervision__audit_cost_yuan": 1e6,
            "supervision__forbid_self_preferencing": True,
        },
        {"platforms__owned_platforms": 0, "platforms__self_preferencing": True},
        {"platforms__entry": False, "platforms__entry_cost_yuan": 1.0, "platforms__max_platforms": 5},
        {"demand__custom_share": 0.0},
        {"demand__multi_stage_share": 0.0, "demand__product_stages": 5},
        {"platforms__fee_step_yuan": 50.0},  # fixed pricing: the fee step is not used
    ],
    ids=[
        "open_data",
        "public_labs",
        "supervision",
        "ownership",
        "platform_entry",
        "customisation",
        "multi_stage",
        "fee_learning",
    ],
)
def test_each_lever_switched_off_reproduces_sharing_exactly(switched_off):
    plain = SharedManufacturingModel(scenario(size__firms=300), seed=8)
    switched = SharedManufacturingModel(scenario(size__firms=300, **switched_off), seed=8)
    plain.run(60)
    switched.run(60)
    pd.testing.assert_frame_equal(
        switched.datacollector.get_model_vars_dataframe(), plain.datacollector.get_model_vars_dataframe()
    )
