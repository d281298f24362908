"""Model-level metrics, one row per week: the names are a contract (DESIGN.md section 4).

Every metric is computed from the state arrays and the week's trades: one
compiled pass each over the firms, the trades and the workers
(:mod:`model.economy.kernels`, adding in NumPy's own order, so the totals are
what NumPy's sums give to the bit). Shares are in [0, 1]; a share whose denominator is zero (for
example ``platform_share`` in a week without trade) is reported as 0, never NaN.
Step 0 is the economy before its first week: stocks are set, flows are zero.
"""

from __future__ import annotations

import numpy as np

from .kernels import (
    FirmTotals,
    any_in_rows,
    firm_totals,
    rank_weighted_sum,
    row_sums,
    sampled_incomes,
    served_order_producers,
    trade_totals,
    worker_tallies,
)
from .ledger import Ledger, add_up
from .scenario import InvestmentParams
from .state import (
    FIRM_KIND_NAMES,
    FLEXIBLE,
    INACTIVE,
    LARGE,
    MICRO,
    PERMANENT,
    PUBLIC_LAB,
    SELF_EMPLOYED,
    SME,
    STATUS_NAMES,
    UNEMPLOYED,
    Deliveries,
    FirmTable,
    LabourMarket,
    PlatformTable,
    ProductWeek,
    Trades,
    WorkerTable,
)

# Unserved hours below this count as served (floating-point residue of clearing).
UNMET_TOLERANCE_HOURS = 1e-6

