"""Multi-stage products: one product made across process types in sequence, perhaps by several factories.

The article's Taobao Factory and CASIC INDICS split one order among factories
stage by stage. Here a share ``demand.multi_stage_share`` of every SME's and large
firm's new (flow) orders in its *route* - its ``demand.product_stages``
most-ordered process types, the lowest-numbered (upstream) first - comes as
products. The product begun in week ``t`` holds, in each route type, the hours
that week's orders drew there, but its stage ``s`` is ordered only in week
``t + s``, and only as far as the stages before it were made: if a firm got 60%
of a stage's order slot served, 60% of the product goes on. The part nobody made
does not go on as this product (what customers wait for of it re-enters through
the ordinary backlog). Products add no random draws: with the share at 0 the
economy is exactly the one without them.

Each stage is served like any order - in-house first, then partners, then
platforms - so different factories can make different stages. The makers of a
product are the firm itself (if it made some of a stage in-house) and every
seller who delivered hours in one of its stages' order slots (firm, process
type, week), each counted once; ``producers_per_order`` counts them per product.
"""

from __future__ import annotations

import numpy as np

from ..scenario import DemandParams
from ..state import LARGE, SME, FirmTable, ProductBook, ProductWeek, Trades

# A maker is coded as (firm * stages + product column) * _MAKER_BASE + maker row.
_MAKER_BASE = 1 << 31


def routes(order_mix: np.ndarray, stages: int) -> np.ndarray:
    """(N, S) each firm's route: its ``stages`` most-ordered process types, in ascending type order."""
    most_ordered = np.argsort(-order_mix, axis=1, kind="stable")[:, :stages]
    return np.sort(most_ordered, axis=1).astype(np.int64)


def open_product_book(firms: FirmTable, params: DemandParams) -> ProductBook | None:
    """The products firms have in flight at set-up: as many as their mean orders imply (none if the share is 0).

    Products begun before week 0 are stages on their way, so the first weeks
    order every stage as a settled economy would.
    """
    if params.multi_stage_share <= 0:
        return None
    stages = min(params.product_stages, firms.process_types)
    route = routes(firms.order_mix, stages)
    rows = np.arange(firms.n)[:, None]
    mean_flow = firms.base_order_hours * (1.0 - params.contract_share)
    planned = params.multi_stage_share * (mean_flow * _makes_products(firms))[:, None] * firms.order_mix[rows, route]
    return ProductBook(
        route=route,
        planned_hours=np.repeat(planned[None], stages, axis=0),
        going_on=np.ones((stages, firms.n)),
        due_hours=np.zeros((firms.n, stages)),
        makers=[[] for _ in range(stages)],
        week=-1,
    )


def admit_entrants(book: ProductBook | None, firms: FirmTable, rows: np.ndarray) -> None:
    """Entrants at ``rows`` (appended to the table) get a route and no products in flight yet."""
    if book is None or rows.size == 0:
        return
    stages = book.stages
    book.route = np.concatenate([book.route, routes(firms.order_mix[rows], stages)])
    book.planned_hours = np.concatenate([book.planned_hours, np.zeros((stages, rows.size, stages))], axis=1)
    book.going_on = np.concatenate([book.going_on, np.zeros((stages, rows.size))], axis=1)
    book.due_hours = np.concatenate([book.due_hours, np.zeros((rows.size, stages))])


def begin_products(
    book: ProductBook | None, firms: FirmTable, new_orders: np.ndarray, week: int, params: DemandParams
) -> np.ndarray:
    """This week's new orders (N, K) with this week's product begun and every product's current stage ordered.

    The multi-stage share of the new orders in each firm's route leaves the
    ordinary orders and becomes the product begun this week; then stage ``s`` of
    the product begun ``s`` weeks ago is ordered, scaled by how much of it is
    still going on.
    """
    if book is None:
        return new_orders
    stages, n = book.stages, firms.n
    book.week = week
    rows, column = np.arange(n)[:, None], week % stages
    begun = params.multi_stage_share * new_orders[rows, book.route] * _makes_products(firms)[:, None]
    new_orders[rows, book.route] -= begun
    book.planned_hours[column] = begun
    book.going_on[column] = 1.0
    book.makers[column] = []
    columns = (week - np.arange(stages)) % stages  # the product at each stage
    stage = np.arange(stages)
    book.due_hours[:] = book.planned_hours[columns, :, stage].T * book.going_on[columns].T * firms.active[:, None]
    new_orders[rows, book.route] += book.due_hours
    return new_orders


def follow_products(book: ProductBook | None, firms: FirmTable, trades: Trades) -> ProductWeek | None:
    """After delivery: how much of each product goes on, who made its stage, and the products finished this week.

    Reads this week's orders and served hours from ``firms`` (set by delivery) and
    the delivered ``trades``.
    """
    if book is None:
        return None
    stages, (n, k), week = book.stages, firms.orders_hours.shape, book.week
    stage = np.arange(stages)
    columns = (week - stage) % stages
    rows = np.arange(n)[:, None]
    due = book.due_hours > 0
    served = (firms.own_hours + firms.bought_hours)[rows, book.route]
    ordered = firms.orders_hours[rows, book.route]
    made_share = np.divide(served, ordered, out=np.ones_like(served), where=due & (ordered > 0))
    book.going_on[columns] *= np.where(due, np.minimum(made_share, 1.0), 1.0).T

    # Makers: sellers who delivered into a stage's slot, and the firm itself if it made some in-house.
    stage_of = np.full((n, k), -1, np.int64)
    stage_of[rows, book.route] = stage
    delivered = trades.delivered & (trades.hours > 0)
    buyer, seller = trades.buyer[delivered], trades.seller[delivered]
    bought_stage = stage_of[buyer, trades.process[delivered]]
    keep = (bought_stage >= 0) & due[buyer, np.maximum(bought_stage, 0)]  # a stage slot with hours due this week
    buyer, seller, bought_stage = buyer[keep], seller[keep], bought_stage[keep]
    own_firm, own_stage = np.nonzero(due & (firms.own_hours[rows, book.route] > 0))
    maker_firm = np.concatenate([buyer, own_firm])
    maker_stage = np.concatenate([bought_stage, own_stage])
    maker = np.concatenate([seller, own_firm])
    maker_column = columns[maker_stage]
    codes = (maker_firm * stages + maker_column) * _MAKER_BASE + maker
    order = np.argsort(maker_column, kind="stable")
    bounds = np.searchsorted(maker_column[order], np.arange(stages + 1))
    for column in range(stages):  # one slice per product in flight, not per firm
        book.makers[column].append(codes[order[bounds[column] : bounds[column + 1]]])

    in_route = np.zeros((n, k), bool)
    in_route[rows, book.route] = due
    finished_column = (week - stages + 1) % stages
    if week < stages - 1:  # products begun before week 0 have no record of their early stages
        return ProductWeek(finished=0, makers=0, in_route=in_route)
    made = np.unique(np.concatenate([np.zeros(0, np.int64), *book.makers[finished_column]]))
    product_firm = made // _MAKER_BASE // stages
    made = made[book.going_on[finished_column, product_firm] > 0]
    return ProductWeek(finished=int(np.unique(made // _MAKER_BASE).size), makers=int(made.size), in_route=in_route)


def _makes_products(firms: FirmTable) -> np.ndarray:
    """(N,) 1 for active SMEs and large firms (micro-businesses take custom jobs, public labs have no customers)."""
    return (((firms.kind == SME) | (firms.kind == LARGE)) & firms.active).astype(np.float64)
