"""The metric kernels against the NumPy code the metrics used before them: equal to the bit.

The weekly metrics add up arrays of firms, trades and workers; the kernels do it in
one pass each, adding in NumPy's own order (pairwise), so every column of the model
table is what NumPy gave. The references below are the NumPy expressions the
kernels replaced, kept here so the model has one implementation of each metric.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from model import SharedManufacturingModel, load_scenario
from model.economy import metrics
from model.economy.kernels import (
    column_sums,
    firm_totals,
    pairwise_sum,
    rank_weighted_sum,
    row_sums,
    sampled_incomes,
    served_order_producers,
    trade_totals,
    worker_tallies,
)
from model.economy.metrics import UNMET_TOLERANCE_HOURS
from model.economy.state import FLEXIBLE, INACTIVE, MICRO, PUBLIC_LAB, STATUS_NAMES, UNEMPLOYED


def same_bits(a, b) -> bool:
    """Equal to the last bit (and in the sign of a zero), which ``==`` does not check."""
    return np.asarray(a, np.float64).tobytes() == np.asarray(b, np.float64).tobytes()


def _ratio_of_mean(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else 0.0


def firm_totals_reference(firms, custom_share: float) -> dict:
    """What ``metrics.measure`` and ``metrics.measure_limits`` computed with NumPy before ``firm_totals``."""
    counted = firms.active & (firms.kind != PUBLIC_LAB)
    capacity = firms.capacity_week * counted
    with_machines = capacity > 0
    used = firms.own_hours + firms.sold_hours
    output = firms.output_hours
    producing = output > 0
    shares = np.divide(used, output[:, None], out=np.zeros_like(used), where=producing[:, None])
    concentration = row_sums(shares**2)[producing]
    active = firms.active[:, None]
    orders = firms.orders_hours * active
    machine_hours = firms.machines * (firms.machine_hours_per_week * firms.available_share) * active
    custom = np.where(firms.kind == MICRO, 1.0, custom_share)
    return {
        "used_hours": used.sum(),
        "capacity_hours": capacity.sum(),
        "own_hours": firms.own_hours.sum(),
        "bought_hours": firms.bought_hours.sum(),
        "unmet_hours": firms.unmet_hours.sum(),
        "ordered_hours": firms.orders_hours.sum(),
        "concentration_weighted": (concentration * output[producing]).sum(),
        "producing_output": output[producing].sum(),
        "utilisation_std": float(firms.utilisation[with_machines].std()) if with_machines.any() else 0.0,
        "idle_share": _ratio_of_mean(firms.utilisation[with_machines] < 0.5),
        "overload_share": _ratio_of_mean((row_sums(firms.unmet_hours) > UNMET_TOLERANCE_HOURS)[counted]),
        "custom_orders": (row_sums(firms.orders_hours) * custom * counted).sum(),
        "counted_orders": (row_sums(firms.orders_hours) * counted).sum(),
        "demand_hours": orders.sum(),
        "machine_hours": machine_hours.sum(),
        "unserved_alone_hours": np.maximum(orders - machine_hours, 0.0).sum(),
        "unserved_pooled_hours": np.maximum(column_sums(orders) - column_sums(machine_hours), 0.0).sum(),
    }


def trade_totals_reference(trades, platform_owner: np.ndarray) -> dict:
    delivered = ~trades.failed
    on_platform = delivered & (trades.platform >= 0)
    owner = platform_owner[np.maximum(trades.platform, 0)] if platform_owner.size else np.full(trades.hours.size, -1)
    on_owned = on_platform & (owner >= 0)
    matched_on_platform = trades.platform >= 0
    return {
        "matched_hours": trades.hours.sum(),
        "shared_hours": trades.hours[delivered].sum(),
        "platform_hours": trades.hours[on_platform].sum(),
        "platform_trades": int(on_platform.sum()),
        "paid_yuan": trades.paid_yuan.sum(),
        "platform_paid_yuan": trades.paid_yuan[on_platform].sum(),
        "platform_matched_hours": trades.hours[matched_on_platform].sum(),
        "platform_failed_hours": trades.hours[matched_on_platform & trades.failed].sum(),
        "owned_platform_hours": trades.hours[on_owned].sum(),
        "owner_sold_hours": trades.hours[on_owned & (trades.seller == owner)].sum(),
        "hours_by_platform": np.bincount(
            trades.platform[on_platform], trades.hours[on_platform], minlength=platform_owner.size
        ),
    }


def served_order_producers_reference(trades, own_hours: np.ndarray, excluded: np.ndarray) -> tuple[int, int]:
    """Distinct sellers per order slot by pandas' hashing, as the metric counted them before the kernel."""
    n, k = own_hours.shape
    delivered = ~trades.failed & (trades.hours > 0)
    order = trades.buyer[delivered] * k + trades.process[delivered]
    pairs = pd.unique(order * n + trades.seller[delivered])
    producers = np.bincount(pairs // n, minlength=n * k) + (own_hours.ravel() > 0)
    served = (producers > 0) & ~excluded.ravel()
    return int(producers[served].sum()), int(served.sum())


def worker_tallies_reference(workers, skills: int) -> tuple:
    flexible = workers.status == FLEXIBLE
    mean_income = workers.income_ewma[flexible]
    spread = np.sqrt(np.maximum(workers.income_sq_ewma[flexible] - mean_income**2, 0.0))
    cv = np.divide(spread, mean_income, out=np.zeros_like(spread), where=mean_income > 0)
    return (
        np.bincount(workers.status, minlength=len(STATUS_NAMES)),
        np.bincount(workers.skill[workers.status == UNEMPLOYED], minlength=skills),
        float(cv.mean()) if cv.size else 0.0,
    )


def assert_totals_equal(totals, reference: dict) -> None:
    for name, expected in reference.items():
        assert same_bits(getattr(totals, name), expected), (name, getattr(totals, name), expected)


@settings(max_examples=300, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.integers(0, 3000),
        elements=st.one_of(st.floats(-1e12, 1e12, width=64), st.sampled_from([0.0, -0.0, 1e-300, 3.0])),
    ),
    st.integers(1, 3),
)
@example(np.array([-0.0]), 1)
@example(np.full(129, 1e16) - np.arange(129), 1)  # one value past a block of 128
def test_pairwise_sum_is_numpys_sum(values, step):
    assert same_bits(pairwise_sum(values), values.sum())
    assert same_bits(pairwise_sum(values[::step]), values[::step].sum())  # a strided view


