"""Array state of the economy: one table per agent kind family, one row per agent.

Firms of all three kinds (large firms, SMEs, micro-entrepreneurs) share one table
because they trade in one market; ``kind`` tells them apart. Row ``i`` is firm
``i`` for the whole run; a firm that leaves keeps its row with ``active`` False.
Arrays of shape ``(n_firms, K)`` are per process type. Hours are machine-hours
per week; money is yuan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .kernels import row_sums

LARGE, SME, MICRO, PUBLIC_LAB = 0, 1, 2, 3
FIRM_KIND_NAMES = ("large", "sme", "micro")  # the kinds that are businesses
KIND_NAMES = (*FIRM_KIND_NAMES, "public_lab")  # public labs: universities, institutes, innovation centres

# Worker statuses: every worker has exactly one, every week.
# INACTIVE people are outside the labour force (home work, farming, study): they neither work nor search.
PERMANENT, FLEXIBLE, SELF_EMPLOYED, UNEMPLOYED, INACTIVE = 0, 1, 2, 3, 4
STATUS_NAMES = ("permanent", "flexible", "self_employed", "unemployed", "inactive")


def due_for_review(offset: np.ndarray, week: int, period: int, cache: dict) -> np.ndarray:
    """(rows,) whether each row's periodic review falls in ``week``: ``(week + offset) % period == 0``.

    ``offset % period`` is kept in ``cache`` (per period, until the table grows), so
    a weekly check is one comparison instead of a division per row.
    """
    phase = cache.get(period)
    if phase is None or phase.shape != offset.shape:
        phase = offset % period
        cache[period] = phase
    return phase == (-week) % period


@dataclass
class FirmTable:
    """Every firm's state. Fixed traits first, then state that evolves, then this week's flows."""

    # --- traits, set at birth -------------------------------------------------
    kind: np.ndarray  # (N,) int8: LARGE, SME or MICRO
    node_id: np.ndarray  # (N,) int64: unique_id of the firm's Mesa agent, its market-graph node
    location: np.ndarray  # (N, 2) position on the unit torus (for the local supply network)
    order_mix: np.ndarray  # (N, K) share of the firm's orders in each process type; rows sum to 1
    base_order_hours: np.ndarray  # (N,) mean new orders, hours/week
    order_value: np.ndarray  # (N, K) yuan/hour customers pay for the firm's orders
    production_cost: np.ndarray  # (N, K) yuan/hour non-labour variable cost of the firm's own machine-hours
    digital_readiness: np.ndarray  # (N,) index in [0, 1]
    openness: np.ndarray  # (N,) share of idle capacity offered to others
    failure_rate: np.ndarray  # (N,) chance that a trade the firm sells fails (private), as things stand
    failure_rate_alone: np.ndarray  # (N,) the same without a large firm's data and designs
    review_offset: np.ndarray  # (N,) int64: staggers periodic reviews across firms
    birth_week: np.ndarray  # (N,) int64: week the firm entered (0 for the first firms)
    owner: np.ndarray  # (N,) int64: worker who runs a micro-business (-1 for other firms)
    machine_hours_per_week: float  # capacity of one machine
    labour_cost_per_machine_hour: float  # yuan/hour of flexible labour one more machine-hour needs
    available_share: np.ndarray  # (K,) share of each process type's machine-hours usable this week (shocks)

    # --- state that evolves ---------------------------------------------------
    active: np.ndarray  # (N,) bool
    machines: np.ndarray  # (N, K) int64
    cash_yuan: np.ndarray  # (N,)
    demand_shock: np.ndarray  # (N,) log AR(1) demand shock
    backlog_hours: np.ndarray  # (N, K) unserved hours customers still wait for
    membership: np.ndarray  # (N, P) bool: firm i belongs to platform p
    aware: np.ndarray  # (N, P) bool: firm i knows platform p and what it offers
    upgrade_ready_week: np.ndarray  # (N,) int64: week an upgrading project completes (-1: none under way)
    upgrade_target: np.ndarray  # (N,) digital readiness the project under way will bring
    joined_week: np.ndarray  # (N, P) int64: week firm i joined platform p (-1: never)
    platform_surplus_ewma: np.ndarray  # (N, P) yuan/week gained through each platform
    sales_record: np.ndarray  # (N,) platform trades the firm has sold (for its credit record)
    failure_record: np.ndarray  # (N,) of which failed
    data_access: np.ndarray  # (N,) bool: a large firm's data and designs are open to the firm this week
    audited_sales: np.ndarray  # (N,) platform trades the regulator audited (a public record)
    audited_failures: np.ndarray  # (N,) of which failed
    unmet_ewma: np.ndarray  # (N, K) hours/week of orders unserved for want of machines (not of workers)
    bought_ewma: np.ndarray  # (N, K) hours/week bought from others
    used_ewma: np.ndarray  # (N, K) hours/week of own capacity used
    rent_price_ewma: np.ndarray  # (N, K) yuan/hour paid for bought hours
    unsold_offer_ewma: np.ndarray  # (N,) offered idle hours/week nobody bought
    profit_ewma: np.ndarray  # (N,) yuan/week
    loan_yuan: np.ndarray  # (N,) owed to banks for machines (repaid in equal shares over investment.loan_years)
    staff: np.ndarray  # (N, K) int64: permanent workers of each skill
    vacancies: np.ndarray  # (N, K) int64: open permanent positions
    load_ewma: np.ndarray  # (N, K) labour load in workers, moving average
    load_sq_ewma: np.ndarray  # (N, K) its second moment
    last_flexible_week: np.ndarray  # (N,) int64: last week the firm used flexible workers (-1: not yet)

    # --- last week, as played (hours/week, yuan/week); written once by its stage ---
    orders_hours: np.ndarray  # (N, K) new orders plus backlog
    own_hours: np.ndarray  # (N, K) produced in-house for own orders
    bought_hours: np.ndarray  # (N, K) delivered by other firms
    sold_hours: np.ndarray  # (N, K) delivered to other firms
    unmet_hours: np.ndarray  # (N, K) orders not served this week
    utilisation: np.ndarray  # (N,) used / available hours; 0 for firms without machines
    capacity_week: np.ndarray  # (N,) machine-hours the firm could use this week
    output_hours: np.ndarray  # (N,) machine-hours it used (for its own orders and for others)
    profit_yuan: np.ndarray  # (N,) operating profit this week
    _buffers: dict = field(default_factory=dict, repr=False)  # room to grow into, per array (see extend)
    _review_phases: dict = field(default_factory=dict, repr=False)  # see due_for_review

    def due(self, week: int, period: int) -> np.ndarray:
        """(N,) whether each firm's review with this period falls in ``week``."""
        return due_for_review(self.review_offset, week, period, self._review_phases)

    @property
    def n(self) -> int:
        return self.kind.shape[0]

    @property
    def process_types(self) -> int:
        return self.machines.shape[1]

    @property
    def capacity_hours(self) -> np.ndarray:
        """(N, K) machine-hours per week each firm can use in each process type (installed x available)."""
        return self.machines * (self.machine_hours_per_week * self.available_share)

    @property
    def expected_revenue_yuan(self) -> np.ndarray:
        """(N,) yuan/week its mean orders are worth: what its cash buffer and credit limit are measured in."""
        return self.base_order_hours * row_sums(self.order_mix * self.order_value)

    @property
    def installed_hours(self) -> np.ndarray:
        """(N,) machine-hours per week each firm has installed, whether usable this week or not."""
        return row_sums(self.machines) * self.machine_hours_per_week

    def extend(self, newcomers: FirmTable) -> np.ndarray:
        """Append entrants' rows (every per-firm array grows); returns their row numbers.

        Each array is a view of a larger buffer that grows geometrically, so a week's
        handful of entrants costs a copy of their rows, not of the whole table.
        """
        first, needed = self.n, self.n + newcomers.n
        for name, value in list(vars(self).items()):
            if not isinstance(value, np.ndarray) or name == "available_share":
                continue
            buffer = self._buffers.get(name)
            if buffer is None or buffer.shape[0] < needed or value.base is not buffer:
                buffer = np.empty((needed + needed // 2 + 16, *value.shape[1:]), value.dtype)
                buffer[:first] = value
                self._buffers[name] = buffer
            buffer[first:needed] = getattr(newcomers, name)
            setattr(self, name, buffer[:needed])
        return np.arange(first, needed)


@dataclass
class WorkerTable:
    """The working-age population: one row per person (array state, not Mesa agents).

    A worker is ``permanent`` (employed by ``employer``), ``flexible`` (worked a
    task contract this week), ``self_employed`` (runs micro-business ``employer``),
    ``unemployed`` (searching, or in training) or ``inactive`` (outside the labour
    force, see :func:`model.economy.mechanisms.labour.review_participation`). Money is yuan per week.
    """

    skill: np.ndarray  # (W,) int64: the process type the worker can operate
    region: np.ndarray  # (W,) int64: the local labour market the worker searches in (its employer's, once hired)
    status: np.ndarray  # (W,) int8: PERMANENT, FLEXIBLE, SELF_EMPLOYED, UNEMPLOYED or INACTIVE
    employer: np.ndarray  # (W,) int64: firm row for permanent and self-employed workers, else -1
    reservation_wage: np.ndarray  # (W,) yuan/week below which the worker refuses a permanent job
    home_value: np.ndarray  # (W,) yuan/week the person's time is worth outside the labour force
    income: np.ndarray  # (W,) this week's income
    income_ewma: np.ndarray  # (W,) recent income, moving average
    income_sq_ewma: np.ndarray  # (W,) its second moment (for income volatility)
    savings_yuan: np.ndarray  # (W,)
    saving_rate: np.ndarray  # (W,) share of income the worker saves (its thrift)
    ability: np.ndarray  # (W,) entrepreneurial ability: custom orders a micro-business would attract
    digital_readiness: np.ndarray  # (W,) index in [0, 1], carried into a micro-business
    training_target: np.ndarray  # (W,) int64: skill being learnt, -1 if not training
    training_left: np.ndarray  # (W,) int64: weeks of training still to go
    review_offset: np.ndarray  # (W,) int64: staggers reviews across workers
    gini_sample: np.ndarray  # (S,) int64: fixed random sample of workers for the income Gini
    _review_phases: dict = field(default_factory=dict, repr=False)  # see due_for_review

    def due(self, week: int, period: int) -> np.ndarray:
        """(W,) whether each worker's review with this period falls in ``week``."""
        return due_for_review(self.review_offset, week, period, self._review_phases)

    @property
    def n(self) -> int:
        return self.skill.shape[0]


@dataclass
class PlatformTable:
    """Every platform's state, one row per platform."""

    node_id: np.ndarray  # (P,) int64: unique_id of the Platform agent
    commission_rate: np.ndarray  # (P,) share of trade value, taken from the seller
    membership_fee: np.ndarray  # (P,) yuan/week per member
    infrastructure_quality: np.ndarray  # (P,) caps matching efficiency
    credit_system: np.ndarray  # (P,) in [0, 1]
    active: np.ndarray  # (P,) bool: in service this week (in the market and not down)
    member_share: np.ndarray  # (P,) members / active firms, updated weekly
    matching_efficiency: np.ndarray  # (P,) share of the frictionless match the platform realises
    buyer_fill_ewma: np.ndarray  # (P,) matched / requested hours
    seller_fill_ewma: np.ndarray  # (P,) matched / offered hours
    price_ewma: np.ndarray  # (P,) yuan/hour paid by buyers (the launch price until the first trade)
    has_traded: np.ndarray  # (P,) bool: the platform has a price history
    traded_hours: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (P,) this week, delivered
    traded_value: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (P,) yuan this week
    commission_yuan: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (P,) this week
    cash_yuan: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (P,) commissions and fees less costs so far
    fee_yuan: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (P,) membership fees this week
    profit_yuan: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (P,) commissions + fees - costs this week
    commission_base: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (P,) learning pricing: the list price
    fee_base: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (P,) learning pricing: the list fee, yuan/week
    trial_profit_yuan: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))  # (P, 4) per trial phase
    owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (P,) owning firm's row (-1: none)
    in_market: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # (P,) launched or entered, not exited
    entered_week: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (P,) -1: a row not yet used
    review_profit_yuan: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (P,) since the last entry review
    loss_weeks: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (P,) weeks in a row of losses

    @property
    def n(self) -> int:
        return self.node_id.shape[0]


