"""Mechanism 3, capacity trade: first with existing partners, then on platforms.

Off-platform, a buyer can only reach firms it already knows (edges of the local
supply network). Each week it contacts each partner with probability
``contact_rate x trust``, paying ``search_cost_yuan`` per contact; contacted
partners with idle hours in the process type it needs share its request in
proportion to what they offer, and an over-asked seller rations its buyers
pro rata. The price is split down the middle between the buyer's order value
and the seller's marginal cost, non-labour cost plus the flexible labour an
extra machine-hour needs (Nash bargaining with equal power).

On each platform, members' remaining needs and offers in each process type are
cleared by a double auction (:mod:`model.economy.mechanisms.auction`). The platform realises only a
share ``matching_efficiency`` of each request and offer (search and coordination
frictions, lower on bigger, better-equipped platforms). Sellers ask their
marginal cost grossed up by the commission and, where the credit system can
see it, their record of failed trades:
``marginal cost / ((1 - commission) * (1 - estimated failure rate))``,
the cost per delivered hour a buyer should expect; sellers the credit system
rates too risky are excluded. A micro-entrepreneur bids what the work is worth
to it once the risk that a stranger copies its design is allowed for, a risk
that IP protection lowers.

Any trade may fail (a defect or non-delivery) with the seller's private failure
rate; it then delivers nothing, is not paid, and lowers the trust on that
partner edge or the seller's platform record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..kernels import add_at, match_partners, row_sums
from ..ledger import Ledger
from ..scenario import Scenario
from ..state import (
    MICRO,
    PUBLIC_LAB,
    FirmTable,
    PartnerEdges,
    PlatformTable,
    PlatformWeek,
    ProductionPlan,
    Trades,
    TradeWeek,
)
from . import supervision
from .auction import Clearing, double_auction


def trade_week(
    firms: FirmTable,
    edges: PartnerEdges,
    platforms: PlatformTable,
    plan: ProductionPlan,
    scenario: Scenario,
    stream: Callable[[str], np.random.Generator],
    ledger: Ledger,
    books: list[OrderBook] | None = None,
) -> TradeWeek:
    """This week's capacity trade: first with partners, then on every platform, in place on ``plan``'s needs and offers.

    Search costs are paid to suppliers through ``ledger`` (trade payments and
    commissions are settled once deliveries are known, in :mod:`accounts`).
    """
    partner_trades, search_cost = trade_with_partners(firms, edges, plan, scenario, stream)
    ledger.pay("search cost", "firms", "suppliers", search_cost)
    platform_trades, platform_week = clear_platforms(firms, platforms, plan, scenario, stream("platforms"), books)
    return TradeWeek(Trades.concat([partner_trades, platform_trades]), platform_week, search_cost)


def trade_with_partners(
    firms: FirmTable,
    edges: PartnerEdges,
    plan: ProductionPlan,
    scenario: Scenario,
    stream: Callable[[str], np.random.Generator],
) -> tuple[Trades, np.ndarray]:
    """Match needs to partners' offers, in place on ``plan``'s needs and offers.

    A buyer that needs hours contacts each partner with a chance that grows with its
    trust in it; the contacted partners trade as :func:`~model.economy.kernels.match_partners`
    describes (where the buyer's order value exceeds the seller's marginal cost, at the
    price halfway between them), and each trade fails with the seller's failure rate,
    which costs the link trust. Returns the trades and each firm's search cost this week
    (yuan, (N,)); updates ``edges.trust``. ``stream(name)`` gives this week's generator
    for each kind of draw.
    """
    params = scenario.network
    need_hours, offer_hours = plan.need_hours, plan.offer_hours
    n = need_hours.shape[0]
    contact_draw = stream("contact").random(edges.buyer.size)  # one per link, whether used or not
    wants = row_sums(need_hours) > 0
    contacted = np.flatnonzero(
        (contact_draw < params.contact_rate * edges.trust) & wants[edges.buyer] & firms.active[edges.seller]
    )
    search_cost = params.search_cost_yuan * np.bincount(edges.buyer[contacted], minlength=n).astype(np.float64)

    link, buyer, seller, process, hours, price = match_partners(
        contacted,
        edges.buyer,
        edges.seller,
        need_hours,
        offer_hours,
        plan.offered_hours,
        plan.paid_idle_hours,
        firms.order_value,
        firms.production_cost,
        firms.labour_cost_per_machine_hour,
        scenario.platforms.asks_reflect_load,
    )
    if hours.size == 0:
        _restore_trust(edges, params.trust_recovery)
        return Trades.empty(), search_cost
    failed = stream("failure").random(hours.size) < firms.failure_rate[seller]
    failures_on_edge = np.bincount(link[failed], minlength=edges.buyer.size)
    edges.trust *= (1.0 - params.trust_loss) ** failures_on_edge
    _restore_trust(edges, params.trust_recovery)

    trades = Trades(
        buyer=buyer,
        seller=seller,
        process=process,
        hours=hours,
        price=price,
        commission_yuan=np.zeros(hours.size),
        platform=np.full(hours.size, -1, np.int64),
        link=link,
        failed=failed,
    )
    return trades, search_cost


def _platform_trades(
    buyer: np.ndarray,
    seller: np.ndarray,
    process: int,
    hours: np.ndarray,
    price: float,
    commission: float,
    platform: int,
) -> Trades:
    """One auction's dispatched trades, all at its price, none failed yet."""
    size = hours.size
    return Trades(
        buyer=buyer,
        seller=seller,
        process=np.full(size, process, np.int64),
        hours=hours,
        price=np.full(size, price),
        commission_yuan=commission * price * hours,
        platform=np.full(size, platform, np.int64),
        link=np.full(size, -1, np.int64),
        failed=np.zeros(size, bool),
    )


