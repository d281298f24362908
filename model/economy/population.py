"""The economy at week 0: firms with heavy-tailed sizes, and their local supply network."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.spatial import cKDTree

from .draws import beta_with_mean, mean_one_lognormal
from .kernels import row_sums
from .mechanisms.investment import settle_machine_park
from .mechanisms.labour import marginal_labour_cost
from .scenario import Scenario
from .state import LARGE, MICRO, PUBLIC_LAB, SME, FirmTable


def create_firms(scenario: Scenario, n_platforms: int, stream: Callable[[str], np.random.Generator]) -> FirmTable:
    """Draw the firm population at week 0.

    Non-micro firms get a total number of machines from a discrete Pareto law
    (``size_tail_exponent`` about 1 gives Zipf's law for firm sizes, Axtell 2001),
    truncated at ``max_machines``; those at or above ``large_firm_min_machines`` are
    large firms. Micro-entrepreneurs own one machine, in the process type of their
    skill, with probability ``micro.machine_probability``.

    ``stream(name)`` gives the random generator for one attribute, so that changing
    how one attribute is drawn (say, readiness) leaves every other draw unchanged.
    """
    size, firm = scenario.size, scenario.firms
    n_micro = round(size.micro_share * size.firms)
    total = pareto_machines(scenario, size.firms - n_micro, stream("size"), upper=firm.max_machines)
    kind = np.concatenate(
        [np.where(total >= firm.large_firm_min_machines, LARGE, SME), np.full(n_micro, MICRO)]
    ).astype(np.int8)
    micro_rng = stream("micro_machines")
    micro_skill = micro_rng.integers(0, size.process_types, n_micro)
    micro_owns = micro_rng.random(n_micro) < firm.micro.machine_probability
    ability = mean_one_lognormal(stream("ability"), scenario.occupation.ability_dispersion, (n_micro,))
    return draw_firms(
        scenario,
        kind,
        n_platforms,
        stream,
        week=0,
        machines_total=np.concatenate([total, np.zeros(n_micro, np.int64)]),
        micro_skill=micro_skill,
        micro_owns_machine=micro_owns,
        micro_ability=ability,
    )


def create_public_labs(
    scenario: Scenario, n_platforms: int, stream: Callable[[str], np.random.Generator]
) -> FirmTable | None:
    """Rows for the public labs at week 0 (see :mod:`model.economy.mechanisms.public_labs`), or None.

    They draw from streams of their own, so adding labs leaves every firm's draws as they were.
    """
    count = scenario.public_labs.count
    if count == 0:
        return None
    labs = draw_firms(
        scenario,
        np.full(count, PUBLIC_LAB, np.int8),
        n_platforms,
        lambda name: stream(f"labs.{name}"),
        week=0,
        machines_total=np.full(count, scenario.public_labs.machines, np.int64),
        micro_skill=np.zeros(0, np.int64),
        micro_owns_machine=np.zeros(0, bool),
        micro_ability=np.zeros(0),
    )
    labs.membership[:] = True  # members of every platform from launch
    labs.aware[:] = True
    labs.joined_week[:] = 0
    return labs


def pareto_machines(
    scenario: Scenario, count: int, rng: np.random.Generator, upper: int, exponent: float = 0.0
) -> np.ndarray:
    """Total machines of ``count`` firms: discrete Pareto ``floor(x_min U^(-1/alpha))``, capped at ``upper``.

    ``alpha`` is ``exponent``, or ``firms.size_tail_exponent`` where it is 0.
    """
    firm = scenario.firms
    alpha = exponent or firm.size_tail_exponent
    uniform = rng.random(count)
    # Draws that land beyond the cap are the cap; leaving them out of the power keeps a tiny alpha from overflowing.
    beyond = uniform < (firm.min_machines / upper) ** alpha
    total = np.floor(firm.min_machines * np.where(beyond, 1.0, uniform) ** (-1.0 / alpha))
    return np.where(beyond, upper, np.minimum(total, upper)).astype(np.int64)


def draw_firms(
    scenario: Scenario,
    kind: np.ndarray,
    n_platforms: int,
    stream: Callable[[str], np.random.Generator],
    *,
    week: int,
    machines_total: np.ndarray,
    micro_skill: np.ndarray,
    micro_owns_machine: np.ndarray,
    micro_ability: np.ndarray,
    micro_readiness: np.ndarray | None = None,
    type_weights: np.ndarray | None = None,
) -> FirmTable:
    """Rows for new firms, at the start or as entrants in ``week``.

    Non-micro firms spread ``machines_total`` over process types by a Dirichlet
    draw (small firms specialise) and receive orders that mix their own process
    profile with needs that do not match it (``outside_need_share``): the reason
    firms trade capacity at all; with mass customisation a share ``custom_share``
    of their orders is custom, spread over every process type and worth
    ``custom_premium`` more per hour. Micro-entrepreneurs (the rows where ``kind`` is
    MICRO, in order) get custom orders worth ``custom_premium`` more per hour,
    a share ``micro_skill_share`` of them in the process type of their skill,
    scaled by their ability; they own one machine in that type if
    ``micro_owns_machine``. ``micro_readiness`` (default: drawn) carries a
    founder's digital readiness. ``type_weights`` (K,), if given, are the mean
    shares of the process types in new machine parks (default: all alike). Other
    firms then adjust their machine park to
    their expected orders as the review rule would (see
    :func:`model.economy.mechanisms.investment.settle_machine_park`).
    """
    firm, demand = scenario.firms, scenario.demand
    n, k = kind.size, scenario.size.process_types
    is_micro = kind == MICRO
    n_micro = int(is_micro.sum())
    machine_hours = scenario.investment.machine_hours_per_week

    machine_rng = stream("machines")
    concentration = np.full(k, firm.type_concentration)
    if type_weights is not None:
        concentration *= k * type_weights / type_weights.sum()
    type_shares = machine_rng.dirichlet(concentration, size=n)
    machines = machine_rng.multinomial(np.where(is_micro, 0, machines_total), type_shares)
    machines[np.flatnonzero(is_micro), micro_skill] = micro_owns_machine
    total_machines = row_sums(machines)

    with np.errstate(invalid="ignore", divide="ignore"):
        own_profile = np.where(total_machines[:, None] > 0, machines / total_machines[:, None], 0.0)
    outside_needs = stream("order_mix").dirichlet(np.ones(k), size=n)
    order_mix = (1.0 - demand.outside_need_share) * own_profile + demand.outside_need_share * outside_needs
    # Mass customisation: a custom share of the orders, over every process type alike, at the custom premium.
    custom = demand.custom_share
    order_mix = (1.0 - custom) * order_mix + custom / k
    custom_part = np.divide(custom / k, order_mix, out=np.zeros_like(order_mix), where=order_mix > 0)
    skill_share = scenario.occupation.micro_skill_share
    micro_mix = (1.0 - skill_share) * outside_needs[is_micro]
    micro_mix[np.arange(n_micro), micro_skill] += skill_share
    order_mix[is_micro] = micro_mix

    base_order_hours = demand.load_factor * total_machines * machine_hours
    base_order_hours = base_order_hours.astype(np.float64)
    base_order_hours[is_micro] = demand.micro_order_hours * micro_ability
    base_order_hours[kind == PUBLIC_LAB] = 0.0  # a public lab has no customers of its own

    order_value = demand.order_value_yuan_per_hour * mean_one_lognormal(
        stream("order_value"), demand.value_dispersion, (n, k)
    )
    custom_part[is_micro] = 1.0  # a micro-business's orders are all custom
    order_value *= 1.0 + demand.custom_premium * custom_part  # each cell's custom hours earn the premium
    production_cost = firm.production_cost_yuan_per_hour * mean_one_lognormal(
        stream("production_cost"), firm.cost_dispersion, (n, k)
    )

    kind_params = (firm.large, firm.sme, firm.micro)
    # A public lab is digitally ready and offers all its idle instrument-hours.
    readiness_mean = np.array([*(p.digital_readiness for p in kind_params), 1.0])[kind]
    openness = np.array([*(p.openness for p in kind_params), 1.0])[kind]
    digital_readiness = beta_with_mean(stream("readiness"), readiness_mean, firm.readiness_concentration)
    if micro_readiness is not None:
        digital_readiness[is_micro] = micro_readiness
    failure_rate = beta_with_mean(
        stream("failure_rate"), np.full(n, firm.failure_rate_mean), firm.failure_rate_concentration
    )

    stationary_sd = demand.shock_sigma / np.sqrt(1.0 - demand.shock_persistence**2)
    weekly_revenue = base_order_hours * row_sums(order_mix * order_value)

    def zeros(*shape, dtype=np.float64):
        return np.zeros((n, *shape), dtype)

    table = FirmTable(
        kind=kind,
        node_id=zeros(dtype=np.int64),
        location=stream("location").random((n, 2)),
        order_mix=order_mix,
        base_order_hours=base_order_hours,
        order_value=order_value,
        production_cost=production_cost,
        digital_readiness=digital_readiness,
        openness=openness,
        failure_rate=failure_rate,
        failure_rate_alone=failure_rate.copy(),
        review_offset=stream("review_offset").integers(0, 2**31, n),
        birth_week=np.full(n, week, np.int64),
        owner=np.full(n, -1, np.int64),
        machine_hours_per_week=machine_hours,
        labour_cost_per_machine_hour=marginal_labour_cost(scenario.labour),
        available_share=np.ones(k),
        active=np.ones(n, bool),
        machines=machines,
        cash_yuan=firm.cash_buffer_weeks * weekly_revenue,
        demand_shock=stream("demand_shock").normal(0.0, stationary_sd, n),
        backlog_hours=zeros(k),
        membership=zeros(n_platforms, dtype=bool),
        aware=_launch_awareness(scenario, n, n_platforms, stream("awareness")),
        upgrade_ready_week=np.full(n, -1, np.int64),
        upgrade_target=zeros(),
        joined_week=np.full((n, n_platforms), -1, np.int64),
        platform_surplus_ewma=zeros(n_platforms),
        sales_record=zeros(),
        failure_record=zeros(),
        data_access=zeros(dtype=bool),
        audited_sales=zeros(),
        audited_failures=zeros(),
        unmet_ewma=zeros(k),
        bought_ewma=zeros(k),
        used_ewma=zeros(k),
        rent_price_ewma=order_value.copy(),
        unsold_offer_ewma=zeros(),
        profit_ewma=zeros(),
        loan_yuan=zeros(),
        staff=zeros(k, dtype=np.int64),
        vacancies=zeros(k, dtype=np.int64),
        load_ewma=zeros(k),
        load_sq_ewma=zeros(k),
        last_flexible_week=np.full(n, -1, np.int64),
        orders_hours=zeros(k),
        own_hours=zeros(k),
        bought_hours=zeros(k),
        sold_hours=zeros(k),
        unmet_hours=zeros(k),
        utilisation=zeros(),
        capacity_week=(machines * (machine_hours * np.ones(k))).sum(axis=1),  # as capacity_hours sums it
        output_hours=zeros(),
        profit_yuan=zeros(),
    )
    settle_machine_park(table, scenario.investment)
    table.capacity_week[:] = row_sums(table.capacity_hours)
    return table


def supply_partners(firms: FirmTable, scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Existing trade partners: a sparse, local network on the unit torus.

    Each firm seeks its ``d_i`` nearest neighbours, with
    ``d_i = partners_mean * (size_i / mean size) ** partner_size_elasticity``
    (at least 1, at most ``partners_max``), so bigger firms have more partners.
    A link is mutual. Returns the undirected edges as two arrays of firm rows,
    ``(u, v)`` with ``u < v``, each pair once.
    """
    params = scenario.network
    n = firms.n
    size = row_sums(firms.machines) + 1.0
    wanted = np.rint(params.partners_mean * (size / size.mean()) ** params.partner_size_elasticity)
    wanted = np.clip(wanted, 1, min(params.partners_max, n - 1)).astype(np.int64)
    if n < 2 or params.partners_max == 0 or params.partners_mean == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty

    tree = cKDTree(firms.location, boxsize=1.0)
    # Most firms want few partners: query them together, then the few big ones.
    typical = int(min(np.percentile(wanted, 99), n - 1))
    sources, targets = [], []
    for group in (wanted <= typical, wanted > typical):
        rows = np.flatnonzero(group)
        if rows.size == 0:
            continue
        k = int(wanted[rows].max())
        _, neighbours = tree.query(firms.location[rows], k=k + 1)  # +1: the firm itself comes first
        neighbours = neighbours.reshape(rows.size, k + 1)[:, 1:]
        keep = np.arange(k)[None, :] < wanted[rows][:, None]
        sources.append(np.repeat(rows, keep.sum(axis=1)))
        targets.append(neighbours[keep])
    u, v = np.concatenate(sources), np.concatenate(targets)
    pairs = np.unique(np.stack([np.minimum(u, v), np.maximum(u, v)], axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)


def link_entrants(
    firms: FirmTable,
    rows: np.ndarray,
    anchors: np.ndarray,
    partner_buyer: np.ndarray,
    partner_seller: np.ndarray,
    scenario: Scenario,
) -> tuple[np.ndarray, np.ndarray]:
    """Partners of entrants: their anchor firm (a former employer, or a firm nearby) and the anchor's partners.

    An entrant settles next to its anchor and seeks as many partners as a firm of
    its size would (see :func:`supply_partners`). Returns new undirected links ``(u, v)``.
    """
    params = scenario.network
    firms.location[rows] = firms.location[anchors]
    if rows.size == 0 or params.partners_max == 0 or params.partners_mean == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty
    size = row_sums(firms.machines[firms.active]) + 1.0
    wanted = np.rint(
        params.partners_mean * ((row_sums(firms.machines[rows]) + 1.0) / size.mean()) ** params.partner_size_elasticity
    )
    wanted = np.clip(wanted, 1, params.partners_max).astype(np.int64)
    # Each entrant takes the first (wanted - 1) active partners of its anchor.
    is_anchor = np.zeros(firms.n, bool)
    is_anchor[anchors] = True
    of_anchor = is_anchor[partner_buyer] & firms.active[partner_seller]
    order = np.argsort(partner_buyer[of_anchor], kind="stable")
    anchor_sorted = partner_buyer[of_anchor][order]
    neighbour_sorted = partner_seller[of_anchor][order]
    start = np.searchsorted(anchor_sorted, anchors, side="left")
    available = np.searchsorted(anchor_sorted, anchors, side="right") - start
    take = np.minimum(available, np.maximum(wanted - 1, 0))
    offset_in_entrant = np.arange(take.sum()) - np.repeat(np.cumsum(take) - take, take)
    u = np.concatenate([rows, np.repeat(rows, take)])
    v = np.concatenate([anchors, neighbour_sorted[np.repeat(start, take) + offset_in_entrant]])
    keep = (u != v) & (firms.kind[v] != PUBLIC_LAB)  # public labs trade on platforms only
    return u[keep].astype(np.int64), v[keep].astype(np.int64)


__all__ = ["create_firms", "supply_partners", "LARGE", "SME", "MICRO"]


def _launch_awareness(scenario: Scenario, n: int, n_platforms: int, rng: np.random.Generator) -> np.ndarray:
    """(n, n_platforms) which firms know each platform: ``launch_awareness`` of them for the launched ones.

    Rows kept for entrant platforms (``platforms.entry``) start unknown, and the draws
    for the launched ones do not depend on how many rows are kept.
    """
    launched = min(n_platforms, scenario.platforms.count)
    aware = np.zeros((n, n_platforms), bool)
    aware[:, :launched] = rng.random((n, launched)) < scenario.platforms.launch_awareness
    return aware