@dataclass
class Trades:
    """Trades matched in one week, one row per (buyer, seller, process type, channel) segment.

    ``price`` is yuan per hour paid by the buyer; the seller receives
    ``price * (1 - commission share)``. A failed trade delivers nothing and is not paid.
    """

    buyer: np.ndarray  # (T,) firm rows
    seller: np.ndarray  # (T,) firm rows
    process: np.ndarray  # (T,) process type
    hours: np.ndarray  # (T,) matched hours
    price: np.ndarray  # (T,) yuan/hour
    commission_yuan: np.ndarray  # (T,) platform's cut if delivered
    platform: np.ndarray  # (T,) platform row, -1 for off-platform trade
    link: np.ndarray  # (T,) position of the partner link an off-platform trade used, -1 on platforms
    failed: np.ndarray  # (T,) bool

    @classmethod
    def empty(cls) -> Trades:
        ints, floats = np.zeros(0, np.int64), np.zeros(0, np.float64)
        return cls(ints, ints, ints, floats, floats, floats, ints, ints, np.zeros(0, bool))

    @classmethod
    def concat(cls, parts: list[Trades]) -> Trades:
        parts = [part for part in parts if part.hours.size] or [cls.empty()]
        return cls(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in cls.__dataclass_fields__})

    @cached_property
    def delivered(self) -> np.ndarray:
        return ~self.failed

    def sold_hours(self, n: int, k: int) -> np.ndarray:
        """(n, k) hours each firm delivered to others in each process type (failed trades deliver nothing)."""
        return self._by_cell(self.seller, n, k)

    def bought_hours(self, n: int, k: int) -> np.ndarray:
        """(n, k) hours delivered to each firm by others in each process type."""
        return self._by_cell(self.buyer, n, k)

    def _by_cell(self, firm: np.ndarray, n: int, k: int) -> np.ndarray:
        hours = self.hours * self.delivered
        return np.bincount(firm * k + self.process, weights=hours, minlength=n * k).reshape(n, k)

    @cached_property
    def paid_yuan(self) -> np.ndarray:
        """(T,) what each buyer pays: hours x price if delivered, else 0 (read once ``failed`` is final)."""
        return np.where(self.failed, 0.0, self.hours * self.price)

    @cached_property
    def received_yuan(self) -> np.ndarray:
        """(T,) what each seller receives: payment minus commission."""
        return self.paid_yuan - np.where(self.failed, 0.0, self.commission_yuan)


