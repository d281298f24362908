"""Mechanism 5, occupational choice, entry and exit.

**Micro-entrepreneurs.** At their reviews, workers weigh running a micro-business
against their alternatives. Its expected weekly income is custom-order revenue
(``micro_order_hours`` scaled by the worker's ability and, on a platform, by the
platform's reach) minus what producing it costs, by one of two routes:

* *rent*: buy the hours on the platform with the widest reach, at its going price
  and fill rate, and pay its fee and joining cost (needs platforms, the digital
  readiness to join, and savings for the joining cost);
* *buy*: own one machine in one's skill and make the orders of that process type
  oneself, paying the machine's annuity and upkeep (needs savings of at least
  ``entry_capital_yuan``, the capital threshold: the down payment; a loan for
  the rest is repaid weekly over the machine's life).

A worker opens the business when the better available route beats both its wage
(for the unemployed, the wage times the chance of finding a job) and its
expected flexible income by ``entry_hurdle``. Without platforms only the buy
route exists. The founder puts all savings into the business (and, on the buy
route, a start-up loan); its profit stays there but for the owner's draw
(:mod:`accounts`), and what is left when it closes returns to the owner.

**Exit.** A firm closes when its cash falls below its credit limit
(bankruptcy) or after sustained losses (a negative moving average of operating
profit, once older than ``min_age_weeks``); SMEs and micro-businesses also close
at random, at ``closure_rate_per_year``, for reasons outside the model (firm
demography: owners retire or move). Its machines are sold, its staff and its
owner return to the labour pool.

**SME entry.** New SMEs arrive at a Poisson rate that rises with incumbents'
profit per machine beyond the capital cost of a machine (up to twice it); their outside
owners pay for their machines and working cash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..kernels import column_sums, row_sums
from ..ledger import Ledger
from ..population import draw_firms, pareto_machines
from ..scenario import Scenario
from ..state import (
    INACTIVE,
    LARGE,
    MICRO,
    PERMANENT,
    PUBLIC_LAB,
    SELF_EMPLOYED,
    SME,
    UNEMPLOYED,
    FirmTable,
    LabourMarket,
    PlatformTable,
    WorkerTable,
)
from .investment import weekly_annuity
from .labour import release_staff, weekly_flexible_pay
from .matching import region_of
from .platforms import joining_cost, pay_joining_costs
from .trade import design_value_kept


@dataclass
class Founders:
    """Workers who open a micro-business this week, and how."""

    workers: np.ndarray  # worker rows
    buys_machine: np.ndarray  # bool: the buy route (else rent)
    platform: np.ndarray  # platform joined at once on the rent route (-1 on the buy route)


def choose_self_employment(
    workers: WorkerTable,
    platforms: PlatformTable,
    market: LabourMarket,
    custom_crowding: float,
    week: int,
    scenario: Scenario,
    rng: np.random.Generator,
    firms_aware_share: np.ndarray | None = None,
) -> Founders:
    """Workers due for review who open a micro-business this week.

    ``custom_crowding`` is the current share-out of the custom market (see
    :mod:`model.economy.mechanisms.demand`); founders expect their orders to be scaled by it.
    ``firms_aware_share`` (P,) is the share of active firms that know each
    platform: a worker considers renting on a platform with that chance.
    """
    labour, occupation, demand = scenario.labour, scenario.occupation, scenario.demand
    # People outside the labour force join it first (review_participation) before they weigh a business.
    due = (workers.status != SELF_EMPLOYED) & (workers.status != INACTIVE) & (workers.training_left == 0)
    due &= workers.due(week, labour.review_weeks)
    rows = np.flatnonzero(due)
    empty = Founders(np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, np.int64))
    if rows.size == 0:
        return empty

    value = demand.order_value_yuan_per_hour * (1.0 + demand.custom_premium)
    orders = demand.micro_order_hours * workers.ability[rows] * custom_crowding
    savings = workers.savings_yuan[rows]

    # Rent route: the platform with the widest reach.
    rent_income = np.full(rows.size, -np.inf)
    platform = -1
    if platforms.n and platforms.active.any():
        platform = int(np.argmax(np.where(platforms.active, platforms.member_share, -1.0)))
        price = platforms.price_ewma[platform]
        reach = 1.0 + demand.reach_gain * platforms.member_share[platform]
        cost = joining_cost(workers.digital_readiness[rows], scenario)
        margin = max(value * design_value_kept(scenario) - price, 0.0) if np.isfinite(price) else 0.0
        income = platforms.buyer_fill_ewma[platform] * orders * reach * margin
        income -= platforms.membership_fee[platform] + cost / labour.planning_horizon_weeks
        can_rent = (workers.digital_readiness[rows] >= scenario.platforms.min_readiness) & (savings >= cost)
        # A worker has heard of the platform as often as the firms around have.
        known = firms_aware_share[platform] if firms_aware_share is not None else 1.0
        can_rent &= rng.random(rows.size) < known
        rent_income = np.where(can_rent, income, -np.inf)

    # Buy route: one machine in one's skill, making that share of the orders.
    invest = scenario.investment
    own_hours = np.minimum(orders * occupation.micro_skill_share, invest.machine_hours_per_week)
    buy_income = own_hours * (value - scenario.firms.production_cost_yuan_per_hour)
    buy_income -= weekly_annuity(invest) + invest.maintenance_yuan_per_week
    buy_income = np.where(savings >= occupation.entry_capital_yuan, buy_income, -np.inf)

    skill = workers.skill[rows]
    job = np.clip(market.job_finding_ewma[skill], 0.0, 1.0)
    benefit = labour.unemployment_benefit_yuan_per_week
    wage_option = np.where(
        workers.status[rows] == PERMANENT,
        labour.wage_yuan_per_week,
        job * labour.wage_yuan_per_week + (1 - job) * benefit,
    )
    task = np.clip(market.task_finding_ewma[skill], 0.0, 1.0)
    flexible_option = task * weekly_flexible_pay(labour) + (1 - task) * benefit
    alternative = np.maximum(wage_option, flexible_option)
    best = np.maximum(rent_income, buy_income)
    enter = best > (1.0 + occupation.entry_hurdle) * alternative
    if not enter.any():
        return empty
    buys = buy_income[enter] >= rent_income[enter]
    return Founders(rows[enter], buys, np.where(buys, -1, platform).astype(np.int64))


def micro_businesses(
    founders: Founders,
    workers: WorkerTable,
    n_platforms: int,
    week: int,
    scenario: Scenario,
    stream: Callable[[str], np.random.Generator],
) -> FirmTable:
    """Rows for the founders' new micro-businesses, with no cash yet (see :func:`open_micro_businesses`)."""
    count = founders.workers.size
    table = draw_firms(
        scenario,
        np.full(count, MICRO, np.int8),
        n_platforms,
        stream,
        week=week,
        machines_total=np.zeros(count, np.int64),
        micro_skill=workers.skill[founders.workers],
        micro_owns_machine=founders.buys_machine,
        micro_ability=workers.ability[founders.workers],
        micro_readiness=workers.digital_readiness[founders.workers],
    )
    table.cash_yuan[:] = 0.0
    renting = np.flatnonzero(~founders.buys_machine)
    table.membership[renting, founders.platform[renting]] = True
    table.joined_week[renting, founders.platform[renting]] = week
    return table


