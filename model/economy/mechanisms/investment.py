"""Mechanism 6, investment: buy machines or rent capacity; sell machines that stand idle.

Every ``review_period_weeks`` each firm (staggered) looks at the process type in
which its orders most exceed its own capacity, measured as sustained unserved
plus rented hours ``U + B`` (moving averages). If that exceeds
``overload_threshold_machines`` machines, it compares two plans over one week:

* keep renting: ``B x (value - rent price)``;
* buy ``n`` machines covering ``n x machine_hours`` of those hours (unserved
  first, then rented), each costing its annuity plus upkeep:
  ``covered x (value - cost) + rented_left x (value - rent price) - n x (annuity + upkeep)``

and buys when buying earns more and it has the down payment: a bank lends
``loan_to_value`` of the price, repaid over ``loan_years``. ``n`` closes a share
``adjustment_speed`` of the gap. Separately, a firm whose sustained utilisation
of some process type is below ``idle_utilisation_threshold`` sells machines in
that type down towards ``target_utilisation``, at ``resale_share`` of the price.
Because resale loses value, firms tolerate a wide band of utilisation: the
machine park adjusts only to sustained overload or idleness. Machines also wear
out (:func:`retire_machines`), so a firm that keeps its orders replaces them.
"""

from __future__ import annotations

import numpy as np

from ..ledger import Ledger
from ..scenario import InvestmentParams
from ..state import FirmTable


def weekly_annuity(params: InvestmentParams, principal: float | np.ndarray | None = None):
    """Weekly payment that repays ``principal`` (default: one machine's price) over a machine's life, in yuan."""
    rate, years = params.interest_rate, params.machine_life_years
    principal = params.machine_price_yuan if principal is None else principal
    yearly = principal / years if rate == 0 else principal * rate / (1.0 - (1.0 + rate) ** -years)
    return yearly / 52.0


def retire_machines(firms: FirmTable, params: InvestmentParams, rng: np.random.Generator) -> np.ndarray:
    """Machines that wear out this week, scrapped without resale; returns how many each firm lost (N,).

    Each machine retires with probability ``1 / (52 x machine_life_years)`` a week,
    so a machine lasts ``machine_life_years`` on average and replacing worn-out
    machines is part of investment.
    """
    if not params.retire_machines:
        return np.zeros(firms.n, np.int64)
    weekly = 1.0 / (52.0 * params.machine_life_years)
    retired = rng.binomial(firms.machines * firms.active[:, None], weekly)
    firms.machines -= retired
    return retired.sum(axis=1)


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
    due = np.flatnonzero(firms.active & firms.due(week, params.review_period_weeks))
    if due.size == 0:
        return bought, sold
    hours_per_machine = params.machine_hours_per_week

    # Buy versus rent, in the process type of largest sustained overload.
    unserved, rented = firms.unmet_ewma[due], firms.bought_ewma[due]
    overload = unserved + rented
    process = np.argmax(overload, axis=1)
    pick = (np.arange(due.size), process)
    gap, unserved, rented = overload[pick], unserved[pick], rented[pick]
    value = firms.order_value[due][pick]
    own_margin = value - (firms.production_cost[due][pick] + firms.labour_cost_per_machine_hour)
    rent_margin = value - firms.rent_price_ewma[due][pick]
    down_payment = params.machine_price_yuan * (1.0 - params.loan_to_value)  # the bank lends the rest
    affordable = (
        np.floor(np.maximum(firms.cash_yuan[due], 0.0) / down_payment)
        if down_payment > 0
        else np.full(due.size, np.inf)
    )
    wanted = np.maximum(1.0, np.floor(params.adjustment_speed * gap / hours_per_machine))
    count = np.minimum(wanted, np.maximum(affordable, 0.0))
    covered = np.minimum(count * hours_per_machine, gap)
    rented_left = rented - np.maximum(covered - unserved, 0.0)
    profit_buy = (
        covered * own_margin
        + rented_left * rent_margin
        - count * (weekly_annuity(params) + params.maintenance_yuan_per_week)
    )
    buy = (gap >= params.overload_threshold_machines * hours_per_machine) & (count >= 1)
    buy &= profit_buy > rented * rent_margin
    buyers, buy_process, buy_count = due[buy], process[buy], count[buy].astype(np.int64)
    firms.machines[buyers, buy_process] += buy_count
    loan = buy_count * params.machine_price_yuan * params.loan_to_value
    ledger.pay("loan", "banks", "firms", loan, payee_rows=buyers)
    firms.loan_yuan[buyers] += loan
    ledger.pay("machine purchase", "firms", "suppliers", buy_count * params.machine_price_yuan, payer_rows=buyers)
    bought[buyers] = buy_count

    # Sell machines that stand idle, in the process type of lowest sustained utilisation.
    machines = firms.machines[due]
    capacity = machines * hours_per_machine
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = np.where(capacity > 0, firms.used_ewma[due] / capacity, np.inf)
    utilisation[buy, buy_process] = np.inf  # a firm that just bought keeps that type
    process = np.argmin(utilisation, axis=1)
    pick = (np.arange(due.size), process)
    lowest, owned = utilisation[pick], machines[pick]
    needed = np.ceil(firms.used_ewma[due][pick] / (params.target_utilisation * hours_per_machine))
    excess = np.floor(params.adjustment_speed * np.maximum(owned - needed, 0.0)).astype(np.int64)
    sell = (lowest < params.idle_utilisation_threshold) & (excess >= 1)
    sellers, sell_process, sell_count = due[sell], process[sell], excess[sell]
    firms.machines[sellers, sell_process] -= sell_count
    resale = sell_count * params.resale_share * params.machine_price_yuan
    ledger.pay("machine resale", "suppliers", "firms", resale, payee_rows=sellers)
    sold[sellers] = sell_count
    return bought, sold
