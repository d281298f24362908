"""Urn-ball matching: pooling local labour markets gains only where they are out of balance."""

from __future__ import annotations

import numpy as np
import pytest

from model.economy.mechanisms.matching import _fill_probability, _urn_ball_share, _urn_ball_whole
from model.economy.scenario import LabourParams

PARAMS = LabourParams(applications_per_week=1.0)


def matches(openings_by_region, seekers_by_region, pooled: bool, seed: int = 0) -> int:
    """Whole matches when each region is its own market, or when one market pools them."""
    rng = np.random.default_rng(seed)
    regions = len(openings_by_region)
    cell_market = np.zeros(regions, np.int64) if pooled else np.arange(regions)
    seeker_market = np.repeat(cell_market, seekers_by_region)
    seekers, cells = _urn_ball_whole(
        cell_market, np.asarray(openings_by_region, np.int64), seeker_market, regions, PARAMS, rng
    )
    assert seekers.size == cells.size and np.all(seeker_market[seekers] == cell_market[cells])
    return seekers.size


def test_pooling_imbalanced_markets_creates_matches_that_separate_ones_cannot():
    local = matches([200, 0], [0, 200], pooled=False)
    pooled = np.mean([matches([200, 0], [0, 200], pooled=True, seed=seed) for seed in range(20)])
    assert local == 0
    assert pooled == pytest.approx(200 * (1 - np.exp(-1.0)), rel=0.05)  # v (1 - exp(-a u / v))


def test_pooling_balanced_markets_gains_nothing():
    local = np.mean([matches([200, 200], [200, 200], pooled=False, seed=seed) for seed in range(30)])
    pooled = np.mean([matches([200, 200], [200, 200], pooled=True, seed=seed) for seed in range(30)])
    spread = 2 * np.std([matches([200, 200], [200, 200], pooled=True, seed=seed) for seed in range(30)]) / np.sqrt(30)
    assert abs(pooled - local) < 2 * spread + 1.0


def test_no_market_matches_more_seekers_or_openings_than_it_has():
    rng = np.random.default_rng(3)
    for _ in range(50):
        regions = 5
        openings = rng.integers(0, 30, regions)
        seekers = rng.integers(0, 30, regions)
        cell_market = np.arange(regions)
        seeker_market = np.repeat(cell_market, seekers)
        chosen, _ = _urn_ball_whole(
            cell_market, openings, seeker_market, regions, LabourParams(applications_per_week=50.0), rng
        )
        per_market = np.bincount(seeker_market[chosen], minlength=regions)
        assert np.all(per_market <= np.minimum(openings, seekers))
        share, taken = _urn_ball_share(cell_market, openings + rng.random(regions), seeker_market, regions, PARAMS, rng)
        assert np.all(np.bincount(seeker_market[taken], minlength=regions) <= seekers) and np.all(share <= 1.0)


def test_fill_probability_is_the_urn_ball_formula_and_zero_where_nothing_is_open():
    openings = np.array([0.0, 4.0, 0.5, 10.0, 0.0])
    seekers = np.array([3, 0, 2, 20, 0])
    with np.errstate(divide="ignore", invalid="ignore"):  # the formula as written, for the open markets
        rate = PARAMS.applications_per_week * seekers / openings
    expected = np.where(openings > 0, -np.expm1(-np.nan_to_num(rate, posinf=0.0)), 0.0)
    got = _fill_probability(openings, seekers, PARAMS)
    assert got.tobytes() == expected.tobytes()  # to the bit, signed zeros included
    assert got[0] == 0.0 and got[1] == 0.0 and got[3] == pytest.approx(1 - np.exp(-2.0))