def _restore_trust(edges: PartnerEdges, recovery: float) -> None:
    edges.trust += recovery * (1.0 - edges.trust)


def _asks(
    firms: FirmTable,
    plan: ProductionPlan,
    members: np.ndarray,
    sellers: np.ndarray,
    process: int,
    markup: np.ndarray,
    scenario: Scenario,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ask tranches of the ``sellers`` (positions in ``members``): positions, prices (yuan/hour) and hours.

    A public lab asks the regulated price, grossed up like anyone's, whatever its cost.
    """
    rows = members[sellers]
    flat = (firms.production_cost[rows, process] + firms.labour_cost_per_machine_hour) * markup[sellers]
    regulated = firms.kind[rows] == PUBLIC_LAB
    if regulated.any():
        flat = np.where(regulated, scenario.public_labs.price_yuan_per_hour * markup[sellers], flat)
    if not scenario.platforms.asks_reflect_load:
        return sellers, flat, plan.offer_hours[rows, process].copy()
    cheap, dear = plan.cheap_and_dear(rows, process)
    low = np.where(regulated, flat, firms.production_cost[rows, process] * markup[sellers])
    has_cheap, has_dear = cheap > 0, dear > 0
    return (
        np.concatenate([sellers[has_cheap], sellers[has_dear]]),
        np.concatenate([low[has_cheap], flat[has_dear]]),
        np.concatenate([cheap[has_cheap], dear[has_dear]]),
    )


def estimated_failure_rate(firms: FirmTable, platforms: PlatformTable, scenario: Scenario) -> np.ndarray:
    """(N, P) failure rate each platform's credit system attributes to each seller.

    The record is a Beta-binomial posterior from the firm's platform sales; a
    platform with credit-system strength ``s`` sees ``s`` of it, and for the rest
    reads the regulator's record of audited trades (the same posterior from audited
    sales only; the population mean where nothing was audited, see
    :mod:`model.economy.mechanisms.supervision`).
    """
    params = scenario.firms
    prior_fail = params.failure_rate_mean * params.failure_rate_concentration
    prior_total = params.failure_rate_concentration
    posterior = (firms.failure_record + prior_fail) / (firms.sales_record + prior_total)
    audited = (firms.audited_failures + prior_fail) / (firms.audited_sales + prior_total)
    audited = np.where(firms.audited_sales > 0, audited, params.failure_rate_mean)
    strength = platforms.credit_system[None, :]
    return strength * posterior[:, None] + (1.0 - strength) * audited[:, None]


def design_value_kept(scenario: Scenario) -> float:
    """Share of a custom order's value a micro-entrepreneur keeps when a stranger on a platform makes it."""
    return 1.0 - scenario.demand.design_copy_risk * (1.0 - scenario.platforms.ip_protection)


@dataclass
class OrderBook:
    """One platform's book for one process type in one week, as the auction saw it.

    ``buyer`` and ``seller`` are firm rows; prices are yuan/hour (asks include the
    commission and credit-record mark-ups), hours are after matching efficiency.
    """

    platform: int
    process: int
    buyer: np.ndarray
    bid_price: np.ndarray
    bid_hours: np.ndarray
    seller: np.ndarray
    ask_price: np.ndarray
    ask_hours: np.ndarray
    clearing: Clearing