@pytest.mark.parametrize("size", [8_191, 8_192, 8_193, 100_003, 1_000_001])
def test_pairwise_sum_on_long_arrays(size):
    values = np.random.default_rng(size).lognormal(0.0, 3.0, size)
    assert same_bits(pairwise_sum(values), values.sum())


@st.composite
def firm_tables(draw):
    """Firm arrays as a week leaves them: closed firms, public labs, firms without machines or output."""
    n, k = draw(st.integers(0, 60)), draw(st.integers(1, 7))
    hours = st.one_of(st.just(0.0), st.floats(0.0, 5e3), st.sampled_from([1e-7, UNMET_TOLERANCE_HOURS, 40.0, 168.0]))
    table = lambda: draw(hnp.arrays(np.float64, (n, k), elements=hours))  # noqa: E731
    own, sold, bought, unmet, orders = table(), table(), table(), table(), table()
    machines = draw(hnp.arrays(np.int64, (n, k), elements=st.integers(0, 5)))
    available_share = draw(hnp.arrays(np.float64, k, elements=st.sampled_from([0.0, 0.3, 0.75, 1.0])))
    capacity = (machines * (168.0 * available_share)).sum(axis=1)
    output = (own + sold).sum(axis=1) * draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.0, 1.0, 0.5])))
    utilisation = np.divide(output, capacity, out=np.zeros(n), where=capacity > 0)

    class Firms:
        pass

    firms = Firms()
    firms.own_hours, firms.sold_hours, firms.bought_hours, firms.unmet_hours = own, sold, bought, unmet
    firms.orders_hours, firms.machines, firms.available_share = orders, machines, available_share
    firms.machine_hours_per_week, firms.capacity_week, firms.output_hours = 168.0, capacity, output
    firms.utilisation = utilisation
    firms.active = draw(hnp.arrays(np.bool_, n))
    firms.kind = draw(hnp.arrays(np.int8, n, elements=st.integers(0, 3)))
    return firms


@settings(max_examples=300, deadline=None)
@given(firm_tables(), st.floats(0.0, 1.0))
def test_firm_totals_equal_the_numpy_metrics(firms, custom_share):
    assert_totals_equal(metrics.totals_over_firms(firms, custom_share), firm_totals_reference(firms, custom_share))


