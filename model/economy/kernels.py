"""Compiled kernels (Numba) for the week's loops that NumPy can only do in several passes over its arrays.

Each kernel does in one pass what a few NumPy calls did, with bit-identical
results: ``tests/test_kernels.py`` and ``tests/test_metric_kernels.py`` check
every kernel against the NumPy expression it replaces. Numba does not check
bounds, so every kernel that indexes by a caller's numbers checks them first.
Random numbers are never drawn inside a kernel; callers draw them with NumPy's
generators and pass them in, so a run's draws do not depend on the kernels.

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

from collections import namedtuple

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


# NumPy's SeedSequence constants (numpy/random/bit_generator.pyx), as unsigned 64-bit words holding 32-bit values.
_INIT_A, _MULT_A = np.uint64(0x43B0D7E5), np.uint64(0x931E8875)
_INIT_B, _MULT_B = np.uint64(0x8B51F9DD), np.uint64(0x58F38DED)
_MIX_MULT_L, _MIX_MULT_R = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)
_LOW_32, _SHIFT_16, _SHIFT_32 = np.uint64(0xFFFFFFFF), np.uint64(16), np.uint64(32)
_POOL_WORDS = 4


@numba.njit(cache=True)
def _hash_mix(value: np.uint64, hash_const: np.uint64) -> tuple[np.uint64, np.uint64]:
    """SeedSequence's ``hashmix``: hash a 32-bit ``value``; returns it and the next hash constant."""
    value = (value ^ hash_const) & _LOW_32
    hash_const = (hash_const * _MULT_A) & _LOW_32
    value = (value * hash_const) & _LOW_32
    return value ^ (value >> _SHIFT_16), hash_const


@numba.njit(cache=True)
def _mix(x: np.uint64, y: np.uint64) -> np.uint64:
    """SeedSequence's ``mix`` of two 32-bit words."""
    result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _LOW_32
    return result ^ (result >> _SHIFT_16)


