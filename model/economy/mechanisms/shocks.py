"""Shocks with a start and a duration: demand falls, a platform goes down, a process type loses capacity.

Each is declared in the scenario's ``shocks`` section and is active in weeks
``start_week <= week < start_week + weeks``.
"""

from __future__ import annotations

import numpy as np

from ..scenario import ShockParams
from ..state import FirmTable, PlatformTable


def _active(start_week: int, weeks: int, week: int) -> bool:
    return weeks > 0 and start_week <= week < start_week + weeks


def demand_factor(week: int, shocks: ShockParams) -> float:
    """Share of normal new orders that arrive this week."""
    shock = shocks.demand
    return 1.0 - shock.depth if _active(shock.start_week, shock.weeks, week) else 1.0


def platforms_up(week: int, shocks: ShockParams, count: int) -> np.ndarray:
    """(P,) whether each platform is in service this week."""
    up = np.ones(count, bool)
    outage = shocks.platform_outage
    if _active(outage.start_week, outage.weeks, week) and outage.platform < count:
        up[outage.platform] = False
    return up


def available_share(week: int, shocks: ShockParams, process_types: int) -> np.ndarray:
    """(K,) share of each process type's machine-hours that can be used this week."""
    share = np.ones(process_types)
    disruption = shocks.supply_disruption
    if _active(disruption.start_week, disruption.weeks, week) and disruption.process_type < process_types:
        share[disruption.process_type] = 1.0 - disruption.depth
    return share


def set_conditions(firms: FirmTable, platforms: PlatformTable, week: int, shocks: ShockParams) -> float:
    """Set this week's usable share of each process type and the platforms in service (in the market and not down);
    returns the demand factor."""
    firms.available_share[:] = available_share(week, shocks, firms.process_types)
    platforms.active[:] = platforms_up(week, shocks, platforms.n) & platforms.in_market
    return demand_factor(week, shocks)