def check_firms_and_trades(firms, platforms, trades, deliveries=None, custom_share=0.0) -> None:
    """The firm and trade kernels against NumPy on the arrays ``metrics.measure`` is given."""
    assert_totals_equal(metrics.totals_over_firms(firms, custom_share), firm_totals_reference(firms, custom_share))
    reference = trade_totals_reference(trades, platforms.owner)
    totals = trade_totals(
        trades.hours, trades.failed, trades.platform, trades.seller, trades.paid_yuan, platforms.owner
    )
    assert_totals_equal(totals, {key: value for key, value in reference.items() if key != "hours_by_platform"})
    assert same_bits(totals.hours_by_platform, reference["hours_by_platform"])
    products = deliveries.products if deliveries is not None else None
    in_route = np.zeros(firms.own_hours.shape, bool) if products is None else products.in_route
    assert served_order_producers(
        trades.buyer, trades.process, trades.seller, trades.hours, trades.failed, firms.own_hours, in_route
    ) == served_order_producers_reference(trades, firms.own_hours, in_route)


def check_workers(workers, market) -> None:
    """The worker kernels against NumPy on the arrays ``metrics.measure_labour`` is given."""
    skills = market.open_positions.size
    counts, unemployed_by_skill, income_cv = metrics.tally_workers(workers, skills)
    expected_counts, expected_by_skill, expected_cv = worker_tallies_reference(workers, skills)
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_array_equal(unemployed_by_skill, expected_by_skill)
    assert same_bits(income_cv, expected_cv)
    sample = workers.gini_sample
    incomes = sampled_incomes(sample, workers.status, workers.income_ewma, INACTIVE)
    assert same_bits(incomes, np.maximum(workers.income_ewma[sample[workers.status[sample] != INACTIVE]], 0.0))
    ordered = np.sort(incomes)
    assert same_bits(rank_weighted_sum(ordered), np.sum(np.arange(1, ordered.size + 1) * ordered))


@pytest.mark.parametrize(
    "scenario", ["sharing", "multi_stage", "platform_competition", "platform_ownership", "firm_turnover"]
)
def test_metric_kernels_equal_numpy_in_live_economies(scenario, monkeypatch):
    """Every week of a live economy: one platform, several, multi-stage products, platforms owned by firms, firms
    entering and leaving."""
    checked = {"firms": 0, "workers": 0}

    def measure(firms, platforms, trades, deliveries=None, custom_share=0.0):
        check_firms_and_trades(firms, platforms, trades, deliveries, custom_share)
        checked["firms"] += 1
        return original_measure(firms, platforms, trades, deliveries, custom_share)

    def measure_labour(workers, market):
        check_workers(workers, market)
        checked["workers"] += 1
        return original_labour(workers, market)

    original_measure, original_labour = metrics.measure, metrics.measure_labour
    monkeypatch.setattr(metrics, "measure", measure)
    monkeypatch.setattr(metrics, "measure_labour", measure_labour)
    SharedManufacturingModel(load_scenario(scenario, {"size.firms": 200}), seed=5).run(40)
    assert checked == {"firms": 41, "workers": 41}  # week 0 and forty weeks


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 4).flatmap(
        lambda platforms: st.tuples(
            hnp.arrays(np.int64, platforms, elements=st.integers(-1, 5)),  # owners: a firm's row, or -1
            st.lists(
                st.tuples(
                    st.integers(-1, platforms - 1),
                    st.integers(0, 5),
                    st.floats(0.0, 1e4),
                    st.floats(0.0, 1e3),
                    st.booleans(),
                ),
                max_size=120,
            ),
        )
    )
)
def test_trade_totals_equal_the_numpy_metrics(case):
    """Trades on and off platforms, owned and not, failed and delivered, sold by the owner or not."""
    platform_owner, rows = case
    columns = list(zip(*rows)) if rows else [[], [], [], [], []]

    class Trades:
        pass

    trades = Trades()
    trades.platform, trades.seller = (np.array(c, np.int64) for c in columns[:2])
    trades.hours, price, trades.failed = np.array(columns[2]), np.array(columns[3]), np.array(columns[4], bool)
    trades.paid_yuan = np.where(trades.failed, 0.0, trades.hours * price)
    reference = trade_totals_reference(trades, platform_owner)
    totals = trade_totals(trades.hours, trades.failed, trades.platform, trades.seller, trades.paid_yuan, platform_owner)
    assert_totals_equal(totals, {key: value for key, value in reference.items() if key != "hours_by_platform"})
    assert same_bits(totals.hours_by_platform, reference["hours_by_platform"])


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.integers(1, 4),
            st.lists(
                st.tuples(
                    st.integers(0, n - 1),
                    st.integers(0, 3),
                    st.integers(0, n - 1),
                    st.sampled_from([0.0, 1.0, 2.5]),
                    st.booleans(),
                ),
                max_size=80,
            ),
            st.integers(0, 2**32 - 1),
        )
    )
)
def test_served_order_producers_counts_distinct_sellers(case):
    """Repeated (slot, seller) pairs, failed and empty trades, excluded slots, own production: as pandas counts."""
    n, k, rows, seed = case
    rows = [(buyer, process % k, seller, hours, failed) for buyer, process, seller, hours, failed in rows]
    columns = list(zip(*rows)) if rows else [[], [], [], [], []]

    class Trades:
        pass

    trades = Trades()
    trades.buyer, trades.process, trades.seller = (np.array(c, np.int64) for c in columns[:3])
    trades.hours, trades.failed = np.array(columns[3], np.float64), np.array(columns[4], bool)
    rng = np.random.default_rng(seed)
    own_hours = rng.choice([0.0, 1.0], (n, k))
    excluded = rng.random((n, k)) < 0.2
    assert served_order_producers(
        trades.buyer, trades.process, trades.seller, trades.hours, trades.failed, own_hours, excluded
    ) == served_order_producers_reference(trades, own_hours, excluded)