@dataclass
class LabourMarket:
    """Public statistics of the labour market, per skill (shape ``(K,)``)."""

    job_finding_ewma: np.ndarray  # share of eligible seekers hired into permanent jobs per week
    task_finding_ewma: np.ndarray  # share of remaining seekers who worked a task contract
    open_positions: np.ndarray  # workers: vacancies and task slots left unfilled this week
    unemployed: np.ndarray  # workers unemployed at the end of the week
    hires: np.ndarray  # permanent hires this week
    dismissals: np.ndarray  # dismissals this week
    wages_yuan: float = 0.0  # paid to permanent staff this week
    flexible_pay_yuan: float = 0.0  # paid to flexible workers this week

    @classmethod
    def empty(cls, skills: int, job_finding: float = 0.0) -> LabourMarket:
        zeros = np.zeros(skills)
        return cls(np.full(skills, job_finding), zeros.copy(), zeros.copy(), zeros.copy(), zeros.copy(), zeros.copy())


@dataclass
class PlatformWeek:
    """What each platform saw this week, hours per week (before efficiency losses)."""

    requested_hours: np.ndarray  # (P,)
    offered_hours: np.ndarray  # (P,)
    matched_hours: np.ndarray  # (P,) including trades that later failed


@dataclass
class ContractBook:
    """The contracts firms hold: one row per contract, its firm row, hours a week, and the week it ends."""

    firm: np.ndarray  # (C,) int64
    hours: np.ndarray  # (C,) machine-hours per week, spread over the firm's order mix
    end_week: np.ndarray  # (C,) int64: the contract runs until the week before this one
    reference_hours: float  # mean orders (hours/week) of the firm holding contracts_per_mean_firm contracts

    @classmethod
    def empty(cls, reference_hours: float) -> ContractBook:
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64), reference_hours)

    def add(self, other: ContractBook) -> None:
        for name in ("firm", "hours", "end_week"):
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))

    def keep(self, mask: np.ndarray) -> None:
        for name in ("firm", "hours", "end_week"):
            setattr(self, name, getattr(self, name)[mask])


