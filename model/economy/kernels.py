"""Compiled kernels (Numba) for the week's loops that NumPy can only do in several passes over its arrays.

Each kernel does in one pass what a few NumPy calls did, with bit-identical
results: ``tests/test_kernels.py`` checks every kernel against the NumPy
expression it replaces. Random numbers are never drawn inside a kernel; callers
draw them with NumPy's generators and pass them in, so a run's draws do not
depend on the kernels.

Kernels are compiled on first use and cached on disk (``cache=True``, in
``__pycache__`` next to this file, or Numba's user cache where that is not
writable), so only the first run on a machine pays the compile; later runs, in
new processes and on sweep workers, load the machine code. Setting the
environment variable ``NUMBA_DISABLE_JIT=1`` runs the same functions as plain
Python (slow, but easy to step through in a debugger).

Example
-------
>>> import numpy as np
>>> group = np.array([1, 0, 1, 1, 0])
>>> keys = np.array([0.9, 0.5, 0.1, 0.4, 0.2])
>>> first_within_groups(group, keys, np.array([1, 2]))  # the lowest keys: one of group 0, two of group 1
array([4, 2, 3])
"""

from __future__ import annotations

import numba
import numpy as np

_SMALL_GROUP = 16  # below this, insertion sort beats a merge sort's set-up


