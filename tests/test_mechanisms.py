"""Direction-of-effect checks of single mechanisms, paired over seeds on common random numbers."""

from __future__ import annotations

import numpy as np

from model import SharedManufacturingModel
from model.economy.mechanisms.platforms import update_size
from model.experiments.stats import mean_interval
from tests.helpers import scenario

SEEDS = range(5)
# Every firm knows the platform from the start, so that each test sees its mechanism, not the diffusion.
KNOWN = {"platforms__launch_awareness": 1.0}


def platform_failure_share(seed: int, **overrides) -> float:
    economy = SharedManufacturingModel(scenario(size__firms=800, **KNOWN, **overrides), seed=seed)
    failed = matched = 0.0
    for week in range(78):
        economy.step()
        trades = economy.last_trades
        on_platform = trades.platform >= 0
        if week >= 26:
            failed += trades.hours[on_platform & trades.failed].sum()
            matched += trades.hours[on_platform].sum()
    return failed / matched


def second_year_mean(column: str, seed: int, **overrides) -> float:
    economy = SharedManufacturingModel(scenario(size__firms=800, **KNOWN, **overrides), seed=seed)
    economy.run(78)
    return float(economy.datacollector.get_model_vars_dataframe()[column].iloc[26:].mean())


def test_credit_system_lowers_the_platform_failure_rate():
    difference = [
        platform_failure_share(seed, platforms__credit_system=1.0)
        - platform_failure_share(seed, platforms__credit_system=0.0)
        for seed in SEEDS
    ]
    assert mean_interval(difference).high < 0


def test_higher_commission_lowers_platform_volume():
    difference = [
        second_year_mean("platform_share", seed, platforms__commission_rate=0.25)
        - second_year_mean("platform_share", seed, platforms__commission_rate=0.02)
        for seed in SEEDS
    ]
    assert mean_interval(difference).high < 0


def test_matching_efficiency_rises_with_platform_size():
    economy = SharedManufacturingModel(scenario(size__firms=400), seed=1)
    efficiencies = []
    for share in (0.05, 0.2, 0.6):
        economy.firms.membership[:, 0] = np.arange(economy.firms.n) < share * economy.firms.n
        update_size(economy.firms, economy.platforms, economy.params)
        efficiencies.append(economy.platforms.matching_efficiency[0])
    assert efficiencies == sorted(efficiencies) and efficiencies[-1] <= economy.params.platforms.infrastructure_quality
