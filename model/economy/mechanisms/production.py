"""Mechanism 2, production: own orders first, idle hours offered to others, and the week's deliveries.

Each firm serves its orders from its own machines before it looks for anyone
else's: it plans ``own = min(orders, capacity)`` per process type. What is left
over becomes its need to buy. It offers others a share ``openness`` of its idle
machine-hours, but only as many as its own workers (permanent staff, and a
micro-business's owner) could still run, overtime included: a firm does not sell
machine time it has nobody to operate.

Once trade and labour are settled, :func:`deliver` records what was made:
planned own production less the hours nobody could staff, hours delivered by
and to other firms (a failed trade delivers nothing), and unserved orders, of
which a share ``backlog_share`` waits for next week.
"""

from __future__ import annotations

import numpy as np

from ..kernels import row_sums
from ..scenario import LabourParams, Scenario
from ..state import Deliveries, FirmTable, LabourWeek, ProductBook, ProductionPlan, Trades
from . import products


def plan_week(
    firms: FirmTable, orders_hours: np.ndarray, workforce: np.ndarray, params: LabourParams
) -> ProductionPlan:
    """Plan in-house production, the hours to source and the hours to offer.

    Parameters
    ----------
    orders_hours : ndarray, shape (N, K)
        This week's orders (new plus backlog), machine-hours.
    workforce : ndarray, shape (N, K)
        Workers of each skill the firm has this week (permanent staff and owner).
    """
    capacity = firms.capacity_hours
    own = np.minimum(orders_hours, capacity)
    need = orders_hours - own
    # Machine-hours its own workers can run at most, with full overtime.
    staffable = workforce * (params.hours_per_worker_week * (1.0 + params.max_overtime_share))
    if params.worker_hours_per_machine_hour > 0:
        staffable /= params.worker_hours_per_machine_hour
    else:
        staffable = np.full_like(capacity, np.inf)
    idle_and_staffable = np.minimum(capacity - own, np.maximum(staffable - own, 0.0))
    offer = idle_and_staffable * (firms.openness * firms.active)[:, None]
    paid_idle = np.minimum(capacity - own, np.maximum(staffable / (1.0 + params.max_overtime_share) - own, 0.0))
    return ProductionPlan(
        own_hours=own, need_hours=need, offer_hours=offer, offered_hours=offer.copy(), paid_idle_hours=paid_idle
    )


def expect_orders(firms: FirmTable) -> None:
    """Set new firms' memory of orders to what their mean orders imply, so they decide on expectations.

    Used hours are their mean orders within capacity; unserved (or rented) hours
    the mean orders beyond it; unsold offers the idle hours they would offer.
    Without this, a new firm would remember nothing and decide as if it had no
    orders: it would neither join a platform nor buy a machine until it had.
    """
    expected = firms.base_order_hours[:, None] * firms.order_mix
    capacity = firms.capacity_hours
    firms.used_ewma[:] = np.minimum(expected, capacity)
    firms.unmet_ewma[:] = np.maximum(expected - capacity, 0.0)
    firms.bought_ewma[:] = 0.0
    firms.unsold_offer_ewma[:] = row_sums(np.maximum(capacity - expected, 0.0) * firms.openness[:, None])


def deliver(
    firms: FirmTable,
    orders_hours: np.ndarray,
    plan: ProductionPlan,
    trades: Trades,
    worked: LabourWeek,
    scenario: Scenario,
    product_book: ProductBook | None = None,
) -> Deliveries:
    """What was made and delivered this week; records it on ``firms`` (last week's flows, utilisation, backlog).

    ``worked.unstaffed_hours`` (N, K) are planned own machine-hours nobody could staff.
    Multi-stage products in ``product_book`` go on as far as their stages were made.
    """
    n, k = firms.order_mix.shape
    bought, sold = trades.bought_hours(n, k), trades.sold_hours(n, k)
    own = np.maximum(plan.own_hours - worked.unstaffed_hours, 0.0)
    unmet = np.maximum(orders_hours - own - bought, 0.0)

    firms.orders_hours[:] = orders_hours
    firms.own_hours[:] = own
    firms.bought_hours[:] = bought
    firms.sold_hours[:] = sold
    firms.unmet_hours[:] = unmet
    np.multiply(unmet, scenario.demand.backlog_share, out=firms.backlog_hours)
    np.sum(firms.capacity_hours, axis=1, out=firms.capacity_week)
    np.sum(own + sold, axis=1, out=firms.output_hours)
    np.divide(firms.output_hours, firms.capacity_week, out=firms.utilisation, where=firms.capacity_week > 0)
    firms.utilisation[firms.capacity_week <= 0] = 0.0
    unstaffed = plan.own_hours - own
    return Deliveries(
        own_hours=own,
        bought_hours=bought,
        sold_hours=sold,
        unmet_hours=unmet,
        unstaffed_hours=unstaffed,
        products=products.follow_products(product_book, firms, trades),
    )
