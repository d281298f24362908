"""The compiled kernels against the NumPy expressions they replace: equal to the bit, on any input.

Each reference below is the NumPy code the kernel took over (kept here, not in
the model, so the model has one implementation of each rule).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from model.economy.kernels import (
    add_at,
    add_by_row,
    any_in_rows,
    benefit_claimants,
    blend,
    cell_markets,
    column_sums,
    first_within_groups,
    invalid_amounts,
    job_seekers,
    match_partners,
    per_head,
    row_sums,
    rows_outside,
    searching,
    staff_in_groups,
    start_the_week,
)
from model.economy.ledger import Ledger, add_up
from model.economy.mechanisms.auction import double_auction


def first_within_groups_reference(group: np.ndarray, keys: np.ndarray, count: np.ndarray) -> np.ndarray:
    order = np.lexsort((keys, group))
    ordered = group[order]
    rank = np.arange(order.size) - np.searchsorted(ordered, np.arange(count.size))[ordered]
    return order[rank < count[ordered]]


def double_auction_reference(bid_price, bid_hours, ask_price, ask_hours, min_hours=1e-9):
    """The auction as NumPy cleared it before the kernel: (buyer, seller, hours, price, surplus)."""
    bid_order = np.argsort(-bid_price, kind="stable")
    ask_order = np.argsort(ask_price, kind="stable")
    demand_curve = np.cumsum(bid_hours[bid_order])
    supply_curve = np.cumsum(ask_hours[ask_order])
    most = min(demand_curve[-1], supply_curve[-1])
    starts = np.unique(np.concatenate(([0.0], demand_curve, supply_curve)))
    starts = starts[starts < most]
    buyer_rank = np.searchsorted(demand_curve, starts, side="right")
    seller_rank = np.searchsorted(supply_curve, starts, side="right")
    gain = bid_price[bid_order[buyer_rank]] - ask_price[ask_order[seller_rank]]
    n_profitable = int(np.argmin(gain > 0)) if not np.all(gain > 0) else gain.size
    ends = np.append(starts[1:], most)[:n_profitable]
    hours = ends - starts[:n_profitable]
    keep = hours > min_hours
    if not keep.any():
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), float("nan"), 0.0
    buyer = bid_order[buyer_rank[:n_profitable][keep]]
    seller = ask_order[seller_rank[:n_profitable][keep]]
    hours = hours[keep]
    price = 0.5 * (bid_price[buyer[-1]] + ask_price[seller[-1]])
    return buyer, seller, hours, float(price), float(np.sum(hours * gain[:n_profitable][keep]))


# Few distinct prices and hours, so ties in prices and equal steps of the two curves are common.
PRICES = st.sampled_from([1.0, 2.0, 2.5, 3.0, 7.25, np.inf])
HOURS = st.sampled_from([1e-12, 0.5, 1.0, 3.0, 40.0])


@settings(max_examples=400, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, n, elements=PRICES.filter(np.isfinite)), hnp.arrays(np.float64, n, elements=HOURS)
        )
    ),
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(hnp.arrays(np.float64, n, elements=PRICES), hnp.arrays(np.float64, n, elements=HOURS))
    ),
)
def test_double_auction_equals_its_numpy_form(bids, asks):
    result = double_auction(*bids, *asks)
    buyer, seller, hours, price, surplus = double_auction_reference(*bids, *asks)
    np.testing.assert_array_equal(result.buyer, buyer)
    np.testing.assert_array_equal(result.seller, seller)
    np.testing.assert_array_equal(result.hours, hours)
    assert (result.price == price or (np.isnan(result.price) and np.isnan(price))) and result.surplus == surplus


@st.composite
def groups_keys_counts(draw):
    n_groups = draw(st.integers(1, 8))
    size = draw(st.integers(0, 60))
    group = draw(hnp.arrays(np.int64, size, elements=st.integers(0, n_groups - 1)))
    # Few distinct keys, so ties are common: their order must follow position, as lexsort's does.
    keys = draw(hnp.arrays(np.float64, size, elements=st.sampled_from([0.0, 0.25, 0.5, 0.75])))
    count = draw(hnp.arrays(np.int64, n_groups, elements=st.integers(-2, 70)))
    return group, keys, count


@settings(max_examples=300, deadline=None)
@given(groups_keys_counts())
def test_first_within_groups_equals_lexsort_selection(case):
    group, keys, count = case
    np.testing.assert_array_equal(first_within_groups(group, keys, count), first_within_groups_reference(*case))


def test_first_within_groups_on_large_groups_with_random_keys():
    """Groups above the insertion-sort size take the merge-sort path; both must agree with lexsort."""
    rng = np.random.default_rng(5)
    group = rng.integers(0, 40, 20_000)
    keys = rng.random(group.size)
    keys[::97] = 0.5  # some ties across the big groups
    count = rng.integers(0, 700, 40)
    chosen = first_within_groups(group, keys, count)
    np.testing.assert_array_equal(chosen, first_within_groups_reference(group, keys, count))
    assert np.array_equal(np.bincount(group[chosen], minlength=40), np.minimum(count, np.bincount(group, minlength=40)))


@pytest.mark.parametrize("take", [1, 5, 24])
def test_first_within_groups_takes_a_few_from_a_big_group_with_tied_keys(take):
    """A few from a big group skip the full sort; members tied at the cut-off must still go in position order."""
    rng = np.random.default_rng(take)
    group = np.zeros(100, np.int64)
    keys = rng.choice([0.0, 0.5, 0.75], 100)
    count = np.array([take])
    np.testing.assert_array_equal(
        first_within_groups(group, keys, count), first_within_groups_reference(group, keys, count)
    )


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda size: st.tuples(
            hnp.arrays(np.float64, size, elements=st.floats(-1e6, 1e6)),
            hnp.arrays(np.int64, st.integers(0, 80), elements=st.integers(0, size - 1)),
        )
    ),
    st.sampled_from([-1.0, 1.0]),
    st.data(),
)
def test_add_by_row_equals_bincount(balances_rows, sign, data):
    balances, rows = balances_rows
    amounts = data.draw(hnp.arrays(np.float64, rows.size, elements=st.floats(0.0, 1e9)))
    expected = balances + sign * np.bincount(rows, weights=amounts, minlength=balances.size)
    scratch = np.zeros(balances.size + 3)
    add_by_row(balances, rows, amounts, sign, scratch)
    np.testing.assert_array_equal(balances, expected)
    assert not scratch.any()  # left zero for the next payment


def test_add_at_equals_ufunc_at_on_a_column_view():
    rng = np.random.default_rng(3)
    table = rng.random((50, 4)) * 1e3
    rows, amounts = rng.integers(0, 50, 400), rng.random(400) * 1e-3
    expected = table.copy()
    np.subtract.at(expected[:, 2], rows, amounts)
    add_at(table[:, 2], rows, -amounts)
    np.testing.assert_array_equal(table, expected)
    with pytest.raises(IndexError):
        add_at(table[:, 2], np.array([0, 50]), np.ones(2))
    np.testing.assert_array_equal(table, expected)


def test_add_by_row_refuses_rows_outside_the_table_and_changes_nothing():
    balances, scratch = np.array([5.0, 6.0]), np.zeros(2)
    for bad_row in (2, -1):
        with pytest.raises(IndexError):
            add_by_row(balances, np.array([0, bad_row]), np.array([1.0, 1.0]), -1.0, scratch)
    assert balances.tolist() == [5.0, 6.0] and not scratch.any()


@pytest.mark.parametrize("shape", [(2000, 6), (7, 1), (0, 6), (300, 7), (40, 12)])
def test_row_and_column_sums_against_numpy(shape):
    """Equal to NumPy's to the bit for rows shorter than 8 (NumPy adds them in order too); close for longer rows."""
    rng = np.random.default_rng(shape[0])
    values = rng.random(shape) * rng.choice([1e-8, 1.0, 1e8], shape)
    counts = rng.integers(0, 9, shape)
    if shape[1] < 8:
        np.testing.assert_array_equal(row_sums(values), values.sum(axis=1))
        np.testing.assert_array_equal(row_sums(values[::2]), values[::2].sum(axis=1))  # a strided view
    else:
        np.testing.assert_allclose(row_sums(values), values.sum(axis=1), rtol=1e-15)
    np.testing.assert_array_equal(column_sums(values), values.sum(axis=0))
    np.testing.assert_array_equal(row_sums(counts), counts.sum(axis=1))
    assert row_sums(counts).dtype == np.int64
    np.testing.assert_array_equal(any_in_rows(values > 5e7), (values > 5e7).any(axis=1))


