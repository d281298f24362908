"""Mechanism 1, demand: orders arrive per firm and process type each week.

New ordered hours of firm ``i`` in process type ``k`` in week ``t`` are

    base_i * cycle_t * exp(z_it) * exp(g_kt) * mix_ik * e_ikt * reach_i

with a common sinusoidal cycle, a persistent firm shock ``z`` and a persistent
process-type shock ``g`` (both log AR(1)), week-to-week order lumpiness ``e``
(lognormal), and, for micro-entrepreneurs only, a custom-order boost that grows
with the reach of the platforms they belong to. Every random factor has mean 1,
so ``base_i`` is the firm's mean weekly order book. Customers wait for a share
``backlog_share`` of last week's unserved hours; the rest is lost.
"""

from __future__ import annotations

import numpy as np

from .scenario import DemandParams
from .state import MICRO, FirmTable


def cycle_factor(week: int, params: DemandParams) -> float:
    """Common demand level in ``week`` (1 = normal)."""
    return 1.0 + params.cycle_amplitude * np.sin(2.0 * np.pi * week / params.cycle_period_weeks)


def place_orders(
    firms: FirmTable,
    sector_shock: np.ndarray,
    platform_reach: np.ndarray,
    week: int,
    params: DemandParams,
    rng: np.random.Generator,
) -> None:
    """Draw this week's orders into ``firms.orders_hours`` (new orders plus backlog).

    Updates the firm shocks in ``firms.demand_shock`` and the process-type shocks
    in ``sector_shock`` (shape ``(K,)``) in place. ``platform_reach`` is, per firm,
    the largest member share among the platforms it belongs to.
    """
    n, k = firms.order_mix.shape
    firms.demand_shock *= params.shock_persistence
    firms.demand_shock += rng.normal(0.0, params.shock_sigma, n)
    sector_shock *= params.sector_shock_persistence
    sector_shock += rng.normal(0.0, params.sector_shock_sigma, k)
    lumpiness = rng.normal(-0.5 * params.order_noise_sigma**2, params.order_noise_sigma, (n, k))

    # Subtract half the stationary variances so each log-normal factor has mean 1.
    firm_var = params.shock_sigma**2 / (1.0 - params.shock_persistence**2)
    sector_var = params.sector_shock_sigma**2 / (1.0 - params.sector_shock_persistence**2)
    firm_level = firms.base_order_hours * np.exp(firms.demand_shock - 0.5 * firm_var)
    firm_level *= np.where(firms.kind == MICRO, 1.0 + params.reach_gain * platform_reach, 1.0)
    firm_level *= cycle_factor(week, params) * firms.active

    new_orders = firms.order_mix * np.exp(lumpiness + (sector_shock - 0.5 * sector_var))
    new_orders *= firm_level[:, None]
    np.add(new_orders, firms.backlog_hours, out=firms.orders_hours)
