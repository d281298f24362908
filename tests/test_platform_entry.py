"""Platforms entering and leaving the market (issue 15, item 3)."""

from __future__ import annotations

import numpy as np
import pytest

from agents import Platform
from model import SharedManufacturingModel
from model.economy.mechanisms import platform_entry
from model.economy.scenario_files import ScenarioError, with_changes
from tests.helpers import scenario
from tests.test_accounting import unbalanced_weeks

UNKNOWN = dict(platforms__launch_awareness=0.0, platforms__outreach_per_year=0.0, platforms__imitation_per_year=0.0)


def test_room_for_fewer_platforms_than_are_launched_is_a_clear_error():
    with pytest.raises(ScenarioError, match=r"platforms\.max_platforms: 2 .*at least platforms\.count \(3\)"):
        scenario(platforms__count=3, platforms__entry=True, platforms__max_platforms=2)


def test_a_platform_nobody_joins_earns_nothing_pays_its_fixed_cost_and_exits_after_its_loss_horizon():
    params = scenario(
        size__firms=300,
        platforms__count=2,
        platforms__entry=True,
        platforms__startup_weeks=3,
        platforms__exit_after_loss_weeks=5,
        platforms__fixed_cost_yuan_per_week=1_000.0,
        platforms__entry_cost_yuan=1e9,  # nobody enters
        **UNKNOWN,
    )
    economy = SharedManufacturingModel(params, seed=5)
    economy.run(12)
    table = economy.datacollector.get_model_vars_dataframe()
    # Losses count from week 4 (after three start-up weeks); the fifth, week 8, closes both.
    assert table["n_platforms"].tolist() == [2] * 8 + [0] * 5
    assert table["platform_members"].max() == 0
    flows = economy.ledger.flows()
    assert flows.query("kind in ['commission', 'membership fee']")["yuan"].sum() == 0.0
    assert flows.query("kind == 'platform operating cost'")["yuan"].sum() == pytest.approx(2 * 8 * 1_000.0)
    np.testing.assert_allclose(economy.platforms.cash_yuan[:2], -8 * 1_000.0)  # a platform in debt keeps its debt
    assert (economy.platforms.entered_week[2:] == -1).all()  # rows kept for entrants, never used
    assert len(economy.agents_by_type[Platform]) == 0


def test_entry_follows_the_profit_incumbents_make_and_stops_at_the_room_left():
    common = dict(size__firms=800, platforms__count=1, platforms__entry=True, platforms__max_platforms=3)
    cheap = SharedManufacturingModel(
        scenario(**common, platforms__entry_cost_yuan=1.0, platforms__entry_review_weeks=4), seed=2
    )
    cheap.run(40)
    entered = cheap.platforms.entered_week
    assert (entered[1:] > 0).all() and entered[0] == 0  # both free rows used, the launched one at week 0
    assert len(cheap.agents_by_type[Platform]) == 3
    graph = cheap.market_graph
    assert sum(1 for _, kind in graph.nodes(data="kind") if kind == "platform") == 3
    launches = cheap.ledger.flows().query("kind == 'platform launch'")
    assert len(launches) == 2 and launches["yuan"].sum() == pytest.approx(2.0)

    dear = SharedManufacturingModel(scenario(**common, platforms__entry_cost_yuan=1e11), seed=2)
    dear.run(40)
    assert (dear.platforms.entered_week[1:] == -1).all()


def test_investors_learn_from_entrants_that_failed():
    params = scenario(
        platforms__count=1, platforms__entry=True, platforms__max_platforms=4, platforms__startup_weeks=10
    )
    table = SharedManufacturingModel(params, seed=1).platforms
    assert platform_entry.survival_belief(table, 100, params) == 0.5
    table.entered_week[1:3] = [20, 30]
    table.in_market[1:3] = False  # both exited
    assert platform_entry.survival_belief(table, 100, params) == pytest.approx(0.25)
    table.entered_week[3], table.in_market[3] = 50, True  # one past its start-up and still there
    assert platform_entry.survival_belief(table, 100, params) == pytest.approx(0.4)


def test_books_balance_while_platforms_enter_and_exit():
    params = scenario(
        size__firms=300,
        platforms__count=2,
        platforms__entry=True,
        platforms__startup_weeks=2,
        platforms__exit_after_loss_weeks=3,
        platforms__entry_cost_yuan=1.0,
        platforms__entry_review_weeks=4,
    )
    economy = SharedManufacturingModel(params, seed=3)
    assert unbalanced_weeks(economy, 20) == []
    assert (economy.ledger.flows()["kind"] == "platform launch").any()  # costless platforms attract entrants
    economy.params = with_changes(economy.params, {"platforms.fixed_cost_yuan_per_week": 1e7})
    assert unbalanced_weeks(economy, 10) == []
    assert not economy.platforms.in_market.any()  # then every platform loses money and leaves
    assert not economy.firms.membership.any()
    graph = economy.market_graph
    assert not any(relation == "member" for _, _, relation in graph.edges(data="relation"))
    assert economy.datacollector.get_model_vars_dataframe()["n_platforms"].iloc[-1] == 0


@pytest.mark.parametrize(("entry_cost", "enters"), [(0.9 * 156 * 1_000 / 4, True), (1.1 * 156 * 1_000 / 4, False)])
def test_an_entrant_expects_its_share_of_the_profit_weighted_by_its_chance_of_surviving(entry_cost, enters):
    # One platform in the market earning 1,000 yuan a week: an entrant expects half of it (two platforms), times
    # the belief 1/2 that a first entrant survives, over a payback of 156 weeks.
    params = scenario(size__firms=300, platforms__count=1, platforms__entry=True, platforms__entry_cost_yuan=entry_cost)
    economy = SharedManufacturingModel(params, seed=1)
    table = economy.platforms
    table.profit_yuan[:] = 0.0
    table.review_profit_yuan[:] = 0.0
    table.review_profit_yuan[0] = 1_000.0 * params.platforms.entry_review_weeks
    review_week = params.platforms.entry_review_weeks - 1
    entered, _, _ = platform_entry.review_entry_and_exit(
        economy.firms, table, review_week, params, economy.ledger, np.random.default_rng(0)
    )
    assert entered.tolist() == ([1] if enters else [])
