"""The economy at week 0: firms with heavy-tailed sizes, and their local supply network."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import betaincinv

from .scenario import Scenario
from .state import LARGE, MICRO, SME, FirmTable


def create_firms(scenario: Scenario, n_platforms: int, stream: Callable[[str], np.random.Generator]) -> FirmTable:
    """Draw the firm population.

    Non-micro firms get a total number of machines from a discrete Pareto law
    (``size_tail_exponent`` about 1 gives Zipf's law for firm sizes, Axtell 2001),
    truncated at ``max_machines``; those at or above ``large_firm_min_machines`` are
    large firms. Machines spread over process types by a Dirichlet draw, so small
    firms specialise. Orders mix the firm's own process profile with needs that do
    not match it (``outside_need_share``): the reason firms trade capacity at all.
    Micro-entrepreneurs own one machine with probability ``micro.machine_probability``
    and receive custom orders worth ``custom_premium`` more per hour.

    ``stream(name)`` gives the random generator for one attribute, so that changing
    how one attribute is drawn (say, readiness) leaves every other draw unchanged.
    """
    size, firm, demand = scenario.size, scenario.firms, scenario.demand
    n, k = size.firms, size.process_types
    n_micro = round(size.micro_share * n)
    n_other = n - n_micro
    machine_hours = scenario.investment.machine_hours_per_week

    # Firm size in machines: discrete Pareto, x_min * U^(-1/alpha), truncated.
    uniform = stream("size").random(n_other)
    total = np.floor(firm.min_machines * uniform ** (-1.0 / firm.size_tail_exponent))
    total = np.minimum(total, firm.max_machines).astype(np.int64)
    machine_rng = stream("machines")
    type_shares = machine_rng.dirichlet(np.full(k, firm.type_concentration), size=n_other)
    machines_other = machine_rng.multinomial(total, type_shares)

    micro_rng = stream("micro_machines")
    micro_owns = micro_rng.random(n_micro) < firm.micro.machine_probability
    micro_type = micro_rng.integers(0, k, n_micro)
    machines_micro = np.zeros((n_micro, k), np.int64)
    machines_micro[np.arange(n_micro), micro_type] = micro_owns

    kind = np.concatenate(
        [np.where(total >= firm.large_firm_min_machines, LARGE, SME), np.full(n_micro, MICRO)]
    ).astype(np.int8)
    machines = np.concatenate([machines_other, machines_micro])
    total_machines = machines.sum(axis=1)

    # Order mix: own process profile blended with needs unrelated to it.
    with np.errstate(invalid="ignore", divide="ignore"):
        own_profile = np.where(total_machines[:, None] > 0, machines / total_machines[:, None], 0.0)
    outside_needs = stream("order_mix").dirichlet(np.ones(k), size=n)
    outside_weight = np.where(total_machines > 0, demand.outside_need_share, 1.0)[:, None]
    order_mix = (1.0 - outside_weight) * own_profile + outside_weight * outside_needs

    base_order_hours = np.where(
        kind == MICRO, demand.micro_order_hours, demand.load_factor * total_machines * machine_hours
    ).astype(np.float64)

    order_value = demand.order_value_yuan_per_hour * _mean_one_lognormal(
        stream("order_value"), demand.value_dispersion, (n, k)
    )
    order_value[kind == MICRO] *= 1.0 + demand.custom_premium
    production_cost = firm.production_cost_yuan_per_hour * _mean_one_lognormal(
        stream("production_cost"), firm.cost_dispersion, (n, k)
    )

    kind_params = (firm.large, firm.sme, firm.micro)
    readiness_mean = np.array([p.digital_readiness for p in kind_params])[kind]
    openness = np.array([p.openness for p in kind_params])[kind]
    digital_readiness = _beta_with_mean(stream("readiness"), readiness_mean, firm.readiness_concentration)
    failure_rate = _beta_with_mean(
        stream("failure_rate"), np.full(n, firm.failure_rate_mean), firm.failure_rate_concentration
    )

    stationary_sd = demand.shock_sigma / np.sqrt(1.0 - demand.shock_persistence**2)
    weekly_revenue = base_order_hours * (order_mix * order_value).sum(axis=1)

    zeros_nk = np.zeros((n, k))
    return FirmTable(
        kind=kind,
        node_id=np.zeros(n, np.int64),
        location=stream("location").random((n, 2)),
        order_mix=order_mix,
        base_order_hours=base_order_hours,
        order_value=order_value,
        production_cost=production_cost,
        digital_readiness=digital_readiness,
        openness=openness,
        failure_rate=failure_rate,
        review_offset=stream("review_offset").integers(0, 2**31, n),
        machine_hours_per_week=machine_hours,
        active=np.ones(n, bool),
        machines=machines,
        cash_yuan=firm.initial_cash_weeks * weekly_revenue,
        demand_shock=stream("demand_shock").normal(0.0, stationary_sd, n),
        backlog_hours=zeros_nk.copy(),
        membership=np.zeros((n, n_platforms), bool),
        joined_week=np.full((n, n_platforms), -1, np.int64),
        platform_surplus_ewma=np.zeros((n, n_platforms)),
        sales_record=np.zeros(n),
        failure_record=np.zeros(n),
        unmet_ewma=zeros_nk.copy(),
        bought_ewma=zeros_nk.copy(),
        used_ewma=zeros_nk.copy(),
        rent_price_ewma=order_value.copy(),
        unsold_offer_ewma=np.zeros(n),
        orders_hours=zeros_nk.copy(),
        own_hours=zeros_nk.copy(),
        bought_hours=zeros_nk.copy(),
        sold_hours=zeros_nk.copy(),
        unmet_hours=zeros_nk.copy(),
        utilisation=np.zeros(n),
        profit_yuan=np.zeros(n),
        expenses_yuan=np.zeros(n),
    )


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
    size = firms.machines.sum(axis=1) + 1.0
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


def _mean_one_lognormal(rng: np.random.Generator, sigma: float, shape: tuple[int, ...]) -> np.ndarray:
    """Lognormal factors with mean exactly 1 in expectation."""
    return np.exp(rng.normal(-0.5 * sigma**2, sigma, shape))


def _beta_with_mean(rng: np.random.Generator, mean: np.ndarray, concentration: float) -> np.ndarray:
    """Beta draws with the given means; a mean of exactly 0 or 1 gives exactly 0 or 1.

    Drawn by inverting the CDF of one uniform per firm, so a firm keeps its rank
    (its quantile) whatever the mean: common random numbers across scenarios.
    """
    inner = (mean > 0.0) & (mean < 1.0)
    safe_mean = np.where(inner, mean, 0.5)
    quantile = rng.random(mean.shape)
    draws = betaincinv(safe_mean * concentration, (1.0 - safe_mean) * concentration, quantile)
    return np.where(inner, draws, mean).astype(np.float64)


__all__ = ["create_firms", "supply_partners", "LARGE", "SME", "MICRO"]
