"""Public research equipment opened as capacity on platforms (issue 14, item 3)."""

from __future__ import annotations

import numpy as np
import pytest

from agents import PublicLab
from model import SharedManufacturingModel
from model.economy.state import PUBLIC_LAB
from tests.helpers import scenario
from tests.test_accounting import unbalanced_weeks

LABS = dict(public_labs__count=6, public_labs__machines=15, public_labs__price_yuan_per_hour=150.0)


def _economy(seed: int = 3, **overrides) -> SharedManufacturingModel:
    return SharedManufacturingModel(scenario(size__firms=600, platforms__count=2, **LABS, **overrides), seed=seed)


def test_labs_are_rows_of_their_own_kind_on_every_platform_with_no_partners_that_keep_their_instruments():
    economy = _economy()
    firms = economy.firms
    labs = np.flatnonzero(firms.kind == PUBLIC_LAB)
    assert labs.size == 6 and (firms.machines[labs].sum(axis=1) == 15).all()
    assert len(economy.agents_by_type[PublicLab]) == 6
    instruments = firms.machines[labs].copy()
    economy.run(60)
    assert firms.active[labs].all()  # a lab never closes
    np.testing.assert_array_equal(firms.machines[labs], instruments)  # nor buys, sells or retires instruments
    assert firms.membership[labs].all()  # members of every platform, for good
    edges = economy.partner_edges
    assert not np.isin(edges.buyer, labs).any() and not np.isin(edges.seller, labs).any()
    assert (economy.firms.cash_yuan[labs] == 0.0).all()  # the government covers shortfalls and takes surpluses
    # Their own technicians run the instruments: labs hire nobody from the labour pool.
    assert firms.staff[labs].sum() == 0 and (firms.last_flexible_week[labs] == -1).all()
    assert firms.sold_hours[labs].sum() > 0


def test_public_hours_are_the_hours_labs_delivered_and_they_reach_firms_only_through_platforms():
    economy = _economy()
    delivered = []
    for _ in range(30):
        economy.step()
        trades = economy.last_trades
        labs = economy.firms.kind == PUBLIC_LAB
        by_lab = trades.delivered & labs[trades.seller]
        assert (trades.platform[labs[trades.seller]] >= 0).all()
        delivered.append(trades.hours[by_lab].sum())
    column = economy.datacollector.get_model_vars_dataframe()["public_hours"].iloc[1:].to_numpy()
    np.testing.assert_allclose(column, delivered)
    assert column.sum() > 0


def test_labs_ask_the_regulated_price_grossed_up_like_anyone():
    # Without a credit system every seller is rated at the mean failure rate, so the mark-up is known.
    params = scenario(size__firms=600, platforms__credit_system=0.0, **LABS)
    economy = SharedManufacturingModel(params, seed=3, keep_order_books=True)
    markup = 1.0 / ((1.0 - params.platforms.commission_rate) * (1.0 - params.firms.failure_rate_mean))
    asked = 0
    for _ in range(20):
        economy.step()
        labs = economy.firms.kind == PUBLIC_LAB
        for book in economy.order_books:
            from_lab = labs[book.seller]
            np.testing.assert_allclose(book.ask_price[from_lab], 150.0 * markup)
            assert (book.ask_price[~from_lab] != 150.0 * markup).all()  # firms ask their costs
            asked += int(from_lab.sum())
    assert asked > 0


def test_the_public_cost_counts_what_labs_are_given_less_what_they_hand_back():
    economy = _economy(seed=5)
    assert unbalanced_weeks(economy, 30) == []
    flows = economy.ledger.flows()
    paid = flows.query("payer == 'government'")["yuan"].sum()
    received = flows.query("payee == 'government'")["yuan"].sum()
    assert flows.query("kind == 'public lab surplus'")["yuan"].sum() == pytest.approx(received) and received > 0
    assert flows.query("kind == 'public lab funding'")["yuan"].sum() > 0
    column = economy.datacollector.get_model_vars_dataframe()["public_cost_yuan"].sum()
    assert column == pytest.approx(paid - received)


def test_the_capital_stock_counts_businesses_not_public_instruments():
    economy = _economy()
    economy.run(5)
    firms = economy.firms
    business = firms.active & (firms.kind != PUBLIC_LAB)
    table = economy.datacollector.get_model_vars_dataframe().iloc[-1]
    assert table["capital_stock"] == pytest.approx((firms.installed_hours * business).sum())
    assert table["capacity_hours"] > table["capital_stock"]  # what pooling could use includes the instruments