def start_up_loan(scenario: Scenario) -> float:
    """What a founder on the buy route borrows: the machine's price less the down payment (yuan)."""
    price = scenario.investment.machine_price_yuan
    return price - min(scenario.occupation.entry_capital_yuan, price)


def hand_over(firms: FirmTable, workers: WorkerTable, founders: Founders, rows: np.ndarray, scenario: Scenario) -> None:
    """Founders leave their jobs (if any) and run the businesses at ``rows``, where they now live."""
    quitting = founders.workers[workers.status[founders.workers] == PERMANENT]
    np.subtract.at(firms.staff, (workers.employer[quitting], workers.skill[quitting]), 1)
    workers.status[founders.workers] = SELF_EMPLOYED
    workers.employer[founders.workers] = rows
    workers.region[founders.workers] = region_of(firms.location[rows], scenario.labour.regions_per_side)
    firms.owner[rows] = founders.workers


def open_micro_businesses(
    firms: FirmTable, workers: WorkerTable, founders: Founders, rows: np.ndarray, scenario: Scenario, ledger: Ledger
) -> None:
    """Founders put savings into their businesses at ``rows``, which buy a machine or join a platform.

    A founder puts in what the start costs (the down payment, or the joining cost)
    and the business's cash buffer, or all its savings if they are less. On the
    buy route the bank lends the price less the down payment and the machine is
    bought from suppliers; on the rent route the business pays its joining cost
    (the government its subsidised share).
    """
    buys = founders.buys_machine
    price = scenario.investment.machine_price_yuan
    outlay = np.where(buys, price - start_up_loan(scenario), joining_cost(firms.digital_readiness[rows], scenario))
    wanted = outlay + scenario.firms.cash_buffer_weeks * firms.expected_revenue_yuan[rows]
    savings = np.minimum(workers.savings_yuan[founders.workers], wanted)
    ledger.pay("founder's savings", "workers", "firms", savings, payer_rows=founders.workers, payee_rows=rows)
    buyers = rows[buys]
    loan = np.full(buyers.size, start_up_loan(scenario))
    ledger.pay("loan", "banks", "firms", loan, payee_rows=buyers)
    firms.loan_yuan[buyers] += loan
    ledger.pay("machine purchase", "firms", "suppliers", np.full(buyers.size, price), payer_rows=buyers)
    renters = rows[~founders.buys_machine]
    pay_joining_costs(renters, firms.digital_readiness[renters], scenario, ledger)


