"""Job matching: local labour markets, and the one market a platform pools them into.

Off the platforms, hiring and task contracting happen in local markets: one per
region (firms' locations cut into ``regions_per_side`` x ``regions_per_side``
regions) and skill. A worker searches where it lives, a firm hires where it is.
Platforms pool the openings of all member firms, and every job seeker digitally
ready to use them, into one market per skill; members post there only, and
registered seekers who find nothing there search their local market next.

Every market matches the same way, urn-ball (Butters 1977; Petrongolo and
Pissarides 2001): each seeker sends ``applications_per_week`` applications, on
average, to openings at random, and an opening with at least one application is
filled, so ``matches = v (1 - exp(-a u / v))`` with ``u`` seekers and ``v``
openings. Matching has constant returns when markets are balanced, so pooling
gains nothing there; it gains where local markets are out of balance (idle
workers in one region, unfilled openings in another), and that is the only
source of a platform's labour-market advantage.

``labour.matching_model = "cobb_douglas"`` keeps the earlier assumption instead,
for comparison: one national market per skill with ``A u^alpha v^(1-alpha)``
matches, ``A`` higher for openings posted by platform members.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..kernels import cell_markets, first_within_groups, searching
from ..scenario import LabourParams
from ..state import FirmTable, WorkerTable


def region_of(location: np.ndarray, per_side: int) -> np.ndarray:
    """(n,) region of each location on the unit square, cut into ``per_side`` x ``per_side`` cells."""
    cell = np.minimum((location * per_side).astype(np.int64), per_side - 1)
    return cell[:, 0] * per_side + cell[:, 1]


class Markets(NamedTuple):
    """Where firms post and workers search this week (see :func:`markets_of_the_week`)."""

    member: np.ndarray  # (N,) bool: firms that post on the platforms' pool
    registered: np.ndarray  # (W,) bool: workers who can search there
    pooled: np.ndarray  # (N x K,) each firm-skill cell's market in the pool (its skill), -1 off the platforms
    local: np.ndarray  # (N x K,) its local market (region x K + skill), -1 for members (they post in the pool)
    process_types: int
    regions: int
    pool_open: bool  # whether there is a pool round at all (some member firm and some registered worker)


def markets_of_the_week(firms: FirmTable, member: np.ndarray, registered: np.ndarray, params: LabourParams) -> Markets:
    """The markets of this week's matching rounds, shared by :func:`fill_vacancies` and :func:`fill_tasks`.

    ``member`` (N,) says which firms post on the platforms, ``registered`` (W,)
    which workers search there.
    """
    k = firms.process_types
    firm_region = region_of(firms.location, params.regions_per_side)
    pooled, local = cell_markets(member, firm_region, k)
    pool_open = bool(member.any() and registered.any())
    return Markets(member, registered, pooled, local, k, params.regions_per_side**2, pool_open)


def fill_vacancies(
    firms: FirmTable,
    workers: WorkerTable,
    seekers: np.ndarray,
    markets: Markets,
    params: LabourParams,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Match seekers (a mask over workers) to firms' permanent vacancies in this week's ``markets``.

    Returns the hired workers' rows and their new employers' rows.
    """
    vacancies = (firms.vacancies * firms.active[:, None]).astype(np.int64)
    if params.matching_model == "cobb_douglas":
        return _cobb_douglas_hires(vacancies, workers, seekers, markets.member, params, rng)
    hired, employer = [], []
    for cell_market, seeker_rows, seeker_market, n_markets in _rounds(markets, workers, seekers):
        open_cells = np.flatnonzero((cell_market >= 0) & (vacancies.ravel() > 0))
        rows, cells = _urn_ball_whole(
            cell_market[open_cells], vacancies.ravel()[open_cells], seeker_market, n_markets, params, rng
        )
        hired.append(seeker_rows[rows])
        employer.append(open_cells[cells] // vacancies.shape[1])
        seekers[seeker_rows[rows]] = False
    return np.concatenate(hired), np.concatenate(employer)


def fill_tasks(
    slots: np.ndarray,
    workers: WorkerTable,
    seekers: np.ndarray,
    markets: Markets,
    params: LabourParams,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Match seekers to this week's task slots (N, K, in worker-weeks) in this week's ``markets``.

    Returns the slots filled (N, K) and the rows of the workers who took a task.
    """
    if params.matching_model == "cobb_douglas":
        return _cobb_douglas_tasks(slots, workers, seekers, markets.member, params, rng)
    filled = np.zeros_like(slots)
    taken = []
    for cell_market, seeker_rows, seeker_market, n_markets in _rounds(markets, workers, seekers):
        open_cells = np.flatnonzero((cell_market >= 0) & (slots.ravel() > 0))
        share, rows = _urn_ball_share(
            cell_market[open_cells], slots.ravel()[open_cells], seeker_market, n_markets, params, rng
        )
        filled.ravel()[open_cells] = slots.ravel()[open_cells] * share[cell_market[open_cells]]
        taken.append(seeker_rows[rows])
        seekers[seeker_rows[rows]] = False
    return filled, np.concatenate(taken)


def _rounds(markets: Markets, workers: WorkerTable, seekers: np.ndarray):
    """The platform pool (one market per skill), then the local markets (one per region and skill).

    Yields, for each round: the market of each firm-skill cell (-1 where the cell
    does not post in this round), the rows of the seekers searching and their
    markets, and the number of markets. ``seekers`` is read afresh each round, so
    those matched in the pool do not search locally.
    """
    k = markets.process_types
    if markets.pool_open:
        rows, market = searching(seekers, markets.registered, workers.skill, workers.region, k, True)
        yield markets.pooled, rows, market, k
    rows, market = searching(seekers, markets.registered, workers.skill, workers.region, k, False)
    yield markets.local, rows, market, markets.regions * k


def _fill_probability(openings_by_market: np.ndarray, seekers_by_market: np.ndarray, params: LabourParams):
    """Chance that an opening in each market gets at least one application: ``1 - exp(-a u / v)``."""
    open_markets = openings_by_market > 0
    rate = np.divide(
        params.applications_per_week * seekers_by_market,
        openings_by_market,
        out=np.zeros(openings_by_market.shape),
        where=open_markets,
    )
    probability = -np.expm1(-rate)
    probability[~open_markets] = 0.0
    return probability


def _urn_ball_whole(cell_market, openings, seeker_market, n_markets, params, rng):
    """Whole openings: each fills with the urn-ball probability, at most as many as the market has seekers.

    Returns the positions of the matched seekers (in ``seeker_market``) and of the
    cells they fill (in ``cell_market``), paired at random within each market.
    """
    seekers_by_market = np.bincount(seeker_market, minlength=n_markets)
    openings_by_market = np.bincount(cell_market, weights=openings, minlength=n_markets)
    filled = rng.binomial(openings, _fill_probability(openings_by_market, seekers_by_market, params)[cell_market])
    by_market = np.bincount(cell_market, weights=filled, minlength=n_markets).astype(np.int64)
    for market in np.flatnonzero(by_market > seekers_by_market):  # rare: more openings filled than seekers
        cells = np.flatnonzero(cell_market == market)
        filled[cells] = rng.multivariate_hypergeometric(filled[cells], seekers_by_market[market], method="marginals")
    by_market = np.minimum(by_market, seekers_by_market)
    chosen = _random_within(seeker_market, by_market, rng)
    units = np.repeat(np.arange(cell_market.size), filled)
    unit_market = cell_market[units]
    every_unit = np.bincount(unit_market, minlength=n_markets)
    units = units[first_within_groups(unit_market, rng.random(units.size), every_unit)]  # shuffled within markets
    return chosen, units


def _urn_ball_share(cell_market, slots, seeker_market, n_markets, params, rng):
    """Task slots (fractional worker-weeks): each market fills its expected matches, in whole workers.

    Returns the filled share of each market's slots and the positions of the seekers who took a task.
    """
    seekers_by_market = np.bincount(seeker_market, minlength=n_markets)
    slots_by_market = np.bincount(cell_market, weights=slots, minlength=n_markets)
    expected = slots_by_market * _fill_probability(slots_by_market, seekers_by_market, params)
    whole = np.floor(expected + rng.random(n_markets)).astype(np.int64)
    workers = np.minimum(whole, np.minimum(seekers_by_market, np.floor(slots_by_market).astype(np.int64)))
    share = np.divide(workers, slots_by_market, out=np.zeros(n_markets), where=slots_by_market > 0)
    return share, _random_within(seeker_market, workers, rng)


def _random_within(market: np.ndarray, count: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Positions of ``count[m]`` members of each market ``m``, at random, in market order."""
    return first_within_groups(market, rng.random(market.size), count)


# --- the earlier assumption, kept for comparison ---------------------------------


def _matches(efficiency: np.ndarray, seekers: np.ndarray, openings: np.ndarray, alpha: float, rng) -> np.ndarray:
    """Whole matches per skill: A u^alpha v^(1-alpha), stochastically rounded, at most min(u, floor(v))."""
    expected = efficiency * seekers**alpha * openings ** (1.0 - alpha)
    whole = np.floor(expected + rng.random(expected.shape)).astype(np.int64)
    return np.minimum(whole, np.minimum(seekers, np.floor(openings))).astype(np.int64)


def _cobb_douglas_efficiency(openings: np.ndarray, member: np.ndarray, params: LabourParams) -> np.ndarray:
    """Per skill: A weighted by the share of openings posted by platform members."""
    total = openings.sum(axis=0)
    share = np.divide(openings[member].sum(axis=0), total, out=np.zeros(total.shape), where=total > 0)
    return params.matching_efficiency + (params.platform_matching_efficiency - params.matching_efficiency) * share


def _by_skill(rows: np.ndarray, skill: np.ndarray, k: int) -> list[np.ndarray]:
    order = np.argsort(skill[rows], kind="stable")
    return np.split(rows[order], np.cumsum(np.bincount(skill[rows], minlength=k))[:-1])


def _cobb_douglas_hires(vacancies, workers, seekers, member, params, rng):
    k = vacancies.shape[1]
    candidates = _by_skill(np.flatnonzero(seekers), workers.skill, k)
    efficiency = _cobb_douglas_efficiency(vacancies, member, params)
    hires = _matches(
        efficiency, np.array([c.size for c in candidates]), vacancies.sum(axis=0), params.matching_elasticity, rng
    )
    hired, employer = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for skill in np.flatnonzero(hires):
        hired.append(rng.choice(candidates[skill], size=hires[skill], replace=False))
        per_firm = rng.multivariate_hypergeometric(vacancies[:, skill], hires[skill], method="marginals")
        employer.append(rng.permutation(np.repeat(np.arange(vacancies.shape[0]), per_firm)))
    hired, employer = np.concatenate(hired), np.concatenate(employer)
    seekers[hired] = False
    return hired, employer


def _cobb_douglas_tasks(slots, workers, seekers, member, params, rng):
    k = slots.shape[1]
    slots_by_skill = slots.sum(axis=0)
    candidates = _by_skill(np.flatnonzero(seekers), workers.skill, k)
    efficiency = _cobb_douglas_efficiency(slots, member, params)
    taken = _matches(
        efficiency, np.array([c.size for c in candidates]), slots_by_skill, params.matching_elasticity, rng
    )
    chosen = [rng.choice(candidates[skill], size=taken[skill], replace=False) for skill in np.flatnonzero(taken)]
    flexible = np.concatenate(chosen) if chosen else np.zeros(0, np.int64)
    seekers[flexible] = False
    share = np.divide(taken, slots_by_skill, out=np.zeros(k), where=slots_by_skill > 0)
    return slots * share[None, :], flexible