@dataclass
class ProductBook:
    """Multi-stage products in flight (see :mod:`..mechanisms.products`).

    The product a firm began ``s`` weeks ago is at its stage ``s``; it sits in
    column ``week begun % stages`` of ``planned_hours``, ``going_on`` and ``makers``.
    """

    route: np.ndarray  # (N, S) int64: the process types of a firm's stages, upstream first
    planned_hours: np.ndarray  # (S, N, S): per product column, firm and stage, machine-hours when the product began
    going_on: np.ndarray  # (S, N): share of each product still going on (its earlier stages served)
    due_hours: np.ndarray  # (N, S): this week's stage orders, machine-hours
    makers: list[list[np.ndarray]]  # per product column: codes (firm * S + column) * 2**31 + maker row
    week: int  # the week whose stages were last ordered

    @property
    def stages(self) -> int:
        return self.route.shape[1]


@dataclass
class ProductWeek:
    """Multi-stage products finished this week and who made them."""

    finished: int  # products whose last stage was ordered this week and that were at least partly made
    makers: int  # distinct factories summed over those products
    in_route: np.ndarray  # (N, K) bool: order slots that were stages of products this week


@dataclass
class ProductionPlan:
    """What each firm plans before trade (hours/week, shape (N, K)); trade lowers ``need`` and ``offer`` in place.

    ``own_hours`` is in-house production for its own orders as planned; ``need_hours``
    the orders it must source from others (what trade leaves is unmet);
    ``offer_hours`` the idle hours it offers others (what trade leaves is unsold).
    """

    own_hours: np.ndarray
    need_hours: np.ndarray
    offer_hours: np.ndarray
    offered_hours: np.ndarray  # (N, K) offers before trade
    paid_idle_hours: np.ndarray  # (N, K) idle machine-hours its paid staff (or owner) can run: no extra labour cost

    def cheap_and_dear(self, rows: np.ndarray, process: int) -> tuple[np.ndarray, np.ndarray]:
        """What is left of each firm's offer in ``process``, split into hours its paid staff can still run and the rest.

        Hours already sold used the cheap hours first.
        """
        offer = self.offer_hours[rows, process]
        sold = self.offered_hours[rows, process] - offer
        cheap = np.clip(self.paid_idle_hours[rows, process] - sold, 0.0, offer)
        return cheap, offer - cheap


