"""Mechanism 2, own production first; and the week's books once trade is done.

Each firm serves its orders from its own machines before it looks for anyone
else's: ``own = min(orders, capacity)`` per process type. What is left over
becomes its need to buy; a share ``openness`` of its idle hours becomes its offer
to sell. After trade, :func:`book_week` records deliveries, unserved orders,
utilisation, profit and cash, and the moving averages firms use to decide.
"""

from __future__ import annotations

import numpy as np

from ..scenario import Scenario
from ..state import FirmTable, Trades


def serve_own_orders(firms: FirmTable) -> tuple[np.ndarray, np.ndarray]:
    """Produce in-house what capacity allows.

    Returns
    -------
    need_hours, offer_hours : ndarray, shape (N, K)
        Hours each firm still has to source, and idle hours it offers to others.
    """
    capacity = firms.capacity_hours
    np.minimum(firms.orders_hours, capacity, out=firms.own_hours)
    need_hours = firms.orders_hours - firms.own_hours
    offer_hours = (capacity - firms.own_hours) * (firms.openness * firms.active)[:, None]
    return need_hours, offer_hours


def book_week(
    firms: FirmTable,
    trades: Trades,
    unsold_offer_hours: np.ndarray,
    scenario: Scenario,
) -> None:
    """Book the week: deliveries, unserved orders, backlog, utilisation, profit, cash.

    Failed trades deliver nothing: the buyer's hours go unserved and the seller's
    reserved hours stay idle, and no money changes hands. Profit is revenue from
    served orders at the firm's order value, minus variable production cost of
    every hour made on its machines (non-labour), minus payments for bought
    hours, plus receipts for sold hours, minus machine upkeep, labour costs
    (booked by :mod:`model.economy.mechanisms.labour`), debt service and this week's other expenses.
    """
    n, k = firms.order_mix.shape
    delivered = trades.delivered
    buyer_cell = trades.buyer * k + trades.process
    seller_cell = trades.seller * k + trades.process
    firms.bought_hours[:] = _sum_by(buyer_cell, trades.hours * delivered, n * k).reshape(n, k)
    firms.sold_hours[:] = _sum_by(seller_cell, trades.hours * delivered, n * k).reshape(n, k)
    paid = _sum_by(trades.buyer, trades.paid_yuan, n)
    received = _sum_by(trades.seller, trades.received_yuan, n)

    served = firms.own_hours + firms.bought_hours
    np.maximum(firms.orders_hours - served, 0.0, out=firms.unmet_hours)
    np.multiply(firms.unmet_hours, scenario.demand.backlog_share, out=firms.backlog_hours)

    used = firms.own_hours + firms.sold_hours
    np.sum(firms.capacity_hours, axis=1, out=firms.capacity_week)
    np.sum(used, axis=1, out=firms.output_hours)
    np.divide(firms.output_hours, firms.capacity_week, out=firms.utilisation, where=firms.capacity_week > 0)
    firms.utilisation[firms.capacity_week <= 0] = 0.0

    revenue = (served * firms.order_value).sum(axis=1)
    production_cost = (used * firms.production_cost).sum(axis=1)
    upkeep = firms.machines.sum(axis=1) * scenario.investment.maintenance_yuan_per_week
    firms.profit_yuan[:] = (
        revenue
        - production_cost
        - paid
        + received
        - upkeep
        - firms.expenses_yuan
        - firms.labour_cost_yuan
        - firms.debt_service_yuan
    )
    firms.profit_yuan *= firms.active
    firms.cash_yuan += firms.profit_yuan

    # Moving averages: what a firm remembers of its recent weeks.
    weight = 1.0 / scenario.firms.memory_weeks
    _blend(firms.unmet_ewma, firms.unmet_hours, weight)
    _blend(firms.bought_ewma, firms.bought_hours, weight)
    _blend(firms.used_ewma, used, weight)
    _blend(firms.unsold_offer_ewma, unsold_offer_hours.sum(axis=1), weight)
    _blend(firms.profit_ewma, firms.profit_yuan, weight)
    bought_value = _sum_by(buyer_cell, trades.paid_yuan, n * k).reshape(n, k)
    has_bought = firms.bought_hours > 0
    price_paid = np.divide(bought_value, firms.bought_hours, out=firms.rent_price_ewma.copy(), where=has_bought)
    _blend(firms.rent_price_ewma, price_paid, weight)  # unchanged where nothing was bought


def _sum_by(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(index, weights=values, minlength=size).astype(np.float64, copy=False)


def _blend(average: np.ndarray, latest: np.ndarray, weight: float) -> None:
    """Exponentially weighted moving average, in place."""
    average += weight * (latest - average)