@numba.njit(cache=True)
def first_within_groups(group: np.ndarray, keys: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Positions of the ``count[g]`` members of each group ``g`` with the lowest ``keys``, by group, then key.

    ``group`` (n,) holds group numbers in ``0 .. count.size - 1``. Equal to::

        order = np.lexsort((keys, group))
        rank = np.arange(n) - np.searchsorted(group[order], np.arange(count.size))[group[order]]
        order[rank < count[group[order]]]

    With uniform random ``keys``, each group's chosen members are a uniform
    random sample of it, in random order. Raises ``IndexError`` if a group number is out of range.
    """
    n_groups = count.size
    for g in group:
        if g < 0 or g >= n_groups:
            raise IndexError("a group number is outside 0 .. count.size - 1")
    starts = np.zeros(n_groups + 1, np.int64)
    for g in group:
        starts[g + 1] += 1
    for g in range(n_groups):
        starts[g + 1] += starts[g]
    order = np.empty(group.size, np.int64)  # counting sort: stable, so ties in a key keep position order
    fill = starts[:-1].copy()
    for position in range(group.size):
        g = group[position]
        order[fill[g]] = position
        fill[g] += 1
    taken = 0
    for g in range(n_groups):
        taken += max(0, min(count[g], starts[g + 1] - starts[g]))
    chosen = np.empty(taken, np.int64)
    out = 0
    for g in range(n_groups):
        start, end = starts[g], starts[g + 1]
        take = max(0, min(count[g], end - start))
        if take == 0:
            continue
        members = order[start:end]
        if take < (end - start) // 4 and end - start > _SMALL_GROUP:
            # A few from a big group: keep those below the take-th lowest key, and of those equal to it the
            # first in position order (as the stable sort would), then sort only the kept ones.
            group_keys = keys[members]
            cutoff = np.partition(group_keys, take - 1)[take - 1]
            below = members[group_keys < cutoff]
            at_cutoff = members[group_keys == cutoff][: take - below.size]
            members = np.concatenate((below, at_cutoff))
            members = members[np.argsort(keys[members], kind="mergesort")]
        elif end - start <= _SMALL_GROUP:
            for i in range(1, end - start):  # insertion sort by key; strict < keeps ties in position order
                member = members[i]
                j = i - 1
                while j >= 0 and keys[member] < keys[members[j]]:
                    members[j + 1] = members[j]
                    j -= 1
                members[j + 1] = member
        else:
            members[:] = members[np.argsort(keys[members], kind="mergesort")]
        chosen[out : out + take] = members[:take]
        out += take
    return chosen


@numba.njit(cache=True)
def invalid_amounts(amounts: np.ndarray) -> bool:
    """Whether any amount is negative, infinite or NaN (one pass; ``amounts`` one-dimensional)."""
    for amount in amounts:  # noqa: SIM110 (Numba compiles loops, not generators)
        if not (0.0 <= amount < np.inf):  # False for NaN as well
            return True
    return False


@numba.njit(cache=True)
def add_by_row(balances: np.ndarray, rows: np.ndarray, amounts: np.ndarray, sign: float, scratch: np.ndarray) -> None:
    """``balances += sign * np.bincount(rows, amounts, minlength=balances.size)``, touching only ``rows``.

    ``scratch`` is a zero array at least as long as ``balances``, and is left zero:
    each row's payments are summed there in the order given (as ``bincount`` sums
    them) before they reach the balance, so the result is the same to the bit.
    ``amounts`` must be non-negative; a row whose payments sum to zero is left alone.
    Raises ``IndexError`` (and changes nothing) if a row is outside ``balances``.
    """
    for row in rows:
        if row < 0 or row >= balances.size:
            raise IndexError("a payment's row is outside the sector's table")
    for i in range(rows.size):
        scratch[rows[i]] += amounts[i]
    for i in range(rows.size):
        row = rows[i]
        total = scratch[row]
        if total != 0.0:
            balances[row] += sign * total
            scratch[row] = 0.0


@numba.njit(cache=True)
def rows_outside(rows: np.ndarray, size: int) -> bool:
    """Whether any row is outside ``0 .. size - 1`` (one pass)."""
    for row in rows:  # noqa: SIM110 (Numba compiles loops, not generators)
        if row < 0 or row >= size:
            return True
    return False


@numba.njit(cache=True)
def row_sums(values: np.ndarray) -> np.ndarray:
    """Sum of each row of an (N, K) array, added left to right: ``values.sum(axis=1)`` in one pass.

    NumPy pays a fixed cost per row when rows are short (a firm's K process
    types); this does not. For K < 8 the result is NumPy's to the bit (NumPy
    also adds short rows in order); for longer rows NumPy adds pairwise, so the
    two may differ in the last bit. Integer arrays give integer sums.
    """
    n, k = values.shape
    sums = np.zeros(n, values.dtype)
    for i in range(n):
        total = values[i, 0] if k else sums[i]
        for j in range(1, k):
            total += values[i, j]
        sums[i] = total
    return sums


@numba.njit(cache=True)
def column_sums(values: np.ndarray) -> np.ndarray:
    """Sum of each column of an (N, K) array, added top to bottom, as ``values.sum(axis=0)`` does (to the bit)."""
    n, k = values.shape
    sums = np.zeros(k, values.dtype)
    if n:
        sums[:] = values[0]
    for i in range(1, n):
        for j in range(k):
            sums[j] += values[i, j]
    return sums


@numba.njit(cache=True)
def any_in_rows(flags: np.ndarray) -> np.ndarray:
    """Whether each row of an (N, K) boolean array has a True: ``flags.any(axis=1)`` in one pass."""
    n, k = flags.shape
    found = np.zeros(n, np.bool_)
    for i in range(n):
        for j in range(k):
            if flags[i, j]:
                found[i] = True
                break
    return found


@numba.njit(cache=True)
def cross_curves(
    bid_price: np.ndarray, bid_hours: np.ndarray, ask_price: np.ndarray, ask_hours: np.ndarray, min_hours: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The trades of a uniform-price double auction: (buyer, seller, hours, gain per hour) per stretch.

    Bids are sorted by falling price and asks by rising price (stable, so ties keep
    their order), each into a cumulative curve of hours; the quantity axis is cut
    where either curve steps, each stretch pairs one buyer with one seller, and
    stretches trade while the bid price exceeds the ask price, up to the smaller
    of the two totals. Stretches of ``min_hours`` or less are dropped. Both inputs
    must be non-empty. See :func:`model.economy.mechanisms.auction.double_auction`.
    """
    bid_order = np.argsort(-bid_price, kind="mergesort")
    ask_order = np.argsort(ask_price, kind="mergesort")
    demand_curve = np.cumsum(bid_hours[bid_order])
    supply_curve = np.cumsum(ask_hours[ask_order])
    most = min(demand_curve[-1], supply_curve[-1])
    most_stretches = demand_curve.size + supply_curve.size + 1
    buyer = np.empty(most_stretches, np.int64)
    seller = np.empty(most_stretches, np.int64)
    hours = np.empty(most_stretches)
    gain = np.empty(most_stretches)
    b = s = kept = 0
    start = 0.0
    while start < most:
        while demand_curve[b] <= start:  # the buyer whose stretch of the demand curve contains ``start``
            b += 1
        while supply_curve[s] <= start:
            s += 1
        stretch_gain = bid_price[bid_order[b]] - ask_price[ask_order[s]]
        if not stretch_gain > 0:  # gains fall along the curves: the profitable stretches are a prefix
            break
        end = min(demand_curve[b], supply_curve[s], most)
        if end - start > min_hours:
            buyer[kept], seller[kept] = bid_order[b], ask_order[s]
            hours[kept], gain[kept] = end - start, stretch_gain
            kept += 1
        start = end
    return buyer[:kept], seller[:kept], hours[:kept], gain[:kept]