COLUMNS: dict[str, tuple[str, str]] = {
    "utilisation_mean": ("share", "Capacity-weighted mean of used / available machine-hours over firms."),
    "utilisation_std": ("share", "Standard deviation of firm utilisation across firms with machines."),
    "idle_share": ("share", "Share of firms with machines that use under 50% of them."),
    "overload_share": ("share", "Share of firms with unserved orders this week."),
    "unmet_demand_share": ("share", "Ordered hours (new plus backlog) not produced / ordered hours."),
    "shared_hours": ("hours/week", "Machine-hours delivered from one firm to another."),
    "shared_value": ("yuan/week", "What buyers paid for those hours."),
    "platform_share": ("share", "Share of delivered traded hours cleared on platforms."),
    "platform_value": ("yuan/week", "What buyers paid for hours delivered through platforms (their turnover)."),
    "hours_per_platform_order": (
        "hours",
        "Machine-hours per platform order: one buyer's request served by one seller in one week.",
    ),
    "producers_per_order": (
        "firms",
        "Mean number of distinct producers (the firm itself and its sellers) per served order; "
        "an order is one firm's demand for one process type in one week, or a multi-stage product (all its stages).",
    ),
    "outsourcing_ratio": ("share", "Share of firms' served orders made by another firm."),
    "specialisation_index": (
        "HHI 0-1",
        "Output-weighted mean Herfindahl index of each firm's production across process types.",
    ),
    "failed_trade_share": ("share", "Share of matched traded hours that failed (defect or non-delivery)."),
    "platform_failed_share": ("share", "Share of hours matched on platforms that failed."),
    "customisation_share": (
        "share",
        "Share of ordered hours that are custom: micro-businesses' orders and demand.custom_share of other firms'.",
    ),
    "owner_sales_share": (
        "share",
        "Share of the hours delivered on platforms owned by a firm that their owners sold (0 if none is owned).",
    ),
    "demand_hours": ("hours/week", "Ordered hours this week (new orders plus backlog)."),
    "capacity_hours": ("hours/week", "Machine-hours firms could run this week (installed and usable)."),
    "unmet_hours": ("hours/week", "Ordered hours not served this week."),
    "unstaffed_hours": ("hours/week", "Of which firms planned to make in-house but found no one to run."),
    "pooling_bound_hours": (
        "hours/week",
        "The physical limit: sum over process types of max(demand - capacity, 0); no economy can serve more.",
    ),
    "pooling_realised": (
        "share",
        "How much of the unserved demand that pooling every machine could remove trade removes: (unserved "
        "without any trade - unserved for want of machines) / (unserved without any trade - the bound).",
    ),
    "investment": ("yuan/week", "Spending on new machines this week, by incumbents and entrants."),
    "investment_by_entrants": (
        "yuan/week",
        "Of which new SMEs and micro-businesses spent on the machines they start with.",
    ),
    "capital_stock": ("hours/week", "Installed capacity of all active firms (usable or not)."),
    "platform_members": ("firms", "Firms that belong to at least one platform."),
    "platform_hhi": ("HHI 0-1", "Concentration of delivered platform hours across platforms (0 if none)."),
    "platform_profit_yuan": (
        "yuan/week",
        "Platforms' commissions and membership fees less their operating costs, summed over platforms.",
    ),
    "commission_mean": (
        "share",
        "Trade-weighted mean commission: commissions / value of delivered platform trades (0 without trade).",
    ),
    "labour_force": ("workers", "People in the labour force: working, or searching (including those in training)."),
    "employment_permanent": ("workers", "Workers in permanent jobs."),
    "employment_flexible": ("workers", "Workers who worked a flexible task contract this week."),
    "micro_entrepreneurs": ("workers", "Workers running a micro-business."),
    "unemployed": ("workers", "Workers with no paid work this week (including those in training)."),
    "inactive": ("people", "People outside the labour force, neither working nor searching."),
    "unemployment_rate": ("share", "Unemployed / labour force."),
    "structural_unemployment_rate": (
        "share",
        "Unemployed who face unfilled positions only in other skills / labour force: "
        "min(U, V) - sum over skills of min(U_k, V_k).",
    ),
    "vacancy_rate": ("share", "Open positions (vacancies and unfilled task slots) / (employed + open positions)."),
    "flexible_employment_share": ("share", "Flexible workers / all employed (permanent, flexible, self-employed)."),
    "firms_using_flexible_share": (
        "share",
        "Share of SMEs and large firms that used flexible workers in the last 52 weeks (meaningful from week 52).",
    ),
    "flexible_income_cv": (
        "ratio",
        "Mean over flexible workers of the coefficient of variation of their recent weekly income.",
    ),
    "income_gini": (
        "Gini 0-1",
        "Gini coefficient of the labour force's recent income (losses counted as zero; a fixed sample of people).",
    ),
    **{  # the same four measures for each kind of firm: revenue_large, revenue_sme, revenue_micro, ...
        f"{measure}_{kind}": (unit, meaning.format(kinds=kinds))
        for measure, (unit, meaning) in {
            "revenue": ("yuan/week", "What customers paid {kinds} for the orders they served."),
            "utilisation": ("share", "Capacity-weighted mean of used / available machine-hours over {kinds}."),
            "sold_hours": ("hours/week", "Machine-hours {kinds} delivered to other firms (partners and platforms)."),
            "bought_hours": ("hours/week", "Machine-hours other firms delivered to {kinds}."),
        }.items()
        for kind, kinds in zip(FIRM_KIND_NAMES, ("large firms", "SMEs", "micro-businesses"), strict=True)
    },
    "public_hours": ("hours/week", "Instrument-hours public labs delivered to firms (on platforms)."),
    "public_cost_yuan": (
        "yuan/week",
        "What the government paid this week (unemployment benefit, every subsidy of a policy, audits, public labs' "
        "shortfalls) less what it received (public labs' surpluses).",
    ),
    "welfare_yuan": (
        "yuan/week",
        "Firms' profit after depreciation + workers' income + platforms' income - public cost: what customers "
        "paid less the outside inputs, interest and machine wear it took (transfers cancel).",
    ),
    "n_large": ("firms", "Active large firms."),
    "n_sme": ("firms", "Active SMEs."),
    "n_micro": ("firms", "Active micro-entrepreneurs."),
    "n_platforms": ("platforms", "Active platforms."),
}


