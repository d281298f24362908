"""Books that balance: every yuan paid is received, every stock changes only by its flows, every hour is staffed.

Each identity compares quantities measured in different places: holdings are the
plain sums of the state arrays, flows are what the ledger booked, hours and costs
come from the stages that produced them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import COLUMNS, SharedManufacturingModel, load_scenario
from model.economy.ledger import INSIDE, KINDS, SECTORS, transaction_flow_matrix
from model.economy.mechanisms import accounts
from tests.helpers import SCENARIOS, scenario

SHARE_COLUMNS = [name for name, (unit, _) in COLUMNS.items() if unit == "share"]
POLICIES = sorted((SCENARIOS / "policies").glob("*.yaml"))


def unbalanced_weeks(economy: SharedManufacturingModel, weeks: int) -> list[str]:
    """Play ``weeks`` weeks; name each week and inside sector whose holdings moved other than by booked flows."""
    problems = []
    for _ in range(weeks):
        before = economy.holdings()
        economy.step()
        after, net, gross = economy.holdings(), economy.ledger.week_net(), economy.ledger.week_gross()
        for sector in INSIDE:
            gap = (after[sector] - before[sector]) - net[sector]
            if abs(gap) > 1e-8 * max(gross, 1.0):
                problems.append(f"week {economy.steps}, {sector}: holdings moved {gap:+.6g} yuan beyond the ledger")
    return problems


@pytest.mark.parametrize(
    "path", [SCENARIOS / "baseline.yaml", SCENARIOS / "sharing.yaml", *POLICIES], ids=lambda p: p.stem
)
def test_every_sectors_money_changes_only_by_booked_flows(path: Path):
    economy = SharedManufacturingModel(load_scenario(path, {"size.firms": 250}), seed=3)
    assert unbalanced_weeks(economy, 40) == []


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    commission=st.floats(0.0, 1.0),
    platform_count=st.integers(0, 3),
    subsidy=st.floats(0.0, 1.0),
    training_subsidy=st.floats(0.0, 1.0),
    micro_share=st.floats(0.0, 0.9),
    overtime=st.floats(0.0, 2.0),
    machine_price=st.floats(1e4, 2e6),
    load_factor=st.floats(0.3, 1.5),
)
def test_the_books_balance_in_random_scenarios(
    seed, commission, platform_count, subsidy, training_subsidy, micro_share, overtime, machine_price, load_factor
):
    economy = SharedManufacturingModel(
        seed=seed,
        **{
            "size.firms": 120,
            "platforms.count": platform_count,
            "platforms.commission_rate": commission,
            "platforms.digitalisation_subsidy": subsidy,
            "labour.training_subsidy": training_subsidy,
            "labour.training_cost_yuan": 2000.0,
            "size.micro_share": micro_share,
            "labour.max_overtime_share": overtime,
            "investment.machine_price_yuan": machine_price,
            "demand.load_factor": load_factor,
            "occupation.min_age_weeks": 4,
        },
    )
    assert unbalanced_weeks(economy, 20) == []


def test_a_payment_that_bypasses_the_ledger_is_caught(monkeypatch):
    real_settle = accounts.settle

    def leaky_settle(firms, *args, **kwargs):
        revenue = real_settle(firms, *args, **kwargs)
        firms.cash_yuan[np.flatnonzero(firms.active)[0]] += 1_000.0  # a bonus from nowhere
        return revenue

    monkeypatch.setattr(accounts, "settle", leaky_settle)
    economy = SharedManufacturingModel(scenario(size__firms=150), seed=1)
    problems = unbalanced_weeks(economy, 3)
    assert len(problems) == 3 and all("firms" in problem for problem in problems)


@pytest.fixture(scope="module")
def panel_run():
    """A sharing economy with two platforms, followed firm by firm, and what the identities need each week."""
    economy = SharedManufacturingModel(scenario(size__firms=400, platforms__count=2), seed=11, firm_panel=True)
    weeks = []
    for _ in range(40):
        platform_cash = economy.platforms.cash_yuan.copy()
        capacity = economy.firms.capacity_hours  # machines change hands only after the week is played
        economy.step()
        firms, trades = economy.firms, economy.last_trades
        on_platform = trades.delivered & (trades.platform >= 0)
        weeks.append(
            {
                "platform_cash_change": economy.platforms.cash_yuan - platform_cash,
                "commissions_traded": np.bincount(
                    trades.platform[on_platform], trades.commission_yuan[on_platform], minlength=economy.platforms.n
                ),
                "fees": economy.ledger.week_total("membership fee"),
                "sold": firms.sold_hours.sum(),
                "bought": firms.bought_hours.sum(),
                "delivered": trades.hours[trades.delivered].sum(),
                # By kind, from the trades and from served hours x order value, not from the arrays metrics read.
                "sold_by_kind": np.bincount(
                    firms.kind[trades.seller[trades.delivered]], trades.hours[trades.delivered], minlength=3
                ),
                "bought_by_kind": np.bincount(
                    firms.kind[trades.buyer[trades.delivered]], trades.hours[trades.delivered], minlength=3
                ),
                "revenue_by_kind": np.bincount(
                    firms.kind,
                    ((firms.own_hours + firms.bought_hours) * firms.order_value).sum(axis=1),  # firms closing now too
                    minlength=3,
                ),
                "flows": economy.ledger.week_flows(),
                "min_machines": firms.machines.min(),
                "served_within_orders": np.all(firms.own_hours + firms.bought_hours <= firms.orders_hours + 1e-6),
                "used_within_capacity": np.all(
                    (firms.own_hours + firms.sold_hours)[: len(capacity)] <= capacity + 1e-6
                ),
            }
        )
    return economy, economy.firm_panel(), weeks


def test_firm_cash_follows_the_ledger_firm_by_firm(panel_run):
    _, panel, _ = panel_run
    ordered = panel.sort_values(["firm", "step"])
    previous = ordered.groupby("firm")["cash_yuan"].shift()
    continuing = previous.notna() & (ordered["step"] > 1)
    change = ordered["cash_yuan"][continuing] - previous[continuing]
    np.testing.assert_allclose(change, ordered["net_flow_yuan"][continuing], rtol=1e-9, atol=1e-6)
    entrants = ordered.groupby("firm").head(1).query("step > 1")
    assert len(entrants) > 0, "no entrant to follow"
    np.testing.assert_allclose(entrants["cash_yuan"], entrants["net_flow_yuan"], rtol=1e-9, atol=1e-6)


def test_profit_is_the_firms_operating_flows_in_the_ledger(panel_run):
    _, panel, _ = panel_run
    np.testing.assert_allclose(panel["profit_yuan"], panel["operating_flow_yuan"], rtol=1e-9, atol=1e-6)


def test_every_produced_hour_is_staffed(panel_run):
    _, panel, _ = panel_run
    worked = panel[["staff_hours", "owner_hours", "flexible_hours", "overtime_hours"]].sum(axis=1)
    short = panel[worked < panel["labour_hours_needed"] - 1e-6]
    assert short.empty, short.head()
    assert (panel["sold_hours"] > 0).any() and (panel.loc[panel["sold_hours"] > 0, "labour_hours_needed"] > 0).all()


def test_the_labour_bill_reaches_workers(panel_run):
    _, panel, weeks = panel_run
    flows = pd.concat([week["flows"].assign(step=i + 1) for i, week in enumerate(weeks)])
    to_workers = flows.query(
        "payer == 'firms' and payee == 'workers' and kind in ['wage', 'flexible pay', 'overtime', 'severance']"
    )
    recruiting = flows.query("kind in ['hiring cost', 'task contract cost']").groupby("step")["yuan"].sum()
    bill = panel.groupby("step")["labour_cost_yuan"].sum()
    received = to_workers.groupby("step")["yuan"].sum()
    np.testing.assert_allclose(bill, received + recruiting.reindex(bill.index, fill_value=0.0), rtol=1e-9)
    assert (to_workers.query("kind == 'overtime'")["yuan"] > 0).any()
    assert (flows.query("kind == 'task contract cost'")["yuan"] > 0).any()


def test_platforms_hold_exactly_the_commissions_and_fees_they_earned(panel_run):
    _, _, weeks = panel_run
    assert sum(week["commissions_traded"].sum() for week in weeks) > 0, "the identity must be tested on platform trades"
    for week in weeks:
        assert week["platform_cash_change"].sum() == pytest.approx(
            week["commissions_traded"].sum() + week["fees"], rel=1e-9
        )


def test_hours_sold_equal_hours_bought_and_within_capacity_and_orders(panel_run):
    _, _, weeks = panel_run
    for week in weeks:
        assert week["sold"] == pytest.approx(week["bought"], rel=1e-12)
        assert week["sold"] == pytest.approx(week["delivered"], rel=1e-12)
        assert week["min_machines"] >= 0
        assert week["served_within_orders"] and week["used_within_capacity"]


def test_investment_is_every_machine_purchase_in_the_ledger(panel_run):
    economy, _, _ = panel_run
    table = economy.datacollector.get_model_vars_dataframe()
    purchases = economy.ledger.flows().query("kind == 'machine purchase'").groupby("step")["yuan"].sum()
    np.testing.assert_allclose(table["investment"].iloc[1:], purchases.reindex(range(1, 41), fill_value=0.0))


def test_investment_counts_the_machines_entrants_bring(monkeypatch):
    from model.economy.mechanisms import investment

    monkeypatch.setattr(investment, "review_machines", lambda *args, **kwargs: None)  # no incumbent buys or sells
    economy = SharedManufacturingModel(
        scenario(
            size__firms=300,
            occupation__min_age_weeks=520,
            occupation__credit_limit_weeks=520.0,
            occupation__closure_rate_per_year=0.0,
            investment__retire_machines=False,
        ),
        seed=2,
    )
    economy.run(40)
    firms = economy.firms
    entrants = firms.birth_week > 0
    assert entrants.any() and firms.active[entrants].all(), "every entrant must still hold its machines"
    price = economy.params.investment.machine_price_yuan
    invested = economy.datacollector.get_model_vars_dataframe()["investment"].sum()
    assert invested == pytest.approx(firms.machines[entrants].sum() * price, rel=1e-12) and invested > 0


def test_the_transaction_flow_matrix_rows_sum_to_zero(panel_run):
    economy, _, _ = panel_run
    matrix = transaction_flow_matrix(economy.ledger.flows())
    assert set(matrix["kind"]) <= set(KINDS) and list(matrix.columns) == ["year", "kind", *SECTORS]
    np.testing.assert_allclose(matrix[list(SECTORS)].sum(axis=1), 0.0, atol=1e-6)


def test_every_share_lies_in_the_unit_interval(panel_run):
    economy, _, _ = panel_run
    table = economy.datacollector.get_model_vars_dataframe()
    shares = table[[*SHARE_COLUMNS, "platform_hhi", "specialisation_index"]]
    assert not shares.isna().any().any()
    assert (shares >= 0).all().all() and (shares <= 1 + 1e-12).all().all()


def test_metrics_are_collected_from_step_zero(panel_run):
    economy, _, _ = panel_run
    table = economy.datacollector.get_model_vars_dataframe()
    assert len(table) == 41 and list(table.columns) == [*COLUMNS, "seed"]
    assert table.loc[0, "shared_hours"] == 0.0 and table.loc[0, "capital_stock"] > 0


def test_outcomes_by_firm_kind_match_the_trades_and_the_served_hours_of_each_kind(panel_run):
    economy, _, weeks = panel_run
    table = economy.datacollector.get_model_vars_dataframe().iloc[1:]
    kinds = ["large", "sme", "micro"]  # LARGE, SME, MICRO = 0, 1, 2
    revenue = economy.ledger.flows().query("kind == 'order revenue'").groupby("step")["yuan"].sum()
    np.testing.assert_allclose(table[[f"revenue_{kind}" for kind in kinds]].sum(axis=1), revenue, rtol=1e-9)
    for column, key in (
        ("revenue", "revenue_by_kind"),
        ("sold_hours", "sold_by_kind"),
        ("bought_hours", "bought_by_kind"),
    ):
        measured = table[[f"{column}_{kind}" for kind in kinds]].to_numpy()
        np.testing.assert_allclose(measured, np.stack([week[key] for week in weeks]), rtol=1e-9, atol=1e-9)
    assert (table[[f"sold_hours_{kind}" for kind in kinds]] > 0).all().all(), "every kind should trade here"


def test_welfare_is_what_customers_paid_less_outside_inputs_interest_and_wear(panel_run):
    economy, _, _ = panel_run
    table = economy.datacollector.get_model_vars_dataframe().iloc[1:]
    flows = economy.ledger.flows()
    by_kind = flows.pivot_table(index="step", columns="kind", values="yuan", aggfunc="sum").fillna(0.0)
    outside_inputs = (
        flows.query("(payee == 'suppliers' and kind != 'machine purchase') or kind == 'interest'")
        .groupby("step")["yuan"]
        .sum()
    )
    invest = economy.params.investment
    machines = table["capital_stock"] / invest.machine_hours_per_week
    wear = machines * invest.machine_price_yuan / (52.0 * invest.machine_life_years)
    expected = by_kind["order revenue"] - outside_inputs.reindex(by_kind.index, fill_value=0.0) - wear
    np.testing.assert_allclose(table["welfare_yuan"], expected, rtol=1e-9)
    government = flows.query("payer == 'government'").groupby("step")["yuan"].sum()
    np.testing.assert_allclose(table["public_cost_yuan"], government.reindex(table.index, fill_value=0.0))
    assert (table["public_cost_yuan"] > 0).all() and (table["welfare_yuan"] > 0).all()


def test_the_public_cost_of_a_subsidy_policy_is_its_subsidies_and_benefits():
    economy = SharedManufacturingModel(
        load_scenario(SCENARIOS / "policies" / "digitalisation_subsidy.yaml", {"size.firms": 300}), seed=4
    )
    economy.run(12)
    table = economy.datacollector.get_model_vars_dataframe()
    subsidies = economy.ledger.flows().query("kind == 'digitalisation subsidy'")
    assert subsidies["yuan"].sum() > 0, "the policy should have paid subsidies"
    benefits = economy.ledger.flows().query("kind == 'benefit'")["yuan"].sum()
    assert table["public_cost_yuan"].sum() == pytest.approx(subsidies["yuan"].sum() + benefits, rel=1e-12)


def test_platform_profit_is_commissions_and_fees_less_costs_and_reaches_their_cash():
    economy = SharedManufacturingModel(
        scenario(
            size__firms=300,
            platforms__count=2,
            platforms__operating_cost_yuan_per_member_week=40.0,
            platforms__operating_cost_share=0.01,
        ),
        seed=5,
    )
    profits, cash_changes, costs = [], [], []
    for _ in range(15):
        cash = economy.platforms.cash_yuan.copy()
        economy.step()
        cash_changes.append(economy.platforms.cash_yuan - cash)
        profits.append(economy.week_metrics["platform_profit_yuan"])
        costs.append(economy.ledger.week_total("platform operating cost"))
        members_charged = (
            economy.ledger.week_total("membership fee") / economy.params.platforms.membership_fee_yuan_per_week
        )
        expected = (
            40.0 * members_charged
            + 0.01 * economy.ledger.week_flows().query("kind == 'commission'")["yuan"].sum() / 0.05
        )
        assert costs[-1] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(profits, [change.sum() for change in cash_changes], rtol=1e-9)
    assert min(costs) > 0 and min(profits) < max(profits)
    table = economy.datacollector.get_model_vars_dataframe()
    traded = table["platform_value"] > 0
    assert traded.any()
    np.testing.assert_allclose(table.loc[traded, "commission_mean"], 0.05, rtol=1e-9)  # one rate, taken on value