@numba.njit(cache=True)
def add_at(values: np.ndarray, rows: np.ndarray, amounts: np.ndarray) -> None:
    """``np.add.at(values, rows, amounts)``: ``values[rows[i]] += amounts[i]``, one by one, in order.

    ``values`` is one-dimensional (a column view works). Raises ``IndexError``
    (and changes nothing) if a row is outside ``values``.
    """
    for row in rows:
        if row < 0 or row >= values.size:
            raise IndexError("a row is outside the array")
    for i in range(rows.size):
        values[rows[i]] += amounts[i]


@numba.njit(cache=True)
def distinct_per_group(group: np.ndarray, member: np.ndarray, n_groups: int) -> np.ndarray:
    """(n_groups,) how many distinct ``member`` values appear with each group (both non-negative integers).

    Raises ``IndexError`` if a group is outside ``0 .. n_groups - 1`` or a member is negative.
    """
    counts = np.zeros(n_groups, np.int64)
    if group.size == 0:
        return counts
    for i in range(group.size):
        if group[i] < 0 or group[i] >= n_groups or member[i] < 0:
            raise IndexError("a group is outside 0 .. n_groups - 1, or a member is negative")
    starts = np.zeros(n_groups + 1, np.int64)  # the pairs grouped by a counting sort
    for g in group:
        starts[g + 1] += 1
    for g in range(n_groups):
        starts[g + 1] += starts[g]
    grouped = np.empty(group.size, np.int64)
    fill = starts[:-1].copy()
    for i in range(group.size):
        grouped[fill[group[i]]] = member[i]
        fill[group[i]] += 1
    last_group = np.full(member.max() + 1, -1, np.int64)  # the last group each member was counted in
    for g in range(n_groups):
        for i in range(starts[g], starts[g + 1]):
            if last_group[grouped[i]] != g:
                last_group[grouped[i]] = g
                counts[g] += 1
    return counts


@numba.njit(cache=True)
def per_head(totals: np.ndarray, heads: np.ndarray, row: np.ndarray, column: np.ndarray) -> np.ndarray:
    """``(totals / np.maximum(heads, 1.0))[row, column]``: each listed person's equal share of a group's total.

    ``totals`` and ``heads`` are (N, K) arrays (a firm's pay and staff per skill, say); only the cells asked for
    are divided.
    """
    shares = np.empty(row.size)
    for i in range(row.size):
        shares[i] = totals[row[i], column[i]] / max(heads[row[i], column[i]], 1.0)
    return shares