def test_group_kernels_refuse_numbers_outside_their_range():
    with pytest.raises(IndexError):
        first_within_groups(np.array([0, 2]), np.array([0.1, 0.2]), np.array([1, 1]))
    with pytest.raises(IndexError):
        first_within_groups(np.array([0, -1]), np.array([0.1, 0.2]), np.array([1, 1]))


def test_per_head_equals_dividing_the_whole_table():
    rng = np.random.default_rng(8)
    totals, heads = rng.random((300, 6)) * 1e4, rng.integers(0, 4, (300, 6)).astype(np.float64)
    row, column = rng.integers(0, 300, 2_000), rng.integers(0, 6, 2_000)
    np.testing.assert_array_equal(per_head(totals, heads, row, column), (totals / np.maximum(heads, 1.0))[row, column])


@pytest.mark.parametrize(
    ("amounts", "invalid"),
    [([], False), ([0.0, -0.0, 3.5, 1e300], False), ([1.0, -1e-300], True), ([np.nan], True), ([2.0, np.inf], True)],
)
def test_invalid_amounts(amounts, invalid):
    values = np.array(amounts, dtype=np.float64)
    assert invalid_amounts(values) is invalid
    assert invalid == (not np.all(np.isfinite(values)) or bool(np.any(values < 0)))