def measure(
    firms: FirmTable,
    platforms: PlatformTable,
    trades: Trades,
    deliveries: Deliveries | None = None,
    custom_share: float = 0.0,
) -> dict[str, float]:
    """Compute the columns of :data:`COLUMNS` for the week just played, except the capital ones.

    Call it after the week's books and before machines change hands; then add
    :func:`measure_capital`. Without ``deliveries`` (week 0) the week's flows are zero.
    ``custom_share`` is ``demand.custom_share``: the custom share of SMEs' and large
    firms' orders (all of a micro-business's are custom). Utilisation counts
    businesses only, not public labs' instruments.
    """
    active = firms.active & (firms.kind != PUBLIC_LAB)
    firm = totals_over_firms(firms, custom_share)
    trade = trade_totals(trades.hours, trades.failed, trades.platform, trades.seller, trades.paid_yuan, platforms.owner)
    volume = trade.hours_by_platform.sum()
    return {
        "utilisation_mean": _ratio(firm.used_hours, firm.capacity_hours),
        "utilisation_std": firm.utilisation_std,
        "idle_share": firm.idle_share,
        "overload_share": firm.overload_share,
        "unmet_demand_share": _ratio(firm.unmet_hours, firm.ordered_hours),
        "shared_hours": trade.shared_hours,
        "shared_value": trade.paid_yuan,
        "platform_share": _ratio(trade.platform_hours, trade.shared_hours),
        "platform_value": trade.platform_paid_yuan,
        "hours_per_platform_order": _ratio(trade.platform_hours, trade.platform_trades),
        "producers_per_order": producers_per_order(firms, trades, deliveries.products if deliveries else None),
        "outsourcing_ratio": _ratio(firm.bought_hours, firm.own_hours + firm.bought_hours),
        "specialisation_index": _ratio(firm.concentration_weighted, firm.producing_output),
        "failed_trade_share": _ratio(trade.matched_hours - trade.shared_hours, trade.matched_hours),
        "platform_failed_share": _ratio(trade.platform_failed_hours, trade.platform_matched_hours),
        "customisation_share": _ratio(firm.custom_orders, firm.counted_orders),
        "owner_sales_share": _ratio(trade.owner_sold_hours, trade.owned_platform_hours),
        **measure_limits(firm, deliveries),
        "platform_members": int(any_in_rows(firms.membership & active[:, None]).sum()) if platforms.n else 0,
        "platform_hhi": float(((trade.hours_by_platform / volume) ** 2).sum()) if volume > 0 else 0.0,
        "platform_profit_yuan": float((platforms.profit_yuan * platforms.active).sum()) if platforms.n else 0.0,
        "commission_mean": _ratio(float(platforms.commission_yuan.sum()), float(platforms.traded_value.sum()))
        if platforms.n
        else 0.0,
    }


def totals_over_firms(firms: FirmTable, custom_share: float = 0.0) -> FirmTotals:
    """The week's totals over the firms table that :func:`measure` needs, in one pass (see
    :func:`~model.economy.kernels.firm_totals`). Capacity, utilisation and orders count active businesses
    (public labs' instruments are not for sale to customers); demand and machine-hours for the pooling bound
    count every active row."""
    return firm_totals(
        firms.own_hours,
        firms.sold_hours,
        firms.bought_hours,
        firms.unmet_hours,
        firms.orders_hours,
        firms.output_hours,
        firms.utilisation,
        firms.capacity_week,
        firms.active & (firms.kind != PUBLIC_LAB),
        np.where(firms.kind == MICRO, 1.0, custom_share),  # all of a micro-business's orders are custom
        UNMET_TOLERANCE_HOURS,
        firms.machines,
        firms.machine_hours_per_week * firms.available_share,
        firms.active,
    )


