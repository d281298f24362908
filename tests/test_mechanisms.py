"""Direction-of-effect checks of single mechanisms, paired over seeds on common random numbers."""

from __future__ import annotations

import numpy as np

from model import SharedManufacturingModel
from model.economy.mechanisms.occupation import entry_type_weights
from model.economy.mechanisms.platforms import update_size
from model.economy.population import draw_firms
from model.economy.state import LARGE, SME
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


def test_entrants_build_machines_where_orders_outrun_capacity():
    """New SMEs put more of their machines in a process type whose orders per machine-hour are high."""
    economy = SharedManufacturingModel(scenario(size__firms=400), seed=2)
    economy.step()
    firms = economy.firms
    firms.orders_hours[:, 0] *= 3.0  # orders in process type 0 outrun its machines
    weights = entry_type_weights(firms)
    assert int(np.argmax(weights)) == 0
    draws = economy.streams.week_of("test.entrants", week=1)
    machine_share = {}
    for name, type_weights in (("alike", None), ("by orders", weights)):
        entrants = draw_firms(
            economy.params,
            np.full(500, SME, np.int8),
            0,
            draws,
            week=1,
            machines_total=np.full(500, 20),
            micro_skill=np.zeros(0, np.int64),
            micro_owns_machine=np.zeros(0, bool),
            micro_ability=np.zeros(0),
            type_weights=type_weights,
        )
        machine_share[name] = entrants.machines[:, 0].sum() / entrants.machines.sum()
    k = firms.process_types
    assert abs(machine_share["alike"] - 1 / k) < 0.03
    assert machine_share["by orders"] > machine_share["alike"] + 0.1, machine_share


def test_entrants_come_at_every_size_only_when_asked():
    """By default new firms are SMEs; with entrants_at_every_size some enter as large firms, as at set-up."""
    large_entrants = {}
    for every_size in (False, True):
        economy = SharedManufacturingModel(
            scenario(
                "baseline",
                size__firms=800,
                occupation__sme_entry_rate=0.02,
                occupation__entrants_at_every_size=every_size,
            ),
            seed=3,
        )
        economy.run(104)
        firms = economy.firms
        large_entrants[every_size] = int(((firms.birth_week > 0) & (firms.kind == LARGE)).sum())
    assert large_entrants[False] == 0 and large_entrants[True] > 0, large_entrants


def test_large_firms_close_at_their_own_background_rate():
    """At 50% a year about three quarters of the first large firms close within two years; at 0 only failures do."""
    surviving = {}
    for rate in (0.0, 0.5):
        economy = SharedManufacturingModel(
            scenario("baseline", size__firms=800, occupation__large_closure_rate_per_year=rate), seed=3
        )
        first_large = np.flatnonzero(economy.firms.kind == LARGE)
        economy.run(104)
        surviving[rate] = int(economy.firms.active[first_large].sum())
    assert surviving[0.5] <= 0.5 * surviving[0.0], surviving


def test_entrants_can_draw_their_sizes_from_a_steeper_law_than_the_first_firms():
    from model.economy.population import pareto_machines
    from model.experiments.validation import hill_tail_exponent

    params = scenario(firms__min_machines=1000)  # large sizes, so the floor to whole machines does not bias the tail
    first = pareto_machines(params, 200_000, np.random.default_rng(1), upper=10**12)
    steeper = pareto_machines(params, 200_000, np.random.default_rng(1), upper=10**12, exponent=1.6)
    assert abs(hill_tail_exponent(first).value - params.firms.size_tail_exponent) < 0.05
    assert abs(hill_tail_exponent(steeper).value - 1.6) < 0.05
