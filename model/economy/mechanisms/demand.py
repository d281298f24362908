"""Mechanism 1, demand: orders arrive per firm and process type each week.

New ordered hours of firm ``i`` in process type ``k`` in week ``t`` are

    base_i * cycle_t * exp(z_it) * exp(g_kt) * mix_ik * e_ikt * reach_i

with a common sinusoidal cycle, a persistent firm shock ``z`` and a persistent
process-type shock ``g`` (both log AR(1)), week-to-week order lumpiness ``e``
(lognormal), and, for micro-entrepreneurs only, a custom-order boost that grows
with the reach of the platforms they belong to and shrinks as more
micro-businesses share the custom market. Every random factor has mean 1,
so ``base_i`` is the firm's mean weekly order book. Customers wait for a share
``backlog_share`` of last week's unserved hours; the rest is lost.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..scenario import DemandParams
from ..state import MICRO, FirmTable


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
    sector_shock: np.ndarray,
    platform_reach: np.ndarray,
    market_share: np.ndarray,
    week: int,
    params: DemandParams,
    stream: Callable[[str], np.random.Generator],
) -> np.ndarray:
    """This week's orders, (N, K) machine-hours: new orders plus the backlog customers still wait for.

    Updates the firm shocks in ``firms.demand_shock`` and the process-type shocks
    in ``sector_shock`` (shape ``(K,)``) in place. ``platform_reach`` is, per firm,
    the largest member share among the platforms it belongs to; ``market_share``
    (see :func:`market_share`) scales each firm's orders as entry and exit share
    the market among more or fewer firms. ``stream(name)`` gives this week's generator for each
    kind of draw; firm ``i`` always gets the ``i``-th draws, so entrants appended
    to the table leave incumbents' demand unchanged.
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
    firm_level = firms.base_order_hours * np.exp(firms.demand_shock - 0.5 * firm_var)
    firm_level *= market_share
    firm_level *= np.where(firms.kind == MICRO, 1.0 + params.reach_gain * platform_reach, 1.0)
    firm_level *= cycle_factor(week, params) * firms.active

    new_orders = firms.order_mix * np.exp(lumpiness + (sector_shock - 0.5 * sector_var))
    new_orders *= firm_level[:, None]
    return new_orders + firms.backlog_hours
