"""Mechanism 6, investment: buy machines or rent capacity; sell machines that stand idle.

Every ``review_period_weeks`` each firm (staggered) looks at each process type
in which its orders exceed its own capacity, measured as sustained unserved
plus rented hours ``U + B`` (moving averages). Where that exceeds
``overload_threshold_machines`` machines, it compares two plans over one week:

* keep renting: ``B x (value - rent price)``;
* buy ``n`` machines covering ``n x machine_hours`` of those hours (unserved
  first, then rented), each costing its annuity plus upkeep:
  ``covered x (value - cost) + rented_left x (value - rent price) - n x (annuity + upkeep)``

and buys when buying earns more and it has the down payment: a bank lends
``loan_to_value`` of the price, repaid over ``loan_years``. ``n`` closes a share
``adjustment_speed`` of the gap; the largest gaps are served first while the
cash for down payments lasts. Separately, where a firm's sustained utilisation
of a process type is below ``idle_utilisation_threshold``, it sells machines in
that type down towards ``target_utilisation``, at ``resale_share`` of the price.
Because resale loses value, firms tolerate a wide band of utilisation: the
machine park adjusts only to sustained overload or idleness. Machines also wear
out (:func:`retire_machines`), so a firm that keeps its orders replaces them.
"""

from __future__ import annotations

import numpy as np

from ..kernels import row_sums
from ..ledger import Ledger
from ..scenario import InvestmentParams
from ..state import MICRO, PUBLIC_LAB, FirmTable


def weekly_annuity(params: InvestmentParams, principal: float | np.ndarray | None = None):
    """Weekly payment that repays ``principal`` (default: one machine's price) over a machine's life, in yuan."""
    rate, years = params.interest_rate, params.machine_life_years
    principal = params.machine_price_yuan if principal is None else principal
    yearly = principal / years if rate == 0 else principal * rate / (1.0 - (1.0 + rate) ** -years)
    return yearly / 52.0


def settle_machine_park(firms: FirmTable, params: InvestmentParams) -> None:
    """Give firms at set-up the machine park the review rule would keep for their expected orders.

    In each process type a firm adds machines while its expected orders exceed its
    capacity by at least ``overload_threshold_machines`` machines and one more
    machine earns its annuity and upkeep, and sells machines down towards
    ``target_utilisation`` where expected utilisation is below
    ``idle_utilisation_threshold``: the fixed point of :func:`review_machines` on
    expected orders, with nothing rented yet. The economy then starts where its
    own rules would hold it, not with a year of catching up.
    """
    hours = params.machine_hours_per_week
    expected = firms.base_order_hours[:, None] * firms.order_mix
    capacity = firms.machines * hours
    margin = firms.order_value - (firms.production_cost + firms.labour_cost_per_machine_hour)
    machine_cost = weekly_annuity(params) + params.maintenance_yuan_per_week
    gap = np.maximum(expected - capacity, 0.0)
    threshold = params.overload_threshold_machines * hours
    added = np.where(gap >= threshold, np.floor((gap - threshold) / hours) + 1.0, 0.0)
    last_covers = np.minimum(gap - (added - 1.0) * hours, hours)  # hours the last machine added would run
    added -= (added > 0) & (last_covers * margin < machine_cost)
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = np.where(capacity > 0, expected / capacity, np.inf)
    keep = np.ceil(expected / (params.target_utilisation * hours))
    removed = np.where(utilisation < params.idle_utilisation_threshold, np.maximum(firms.machines - keep, 0), 0)
    # A micro-business's machine is its founder's choice; a public lab's instruments are a public stock.
    settles = (firms.active & (firms.kind != MICRO) & (firms.kind != PUBLIC_LAB))[:, None]
    firms.machines += ((added - removed) * settles).astype(np.int64)