@numba.njit(cache=True)
def seed_sequence_state(entropy: np.ndarray) -> np.ndarray:
    """The four 64-bit words ``SeedSequence`` generates to seed a PCG64 from ``entropy`` (its 32-bit words).

    ``entropy`` (uint64, each value below 2**32) is what ``SeedSequence(seed,
    spawn_key=key)`` assembles: the seed's 32-bit words, least significant first,
    padded with zeros to four when a spawn key follows, then the key's words.
    Equal to ``SeedSequence(seed, spawn_key=key).generate_state(4, np.uint64)``:
    NumPy's hash mixing of the entropy into a pool of four words, then eight
    32-bit words drawn from the pool, two to a 64-bit word, low first. NumPy keeps
    this algorithm fixed (its streams depend on it), and :mod:`model.economy.draws`
    checks it against NumPy's own once per process. It saves about 6 us a stream.
    """
    pool = np.zeros(_POOL_WORDS, np.uint64)
    hash_const = _INIT_A
    for i in range(_POOL_WORDS):
        pool[i], hash_const = _hash_mix(entropy[i] if i < entropy.size else np.uint64(0), hash_const)
    for source in range(_POOL_WORDS):
        for target in range(_POOL_WORDS):
            if source != target:
                hashed, hash_const = _hash_mix(pool[source], hash_const)
                pool[target] = _mix(pool[target], hashed)
    for source in range(_POOL_WORDS, entropy.size):
        for target in range(_POOL_WORDS):
            hashed, hash_const = _hash_mix(entropy[source], hash_const)
            pool[target] = _mix(pool[target], hashed)
    state = np.zeros(_POOL_WORDS, np.uint64)
    hash_const = _INIT_B
    for i in range(2 * _POOL_WORDS):
        value = (pool[i % _POOL_WORDS] ^ hash_const) & _LOW_32
        hash_const = (hash_const * _MULT_B) & _LOW_32
        value = (value * hash_const) & _LOW_32
        value ^= value >> _SHIFT_16
        state[i // 2] |= value << (_SHIFT_32 * np.uint64(i % 2))
    return state


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
def cell_markets(member: np.ndarray, firm_region: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each firm-skill cell's labour market, flattened (N x K,): in the platforms' pool and locally.

    In the pool a member firm's cell ``(i, j)`` posts in market ``j`` (its skill)
    and other firms' cells do not post (-1); locally a non-member's cell posts in
    market ``firm_region[i] * k + j`` and members' cells do not post (-1). Equal to::

        np.where(member[:, None], np.arange(k), -1).ravel(),
        np.where(member[:, None], -1, firm_region[:, None] * k + np.arange(k)).ravel()
    """
    n = member.size
    if firm_region.size != n:
        raise IndexError("member and firm_region must have one entry per firm")
    pooled = np.empty(n * k, np.int64)
    local = np.empty(n * k, np.int64)
    for i in range(n):
        for j in range(k):
            cell = i * k + j
            if member[i]:
                pooled[cell], local[cell] = j, -1
            else:
                pooled[cell], local[cell] = -1, firm_region[i] * k + j
    return pooled, local


@numba.njit(cache=True)
def searching(
    seekers: np.ndarray, registered: np.ndarray, skill: np.ndarray, region: np.ndarray, k: int, pooled: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the workers searching in a matching round, in row order, and the market each searches in.

    In the pool (``pooled``) the registered seekers search, each in its skill's
    market; locally every seeker searches, in market ``region * k + skill``. Equal to::

        rows = np.flatnonzero(seekers & registered) if pooled else np.flatnonzero(seekers)
        rows, skill[rows] if pooled else region[rows] * k + skill[rows]
    """
    n = seekers.size
    if registered.size != n or skill.size != n or region.size != n:
        raise IndexError("seekers, registered, skill and region must have one entry per worker")
    count = 0
    for i in range(n):
        if seekers[i] and (registered[i] or not pooled):
            count += 1
    rows = np.empty(count, np.int64)
    market = np.empty(count, np.int64)
    found = 0
    for i in range(n):
        if seekers[i] and (registered[i] or not pooled):
            rows[found] = i
            market[found] = skill[i] if pooled else region[i] * k + skill[i]
            found += 1
    return rows, market


@numba.njit(cache=True)
def start_the_week(
    status: np.ndarray,
    employer: np.ndarray,
    skill: np.ndarray,
    training_left: np.ndarray,
    permanent: int,
    unemployed: int,
    flexible: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The week's payroll and its seekers, in one pass over the workers.

    Returns the rows of the permanent staff (the ``roster``), their employers and
    skills, and whether each worker searches this week: the unemployed and last
    week's flexible workers, unless in training; the seekers' status becomes
    ``unemployed`` (``status`` is changed in place). Equal to::

        roster = np.flatnonzero(status == permanent)
        seekers = ((status == unemployed) | (status == flexible)) & (training_left == 0)
        status[seekers] = unemployed
        roster, employer[roster], skill[roster], seekers
    """
    n = status.size
    if employer.size != n or skill.size != n or training_left.size != n:
        raise IndexError("status, employer, skill and training_left must have one entry per worker")
    on_roster = 0
    for i in range(n):
        on_roster += status[i] == permanent
    roster = np.empty(on_roster, np.int64)
    roster_employer = np.empty(on_roster, np.int64)
    roster_skill = np.empty(on_roster, np.int64)
    seekers = np.zeros(n, np.bool_)
    found = 0
    for i in range(n):
        if status[i] == permanent:
            roster[found], roster_employer[found], roster_skill[found] = i, employer[i], skill[i]
            found += 1
        elif (status[i] == unemployed or status[i] == flexible) and training_left[i] == 0:
            seekers[i] = True
            status[i] = unemployed
    return roster, roster_employer, roster_skill, seekers


@numba.njit(cache=True)
def job_seekers(
    seekers: np.ndarray, reservation_wage: np.ndarray, wage: float, skill: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The seekers whose reservation wage the ``wage`` meets (a mask), and how many there are of each skill.

    Equal to ``eligible = seekers & (reservation_wage <= wage)`` and
    ``np.bincount(skill[eligible], minlength=k)``. Raises ``IndexError`` if an
    eligible seeker's skill is outside ``0 .. k - 1``.
    """
    n = seekers.size
    if reservation_wage.size != n or skill.size != n:
        raise IndexError("seekers, reservation_wage and skill must have one entry per worker")
    eligible = np.zeros(n, np.bool_)
    by_skill = np.zeros(k, np.int64)
    for i in range(n):
        if seekers[i] and reservation_wage[i] <= wage:
            if skill[i] < 0 or skill[i] >= k:
                raise IndexError("a seeker's skill is outside 0 .. k - 1")
            eligible[i] = True
            by_skill[skill[i]] += 1
    return eligible, by_skill


@numba.njit(cache=True)
def benefit_claimants(status: np.ndarray, roster: np.ndarray, unemployed: int, permanent: int) -> np.ndarray:
    """Rows of the workers with no pay this week: off this week's payroll (``roster``), unemployed or just hired.

    Equal to::

        on_payroll = np.zeros(status.size, bool)
        on_payroll[roster] = True
        np.flatnonzero(~on_payroll & ((status == unemployed) | (status == permanent)))
    """
    n = status.size
    on_payroll = np.zeros(n, np.bool_)
    for row in roster:
        if row < 0 or row >= n:
            raise IndexError("a roster row is outside the workers' table")
        on_payroll[row] = True
    count = 0
    for i in range(n):
        count += not on_payroll[i] and (status[i] == unemployed or status[i] == permanent)
    claimants = np.empty(count, np.int64)
    found = 0
    for i in range(n):
        if not on_payroll[i] and (status[i] == unemployed or status[i] == permanent):
            claimants[found] = i
            found += 1
    return claimants


@numba.njit(cache=True)
def staff_in_groups(
    status: np.ndarray, employer: np.ndarray, skill: np.ndarray, count: np.ndarray, permanent: int
) -> np.ndarray:
    """Rows of the permanent workers whose (employer, skill) group has a positive ``count``, in row order.

    ``count`` is (N, K), by firm and skill. Equal to::

        employed = status == permanent
        rows = np.flatnonzero(employed)
        rows[count[employer[rows], skill[rows]] > 0]

    Raises ``IndexError`` if a permanent worker's employer or skill is outside ``count``.
    """
    n_firms, k = count.shape
    rows = np.empty(status.size, np.int64)
    found = 0
    for i in range(status.size):
        if status[i] != permanent:
            continue
        firm, own_skill = employer[i], skill[i]
        if firm < 0 or firm >= n_firms or own_skill < 0 or own_skill >= k:
            raise IndexError("a permanent worker's employer or skill is outside the table")
        if count[firm, own_skill] > 0:
            rows[found] = i
            found += 1
    return rows[:found].copy()


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


@numba.njit(cache=True)
def _nonnegative(value: float) -> float:
    """``np.maximum(value, 0.0)`` (NaN stays NaN)."""
    return value if value > 0.0 or value != value else 0.0


@numba.njit(cache=True)
def match_partners(
    contacted: np.ndarray,
    link_buyer: np.ndarray,
    link_seller: np.ndarray,
    need_hours: np.ndarray,
    offer_hours: np.ndarray,
    offered_hours: np.ndarray,
    paid_idle_hours: np.ndarray,
    order_value: np.ndarray,
    production_cost: np.ndarray,
    labour_cost_per_machine_hour: float,
    asks_reflect_load: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Partner trade for the ``contacted`` links (positions, ascending): who sells how many hours to whom, and at
    what price; lowers ``need_hours`` and ``offer_hours`` (N, K) in place by what is traded.

    A link trades a process type where its buyer needs hours, its seller offers some, and the buyer's order value
    exceeds the seller's marginal cost (materials and energy, plus flexible labour unless the seller's paid staff
    are idle; always plus labour when ``asks_reflect_load`` is off). Each buyer asks every such seller for a share
    of its need in proportion to what the seller offers; a seller asked for more than it offers scales every request
    down alike. The price is halfway between order value and cost. Returns, per trade: the link, buyer, seller,
    process type, hours and price (yuan/hour); in order of link, then process type.
    """
    n, k = need_hours.shape
    links, processes = np.empty(contacted.size * k, np.int64), np.empty(contacted.size * k, np.int64)
    costs = np.empty(contacted.size * k)
    m = 0
    for link in contacted:
        if not 0 <= link < link_buyer.size:
            raise IndexError("a contacted link is outside the link arrays")
        buyer, seller = link_buyer[link], link_seller[link]
        if not (0 <= buyer < n and 0 <= seller < n):
            raise IndexError("a link's firm is outside the firms' table")
        for process in range(k):
            if not (need_hours[buyer, process] > 0 and offer_hours[seller, process] > 0):
                continue
            cost = production_cost[seller, process] + labour_cost_per_machine_hour
            if asks_reflect_load:
                sold = offered_hours[seller, process] - offer_hours[seller, process]
                if paid_idle_hours[seller, process] > sold:  # paid staff would run it: no extra labour
                    cost = production_cost[seller, process]
            if order_value[buyer, process] > cost:
                links[m], processes[m], costs[m] = link, process, cost
                m += 1
    links, processes, costs = links[:m], processes[:m], costs[:m]
    buyers, sellers = link_buyer[links], link_seller[links]
    seller_offer = np.empty(m)
    seen_offer = np.zeros((n, k))  # each buyer's offers seen, per process type
    for t in range(m):
        seller_offer[t] = offer_hours[sellers[t], processes[t]]
        seen_offer[buyers[t], processes[t]] += seller_offer[t]
    request = np.empty(m)
    asked = np.zeros((n, k))  # each seller's hours asked for, per process type
    for t in range(m):
        b, s, p = buyers[t], sellers[t], processes[t]
        request[t] = min(seller_offer[t], need_hours[b, p] * seller_offer[t] / seen_offer[b, p])
        asked[s, p] += request[t]
    hours, price = np.empty(m), np.empty(m)
    bought, sold_now = np.zeros((n, k)), np.zeros((n, k))
    for t in range(m):
        b, s, p = buyers[t], sellers[t], processes[t]
        hours[t] = request[t] * min(1.0, seller_offer[t] / asked[s, p])
        price[t] = 0.5 * (order_value[b, p] + costs[t])
        bought[b, p] += hours[t]
        sold_now[s, p] += hours[t]
    if m:
        for i in range(n):
            for j in range(k):
                need_hours[i, j] = _nonnegative(need_hours[i, j] - bought[i, j])  # clears round-off below zero
                offer_hours[i, j] = _nonnegative(offer_hours[i, j] - sold_now[i, j])
    return links, buyers, sellers, processes, hours, price


@numba.njit(cache=True)
def blend(average: np.ndarray, latest: np.ndarray, weight: float, squared: bool = False) -> None:
    """A moving average in place, in one pass: ``average += weight * (latest - average)``, to the bit.

    With ``squared``, blends in ``latest**2`` (a moving second moment) without building it. Both arrays must be
    contiguous and of the same shape (any number of dimensions).
    """
    if average.shape != latest.shape:
        raise ValueError("a moving average and its latest values must have the same shape")
    flat_average, flat_latest = average.reshape(-1), latest.reshape(-1)  # views: Numba reshapes contiguous only
    for i in range(flat_average.size):
        value = flat_latest[i] * flat_latest[i] if squared else flat_latest[i]
        flat_average[i] += weight * (value - flat_average[i])


# --- the week's metrics ---------------------------------------------------------------------------------------------
# NumPy adds a float array pairwise: halves, down to blocks of at most 128 values, each added with eight running
# sums. The metric kernels add in the same order, so their totals are NumPy's to the bit.
_PAIRWISE_BLOCK = 128
_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio: Fibonacci hashing
_STACK = 256  # pending parts of a pairwise sum: a few per halving, and an array halves at most 63 times


@numba.njit(cache=True)
def _block_sum(values: np.ndarray, start: int, n: int) -> float:
    """NumPy's sum of one block (``n <= 128``): in order if short, else with eight running sums."""
    if n < 8:
        total = -0.0
        for i in range(start, start + n):
            total += values[i]
        return total
    v = values[start:]
    r0, r1, r2, r3, r4, r5, r6, r7 = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
    for i in range(8, n - n % 8, 8):
        r0 += v[i]
        r1 += v[i + 1]
        r2 += v[i + 2]
        r3 += v[i + 3]
        r4 += v[i + 4]
        r5 += v[i + 5]
        r6 += v[i + 6]
        r7 += v[i + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(n - n % 8, n):
        total += v[i]
    return total


@numba.njit(cache=True)
def pairwise_sum(values: np.ndarray) -> float:
    """``values.sum()`` of a one-dimensional float array, added in NumPy's order (equal to the bit).

    NumPy halves the array (each half a multiple of 8 long) until a part is a block of at most 128, and adds the
    two halves' sums. This walks the same tree with a stack rather than by recursion, which Numba cannot cache.
    """
    # Pending work: (start, length, 0) is a part to sum; (0, 0, 1) adds the last two sums found.
    starts, lengths, combine = np.empty(_STACK, np.int64), np.empty(_STACK, np.int64), np.empty(_STACK, np.bool_)
    sums = np.empty(_STACK)
    starts[0], lengths[0], combine[0] = 0, values.size, False
    pending, found = 1, 0
    while pending:
        pending -= 1
        start, n = starts[pending], lengths[pending]
        if combine[pending]:
            found -= 1
            sums[found - 1] += sums[found]
        elif n <= _PAIRWISE_BLOCK:
            sums[found] = _block_sum(values, start, n)
            found += 1
        else:
            half = n // 2
            half -= half % 8
            # Left part first, then the right one, then their sum: pushed in reverse.
            starts[pending], lengths[pending], combine[pending] = 0, 0, True
            starts[pending + 1], lengths[pending + 1], combine[pending + 1] = start + half, n - half, False
            starts[pending + 2], lengths[pending + 2], combine[pending + 2] = start, half, False
            pending += 3
    return 0.0 + sums[0]


@numba.njit(cache=True)
def served_order_producers(
    buyer: np.ndarray,
    process: np.ndarray,
    seller: np.ndarray,
    hours: np.ndarray,
    failed: np.ndarray,
    own_hours: np.ndarray,
    excluded: np.ndarray,
) -> tuple[int, int]:
    """Distinct producers summed over the served order slots, and how many slots were served.

    An order slot is a buyer's orders of one process type. ``buyer``, ``process``, ``seller``, ``hours`` and
    ``failed`` (T,) are the week's trades; ``own_hours`` (N, K) what each firm made in-house for its own orders;
    ``excluded`` (N, K) the slots not to count here. A slot is served if anyone produced for it: its buyer, or a
    seller in a delivered trade of positive hours. Raises ``IndexError`` if a trade's buyer, process type or seller
    is outside the firms' table.
    """
    n, k = own_hours.shape
    if excluded.shape != own_hours.shape:
        raise ValueError("excluded must have the shape of own_hours")
    producers = served = 0
    for row in range(n):
        for column in range(k):
            if own_hours[row, column] > 0 and not excluded[row, column]:
                producers += 1
                served += 1
    for i in range(buyer.size):
        if not (0 <= buyer[i] < n and 0 <= process[i] < k and 0 <= seller[i] < n):
            raise IndexError("a trade's buyer, process type or seller is outside the firms' table")
    bits = int(np.ceil(np.log2(2 * buyer.size + 2)))
    size = 1 << bits
    pairs = np.full(size, -1, np.int64)  # the (slot, seller) pairs seen, an open-addressing hash set
    slot_seen = np.zeros((n, k), np.bool_)
    for i in range(buyer.size):
        if failed[i] or not hours[i] > 0 or excluded[buyer[i], process[i]]:
            continue
        pair = (buyer[i] * k + process[i]) * n + seller[i]
        probe = np.int64((np.uint64(pair) * _FIBONACCI) >> np.uint64(64 - bits))  # spreads neighbouring pairs
        while pairs[probe] != -1 and pairs[probe] != pair:
            probe = (probe + 1) & (size - 1)
        if pairs[probe] == -1:  # a new producer for this slot
            pairs[probe] = pair
            producers += 1
        if not slot_seen[buyer[i], process[i]]:
            slot_seen[buyer[i], process[i]] = True
            served += not own_hours[buyer[i], process[i]] > 0  # else counted above
    return producers, served


FirmTotals = namedtuple(
    "FirmTotals",
    [
        "used_hours",  # hours each firm used, for its own orders and for others, added over firms
        "capacity_hours",  # capacity of the counted firms
        "own_hours",  # hours made in-house for the firms' own orders
        "bought_hours",  # hours bought from other firms
        "unmet_hours",  # hours ordered and not served
        "ordered_hours",  # hours ordered
        "concentration_weighted",  # each producing firm's concentration (shares of output by process type,
        "producing_output",  # squared and added) weighted by its output; and the output of producing firms
        "utilisation_std",  # over the counted firms with capacity: standard deviation of utilisation,
        "idle_share",  # and the share of them using under half
        "overload_share",  # share of the counted firms with orders left unserved
        "custom_orders",  # hours of custom orders of the counted firms
        "counted_orders",  # hours ordered from the counted firms
        "demand_hours",  # hours ordered from active firms (public labs too)
        "machine_hours",  # hours their machines can run this week
        "unserved_alone_hours",  # hours they would leave unserved without trade (orders over capacity, firm by firm)
        "unserved_pooled_hours",  # and with every machine of a process type pooled (per process type)
    ],
)


@numba.njit(cache=True)
def firm_totals(
    own: np.ndarray,
    sold: np.ndarray,
    bought: np.ndarray,
    unmet: np.ndarray,
    orders: np.ndarray,
    output: np.ndarray,
    utilisation: np.ndarray,
    capacity: np.ndarray,
    counted: np.ndarray,
    custom_share: np.ndarray,
    unmet_tolerance: float,
    machines: np.ndarray,
    hours_per_machine: np.ndarray,
    active: np.ndarray,
) -> FirmTotals:
    """The week's firm totals for :func:`model.economy.metrics.measure`, in one pass (see :data:`FirmTotals`).

    ``own``, ``sold``, ``bought``, ``unmet`` and ``orders`` (N, K) are each firm's hours by process type;
    ``output`` (N,) all the hours it used; ``utilisation`` (N,) its share of capacity used; ``capacity`` (N,) its
    hours this week; ``counted`` (N,) the firms whose capacity and orders count (active businesses);
    ``custom_share`` (N,) the custom share of each firm's orders; a firm is overloaded if more than
    ``unmet_tolerance`` hours went unserved. ``machines`` (N, K) are installed, ``hours_per_machine`` (K,) what a
    machine can run this week, and ``active`` (N,) the firms in the market (see
    :func:`model.economy.metrics.measure_limits`).
    """
    n, k = own.shape
    for shape in (sold.shape, bought.shape, unmet.shape, orders.shape, machines.shape):
        if shape != own.shape:
            raise ValueError("the firms' (N, K) tables differ in shape")
    for size in (output.size, utilisation.size, capacity.size, counted.size, custom_share.size, active.size):
        if size != n:
            raise ValueError("the firms' (N,) columns differ in length from their tables")
    if hours_per_machine.size != k:
        raise ValueError("hours per machine must have one value per process type")
    used = np.empty(n * k)
    weighted, weights = np.empty(n), np.empty(n)
    counted_capacity, with_machines = np.empty(n), np.empty(n)
    custom_orders, counted_orders = np.empty(n), np.empty(n)
    active_orders, active_capacity, unserved_alone = np.empty(n * k), np.empty(n * k), np.empty(n * k)
    producing = idle = m = overloaded = counted_firms = 0
    for i in range(n):
        concentration = ordered = unserved = 0.0
        for j in range(k):  # row sums added left to right, as ``row_sums`` does
            cell = i * k + j
            active_orders[cell] = orders[i, j] * active[i]
            active_capacity[cell] = (machines[i, j] * hours_per_machine[j]) * active[i]
            unserved_alone[cell] = _nonnegative(active_orders[cell] - active_capacity[cell])
            used[cell] = own[i, j] + sold[i, j]
            share = used[cell] / output[i] if output[i] > 0 else 0.0
            concentration = share * share if j == 0 else concentration + share * share
            ordered = orders[i, j] if j == 0 else ordered + orders[i, j]
            unserved = unmet[i, j] if j == 0 else unserved + unmet[i, j]
        if output[i] > 0:
            weighted[producing] = concentration * output[i]
            weights[producing] = output[i]
            producing += 1
        counted_capacity[i] = capacity[i] * counted[i]
        if counted_capacity[i] > 0:
            with_machines[m] = utilisation[i]
            idle += utilisation[i] < 0.5
            m += 1
        custom_orders[i] = (ordered * custom_share[i]) * counted[i]
        counted_orders[i] = ordered * counted[i]
        if counted[i]:
            counted_firms += 1
            overloaded += unserved > unmet_tolerance
    orders_by_type = column_sums(active_orders.reshape(n, k))
    capacity_by_type = column_sums(active_capacity.reshape(n, k))
    unserved_pooled = np.empty(k)
    for j in range(k):
        unserved_pooled[j] = _nonnegative(orders_by_type[j] - capacity_by_type[j])
    spread = 0.0
    if m:
        mean = pairwise_sum(with_machines[:m]) / m
        deviations = with_machines[:m] - mean
        spread = np.sqrt(pairwise_sum(deviations * deviations) / m)
    return FirmTotals(
        pairwise_sum(used),
        pairwise_sum(counted_capacity),
        pairwise_sum(own.ravel()),
        pairwise_sum(bought.ravel()),
        pairwise_sum(unmet.ravel()),
        pairwise_sum(orders.ravel()),
        pairwise_sum(weighted[:producing]),
        pairwise_sum(weights[:producing]),
        spread,
        idle / m if m else 0.0,
        overloaded / counted_firms if counted_firms else 0.0,
        pairwise_sum(custom_orders),
        pairwise_sum(counted_orders),
        pairwise_sum(active_orders),
        pairwise_sum(active_capacity),
        pairwise_sum(unserved_alone),
        pairwise_sum(unserved_pooled),
    )


TradeTotals = namedtuple(
    "TradeTotals",
    [
        "matched_hours",  # hours of every trade matched this week
        "shared_hours",  # of which delivered
        "platform_hours",  # of which delivered on a platform
        "platform_trades",  # trades delivered on a platform
        "paid_yuan",  # what buyers paid for every delivered trade
        "platform_paid_yuan",  # of which on platforms
        "platform_matched_hours",  # hours matched on platforms
        "platform_failed_hours",  # of which failed
        "owned_platform_hours",  # hours delivered on platforms that a firm owns
        "owner_sold_hours",  # of which sold by the owner
        "hours_by_platform",  # (P,) hours delivered on each platform
    ],
)


@numba.njit(cache=True)
def trade_totals(
    hours: np.ndarray,
    failed: np.ndarray,
    platform: np.ndarray,
    seller: np.ndarray,
    paid: np.ndarray,
    platform_owner: np.ndarray,
) -> TradeTotals:
    """The week's trade totals for :func:`model.economy.metrics.measure`, in one pass (see :data:`TradeTotals`).

    ``hours``, ``failed``, ``platform`` (-1 off platforms), ``seller`` and ``paid`` (T,) describe each trade;
    ``platform_owner`` (P,) is each platform's owning firm (-1: none). Raises ``IndexError`` if a trade's platform
    is not in ``platform_owner``.
    """
    t = hours.size
    delivered, on_platform, platform_paid = np.empty(t), np.empty(t), np.empty(t)
    platform_matched, platform_failed, owned, owner_sold = np.empty(t), np.empty(t), np.empty(t), np.empty(t)
    hours_by_platform = np.zeros(platform_owner.size)
    a = b = c = d = e = f = 0
    for i in range(t):
        if platform[i] >= platform_owner.size:
            raise IndexError("a trade's platform is outside the platform table")
        if not failed[i]:
            delivered[a] = hours[i]
            a += 1
        if platform[i] < 0:
            continue
        platform_matched[c] = hours[i]
        c += 1
        if failed[i]:
            platform_failed[d] = hours[i]
            d += 1
            continue
        on_platform[b], platform_paid[b] = hours[i], paid[i]
        b += 1
        hours_by_platform[platform[i]] += hours[i]
        owner = platform_owner[platform[i]]
        if owner >= 0:
            owned[e] = hours[i]
            e += 1
            if seller[i] == owner:
                owner_sold[f] = hours[i]
                f += 1
    return TradeTotals(
        pairwise_sum(hours),
        pairwise_sum(delivered[:a]),
        pairwise_sum(on_platform[:b]),
        b,
        pairwise_sum(paid),
        pairwise_sum(platform_paid[:b]),
        pairwise_sum(platform_matched[:c]),
        pairwise_sum(platform_failed[:d]),
        pairwise_sum(owned[:e]),
        pairwise_sum(owner_sold[:f]),
        hours_by_platform,
    )


@numba.njit(cache=True)
def worker_tallies(
    status: np.ndarray,
    skill: np.ndarray,
    income: np.ndarray,
    income_sq: np.ndarray,
    statuses: int,
    skills: int,
    unemployed: int,
    flexible: int,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Workers per status (``statuses`` of them); the ``unemployed`` ones per skill (``skills`` of them); and the
    mean coefficient of variation of income (moving standard deviation over moving mean, 0 where the mean is not
    positive) of the ``flexible`` ones (0 if there are none). ``income`` and ``income_sq`` are each worker's moving
    averages of income and of its square.

    Raises ``IndexError`` if a status or an unemployed worker's skill is outside its range.
    """
    per_status = np.zeros(statuses, np.int64)
    unemployed_by_skill = np.zeros(skills, np.int64)
    cv = np.empty(status.size)
    m = 0
    for w in range(status.size):
        if status[w] < 0 or status[w] >= statuses:
            raise IndexError("a status is outside 0 .. statuses - 1")
        per_status[status[w]] += 1
        if status[w] == unemployed:
            if skill[w] < 0 or skill[w] >= skills:
                raise IndexError("a skill is outside 0 .. skills - 1")
            unemployed_by_skill[skill[w]] += 1
        elif status[w] == flexible:
            mean = income[w]
            spread = np.sqrt(_nonnegative(income_sq[w] - mean * mean))
            cv[m] = spread / mean if mean > 0 else 0.0
            m += 1
    return per_status, unemployed_by_skill, pairwise_sum(cv[:m]) / m if m else 0.0


@numba.njit(cache=True)
def sampled_incomes(sample: np.ndarray, status: np.ndarray, income: np.ndarray, inactive: int) -> np.ndarray:
    """The incomes (negative ones as 0) of the sampled workers who are in the labour force (status not
    ``inactive``), in sample order."""
    kept = np.empty(sample.size)
    m = 0
    for w in sample:
        if not 0 <= w < status.size:
            raise IndexError("a sampled worker is outside the workers' table")
        if status[w] != inactive:
            kept[m] = _nonnegative(income[w])
            m += 1
    return kept[:m]


@numba.njit(cache=True)
def rank_weighted_sum(ordered: np.ndarray) -> float:
    """``np.sum(np.arange(1, n + 1) * ordered)``: each value times its rank, added in NumPy's order."""
    weighted = np.empty(ordered.size)
    for i in range(ordered.size):
        weighted[i] = (i + 1) * ordered[i]
    return pairwise_sum(weighted)