def test_rows_outside():
    assert not rows_outside(np.array([0, 4], np.int64), 5) and not rows_outside(np.zeros(0, np.int64), 0)
    assert rows_outside(np.array([0, 5], np.int64), 5) and rows_outside(np.array([-1], np.int64), 5)


def test_ledger_refuses_bad_payments_by_name():
    firms, workers = type("T", (), {})(), type("T", (), {})()
    firms.cash_yuan, workers.savings_yuan = np.array([10.0, 0.0]), np.zeros(3)
    platforms = type("T", (), {"cash_yuan": np.zeros(1)})()
    ledger = Ledger(firms, workers, platforms)
    ledger.open_week(1)
    with pytest.raises(ValueError, match=r"'wage'.*finite and non-negative"):
        ledger.pay("wage", "firms", "workers", np.array([1.0, np.nan]), payer_rows=[0, 0], payee_rows=[0, 1])
    with pytest.raises(ValueError, match=r"workers: a payment's row is outside the table's rows 0\.\.2"):
        ledger.pay("wage", "firms", "workers", np.array([1.0]), payer_rows=[0], payee_rows=[3])
    assert firms.cash_yuan.tolist() == [10.0, 0.0] and not workers.savings_yuan.any()


def test_the_ledger_adds_up_in_order_on_every_python():
    """Python 3.12's sum() compensates for rounding; the books add in order, so 3.11 and 3.13 agree to the bit."""
    assert add_up([1e16, 1.0, -1e16]) == 0.0  # 1e16 + 1 rounds to 1e16; sum() gives 1.0 on Python 3.12+
    assert add_up(x for x in (0.1, 0.2, 0.3)) == (0.1 + 0.2) + 0.3