def retire_machines(firms: FirmTable, params: InvestmentParams, rng: np.random.Generator) -> np.ndarray:
    """Machines that wear out this week, scrapped without resale; returns how many each firm lost (N,).

    Each machine retires with probability ``1 / (52 x machine_life_years)`` a week,
    so a machine lasts ``machine_life_years`` on average and replacing worn-out
    machines is part of investment.
    """
    if not params.retire_machines:
        return np.zeros(firms.n, np.int64)
    weekly = 1.0 / (52.0 * params.machine_life_years)
    in_use = firms.active & (firms.kind != PUBLIC_LAB)  # public instruments are kept up by their institutes
    retired = rng.binomial(firms.machines * in_use[:, None], weekly)
    firms.machines -= retired
    return row_sums(retired)


def review_machines(
    firms: FirmTable, week: int, params: InvestmentParams, ledger: Ledger
) -> tuple[np.ndarray, np.ndarray]:
    """Buy or sell machines for firms due for review, in place on ``firms.machines``; payments through ``ledger``.

    Returns
    -------
    bought, sold : ndarray of shape (N,)
        Machines each firm bought and sold this week.
    """
    n = firms.n
    bought, sold = np.zeros(n, np.int64), np.zeros(n, np.int64)
    due = np.flatnonzero(firms.active & (firms.kind != PUBLIC_LAB) & firms.due(week, params.review_period_weeks))
    if due.size == 0:
        return bought, sold
    hours_per_machine = params.machine_hours_per_week

    # Buy versus rent, in every process type of sustained overload, the largest first while the cash lasts.
    unserved, rented = firms.unmet_ewma[due], firms.bought_ewma[due]
    gap = unserved + rented
    value = firms.order_value[due]
    own_margin = value - (firms.production_cost[due] + firms.labour_cost_per_machine_hour)
    rent_margin = value - firms.rent_price_ewma[due]
    down_payment = params.machine_price_yuan * (1.0 - params.loan_to_value)  # the bank lends the rest
    affordable = (
        np.floor(np.maximum(firms.cash_yuan[due], 0.0) / down_payment)
        if down_payment > 0
        else np.full(due.size, np.inf)
    )
    wanted = np.maximum(1.0, np.floor(params.adjustment_speed * gap / hours_per_machine))
    wanted *= gap >= params.overload_threshold_machines * hours_per_machine
    largest_first = np.argsort(-gap, axis=1)
    wanted_sorted = np.take_along_axis(wanted, largest_first, axis=1)
    before = np.cumsum(wanted_sorted, axis=1) - wanted_sorted
    count = np.zeros_like(wanted)
    np.put_along_axis(count, largest_first, np.clip(affordable[:, None] - before, 0.0, wanted_sorted), axis=1)
    covered = np.minimum(count * hours_per_machine, gap)
    rented_left = rented - np.maximum(covered - unserved, 0.0)
    profit_buy = (
        covered * own_margin
        + rented_left * rent_margin
        - count * (weekly_annuity(params) + params.maintenance_yuan_per_week)
    )
    count *= (count >= 1) & (profit_buy > rented * rent_margin)
    count = count.astype(np.int64)
    firms.machines[due] += count
    bought[due] = row_sums(count)
    buyers = due[bought[due] > 0]
    loan = bought[buyers] * params.machine_price_yuan * params.loan_to_value
    ledger.pay("loan", "banks", "firms", loan, payee_rows=buyers)
    firms.loan_yuan[buyers] += loan
    ledger.pay("machine purchase", "firms", "suppliers", bought[buyers] * params.machine_price_yuan, payer_rows=buyers)

    # Sell machines that stand idle, in every process type of low sustained utilisation (not one just bought).
    machines = firms.machines[due]
    capacity = machines * hours_per_machine
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = np.where(capacity > 0, firms.used_ewma[due] / capacity, np.inf)
    needed = np.ceil(firms.used_ewma[due] / (params.target_utilisation * hours_per_machine))
    excess = np.floor(params.adjustment_speed * np.maximum(machines - needed, 0.0)).astype(np.int64)
    excess *= (utilisation < params.idle_utilisation_threshold) & (count == 0)
    firms.machines[due] -= excess
    sold[due] = row_sums(excess)
    sellers = due[sold[due] > 0]
    resale = sold[sellers] * params.resale_share * params.machine_price_yuan
    ledger.pay("machine resale", "suppliers", "firms", resale, payee_rows=sellers)
    return bought, sold
