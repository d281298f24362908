"""Accounting identities hold every week, in an economy with two competing platforms."""

from __future__ import annotations

import numpy as np
import pytest

from model import COLUMNS, SharedManufacturingModel
from tests.helpers import scenario

SHARE_COLUMNS = [name for name, (unit, _) in COLUMNS.items() if unit == "share"]


@pytest.fixture(scope="module")
def weeks_of_two_platforms():
    """Play 40 weeks and keep, for every week, what the identities need."""
    economy = SharedManufacturingModel(scenario(size__firms=400, platforms__count=2), seed=11)
    weeks = []
    for _ in range(40):
        capacity = economy.firms.capacity_hours  # machines change hands only after the week is played
        economy.step()
        firms, trades = economy.firms, economy.last_trades
        weeks.append(
            {
                "sold": firms.sold_hours.sum(),
                "bought": firms.bought_hours.sum(),
                "delivered": trades.hours[trades.delivered].sum(),
                "paid": trades.paid_yuan.sum(),
                "received": trades.received_yuan.sum(),
                "commission": economy.platforms.commission_yuan.sum(),
                "min_machines": firms.machines.min(),
                "min_need_residual": (firms.unmet_hours.min()),
                "served_within_orders": np.all(firms.own_hours + firms.bought_hours <= firms.orders_hours + 1e-6),
                "used_within_capacity": np.all(
                    (firms.own_hours + firms.sold_hours)[: len(capacity)] <= capacity + 1e-6
                ),
                "platform_trades": int((trades.platform >= 0).sum()),
            }
        )
    return economy, weeks


def test_hours_sold_equal_hours_bought(weeks_of_two_platforms):
    _, weeks = weeks_of_two_platforms
    for week in weeks:
        assert week["sold"] == pytest.approx(week["bought"], rel=1e-12)
        assert week["sold"] == pytest.approx(week["delivered"], rel=1e-12)


def test_buyer_payments_equal_seller_receipts_plus_commissions(weeks_of_two_platforms):
    _, weeks = weeks_of_two_platforms
    assert sum(week["platform_trades"] for week in weeks) > 0, "the identity must be tested on platform trades"
    for week in weeks:
        assert week["paid"] == pytest.approx(week["received"] + week["commission"], rel=1e-12)


def test_no_negative_capacity_and_no_production_beyond_capacity_or_orders(weeks_of_two_platforms):
    _, weeks = weeks_of_two_platforms
    for week in weeks:
        assert week["min_machines"] >= 0
        assert week["min_need_residual"] >= 0
        assert week["served_within_orders"] and week["used_within_capacity"]


def test_every_share_lies_in_the_unit_interval(weeks_of_two_platforms):
    economy, _ = weeks_of_two_platforms
    table = economy.datacollector.get_model_vars_dataframe()
    shares = table[[*SHARE_COLUMNS, "platform_hhi", "specialisation_index"]]
    assert not shares.isna().any().any()
    assert (shares >= 0).all().all() and (shares <= 1 + 1e-12).all().all()


def test_metrics_are_collected_from_step_zero(weeks_of_two_platforms):
    economy, _ = weeks_of_two_platforms
    table = economy.datacollector.get_model_vars_dataframe()
    assert len(table) == 41 and list(table.columns) == [*COLUMNS, "seed"]
    assert table.loc[0, "shared_hours"] == 0.0 and table.loc[0, "capital_stock"] > 0