def match_partners_reference(
    contacted, link_buyer, link_seller, need, offer, offered, paid_idle, value, cost, labour, reflect_load
):
    """Partner trade as NumPy did it before the kernel (need and offer lowered in place)."""
    n, k = need.shape
    buyer_of, seller_of = link_buyer[contacted], link_seller[contacted]
    edge_pos, process = np.nonzero((need > 0)[buyer_of] & (offer > 0)[seller_of])
    buyer, seller = buyer_of[edge_pos], seller_of[edge_pos]
    seller_cost = cost[seller, process] + labour
    if reflect_load:
        sold = offered[seller, process] - offer[seller, process]
        seller_cost = np.where(paid_idle[seller, process] > sold, cost[seller, process], seller_cost)
    gains = value[buyer, process] > seller_cost
    edge_pos, process, buyer, seller, seller_cost = (a[gains] for a in (edge_pos, process, buyer, seller, seller_cost))
    if edge_pos.size == 0:
        return (np.zeros(0, np.int64),) * 4 + (np.zeros(0),) * 2
    buyer_cell, seller_cell = buyer * k + process, seller * k + process
    seller_offer = offer[seller, process]
    seen_offer = np.bincount(buyer_cell, seller_offer, minlength=n * k)[buyer_cell]
    request = np.minimum(seller_offer, need[buyer, process] * seller_offer / seen_offer)
    asked_of_seller = np.bincount(seller_cell, request, minlength=n * k)[seller_cell]
    hours = request * np.minimum(1.0, seller_offer / asked_of_seller)
    need -= np.bincount(buyer_cell, hours, minlength=n * k).reshape(n, k)
    offer -= np.bincount(seller_cell, hours, minlength=n * k).reshape(n, k)
    np.maximum(need, 0.0, out=need)
    np.maximum(offer, 0.0, out=offer)
    price = 0.5 * (value[buyer, process] + seller_cost)
    return contacted[edge_pos], buyer, seller, process, hours, price


@st.composite
def partner_markets(draw):
    n, k = draw(st.integers(1, 8)), draw(st.integers(1, 4))
    hours = st.one_of(st.just(0.0), st.floats(1e-6, 100.0), st.sampled_from([1e-9, 8.0, 40.0]))
    yuan = st.one_of(st.floats(10.0, 200.0), st.sampled_from([50.0, 75.0]))  # ties: value equal to cost
    table = lambda elements: draw(hnp.arrays(np.float64, (n, k), elements=elements))  # noqa: E731
    need, offer, paid_idle, value, cost = table(hours), table(hours), table(hours), table(yuan), table(yuan)
    offered = offer + table(hours)  # some of the offer may be sold already
    links = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=20))
    link_buyer = np.array([b for b, _ in links], np.int64)
    link_seller = np.array([s for _, s in links], np.int64)
    contacted = np.flatnonzero(draw(hnp.arrays(np.bool_, len(links))))
    labour = draw(st.sampled_from([0.0, 25.0]))
    return contacted, link_buyer, link_seller, need, offer, offered, paid_idle, value, cost, labour


@settings(max_examples=400, deadline=None)
@given(partner_markets(), st.booleans())
def test_match_partners_equals_its_numpy_form(market, reflect_load):
    contacted, link_buyer, link_seller, need, offer, offered, paid_idle, value, cost, labour = market
    need_before, offer_before = need.copy(), offer.copy()
    expected = match_partners_reference(
        contacted,
        link_buyer,
        link_seller,
        need_before,
        offer_before,
        offered,
        paid_idle,
        value,
        cost,
        labour,
        reflect_load,
    )
    result = match_partners(
        contacted, link_buyer, link_seller, need, offer, offered, paid_idle, value, cost, labour, reflect_load
    )
    for got, want in zip(result, expected):
        assert got.tobytes() == want.tobytes()
    assert need.tobytes() == need_before.tobytes() and offer.tobytes() == offer_before.tobytes()


