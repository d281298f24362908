"""Mechanism 1, demand: orders arrive per firm and process type each week.

A firm's orders come in two parts. A share ``1 - contract_share`` flows week by
week: ordered hours of firm ``i`` in process type ``k`` in week ``t`` are

    (1 - c) base_i * level_it * exp(g_kt) * mix_ik * e_ikt

with ``level_it`` a common sinusoidal cycle times a persistent firm shock
``exp(z_it)`` (log AR(1)) times the firm's share of its market, a persistent
process-type shock ``g`` (log AR(1)) and week-to-week order lumpiness ``e``
(lognormal). The rest comes as **contracts** the firm wins and loses: they
arrive at a Poisson rate scaled by the same level, last ``contract_weeks`` on
average, and have heavy-tailed sizes (Pareto, ``contract_size_tail``) that grow
less than in proportion with the firm (``contract_size_elasticity``), so a big
firm holds more contracts and its orders swing less in proportion: yearly growth
is tent-shaped and its volatility falls with size (Stanley et al. 1996). For
micro-entrepreneurs, orders get a custom-order boost that grows with the reach
of the platforms they belong to and shrinks as more micro-businesses share the
custom market. Every random factor has mean 1, so ``base_i`` is the firm's mean
weekly order book. Customers wait for a share ``backlog_share`` of last week's
unserved hours; the rest is lost.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..scenario import DemandParams
from ..state import MICRO, ContractBook, FirmTable, ProductBook
from . import products


def cycle_factor(week: int, params: DemandParams) -> float:
    """Common demand level in ``week`` (1 = normal)."""
    return 1.0 + params.cycle_amplitude * np.sin(2.0 * np.pi * week / params.cycle_period_weeks)


def market_share(firms: FirmTable, standard_market_hours: float, micro_reference: float, params: DemandParams):
    """(N,) scale of each firm's orders given how many firms share the market.

    Standard orders form a market of fixed size, ``standard_market_hours`` of base
    orders per week: when firms enter it is shared among more of them, when they
    exit among fewer. Custom orders are shared among micro-businesses, each
    getting ``(micro_reference / micro-businesses now) ** custom_market_crowding``.
    """
    micro = firms.kind == MICRO
    standard_now = firms.base_order_hours[firms.active & ~micro].sum()
    standard = standard_market_hours / standard_now if standard_now > 0 else 1.0
    running_micro = max(int((firms.active & micro).sum()), 1)
    custom = (micro_reference / running_micro) ** params.custom_market_crowding
    return np.where(micro, custom, standard)


def place_orders(
    firms: FirmTable,
    contracts: ContractBook,
    sector_shock: np.ndarray,
    platform_reach: np.ndarray,
    market_share: np.ndarray,
    week: int,
    params: DemandParams,
    stream: Callable[[str], np.random.Generator],
    product_book: ProductBook | None = None,
) -> np.ndarray:
    """This week's orders, (N, K) machine-hours: new orders, contracts running, and the backlog customers wait for.

    Updates the firm shocks in ``firms.demand_shock``, the process-type shocks in
    ``sector_shock`` (shape ``(K,)``) and the ``contracts`` in place.
    ``platform_reach`` is, per firm, the largest member share among the platforms
    it belongs to; ``market_share`` (see :func:`market_share`) scales each firm's
    orders as entry and exit share the market among more or fewer firms.
    ``stream(name)`` gives this week's generator for each kind of draw; firm ``i``
    always gets the ``i``-th draws of the flow, so entrants appended to the table
    leave incumbents' flow unchanged. With a ``product_book``, part of the new
    orders come as multi-stage products (see :mod:`.products`).
    """
    n, k = firms.order_mix.shape
    firms.demand_shock *= params.shock_persistence
    firms.demand_shock += stream("firm").normal(0.0, params.shock_sigma, n)
    sector_shock *= params.sector_shock_persistence
    sector_shock += stream("sector").normal(0.0, params.sector_shock_sigma, k)
    lumpiness = stream("lumpiness").normal(-0.5 * params.order_noise_sigma**2, params.order_noise_sigma, (n, k))

    # Subtract half the stationary variances so each log-normal factor has mean 1.
    firm_var = params.shock_sigma**2 / (1.0 - params.shock_persistence**2)
    sector_var = params.sector_shock_sigma**2 / (1.0 - params.sector_shock_persistence**2)
    level = np.exp(firms.demand_shock - 0.5 * firm_var) * market_share
    level *= np.where(firms.kind == MICRO, 1.0 + params.reach_gain * platform_reach, 1.0)
    level *= cycle_factor(week, params) * firms.active

    flow_share = np.where(firms.kind == MICRO, 1.0, 1.0 - params.contract_share)
    new_orders = firms.order_mix * np.exp(lumpiness + (sector_shock - 0.5 * sector_var))
    new_orders *= (firms.base_order_hours * flow_share * level)[:, None]
    new_orders = products.begin_products(product_book, firms, new_orders, week, params)
    _renew_contracts(firms, contracts, level, week, params, stream("contracts"))
    contract_hours = np.bincount(contracts.firm, weights=contracts.hours, minlength=n)
    return new_orders + firms.order_mix * contract_hours[:, None] + firms.backlog_hours


def contract_terms(firms: FirmTable, rows: np.ndarray, reference_hours: float, params: DemandParams):
    """Mean contract size (hours/week) and mean number of contracts held, per firm at ``rows``.

    A firm whose mean orders are ``reference_hours`` holds ``contracts_per_mean_firm``
    contracts; sizes scale as ``(base / reference) ** contract_size_elasticity``.
    Micro-businesses have no contracts.
    """
    base = firms.base_order_hours[rows]
    contracted = params.contract_share * base * (firms.kind[rows] != MICRO)
    typical = params.contract_share * reference_hours / params.contracts_per_mean_firm
    size = typical * (np.maximum(base, 1e-9) / max(reference_hours, 1e-9)) ** params.contract_size_elasticity
    held = np.divide(contracted, size, out=np.zeros_like(size), where=size > 0)
    return size, held


def contract_sizes(mean: np.ndarray, params: DemandParams, rng: np.random.Generator) -> np.ndarray:
    """Pareto-distributed contract sizes with the given means, truncated at 50 times the mean."""
    alpha, cap = params.contract_size_tail, 50.0
    truncated_mean = (alpha - cap ** (1.0 - alpha)) / (alpha - 1.0)  # of min(X, cap), X Pareto(1, alpha)
    raw = np.minimum((1.0 - rng.random(mean.size)) ** (-1.0 / alpha), cap)
    return mean * raw / truncated_mean


def open_contract_book(
    firms: FirmTable, rows: np.ndarray, book: ContractBook, week: int, params: DemandParams, rng: np.random.Generator
) -> None:
    """Give the firms at ``rows`` the contracts they hold in the long run (at set-up and on entry)."""
    size, held = contract_terms(firms, rows, book.reference_hours, params)
    count = rng.poisson(held)
    owner = np.repeat(rows, count)
    remaining = rng.geometric(1.0 / params.contract_weeks, owner.size)
    book.add(
        ContractBook(owner, contract_sizes(np.repeat(size, count), params, rng), week + remaining, book.reference_hours)
    )


def _renew_contracts(firms, book: ContractBook, level: np.ndarray, week: int, params: DemandParams, rng) -> None:
    """Contracts that ran out, or whose firm closed, end; new ones are won at a rate that follows the firm's level."""
    book.keep((book.end_week > week) & firms.active[book.firm])
    rows = np.flatnonzero(firms.active & (firms.kind != MICRO))
    size, held = contract_terms(firms, rows, book.reference_hours, params)
    won = rng.poisson(held / params.contract_weeks * level[rows])
    owner = np.repeat(rows, won)
    length = rng.geometric(1.0 / params.contract_weeks, owner.size)
    book.add(
        ContractBook(owner, contract_sizes(np.repeat(size, won), params, rng), week + length, book.reference_hours)
    )