def open_smes(firms: FirmTable, rows: np.ndarray, working_cash: np.ndarray, scenario: Scenario, ledger: Ledger) -> None:
    """New SMEs at ``rows``: their outside owners pay in ``working_cash`` and the price of their machines, bought."""
    machines_cost = row_sums(firms.machines[rows]) * scenario.investment.machine_price_yuan
    ledger.pay("owners' equity", "owners", "firms", working_cash + machines_cost, payee_rows=rows)
    ledger.pay("machine purchase", "firms", "suppliers", machines_cost, payer_rows=rows)


def credit_floor(firms: FirmTable, scenario: Scenario) -> np.ndarray:
    """(N,) cash below which a firm is bankrupt: minus ``credit_limit_weeks`` of expected revenue."""
    return -scenario.occupation.credit_limit_weeks * firms.expected_revenue_yuan


def closing_firms(firms: FirmTable, week: int, scenario: Scenario, rng: np.random.Generator) -> np.ndarray:
    """Rows of firms that exit this week.

    Any firm, large ones too, that is bankrupt or makes sustained losses; and firms
    that close at random for reasons outside the model: SMEs and micro-businesses
    at ``closure_rate_per_year``, large firms at ``large_closure_rate_per_year``.
    Public labs never close.
    """
    params = scenario.occupation
    bankrupt = firms.cash_yuan < credit_floor(firms, scenario)
    old_enough = week - firms.birth_week >= params.min_age_weeks
    losing = (firms.profit_ewma < 0) & old_enough
    yearly = np.where(firms.kind == LARGE, params.large_closure_rate_per_year, params.closure_rate_per_year)
    weekly_hazard = 1.0 - (1.0 - yearly) ** (1.0 / 52.0)
    closes_anyway = rng.random(firms.n) < weekly_hazard
    return np.flatnonzero(firms.active & (firms.kind != PUBLIC_LAB) & (bankrupt | losing | closes_anyway))