def clear_platforms(
    firms: FirmTable,
    platforms: PlatformTable,
    plan: ProductionPlan,
    scenario: Scenario,
    rng: np.random.Generator,
    books: list[OrderBook] | None = None,
) -> tuple[Trades, PlatformWeek]:
    """Clear every platform, one process type at a time, in place on ``plan``'s needs and offers.

    A seller asks in two tranches: the hours its paid staff can still run, at its
    materials-and-energy cost, and the rest at that cost plus flexible labour
    (``platforms.asks_reflect_load``; off, all hours carry labour), each grossed up
    by the commission and its credit record. So an idle firm asks less than a busy one.

    On a platform whose owner self-preferences (:func:`supervision.prefers_owner`),
    buyers first clear against the owner's asks alone, at that auction's price, and
    what they still need then clears against everyone else's.

    Platforms clear in a random order each week, so that no platform is
    systematically first in line for multi-homing firms. If ``books`` is a list,
    each auction's :class:`OrderBook` is appended to it (for teaching and checks).
    """
    need_hours, offer_hours = plan.need_hours, plan.offer_hours
    k = need_hours.shape[1]
    n_platforms = platforms.n
    week = PlatformWeek(np.zeros(n_platforms), np.zeros(n_platforms), np.zeros(n_platforms))
    if n_platforms == 0:
        return Trades.empty(), week
    estimated_fail = estimated_failure_rate(firms, platforms, scenario)
    blacklist = scenario.platforms.blacklist_failure_rate
    preferred = supervision.prefers_owner(platforms, scenario)
    parts = []
    for p in rng.permutation(n_platforms):
        commission = platforms.commission_rate[p]
        efficiency = platforms.matching_efficiency[p]
        members = np.flatnonzero(firms.membership[:, p] & firms.active)
        if not platforms.active[p] or members.size == 0:
            continue
        trusted = estimated_fail[members, p] <= blacklist
        # Micro-entrepreneurs discount what a stranger's work on their designs is worth to them.
        bid_discount = np.where(firms.kind[members] == MICRO, design_value_kept(scenario), 1.0)
        # Expected cost per delivered hour, as buyers should rank sellers.
        with np.errstate(divide="ignore"):
            ask_markup = 1.0 / ((1.0 - commission) * (1.0 - estimated_fail[members, p]))
        for process in range(k):
            member_need = need_hours[members, process]
            member_offer = offer_hours[members, process]
            buyers = np.flatnonzero(member_need > 0)
            sellers = np.flatnonzero((member_offer > 0) & trusted)
            week.requested_hours[p] += member_need[buyers].sum()
            week.offered_hours[p] += member_offer[sellers].sum()
            if commission >= 1.0 or efficiency <= 0.0:
                continue
            bid_price = firms.order_value[members[buyers], process] * bid_discount[buyers]
            bid_hours = efficiency * member_need[buyers]
            sellers, ask_price, ask_hours = _asks(firms, plan, members, sellers, process, ask_markup, scenario)
            ask_hours *= efficiency
            # A self-preferencing platform clears buyers against its owner's asks first, then against the rest.
            owners = members[sellers] == platforms.owner[p]
            stages = (owners, ~owners) if preferred[p] and owners.any() else (slice(None),)
            for stage in stages:
                result = double_auction(bid_price, bid_hours, ask_price[stage], ask_hours[stage])
                if books is not None:
                    books.append(
                        OrderBook(
                            int(p),
                            process,
                            members[buyers],
                            bid_price,
                            bid_hours,
                            members[sellers[stage]],
                            ask_price[stage],
                            ask_hours[stage],
                            result,
                        )
                    )
                if not result.traded:
                    continue
                dispatched = result.hours >= scenario.platforms.min_order_hours  # smaller orders are not worth one
                hours = result.hours[dispatched]
                buyer = members[buyers[result.buyer[dispatched]]]
                seller = members[sellers[stage][result.seller[dispatched]]]
                add_at(need_hours[:, process], buyer, -hours)
                add_at(offer_hours[:, process], seller, -hours)
                if len(stages) > 1:
                    served = np.bincount(result.buyer[dispatched], hours, minlength=bid_hours.size)
                    bid_hours = np.maximum(bid_hours - served, 0.0)
                week.matched_hours[p] += hours.sum()
                parts.append(_platform_trades(buyer, seller, process, hours, result.price, commission, int(p)))
    np.maximum(need_hours, 0.0, out=need_hours)
    np.maximum(offer_hours, 0.0, out=offer_hours)
    trades = Trades.concat(parts)
    trades.failed[:] = rng.random(trades.hours.size) < firms.failure_rate[trades.seller]
    return trades, week