def measure_by_kind(firms: FirmTable, revenue_yuan: np.ndarray) -> dict[str, float]:
    """Revenue, utilisation, and sold and bought hours of large firms, SMEs and micro-businesses this week.

    ``revenue_yuan`` (N,) is what each firm's customers paid it this week (zeros at
    week 0). Together the kinds add up to the economy's totals: revenue to the
    ledger's order revenue, sold (and bought) hours to ``shared_hours`` with what
    public labs sold (``public_hours``).
    """
    kinds = len(FIRM_KIND_NAMES)
    kind, active = firms.kind, firms.active

    def by_kind(values: np.ndarray) -> np.ndarray:
        return np.bincount(kind, weights=values * active, minlength=kinds)[:kinds]  # public labs are no business

    used = by_kind(row_sums(firms.own_hours + firms.sold_hours))
    capacity = by_kind(firms.capacity_week)
    utilisation = np.divide(used, capacity, out=np.zeros(kinds), where=capacity > 0)
    columns = {
        "revenue": by_kind(revenue_yuan),
        "utilisation": utilisation,
        "sold_hours": by_kind(row_sums(firms.sold_hours)),
        "bought_hours": by_kind(row_sums(firms.bought_hours)),
    }
    by_name = {
        f"{measure}_{FIRM_KIND_NAMES[k]}": float(values[k]) for measure, values in columns.items() for k in range(kinds)
    }
    by_name["public_hours"] = float(firms.sold_hours[active & (kind == PUBLIC_LAB)].sum())
    return by_name


def measure_limits(firm: FirmTotals, deliveries: Deliveries | None) -> dict[str, float]:
    """Demand, capacity and unserved hours, the pooling bound, and how much of it trade realises.

    Without trade each firm leaves ``max(orders - capacity, 0)`` unserved in each
    process type; pooling every machine of a type can at best leave
    ``max(demand - capacity, 0)``. Hours lost for want of workers are no
    shortfall of machines and are left out of the realised share. ``firm`` holds the
    totals over firms (:func:`~model.economy.kernels.firm_totals`).
    """
    if deliveries is None:
        names = ("demand_hours", "capacity_hours", "unmet_hours", "unstaffed_hours", "pooling_bound_hours")
        return {**dict.fromkeys(names, 0.0), "pooling_realised": 0.0}
    without_trade, bound = firm.unserved_alone_hours, firm.unserved_pooled_hours
    unstaffed = float(deliveries.unstaffed_hours.sum())
    short_of_machines = max(float(deliveries.unmet_hours.sum()) - unstaffed, 0.0)
    removable = without_trade - bound
    realised = min(max((without_trade - short_of_machines) / removable, 0.0), 1.0) if removable > 1e-9 else 0.0
    return {
        "demand_hours": firm.demand_hours,
        "capacity_hours": firm.machine_hours,
        "unmet_hours": float(deliveries.unmet_hours.sum()),
        "unstaffed_hours": unstaffed,
        "pooling_bound_hours": bound,
        "pooling_realised": realised,
    }


def measure_population(firms: FirmTable, platforms: PlatformTable, week: int = 0) -> dict[str, float]:
    """Active agents of each kind at the end of the week (after entry and exit), and who used flexible labour."""
    active = firms.active
    standard = active & (firms.kind != MICRO)
    used_flexible = standard & (firms.last_flexible_week >= 0) & (firms.last_flexible_week > week - 52)
    return {
        "firms_using_flexible_share": _ratio(int(used_flexible.sum()), int(standard.sum())),
        "n_large": int((active & (firms.kind == LARGE)).sum()),
        "n_sme": int((active & (firms.kind == SME)).sum()),
        "n_micro": int((active & (firms.kind == MICRO)).sum()),
        "n_platforms": int(platforms.active.sum()),
    }


def measure_labour(workers: WorkerTable, market: LabourMarket) -> dict[str, float]:
    """Employment by status, unemployment, vacancies and income dispersion at the end of the week."""
    k = market.open_positions.size
    counts, unemployed_by_skill, income_cv = tally_workers(workers, k)
    counts = counts.tolist()
    labour_force = workers.n - counts[INACTIVE]
    open_positions = market.open_positions
    mismatch = (
        min(unemployed_by_skill.sum(), open_positions.sum()) - np.minimum(unemployed_by_skill, open_positions).sum()
    )
    employed = counts[PERMANENT] + counts[FLEXIBLE] + counts[SELF_EMPLOYED]
    return {
        "labour_force": int(labour_force),
        "employment_permanent": int(counts[PERMANENT]),
        "employment_flexible": int(counts[FLEXIBLE]),
        "micro_entrepreneurs": int(counts[SELF_EMPLOYED]),
        "unemployed": int(counts[UNEMPLOYED]),
        "inactive": int(counts[INACTIVE]),
        "unemployment_rate": _ratio(counts[UNEMPLOYED], labour_force),
        "structural_unemployment_rate": _ratio(max(float(mismatch), 0.0), labour_force),
        "vacancy_rate": _ratio(open_positions.sum(), employed + open_positions.sum()),
        "flexible_employment_share": _ratio(counts[FLEXIBLE], employed),
        "flexible_income_cv": income_cv,
        "income_gini": gini(sampled_incomes(workers.gini_sample, workers.status, workers.income_ewma, INACTIVE)),
    }