def close_firms(
    firms: FirmTable, workers: WorkerTable, rows: np.ndarray, scenario: Scenario, ledger: Ledger
) -> np.ndarray:
    """Close the firms at ``rows``; returns the ``(firm row, platform row)`` memberships that end.

    Machines are sold second-hand, staff and owner return to the labour pool, and
    the cash left is settled once: to the owner of a micro-business, to the
    outside owners of an SME; an overdraft is written off by the bank (as is what
    remains of its loans, which is no payment).
    """
    invest = scenario.investment
    resale = row_sums(firms.machines[rows]) * invest.resale_share * invest.machine_price_yuan
    ledger.pay("machine resale", "suppliers", "firms", resale, payee_rows=rows)
    firms.machines[rows] = 0
    firms.backlog_hours[rows] = 0.0
    firms.loan_yuan[rows] = 0.0  # what is left of its loans is lost to the bank: a stock, not a payment
    member_rows, member_platforms = np.nonzero(firms.membership[rows])
    left = np.stack([rows[member_rows], member_platforms], axis=1).astype(np.int64)
    firms.membership[rows] = False
    release_staff(firms, workers, rows)

    cash, owner = firms.cash_yuan[rows], firms.owner[rows]
    to_founder, to_owners, overdrawn = (cash > 0) & (owner >= 0), (cash > 0) & (owner < 0), cash < 0
    ledger.pay(
        "closing cash to founder",
        "firms",
        "workers",
        cash[to_founder],
        payer_rows=rows[to_founder],
        payee_rows=owner[to_founder],
    )
    ledger.pay("closing cash to owners", "firms", "owners", cash[to_owners], payer_rows=rows[to_owners])
    ledger.pay("debt write-off", "banks", "firms", -cash[overdrawn], payee_rows=rows[overdrawn])
    owners = owner[owner >= 0]
    workers.status[owners] = UNEMPLOYED
    workers.employer[owners] = -1
    firms.owner[rows] = -1
    firms.active[rows] = False
    return left


def new_smes(
    firms: FirmTable, n_platforms: int, week: int, scenario: Scenario, stream: Callable[[str], np.random.Generator]
) -> FirmTable | None:
    """Firms entering this week, attracted by SMEs' profit per machine over its capital cost (None if none).

    They are SMEs, drawn from the size law below the size of a large firm; with
    ``occupation.entrants_at_every_size`` they are drawn from the whole law, as the
    first firms were, and those from ``firms.large_firm_min_machines`` up are large firms.

    Entrants choose what to make where orders are: the mean share of each process
    type in their machine parks is in proportion to its ordered hours per usable
    machine-hour among active firms this week (see :func:`entry_type_weights`).
    Their ``cash_yuan`` is the working cash their owners will pay in (see :func:`open_smes`).
    """
    rng = stream("count")
    smes = firms.active & (firms.kind == SME)
    machines = firms.machines[smes].sum()
    invest = scenario.investment
    capital_cost = weekly_annuity(invest) + invest.maintenance_yuan_per_week
    profit_per_machine = firms.profit_ewma[smes].sum() / machines if machines > 0 else 0.0
    # How much incumbents earn beyond the capital cost, as a share of it; entry stops rising at twice the cost.
    attraction = min(max(profit_per_machine / capital_cost - 1.0, 0.0), 1.0) if capital_cost > 0 else 0.0
    count = int(rng.poisson(scenario.occupation.sme_entry_rate * smes.sum() * attraction))
    if count == 0:
        return None
    firm = scenario.firms
    every_size = scenario.occupation.entrants_at_every_size
    upper = firm.max_machines if every_size else firm.large_firm_min_machines - 1
    total = pareto_machines(
        scenario,
        count,
        stream("size"),
        upper=max(upper, firm.min_machines),
        exponent=scenario.occupation.entrant_size_tail_exponent,
    )
    large = every_size & (total >= firm.large_firm_min_machines)  # off: SMEs, as before, whatever their size
    return draw_firms(
        scenario,
        np.where(large, LARGE, SME).astype(np.int8),
        n_platforms,
        stream,
        week=week,
        machines_total=total,
        micro_skill=np.zeros(0, np.int64),
        micro_owns_machine=np.zeros(0, bool),
        micro_ability=np.zeros(0),
        type_weights=entry_type_weights(firms),
    )


def entry_type_weights(firms: FirmTable) -> np.ndarray:
    """(K,) ordered hours per usable machine-hour in each process type, over active firms (1 where none)."""
    active = firms.active[:, None]
    orders = column_sums(firms.orders_hours * active)
    capacity = column_sums(firms.capacity_hours * active)
    ratio = np.divide(orders, capacity, out=np.ones_like(orders), where=capacity > 0)
    return ratio if ratio.sum() > 0 else np.ones_like(ratio)
