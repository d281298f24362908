"""The week's books: what customers, suppliers, trading partners, platforms and banks are paid, and profit.

Once the week's deliveries and labour are known, every firm

* is paid by its customers for every served hour at its order value,
* pays its suppliers the non-labour cost of every hour its machines ran, and the
  upkeep of every machine it owns,
* pays each seller for the hours delivered to it, and (as a seller) pays each
  platform its commission on a delivered platform trade,
* pays its bank interest on its loans and any overdraft, and repays a share
  ``1 / (52 x loan_years)`` of its loans.

Its operating profit is these flows (less the repayment, which is no cost) plus
its labour cost (:mod:`labour`), fees (:mod:`platforms`) and search costs
(:mod:`trade`). A firm keeps a cash buffer of ``cash_buffer_weeks`` of its
expected revenue and pays out what it holds beyond it: an SME or large firm to
its outside owners (a dividend), a micro-business to its owner (the owner's
draw); what is left when it closes goes to them too (:mod:`occupation`).

Workers spend what they do not save of what they received this week (each its
own saving rate) and a share of their savings: ``savings_rate x wage /
initial_savings_yuan`` a week, so that a wage earner's savings stay where they
start (consumption out of income and wealth, as in Godley and Lavoie 2007).
Every payment goes through the ledger.
"""

from __future__ import annotations

import numpy as np

from ..kernels import blend, row_sums
from ..ledger import Ledger
from ..scenario import Scenario
from ..state import (
    PUBLIC_LAB,
    SELF_EMPLOYED,
    UNEMPLOYED,
    Deliveries,
    FirmTable,
    LabourWeek,
    Trades,
    TradeWeek,
    WorkerTable,
)


def settle(
    firms: FirmTable,
    workers: WorkerTable,
    deliveries: Deliveries,
    trade_week: TradeWeek,
    labour_week: LabourWeek,
    fees_yuan: np.ndarray,
    unsold_offer_hours: np.ndarray,
    scenario: Scenario,
    ledger: Ledger,
) -> np.ndarray:
    """Book the week's operating payments, the owners' draws and workers' consumption; returns revenue (N,).

    ``fees_yuan`` (N,) are the week's platform fees and the net cost of access to large firms' data
    (:mod:`open_data`), and ``unsold_offer_hours`` (N, K)
    the offered hours nobody bought. Sets ``firms.profit_yuan`` and the moving
    averages firms decide by, and each worker's ``income`` (a business owner's is
    the business's profit).
    """
    n = firms.n
    trades = trade_week.trades
    revenue = row_sums(deliveries.served_hours * firms.order_value)
    production_cost = row_sums(deliveries.used_hours * firms.production_cost)
    invest = scenario.investment
    upkeep = row_sums(firms.machines) * invest.maintenance_yuan_per_week
    owed = firms.loan_yuan + np.maximum(-firms.cash_yuan, 0.0)
    interest = owed * (invest.interest_rate / 52.0) * firms.active
    repayment = firms.loan_yuan * min(1.0 / (52.0 * invest.loan_years), 1.0) * firms.active
    ledger.pay("order revenue", "customers", "firms", revenue)
    ledger.pay("production cost", "firms", "suppliers", production_cost)
    ledger.pay("upkeep", "firms", "suppliers", upkeep)
    ledger.pay("interest", "firms", "banks", interest)
    ledger.pay("loan repayment", "firms", "banks", repayment)
    firms.loan_yuan -= repayment

    paid, delivered = trades.paid_yuan, trades.delivered
    buyer, seller = trades.buyer[delivered], trades.seller[delivered]
    ledger.pay("trade payment", "firms", "firms", paid[delivered], payer_rows=buyer, payee_rows=seller)
    on_platform = delivered & (trades.platform >= 0)
    ledger.pay(
        "commission",
        "firms",
        "platforms",
        trades.commission_yuan[on_platform],
        payer_rows=trades.seller[on_platform],
        payee_rows=trades.platform[on_platform],
    )

    trade_net = np.bincount(trades.seller, trades.received_yuan, minlength=n)
    trade_net -= np.bincount(trades.buyer, paid, minlength=n)
    profit = (
        revenue
        - production_cost
        - upkeep
        - interest
        + trade_net
        - labour_week.labour_cost_yuan
        - fees_yuan
        - trade_week.search_cost_yuan
    )
    firms.profit_yuan[:] = profit * firms.active

    excess = np.maximum(firms.cash_yuan - scenario.firms.cash_buffer_weeks * firms.expected_revenue_yuan, 0.0)
    excess *= firms.active & (firms.kind != PUBLIC_LAB)  # a public lab's surplus goes to the government
    owned = np.flatnonzero((firms.owner >= 0) & (excess > 0))
    ledger.pay("owner's draw", "firms", "workers", excess[owned], payer_rows=owned, payee_rows=firms.owner[owned])
    ledger.pay("dividend", "firms", "owners", np.where(firms.owner >= 0, 0.0, excess))

    # A business owner's income is its business's profit; what the owner received is the draw.
    owners = np.flatnonzero(workers.status == SELF_EMPLOYED)
    received = workers.income.copy()
    received[owners] = 0.0
    received[firms.owner[owned]] = excess[owned]
    workers.income[owners] = firms.profit_yuan[workers.employer[owners]]
    params = scenario.labour
    wealth_spending = params.savings_rate * params.wage_yuan_per_week / params.initial_savings_yuan
    spent = (1.0 - workers.saving_rate) * np.maximum(received, 0.0)
    spent += min(wealth_spending, 1.0) * np.maximum(workers.savings_yuan - spent, 0.0)
    ledger.pay("consumption", "workers", "consumption", spent)
    _remember(firms, workers, deliveries, trades, unsold_offer_hours, scenario)
    return revenue


def _remember(
    firms: FirmTable,
    workers: WorkerTable,
    deliveries: Deliveries,
    trades: Trades,
    unsold_offer_hours: np.ndarray,
    scenario: Scenario,
) -> None:
    """Moving averages of what firms and workers experienced: what they decide by."""
    n, k = firms.order_mix.shape
    weight = 1.0 / scenario.firms.memory_weeks
    # What more machines, or others' machines, could have served: not the hours lost for want of workers.
    blend(firms.unmet_ewma, np.maximum(deliveries.unmet_hours - deliveries.unstaffed_hours, 0.0), weight)
    blend(firms.bought_ewma, deliveries.bought_hours, weight)
    blend(firms.used_ewma, deliveries.used_hours, weight)
    blend(firms.unsold_offer_ewma, row_sums(unsold_offer_hours), weight)
    blend(firms.profit_ewma, firms.profit_yuan, weight)
    bought_value = np.bincount(trades.buyer * k + trades.process, trades.paid_yuan, minlength=n * k).reshape(n, k)
    has_bought = deliveries.bought_hours > 0
    price_paid = np.divide(bought_value, deliveries.bought_hours, out=firms.rent_price_ewma.copy(), where=has_bought)
    blend(firms.rent_price_ewma, price_paid, weight)  # unchanged where nothing was bought

    params = scenario.labour
    blend(workers.income_ewma, workers.income, weight)
    blend(workers.income_sq_ewma, workers.income, weight, squared=True)
    unemployed = workers.status == UNEMPLOYED
    workers.reservation_wage[unemployed] = np.maximum(
        workers.reservation_wage[unemployed] * (1.0 - params.reservation_wage_decay),
        params.unemployment_benefit_yuan_per_week,
    )