def tally_workers(workers: WorkerTable, skills: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Workers per status, the unemployed per skill, and flexible workers' mean income volatility, in one pass
    (see :func:`~model.economy.kernels.worker_tallies`)."""
    return worker_tallies(
        workers.status,
        workers.skill,
        workers.income_ewma,
        workers.income_sq_ewma,
        len(STATUS_NAMES),
        skills,
        UNEMPLOYED,
        FLEXIBLE,
    )


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: all equal; towards 1: one holds everything).

    >>> gini(np.array([1.0, 1.0, 1.0, 1.0]))
    0.0
    >>> round(gini(np.array([0.0, 0.0, 0.0, 1.0])), 2)
    0.75
    """
    total = values.sum()
    if values.size == 0 or total <= 0:
        return 0.0
    ordered = np.sort(values)
    n = values.size
    return float((2.0 * rank_weighted_sum(ordered) / (n * total)) - (n + 1) / n)


def measure_capital(firms: FirmTable, investment_yuan: float, entrants_yuan: float) -> dict[str, float]:
    """``investment`` (yuan spent on machines this week), the part spent by entrants, and ``capital_stock``."""
    return {
        "investment": float(investment_yuan),
        "investment_by_entrants": float(entrants_yuan),
        "capital_stock": float((firms.installed_hours * (firms.active & (firms.kind != PUBLIC_LAB))).sum()),
    }


def measure_welfare(ledger: Ledger, firms: FirmTable, params: InvestmentParams) -> dict[str, float]:
    """``public_cost_yuan`` and ``welfare_yuan`` of the week, from its payments in ``ledger``.

    The public cost is what the government paid less what it received (public labs'
    surpluses). Welfare is the sum of the inside sectors' income less the public cost:
    firms' income (every flow but the :data:`~model.economy.ledger.NOT_INCOME` kinds,
    so operating profit plus subsidies less joining and upgrading costs) less the
    wear of their machines (straight line: price / life, per installed machine),
    workers' income (pay, benefits and training subsidies less training fees) and
    platforms' income (commissions and fees less operating costs). A
    payment between them, or from the government, cancels out; what is left is
    what customers paid less what outside suppliers and banks were paid and the
    machines that wore out. Machine purchases are not charged when made but as they wear.
    """
    public_cost = ledger.week_paid_by("government") - ledger.week_received_by("government")
    machines = float((row_sums(firms.machines) * firms.active).sum())
    wear = machines * params.machine_price_yuan / (52.0 * params.machine_life_years)
    income = add_up(ledger.week_income(sector) for sector in ("firms", "workers", "platforms"))
    return {"public_cost_yuan": public_cost, "welfare_yuan": income - wear - public_cost}


def producers_per_order(firms: FirmTable, trades: Trades, products: ProductWeek | None = None) -> float:
    """Mean distinct producers per served order (firm x process type with any hours served).

    With multi-stage ``products``, an order slot that was a stage of a product
    counts through its product: each product finished this week counts once, with
    every factory that made any of its stages.
    """
    in_route = np.zeros(firms.own_hours.shape, bool) if products is None else products.in_route
    producers, served = served_order_producers(
        trades.buyer, trades.process, trades.seller, trades.hours, trades.failed, firms.own_hours, in_route
    )
    if products is None:
        return _ratio(producers, served)
    return _ratio(producers + products.makers, served + products.finished)


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else 0.0
