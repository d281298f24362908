"""What sharing does, against the baseline without platforms, over ten seeds.

Each seed runs both scenarios on common random numbers; the statement under test
is the sign of the paired difference in the mean over the tenth year (weeks
469-520, once adoption has spread: it diffuses over years). A test passes when the 95% confidence
interval of that difference, measured from the spread across seeds, lies on the
stated side of zero.

Sharing routes work to idle machines and, with labour supply that answers the
market, the work finds hands: people join the labour force, unstaffed hours fall,
and the dispersion of utilisation across firms (``utilisation_std``) falls. The
share of firms using some flexible labour rises. Investment, the flexible share
of employment, structural unemployment and the volatility of flexible income are
reported, not asserted (README, "What sharing does").
"""

from __future__ import annotations

import pandas as pd
import pytest

from model import SharedManufacturingModel
from model.experiments.stats import mean_interval
from tests.helpers import scenario

SEEDS = range(10)
FIRMS = 1000


def tenth_year_means(name: str, seed: int) -> pd.Series:
    economy = SharedManufacturingModel(scenario(name, size__firms=FIRMS), seed=seed)
    economy.run(520)
    return economy.datacollector.get_model_vars_dataframe().iloc[469:].mean()


@pytest.fixture(scope="module")
def effects() -> pd.DataFrame:
    """Sharing minus baseline, one row per seed."""
    rows = [tenth_year_means("sharing", seed) - tenth_year_means("baseline", seed) for seed in SEEDS]
    table = pd.DataFrame(rows)
    table["idle_plus_overload_share"] = table["idle_share"] + table["overload_share"]
    return table


def interval(effects: pd.DataFrame, column: str):
    return mean_interval(effects[column])


@pytest.mark.parametrize(
    "column, direction",
    [
        ("utilisation_mean", +1),
        ("idle_plus_overload_share", -1),
        ("unmet_demand_share", -1),
        ("producers_per_order", +1),
        ("outsourcing_ratio", +1),
        ("micro_entrepreneurs", +1),
        ("pooling_realised", +1),
        ("unemployment_rate", -1),
        ("labour_force", +1),
        ("utilisation_std", -1),
        ("firms_using_flexible_share", +1),
    ],
)
def test_sharing_moves_metric_in_the_stated_direction(effects, column, direction):
    ci = interval(effects, column)
    message = f"{column}: sharing - baseline = {ci.mean:.4g}, 95% CI [{ci.low:.4g}, {ci.high:.4g}]"
    assert (ci.low > 0) if direction > 0 else (ci.high < 0), message


def test_sharing_happens_mostly_on_the_platform(effects):
    assert interval(effects, "platform_share").low > 0.2
