"""Switching sharing off through its mechanisms gives back the baseline economy.

Two switches: a commission of 100% (no seller can cover its cost on a platform)
and zero digital readiness (no firm can join). Each must give the baseline's
outcomes within noise: the mean over seeds of the paired difference must be
smaller than the standard error of a baseline seed-mean. The same tolerance must
be far smaller than the sharing effect, or the test could not tell them apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model import SharedManufacturingModel
from tests.helpers import scenario

SEEDS = range(5)
FIRMS = 600
METRICS = ["utilisation_mean", "utilisation_std", "unmet_demand_share", "producers_per_order", "outsourcing_ratio"]
NO_READINESS = {f"firms__{kind}__digital_readiness": 0.0 for kind in ("large", "sme", "micro")}


def run_means(name: str, seed: int, **overrides) -> pd.Series:
    economy = SharedManufacturingModel(scenario(name, size__firms=FIRMS, **overrides), seed=seed)
    economy.run(78)
    table = economy.datacollector.get_model_vars_dataframe().iloc[1:]
    return table[[*METRICS, "platform_members", "shared_hours"]].mean()


@pytest.fixture(scope="module")
def baseline() -> pd.DataFrame:
    return pd.DataFrame([run_means("baseline", seed) for seed in SEEDS])


@pytest.fixture(scope="module")
def sharing() -> pd.DataFrame:
    return pd.DataFrame([run_means("sharing", seed) for seed in SEEDS])


def noise(baseline: pd.DataFrame) -> pd.Series:
    """Standard error of a seed-mean of each metric in the baseline."""
    return baseline[METRICS].std(ddof=1) / np.sqrt(len(baseline))


@pytest.mark.parametrize(
    "switch", [{"platforms__commission_rate": 1.0}, NO_READINESS], ids=["commission_100pct", "readiness_zero"]
)
def test_switching_sharing_off_gives_the_baseline(baseline, sharing, switch):
    switched = pd.DataFrame([run_means("sharing", seed, **switch) for seed in SEEDS])
    assert (switched["platform_members"] == 0).all()
    difference = (switched[METRICS] - baseline[METRICS]).mean().abs()
    tolerance = noise(baseline)
    assert (difference <= tolerance).all(), pd.DataFrame({"difference": difference, "tolerance": tolerance})


def test_the_tolerance_can_tell_sharing_from_baseline(baseline, sharing):
    effect = (sharing[METRICS] - baseline[METRICS]).mean().abs()
    assert (
        effect[["utilisation_mean", "unmet_demand_share", "outsourcing_ratio"]]
        > 2 * noise(baseline)[["utilisation_mean", "unmet_demand_share", "outsourcing_ratio"]]
    ).all()
