"""Mechanism 7, platforms: their size, matching efficiency, and who joins or leaves.

Matching efficiency rises with infrastructure and with size (a network effect):

    efficiency_p = infrastructure_quality * s_p / (s_p + half_efficiency_share)

where ``s_p`` is the platform's share of all active firms as members.

Firms learn of a platform over time (:func:`spread_awareness`: its outreach,
and the word of partners who use it, a Bass diffusion), and only a firm that
knows a platform weighs joining it. Every ``review_period_weeks`` each firm
(staggered) reviews its memberships, and an entrant decides when it enters; at
launch (week 0) every firm that knows the platform applies the same rule, so
members are there from the first week. A
non-member with digital readiness of at least ``min_readiness`` joins platform
``p`` when the gains it expects over ``planning_horizon_weeks`` exceed the fees
and its joining cost, ``join_cost x (1 + digitalisation_cost_factor x (1 -
readiness)) x (1 - digitalisation_subsidy)``, and it can pay that cost. Expected
gains use what it knows: its own recent unserved hours and unsold idle hours, its
own order values and costs, and the platform's public record (fill rates and
price, a launch belief before any history). A member that has stayed
``min_tenure_weeks`` leaves when its realised gains through the platform fall
below the fee. Firms may belong to several platforms (multi-homing); a firm
already served elsewhere sees less unserved need, so the second platform is
worth less, and volume can tip towards the bigger platform.
"""

from __future__ import annotations

import numpy as np

from ..kernels import row_sums
from ..ledger import Ledger
from ..scenario import PlatformParams, Scenario
from ..state import PUBLIC_LAB, FirmTable, PartnerEdges, PlatformTable, PlatformWeek, Trades
from .demand import cycle_factor
from .labour import marginal_labour_cost

# Learning pricing's four trial phases: a step above the list commission, below, below, above.
TRIAL_SIGNS = (1.0, -1.0, -1.0, 1.0)


def create_platforms(scenario: Scenario, node_ids: np.ndarray) -> PlatformTable:
    """Identical platforms at launch, with no members and the launch fill belief.

    One row per ``node_ids`` entry: the first ``platforms.count`` are launched at
    week 0; the rest (node id -1, with entry on) wait for entrants, each row used once.
    """
    params = scenario.platforms
    count = node_ids.size
    launched = np.arange(count) < params.count
    base = np.full(count, min(params.commission_rate, params.commission_cap))
    trial = TRIAL_SIGNS[0] * params.commission_step if params.pricing == "learning" else 0.0
    commission = np.clip(base + trial, 0.0, params.commission_cap)
    firm_value = scenario.demand.order_value_yuan_per_hour
    firm_cost = scenario.firms.production_cost_yuan_per_hour + marginal_labour_cost(scenario.labour)
    return PlatformTable(
        node_id=node_ids,
        commission_rate=commission,
        membership_fee=np.full(count, params.membership_fee_yuan_per_week),
        infrastructure_quality=np.full(count, params.infrastructure_quality),
        credit_system=np.full(count, params.credit_system),
        active=launched.copy(),
        member_share=np.zeros(count),
        matching_efficiency=np.zeros(count),
        buyer_fill_ewma=np.full(count, params.launch_fill_belief),
        seller_fill_ewma=np.full(count, params.launch_fill_belief),
        price_ewma=launch_price(firm_value, firm_cost, commission),
        has_traded=np.zeros(count, bool),
        traded_hours=np.zeros(count),
        traded_value=np.zeros(count),
        commission_yuan=np.zeros(count),
        cash_yuan=np.zeros(count),
        fee_yuan=np.zeros(count),
        profit_yuan=np.zeros(count),
        commission_base=base,
        fee_base=np.full(count, params.membership_fee_yuan_per_week),
        trial_profit_yuan=np.zeros((count, 4)),
        owner=np.full(count, -1, np.int64),
        in_market=launched,
        loss_weeks=np.zeros(count, np.int64),
        entered_week=np.where(launched, 0, -1).astype(np.int64),
        review_profit_yuan=np.zeros(count),
    )


def launch_price(value: float, cost: float, commission: np.ndarray) -> np.ndarray:
    """Expected price before any trade: midway between typical value and cost grossed up by commission.

    With a commission of 1 no seller can cover its cost at any price: the price is infinite.
    """
    with np.errstate(divide="ignore"):
        return 0.5 * (value + cost / (1.0 - commission))