def test_metric_kernels_refuse_numbers_outside_their_tables():
    """Numba does not check bounds: each kernel checks what it indexes by, and says which number is wrong."""
    one, no = np.ones(1), np.zeros(1, bool)
    own, excluded = np.zeros((2, 1)), np.zeros((2, 1), bool)
    for seller, process in ((2, 0), (1, 1)):  # a seller outside the firms' table; a process type outside it
        with pytest.raises(IndexError):
            served_order_producers(np.array([0]), np.array([process]), np.array([seller]), one, no, own, excluded)
    with pytest.raises(ValueError, match="excluded"):
        served_order_producers(np.array([0]), np.array([0]), np.array([1]), one, no, own, np.zeros((3, 1), bool))
    with pytest.raises(IndexError):  # a platform the platform table does not have
        trade_totals(one, no, np.array([1]), np.array([0]), one, np.array([-1]))
    with pytest.raises(IndexError):  # a status outside the list of statuses
        worker_tallies(np.array([7], np.int8), np.array([0]), one, one, len(STATUS_NAMES), 2, UNEMPLOYED, FLEXIBLE)
    with pytest.raises(IndexError):  # an unemployed worker's skill outside the skills
        worker_tallies(
            np.array([UNEMPLOYED], np.int8), np.array([2]), one, one, len(STATUS_NAMES), 2, UNEMPLOYED, FLEXIBLE
        )
    with pytest.raises(IndexError):  # a sampled worker beyond the workers' table
        sampled_incomes(np.array([0, 3]), np.zeros(3, np.int8), np.ones(3), INACTIVE)


def test_firm_totals_refuses_tables_of_different_shapes():
    n, k = 4, 3
    tables = [np.zeros((n, k)) for _ in range(5)]
    columns = [np.zeros(n) for _ in range(3)]
    flags, machines, hours = np.ones(n, bool), np.zeros((n, k), np.int64), np.ones(k)
    firm_totals(*tables, *columns, flags, np.zeros(n), 1e-6, machines, hours, flags)  # consistent: no error
    with pytest.raises(ValueError, match="differ in shape"):
        firm_totals(*tables[:4], np.zeros((n + 1, k)), *columns, flags, np.zeros(n), 1e-6, machines, hours, flags)
    with pytest.raises(ValueError, match="differ in length"):
        firm_totals(*tables, *columns[:2], np.zeros(n - 1), flags, np.zeros(n), 1e-6, machines, hours, flags)
    with pytest.raises(ValueError, match="per process type"):
        firm_totals(*tables, *columns, flags, np.zeros(n), 1e-6, machines, np.ones(k + 1), flags)
