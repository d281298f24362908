"""Digital readiness as a stock: it wears off, and firms invest to raise it.

Most manufacturers' digitalisation is low, the article's main obstacle to
sharing. Here a firm's digital readiness (index 0-1) loses
``readiness_depreciation_per_year`` of itself a year as technology moves on. A
firm that knows a platform it cannot join for want of readiness (below
``min_readiness``) weighs an upgrading project like any investment: enough
projects of ``upgrade_step`` each to reach the threshold, at
``upgrade_cost_yuan_per_machine`` per machine it owns per project (less for a
firm a large firm opens its data and tools to, :mod:`open_data`), against what
it expects to gain on the platform over ``planning_horizon_weeks`` less the
joining cost at its new readiness. It pays at once (the government pays
``upgrade_subsidy`` of it) and its readiness rises ``upgrade_weeks`` later.
"""

from __future__ import annotations

import numpy as np

from ..kernels import any_in_rows, row_sums
from ..ledger import Ledger
from ..scenario import Scenario
from ..state import FirmTable, PlatformTable
from .platforms import expected_weekly_gain, joining_cost


def age_readiness(firms: FirmTable, week: int, scenario: Scenario) -> None:
    """Readiness wears off a little each week; upgrading projects due this week complete."""
    params = scenario.platforms
    firms.digital_readiness *= (1.0 - params.readiness_depreciation_per_year) ** (1.0 / 52.0)
    done = firms.active & (firms.upgrade_ready_week >= 0) & (firms.upgrade_ready_week <= week)
    firms.digital_readiness[done] = np.maximum(firms.digital_readiness[done], firms.upgrade_target[done])
    firms.upgrade_ready_week[done] = -1


def upgrade_cost(firms: FirmTable, rows: np.ndarray, projects: np.ndarray, scenario: Scenario) -> np.ndarray:
    """(rows,) yuan that ``projects`` upgrading projects cost each firm at ``rows``, before any subsidy.

    ``upgrade_cost_yuan_per_machine`` per machine it owns (at least one machine's
    worth) per project; ``firms.large.data_upgrade_discount`` less where a large
    firm's data and tools are open to it.
    """
    size = np.maximum(row_sums(firms.machines[rows]), 1)
    cost = projects * scenario.platforms.upgrade_cost_yuan_per_machine * size
    return cost * np.where(firms.data_access[rows], 1.0 - scenario.firms.large.data_upgrade_discount, 1.0)


def review_upgrading(
    firms: FirmTable, platforms: PlatformTable, week: int, scenario: Scenario, ledger: Ledger
) -> np.ndarray:
    """Firms due for a platform review that cannot join a platform they know decide whether to upgrade.

    Returns the rows of the firms that started a project.
    """
    params = scenario.platforms
    if platforms.n == 0:
        return np.zeros(0, np.int64)
    rows = np.flatnonzero(
        firms.active
        & firms.due(week, params.review_period_weeks)
        & (firms.digital_readiness < params.min_readiness)
        & (firms.upgrade_ready_week < 0)
        & any_in_rows(firms.aware & ~firms.membership & platforms.active[None, :])
    )
    if rows.size == 0:
        return rows
    gain = np.full(rows.size, -np.inf)
    for p in range(platforms.n):
        known = firms.aware[rows, p] & ~firms.membership[rows, p] & platforms.active[p]
        gain = np.where(known, np.maximum(gain, expected_weekly_gain(firms, platforms, rows, p)), gain)
    readiness = firms.digital_readiness[rows]
    projects = np.ceil((params.min_readiness - readiness) / params.upgrade_step)
    target = np.minimum(readiness + projects * params.upgrade_step, 1.0)
    cost = upgrade_cost(firms, rows, projects, scenario)
    own_share = cost * (1.0 - params.upgrade_subsidy)
    joining = joining_cost(target, scenario)
    upgrade = params.planning_horizon_weeks * gain > own_share + joining
    upgrade &= firms.cash_yuan[rows] >= own_share + joining
    starting = rows[upgrade]
    ledger.pay("upgrading subsidy", "government", "firms", cost[upgrade] * params.upgrade_subsidy, payee_rows=starting)
    ledger.pay("digital upgrading", "firms", "suppliers", cost[upgrade], payer_rows=starting)
    firms.upgrade_target[starting] = target[upgrade]
    firms.upgrade_ready_week[starting] = week + params.upgrade_weeks
    return starting
