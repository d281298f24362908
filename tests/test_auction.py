"""The platform's double auction finds the surplus-maximising allocation (checked against linprog/HiGHS)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from model.economy.mechanisms.auction import double_auction
from model.economy.mechanisms.trade import clear_platforms
from model.economy.state import ProductionPlan
from tests.helpers import run


def optimal_surplus(bid_price, bid_hours, ask_price, ask_hours) -> float:
    """Transportation LP: max sum (bid_b - ask_s) x_bs s.t. sum_s x_bs <= bid_hours_b, sum_b x_bs <= ask_hours_s."""
    n_bids, n_asks = len(bid_price), len(ask_price)
    if n_bids == 0 or n_asks == 0:
        return 0.0
    gain = (bid_price[:, None] - ask_price[None, :]).ravel()
    rows_buyer = np.kron(np.eye(n_bids), np.ones((1, n_asks)))
    rows_seller = np.kron(np.ones((1, n_bids)), np.eye(n_asks))
    result = linprog(
        -gain,
        A_ub=np.vstack([rows_buyer, rows_seller]),
        b_ub=np.concatenate([bid_hours, ask_hours]),
        bounds=(0, None),
        method="highs",
    )
    assert result.status == 0, result.message
    return -result.fun


prices = st.floats(1.0, 400.0, allow_nan=False)
hours = st.floats(0.0, 200.0, allow_nan=False)
sides = st.integers(0, 9)


@st.composite
def markets(draw):
    n_bids, n_asks = draw(sides), draw(sides)
    return tuple(
        np.array(draw(st.lists(strategy, min_size=size, max_size=size)), dtype=float)
        for strategy, size in ((prices, n_bids), (hours, n_bids), (prices, n_asks), (hours, n_asks))
    )


@settings(max_examples=200, deadline=None)
@given(markets())
@example((np.array([1.0, 18.0]), np.zeros(2), np.ones(3), np.array([0.0, 0.0, 5.96046448e-08])))  # found in CI
def test_clearing_surplus_equals_linear_programme_optimum(market):
    result = double_auction(*market)
    optimum = optimal_surplus(*market)
    # HiGHS meets each constraint to within 1e-7 hours, so its optimum can be off by that much times a gain
    # (with no hours to trade at all it reported 1.0e-6 yuan of surplus at gains of 17 yuan/hour).
    bid_price, _, ask_price, _ = market
    gains = np.abs(bid_price[:, None] - ask_price[None, :])
    largest_gain = float(gains.max()) if gains.size else 0.0
    assert result.surplus == pytest.approx(optimum, rel=1e-9, abs=1e-6 * max(1.0, largest_gain))


@settings(max_examples=200, deadline=None)
@given(markets())
def test_nobody_trades_more_than_asked_and_price_is_individually_rational(market):
    bid_price, bid_hours, ask_price, ask_hours = market
    result = double_auction(*market)
    bought = np.bincount(result.buyer, result.hours, minlength=bid_hours.size)
    sold = np.bincount(result.seller, result.hours, minlength=ask_hours.size)
    assert np.all(bought <= bid_hours + 1e-9)
    assert np.all(sold <= ask_hours + 1e-9)
    if result.traded:
        assert np.all(bid_price[result.buyer] >= result.price)
        assert np.all(ask_price[result.seller] <= result.price)


def test_one_large_order_is_split_across_several_sellers():
    result = double_auction(
        np.array([300.0]), np.array([100.0]), np.array([100.0, 110.0, 120.0]), np.array([30.0, 30.0, 30.0])
    )
    assert sorted(result.seller.tolist()) == [0, 1, 2]
    assert result.hours.sum() == pytest.approx(90.0)


def test_no_trade_when_every_ask_exceeds_every_bid():
    result = double_auction(np.array([100.0]), np.array([10.0]), np.array([150.0]), np.array([10.0]))
    assert not result.traded and np.isnan(result.price) and result.surplus == 0.0


@pytest.mark.parametrize("seed", range(5))
def test_platform_clearing_without_frictions_is_optimal(seed):
    """The whole platform clearing, on a real economy's order book, reaches the LP optimum type by type."""
    economy = run(
        seed=seed,
        weeks=0,
        size__firms=60,
        platforms__infrastructure_quality=1.0,
        platforms__half_efficiency_share=0.0,
        platforms__credit_system=0.0,
        platforms__commission_rate=0.07,
        firms__failure_rate_mean=0.0,
        demand__design_copy_risk=0.0,
        platforms__min_order_hours=0.0,
    )
    firms, platforms = economy.firms, economy.platforms
    firms.membership[:] = True
    rng = np.random.default_rng(seed)
    need = rng.exponential(40.0, firms.order_value.shape) * (rng.random(firms.order_value.shape) < 0.5)
    offer = rng.exponential(40.0, firms.order_value.shape) * (need == 0)
    from model.economy.mechanisms.platforms import update_size

    update_size(firms, platforms, economy.params)
    assert platforms.matching_efficiency[0] == 1.0
    book_need, book_offer = need.copy(), offer.copy()
    paid_idle = offer * rng.random(offer.shape)  # the hours each seller's idle staff can run, at a lower ask
    plan = ProductionPlan(np.zeros_like(need), need, offer, offer.copy(), paid_idle)
    trades, _ = clear_platforms(firms, platforms, plan, economy.params, rng)
    markup = 1.0 / (1.0 - 0.07)
    low = firms.production_cost * markup
    high = (firms.production_cost + firms.labour_cost_per_machine_hour) * markup
    n = firms.n
    for process in range(firms.order_value.shape[1]):
        in_type = trades.process == process
        sold = np.bincount(trades.seller[in_type], trades.hours[in_type], minlength=n)
        cheap = np.minimum(sold, paid_idle[:, process])
        achieved = np.sum(trades.hours[in_type] * firms.order_value[trades.buyer[in_type], process]) - np.sum(
            cheap * low[:, process] + (sold - cheap) * high[:, process]
        )
        buyers, sellers = book_need[:, process] > 0, book_offer[:, process] > 0
        optimum = optimal_surplus(
            firms.order_value[buyers, process],
            book_need[buyers, process],
            np.concatenate([low[sellers, process], high[sellers, process]]),
            np.concatenate([paid_idle[sellers, process], (book_offer - paid_idle)[sellers, process]]),
        )
        assert achieved == pytest.approx(optimum, rel=1e-9)