@dataclass
class TradeWeek:
    """This week's trade: the matched trades, what each platform saw, and what firms spent searching."""

    trades: Trades
    platform_week: PlatformWeek
    search_cost_yuan: np.ndarray  # (N,) paid for contacting partners


@dataclass
class LabourWeek:
    """Who worked this week's production and what it cost each firm.

    Hours are worker-hours per week, ``(N,)`` per firm unless noted. Every
    machine-hour run needs ``worker_hours_per_machine_hour`` of them, covered by
    the firm's permanent staff, its owner (a micro-business), flexible workers on
    task contracts, and overtime; what none of them can cover is
    ``unstaffed_hours`` and is not produced.
    """

    labour_cost_yuan: np.ndarray  # wages, flexible pay, overtime, severance, hiring and task contract costs
    staff: np.ndarray  # permanent workers on the payroll this week
    staff_hours: np.ndarray  # their normal hours (paid whether busy or not)
    owner_hours: np.ndarray  # a micro-business owner's hours, overtime included
    flexible_hours: np.ndarray  # worked by flexible workers
    overtime_hours: np.ndarray  # overtime of permanent staff
    needed_hours: np.ndarray  # labour the planned own and sold machine-hours need
    unstaffed_hours: np.ndarray  # (N, K) planned own machine-hours nobody could staff (not produced)


@dataclass
class Deliveries:
    """What was produced and delivered this week (machine-hours/week, shape (N, K))."""

    own_hours: np.ndarray  # made in-house for the firm's own orders
    bought_hours: np.ndarray  # delivered to the firm by others
    sold_hours: np.ndarray  # delivered by the firm to others
    unmet_hours: np.ndarray  # ordered but not served
    unstaffed_hours: np.ndarray  # of which planned in-house but not made, for want of workers
    products: ProductWeek | None = None  # multi-stage products finished this week (none without them)

    @property
    def served_hours(self) -> np.ndarray:
        return self.own_hours + self.bought_hours

    @property
    def used_hours(self) -> np.ndarray:
        """Hours the firm's own machines ran."""
        return self.own_hours + self.sold_hours


@dataclass
class PartnerEdges:
    """The off-platform supply network as directed arrays (both directions of each link).

    ``trust`` is the buyer's trust in the seller on that edge, in [0, 1];
    ``reverse`` is the position of the same link in the other direction.
    """

    buyer: np.ndarray
    seller: np.ndarray
    trust: np.ndarray
    reverse: np.ndarray

    @classmethod
    def from_links(cls, u: np.ndarray, v: np.ndarray, first: int = 0) -> PartnerEdges:
        """Both directions of each undirected link ``(u[i], v[i])``, with full trust, numbered from ``first``."""
        count = u.size
        reverse = first + np.concatenate([np.arange(count, 2 * count), np.arange(count)])
        return cls(np.concatenate([u, v]), np.concatenate([v, u]), np.ones(2 * count), reverse)

    def extend(self, u: np.ndarray, v: np.ndarray) -> None:
        """Add new links (both directions), with full trust."""
        new = PartnerEdges.from_links(u, v, first=self.buyer.size)
        for name in ("buyer", "seller", "trust", "reverse"):
            setattr(self, name, np.concatenate([getattr(self, name), getattr(new, name)]))