@pytest.mark.parametrize("shape", [(0,), (7,), (20_000,), (300, 6), (5, 1)])
def test_blend_equals_the_numpy_moving_average(shape):
    rng = np.random.default_rng(len(shape) * 100 + shape[0])
    average, latest = rng.lognormal(5.0, 2.0, shape), rng.lognormal(5.0, 2.0, shape)
    for squared in (False, True):
        expected = average.copy()
        expected += 0.1 * ((latest**2 if squared else latest) - expected)
        blended = average.copy()
        blend(blended, latest, 0.1, squared=squared)
        assert blended.tobytes() == expected.tobytes()


def test_blend_refuses_arrays_it_cannot_update_in_place():
    with pytest.raises(ValueError, match="same shape"):
        blend(np.zeros(3), np.zeros(4), 0.1)
    with pytest.raises(Exception, match="contiguous"):  # a strided view: Numba will not compile it
        blend(np.zeros((4, 6))[:, ::2], np.zeros((4, 3)), 0.1)


def test_match_partners_refuses_links_outside_its_arrays():
    need, offer = np.ones((2, 1)), np.ones((2, 1))
    market = (need, offer, offer.copy(), np.zeros((2, 1)), np.full((2, 1), 100.0), np.ones((2, 1)), 0.0, True)
    for contacted, buyers, sellers, message in (
        ([3], [0, 1], [1, 0], "contacted link"),  # a link position beyond the link arrays
        ([0], [0, 5], [5, 0], "firms' table"),  # a link to a firm beyond the firms' table
    ):
        with pytest.raises(IndexError, match=message):
            match_partners(np.array(contacted), np.array(buyers), np.array(sellers), *market)
    assert need.tolist() == [[1.0], [1.0]] and offer.tolist() == [[1.0], [1.0]]  # nothing traded


@given(hnp.arrays(np.bool_, st.integers(0, 40)), st.integers(1, 6), st.integers(1, 9), st.data())
def test_cell_markets_equal_their_numpy_form(member, k, regions, data):
    firm_region = data.draw(hnp.arrays(np.int64, member.size, elements=st.integers(0, regions - 1)))
    pooled, local = cell_markets(member, firm_region, k)
    skills = np.arange(k)[None, :]
    np.testing.assert_array_equal(pooled, np.where(member[:, None], skills, -1).ravel())
    np.testing.assert_array_equal(local, np.where(member[:, None], -1, firm_region[:, None] * k + skills).ravel())


@given(st.integers(0, 60), st.integers(1, 6), st.booleans(), st.data())
def test_searching_equals_its_numpy_form(n, k, pooled, data):
    seekers, registered = (data.draw(hnp.arrays(np.bool_, n)) for _ in range(2))
    skill = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, k - 1)))
    region = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, 8)))
    rows, market = searching(seekers, registered, skill, region, k, pooled)
    expected = np.flatnonzero(seekers & registered) if pooled else np.flatnonzero(seekers)
    np.testing.assert_array_equal(rows, expected)
    np.testing.assert_array_equal(market, skill[expected] if pooled else region[expected] * k + skill[expected])


def test_market_kernels_refuse_arrays_of_different_lengths():
    with pytest.raises(IndexError, match="one entry per firm"):
        cell_markets(np.zeros(3, bool), np.zeros(2, np.int64), 2)
    with pytest.raises(IndexError, match="one entry per worker"):
        searching(np.zeros(3, bool), np.zeros(3, bool), np.zeros(2, np.int64), np.zeros(3, np.int64), 2, True)