def joining_cost(readiness: np.ndarray, scenario: Scenario, *, gross: bool = False) -> np.ndarray:
    """One-off cost of joining a platform given digital readiness (yuan): net of any subsidy, or ``gross``."""
    params = scenario.platforms
    cost = params.join_cost_yuan * (1.0 + params.digitalisation_cost_factor * (1.0 - readiness))
    return cost if gross else cost * (1.0 - params.digitalisation_subsidy)


def pay_joining_costs(firms_rows: np.ndarray, readiness: np.ndarray, scenario: Scenario, ledger: Ledger) -> None:
    """Firms at ``firms_rows`` pay their joining cost to suppliers; the government pays the subsidised share."""
    gross = joining_cost(readiness, scenario, gross=True)
    subsidy = gross * scenario.platforms.digitalisation_subsidy
    ledger.pay("digitalisation subsidy", "government", "firms", subsidy, payee_rows=firms_rows)
    ledger.pay("joining cost", "firms", "suppliers", gross, payer_rows=firms_rows)


def update_size(firms: FirmTable, platforms: PlatformTable, scenario: Scenario) -> None:
    """Member shares and matching efficiency from current membership."""
    active_firms = max(int(firms.active.sum()), 1)
    members = (firms.membership & firms.active[:, None]).sum(axis=0)
    platforms.member_share[:] = members / active_firms
    half = scenario.platforms.half_efficiency_share
    share = platforms.member_share
    with np.errstate(invalid="ignore", divide="ignore"):
        size_effect = np.where(share + half > 0, share / (share + half), 0.0)
    platforms.matching_efficiency[:] = platforms.infrastructure_quality * size_effect * platforms.active


def platform_reach(firms: FirmTable, platforms: PlatformTable) -> np.ndarray:
    """(N,) largest member share among the platforms each firm belongs to (0 if none)."""
    if platforms.n == 0:
        return np.zeros(firms.n)
    return (firms.membership * platforms.member_share[None, :]).max(axis=1)


def charge_fees(firms: FirmTable, platforms: PlatformTable, ledger: Ledger) -> np.ndarray:
    """Members pay each platform in service its weekly fee; returns each firm's fees (yuan, (N,))."""
    if platforms.n == 0:
        return np.zeros(firms.n)
    member, platform = np.nonzero(firms.membership & firms.active[:, None] & platforms.active[None, :])
    fee = platforms.membership_fee[platform]
    ledger.pay("membership fee", "firms", "platforms", fee, payer_rows=member, payee_rows=platform)
    platforms.fee_yuan[:] = np.bincount(platform, weights=fee, minlength=platforms.n)
    return np.bincount(member, weights=fee, minlength=firms.n)


def pay_operating_costs(firms: FirmTable, platforms: PlatformTable, scenario: Scenario, ledger: Ledger) -> None:
    """Each platform in service pays its week's operating cost to its suppliers, and books its profit.

    The cost is ``operating_cost_yuan_per_member_week`` for each member plus
    ``operating_cost_share`` of the value of the week's delivered trades, plus
    ``fixed_cost_yuan_per_week`` for every platform in the market; profit is
    commissions plus membership fees less that cost (in ``platforms.profit_yuan``).
    Call it after :func:`record_platform_week`, which sets the week's trade value.
    """
    if platforms.n == 0:
        return
    params = scenario.platforms
    members = (firms.membership & firms.active[:, None]).sum(axis=0)
    cost = params.operating_cost_yuan_per_member_week * members + params.operating_cost_share * platforms.traded_value
    cost *= platforms.active
    cost += params.fixed_cost_yuan_per_week * platforms.in_market
    ledger.pay("platform operating cost", "platforms", "suppliers", cost, payer_rows=np.arange(platforms.n))
    platforms.profit_yuan[:] = platforms.commission_yuan + platforms.fee_yuan - cost