@given(st.integers(1, 12), st.integers(1, 5), st.integers(0, 80), st.data())
def test_staff_in_groups_equals_its_numpy_form(n_firms, k, n_workers, data):
    status = data.draw(hnp.arrays(np.int8, n_workers, elements=st.integers(0, 3)))
    employer = data.draw(hnp.arrays(np.int64, n_workers, elements=st.integers(0, n_firms - 1)))
    skill = data.draw(hnp.arrays(np.int64, n_workers, elements=st.integers(0, k - 1)))
    count = data.draw(hnp.arrays(np.int64, (n_firms, k), elements=st.integers(-1, 2)))
    rows = np.flatnonzero(status == 1)
    expected = rows[count[employer[rows], skill[rows]] > 0]
    np.testing.assert_array_equal(staff_in_groups(status, employer, skill, count, 1), expected)


def test_staff_in_groups_refuses_an_employer_outside_the_table():
    status, skill, count = np.array([1, 1], np.int8), np.zeros(2, np.int64), np.ones((2, 1), np.int64)
    with pytest.raises(IndexError, match="outside the table"):
        staff_in_groups(status, np.array([0, 2]), skill, count, 1)
    assert staff_in_groups(status, np.array([0, -1]), skill, count, 0).size == 0  # only permanent staff are read


def worker_tables(draw, n: int, k: int):
    status = draw(hnp.arrays(np.int8, n, elements=st.integers(0, 4)))
    employer = draw(hnp.arrays(np.int64, n, elements=st.integers(-1, 50)))
    skill = draw(hnp.arrays(np.int64, n, elements=st.integers(0, k - 1)))
    return status, employer, skill


@given(st.integers(0, 60), st.integers(1, 6), st.data())
def test_start_the_week_equals_its_numpy_form(n, k, data):
    status, employer, skill = worker_tables(data.draw, n, k)
    training_left = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, 2)))
    expected_status = status.copy()
    roster = np.flatnonzero(status == 0)
    seekers = ((status == 3) | (status == 1)) & (training_left == 0)
    expected_status[seekers] = 3
    got = start_the_week(status, employer, skill, training_left, 0, 3, 1)
    for got_part, want in zip(got, (roster, employer[roster], skill[roster], seekers)):
        np.testing.assert_array_equal(got_part, want)
    np.testing.assert_array_equal(status, expected_status)  # changed in place


@given(st.integers(0, 60), st.integers(1, 6), st.data())
def test_job_seekers_equal_their_numpy_form(n, k, data):
    seekers = data.draw(hnp.arrays(np.bool_, n))
    reservation = data.draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.0, 99.0, 100.0, 100.5, np.inf])))
    skill = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, k - 1)))
    eligible, by_skill = job_seekers(seekers, reservation, 100.0, skill, k)
    expected = seekers & (reservation <= 100.0)
    np.testing.assert_array_equal(eligible, expected)
    np.testing.assert_array_equal(by_skill, np.bincount(skill[expected], minlength=k))


@given(st.integers(0, 60), st.data())
def test_benefit_claimants_equal_their_numpy_form(n, data):
    status = data.draw(hnp.arrays(np.int8, n, elements=st.integers(0, 4)))
    roster = np.flatnonzero(data.draw(hnp.arrays(np.bool_, n)))
    on_payroll = np.zeros(n, bool)
    on_payroll[roster] = True
    expected = np.flatnonzero(~on_payroll & ((status == 3) | (status == 0)))
    np.testing.assert_array_equal(benefit_claimants(status, roster, 3, 0), expected)


def test_worker_kernels_refuse_what_is_outside_their_tables():
    status, rows = np.zeros(3, np.int8), np.zeros(3, np.int64)
    with pytest.raises(IndexError, match="one entry per worker"):
        start_the_week(status, rows, rows, np.zeros(2, np.int64), 0, 3, 1)
    with pytest.raises(IndexError, match="skill is outside"):
        job_seekers(np.ones(3, bool), np.zeros(3), 1.0, np.array([0, 2, 0]), 2)
    with pytest.raises(IndexError, match="roster row"):
        benefit_claimants(status, np.array([3]), 3, 0)