def review_prices(platforms: PlatformTable, week: int, scenario: Scenario) -> None:
    """Under learning pricing, each platform tries its commission a step above and below, and moves towards the better.

    In four phases of ``price_trial_weeks`` a platform charges its list commission
    plus a step, minus a step, minus, plus (an A-B-B-A trial: a market that grows
    steadily, as adoption spreads, favours neither side), adding up its profit in
    each phase divided by the common demand cycle (it knows the season). After the
    fourth phase it moves its list commission a step towards the side that earned
    more (none on a tie), within ``[0, commission_cap]``; members answer through
    their own membership reviews, switching and multi-homing. With a
    ``fee_step_yuan``, every second cycle tries the membership fee instead (a step
    of yuan a week, the fee kept at or above 0), the commission staying at its
    list level meanwhile. Fixed pricing does nothing.
    """
    params = scenario.platforms
    if params.pricing != "learning" or platforms.n == 0:
        return
    phase_weeks, step = params.price_trial_weeks, params.commission_step
    phase = (week // phase_weeks) % 4
    platforms.trial_profit_yuan[:, phase] += platforms.profit_yuan / cycle_factor(week, scenario.demand)
    if (week + 1) % phase_weeks:
        return
    if phase == 3:
        trial = platforms.trial_profit_yuan
        above, below = trial[:, 0] + trial[:, 3], trial[:, 1] + trial[:, 2]
        direction = np.sign(above - below) * platforms.active
        if _tries_fee(week, params):
            platforms.fee_base[:] = np.maximum(platforms.fee_base + params.fee_step_yuan * direction, 0.0)
        else:
            platforms.commission_base += step * direction
            np.clip(platforms.commission_base, 0.0, params.commission_cap, out=platforms.commission_base)
        trial[:] = 0.0
    sign = TRIAL_SIGNS[(phase + 1) % 4]
    next_tries_fee = _tries_fee(week + 1, params)
    trial_step = 0.0 if next_tries_fee else step * sign
    np.clip(platforms.commission_base + trial_step, 0.0, params.commission_cap, out=platforms.commission_rate)
    fee_trial = params.fee_step_yuan * sign if next_tries_fee else 0.0
    platforms.membership_fee[:] = np.maximum(platforms.fee_base + fee_trial, 0.0)


def _tries_fee(week: int, params: PlatformParams) -> bool:
    """Whether learning pricing's trial cycle that ``week`` falls in tries the fee (every second cycle, with a step)."""
    return params.fee_step_yuan > 0.0 and (week // (4 * params.price_trial_weeks)) % 2 == 1


def apply_parameters(platforms: PlatformTable, scenario: Scenario) -> None:
    """Platform terms after a change of parameters; a platform with no history re-advertises its launch price."""
    params = scenario.platforms
    if params.pricing == "fixed":  # and learning, if switched on later, starts from it
        platforms.commission_rate[:] = params.commission_rate
        platforms.commission_base[:] = params.commission_rate
    np.minimum(platforms.commission_base, params.commission_cap, out=platforms.commission_base)
    np.minimum(platforms.commission_rate, params.commission_cap, out=platforms.commission_rate)
    if params.pricing == "fixed" or params.fee_step_yuan == 0.0:  # a learnt fee stays learnt
        platforms.membership_fee[:] = params.membership_fee_yuan_per_week
        platforms.fee_base[:] = params.membership_fee_yuan_per_week
    platforms.infrastructure_quality[:] = params.infrastructure_quality
    platforms.credit_system[:] = params.credit_system
    firm_cost = scenario.firms.production_cost_yuan_per_hour + marginal_labour_cost(scenario.labour)
    launch = launch_price(scenario.demand.order_value_yuan_per_hour, firm_cost, platforms.commission_rate)
    platforms.price_ewma[~platforms.has_traded] = launch[~platforms.has_traded]


def record_platform_week(
    firms: FirmTable,
    platforms: PlatformTable,
    trades: Trades,
    week_stats: PlatformWeek,
    scenario: Scenario,
) -> None:
    """Update platform volumes and public record, members' gains, and sellers' credit records."""
    if platforms.n == 0:
        return
    n, n_platforms = firms.n, platforms.n
    on_platform = trades.platform >= 0
    platform = trades.platform[on_platform]
    hours = trades.hours[on_platform]
    delivered = trades.delivered[on_platform]
    paid = trades.paid_yuan[on_platform]
    platforms.traded_hours[:] = np.bincount(platform, hours * delivered, minlength=n_platforms)
    platforms.traded_value[:] = np.bincount(platform, paid, minlength=n_platforms)
    platforms.commission_yuan[:] = np.bincount(
        platform, trades.commission_yuan[on_platform] * delivered, minlength=n_platforms
    )

    weight = 1.0 / scenario.firms.memory_weeks
    requested, offered = week_stats.requested_hours, week_stats.offered_hours
    matched = week_stats.matched_hours
    has_requests, has_offers, has_trades = requested > 0, offered > 0, matched > 0
    platforms.buyer_fill_ewma[has_requests] += weight * (
        matched[has_requests] / requested[has_requests] - platforms.buyer_fill_ewma[has_requests]
    )
    platforms.seller_fill_ewma[has_offers] += weight * (
        matched[has_offers] / offered[has_offers] - platforms.seller_fill_ewma[has_offers]
    )
    matched_value = np.bincount(platform, hours * trades.price[on_platform], minlength=n_platforms)
    mean_price = np.divide(matched_value, matched, out=np.zeros(n_platforms), where=has_trades)
    # A platform that has never traded still advertises its launch price (possibly infinite).
    first = has_trades & ~platforms.has_traded
    platforms.price_ewma[first] = mean_price[first]
    update = has_trades & platforms.has_traded
    platforms.has_traded |= has_trades
    platforms.price_ewma[update] += weight * (mean_price[update] - platforms.price_ewma[update])

    # Each member's gain through each platform this week (buyer and seller surplus).
    buyer, seller, process = trades.buyer[on_platform], trades.seller[on_platform], trades.process[on_platform]
    delivered_hours = hours * delivered
    buyer_gain = delivered_hours * (firms.order_value[buyer, process] - trades.price[on_platform])
    seller_cost = firms.production_cost[seller, process] + firms.labour_cost_per_machine_hour
    seller_gain = trades.received_yuan[on_platform] - delivered_hours * seller_cost
    gain = np.bincount(buyer * n_platforms + platform, buyer_gain, minlength=n * n_platforms)
    gain += np.bincount(seller * n_platforms + platform, seller_gain, minlength=n * n_platforms)
    members = firms.membership
    firms.platform_surplus_ewma[members] += weight * (
        gain.reshape(n, n_platforms)[members] - firms.platform_surplus_ewma[members]
    )

    failed = ~delivered
    firms.sales_record += np.bincount(seller, minlength=n)
    firms.failure_record += np.bincount(seller[failed], minlength=n)


def review_memberships(
    firms: FirmTable,
    platforms: PlatformTable,
    week: int,
    scenario: Scenario,
    ledger: Ledger,
) -> tuple[np.ndarray, np.ndarray]:
    """Firms due for review join or leave platforms.

    Returns
    -------
    joined, left : ndarray of shape (M, 2)
        ``(firm row, platform row)`` pairs that joined or left this week.
    """
    due = np.flatnonzero(firms.active & firms.due(week, scenario.platforms.review_period_weeks))
    return _review(firms, platforms, due, week, scenario, ledger)


def consider_joining(
    firms: FirmTable, platforms: PlatformTable, rows: np.ndarray, week: int, scenario: Scenario, ledger: Ledger
) -> np.ndarray:
    """Entrants at ``rows`` join the platforms they expect to gain from; returns the ``(firm, platform)`` pairs."""
    joined, _ = _review(firms, platforms, rows, week, scenario, ledger)
    return joined


def launch_memberships(firms: FirmTable, platforms: PlatformTable, scenario: Scenario) -> None:
    """Members at week 0: every firm for which joining pays at launch, by the rule it reviews with later.

    The economy starts in the state its rules would keep, so these firms joined
    before the first week: their joining cost is sunk, not paid now.
    """
    _review(firms, platforms, np.flatnonzero(firms.active), 0, scenario, ledger=None)


def expected_weekly_gain(firms: FirmTable, platforms: PlatformTable, rows: np.ndarray, p: int) -> np.ndarray:
    """(rows,) yuan/week each firm expects to gain as a member of platform ``p``, net of the fee.

    From what the firm knows: its recent unserved and unsold hours, its order values
    and costs, and the platform's public record (fill rates and price).
    """
    unserved = row_sums(firms.unmet_ewma[rows])
    unsold = firms.unsold_offer_ewma[rows]
    value = row_sums(firms.order_mix[rows] * firms.order_value[rows])
    machines = firms.machines[rows]
    machine_count = row_sums(machines)
    own_cost = row_sums(machines * (firms.production_cost[rows] + firms.labour_cost_per_machine_hour))
    cost = np.divide(own_cost, machine_count, out=np.full(rows.size, np.inf), where=machine_count > 0)
    price = platforms.price_ewma[p]
    with np.errstate(invalid="ignore"):
        receipt = np.nan_to_num((1.0 - platforms.commission_rate[p]) * price, nan=0.0, posinf=0.0)
    buyer_gain = platforms.buyer_fill_ewma[p] * unserved * np.maximum(value - price, 0.0)
    seller_gain = platforms.seller_fill_ewma[p] * unsold * np.maximum(receipt - cost, 0.0)
    return buyer_gain + seller_gain - platforms.membership_fee[p]


def spread_awareness(
    firms: FirmTable, platforms: PlatformTable, partners: PartnerEdges, scenario: Scenario, rng: np.random.Generator
) -> None:
    """Firms learn of platforms: by outreach, and from partners who report what membership brings them.

    Each week an unaware firm learns of platform ``p`` with probability
    ``(outreach + imitation x net share) / 52``, where the net share is that of its
    active partners who are satisfied members (their recent gains through ``p`` at
    least cover its fee) less those who are dissatisfied (members who do not gain
    it): a Bass (1969) diffusion over the supply network.
    """
    params = scenario.platforms
    if platforms.n == 0:
        return
    buyer, seller = partners.buyer, partners.seller
    linked = firms.active[seller] & firms.active[buyer]
    degree = np.bincount(buyer[linked], minlength=firms.n)
    draws = rng.random((firms.n, platforms.n))
    for p in range(platforms.n):
        member = firms.membership[:, p] & firms.active
        satisfied = member & (firms.platform_surplus_ewma[:, p] >= platforms.membership_fee[p])
        opinion = satisfied.astype(np.float64) - (member & ~satisfied)
        net = np.bincount(buyer[linked], weights=opinion[seller[linked]], minlength=firms.n)
        share = np.maximum(np.divide(net, degree, out=np.zeros(firms.n), where=degree > 0), 0.0)
        hazard = (params.outreach_per_year + params.imitation_per_year * share) / 52.0
        firms.aware[:, p] |= firms.active & platforms.active[p] & (draws[:, p] < hazard)


def _review(
    firms: FirmTable, platforms: PlatformTable, rows: np.ndarray, week: int, scenario: Scenario, ledger: Ledger | None
) -> tuple[np.ndarray, np.ndarray]:
    """Firms at ``rows`` join or leave platforms; ``ledger=None`` is the launch (no payment, nobody leaves)."""
    params = scenario.platforms
    empty = np.zeros((0, 2), np.int64)
    if platforms.n == 0 or rows.size == 0:
        return empty, empty

    join_cost = joining_cost(firms.digital_readiness[rows], scenario)
    ready = firms.digital_readiness[rows] >= params.min_readiness
    if ledger is not None:
        ready &= firms.cash_yuan[rows] >= join_cost
    tenure = week - firms.joined_week[rows]

    joined, left = [], []
    for p in range(platforms.n):
        weekly_net = expected_weekly_gain(firms, platforms, rows, p)
        member = firms.membership[rows, p]
        join = ~member & ready & firms.aware[rows, p] & platforms.active[p]
        join &= params.planning_horizon_weeks * weekly_net > join_cost
        leave = (
            member
            & (tenure[:, p] >= params.min_tenure_weeks)
            & (firms.platform_surplus_ewma[rows, p] < platforms.membership_fee[p])
            & (rows != platforms.owner[p])  # an owner stays on its own platform
            & (firms.kind[rows] != PUBLIC_LAB)  # and public labs on every platform
        )
        if ledger is None:
            leave[:] = False
        else:
            pay_joining_costs(rows[join], firms.digital_readiness[rows[join]], scenario, ledger)
        firms.membership[rows[join], p] = True
        firms.joined_week[rows[join], p] = week
        firms.membership[rows[leave], p] = False
        firms.platform_surplus_ewma[rows[join | leave], p] = 0.0
        joined.append(np.stack([rows[join], np.full(join.sum(), p)], axis=1))
        left.append(np.stack([rows[leave], np.full(leave.sum(), p)], axis=1))
    return np.concatenate(joined).astype(np.int64), np.concatenate(left).astype(np.int64)
