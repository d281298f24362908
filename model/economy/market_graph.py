"""The market graph: a NetworkX record of who belongs to which platform and who traded with whom.

Nodes are firms and platforms, keyed by their Mesa agents' ``unique_id``, with a
``kind`` attribute (``large``, ``sme``, ``micro`` or ``platform``). Edges are
directed:

* ``firm -> platform`` with ``relation="member"`` while the firm is a member;
* ``buyer -> seller`` with ``relation="trade"`` and cumulative delivered
  ``hours``, ``value_yuan`` and ``platform_hours`` (the part cleared on platforms).

Each week's trades are recorded as one batch of arrays: trades between existing
partners add to per-link totals, platform trades queue as rows and are summed per
buyer-seller pair in NumPy when the queue grows long. The NetworkX graph is
brought up to date, in one batch, when it is read (``model.market_graph``), so a
run pays for Python-level graph updates only if someone looks at the graph, and
then only for edges that changed since the last look.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from .state import KIND_NAMES, FirmTable, PlatformTable, Trades

# Queued platform-trade rows are summed per pair once the queue is this long (bounds memory).
_MAX_QUEUED_ROWS = 1_000_000
_TOTALS = ("hours", "value_yuan", "platform_hours")
# A buyer-seller pair is coded as buyer * _PAIR_BASE + seller (firm rows stay below it).
_PAIR_BASE = 1 << 31


class MarketGraph:
    """Keeps ``graph`` (an ``nx.DiGraph``) in step with the simulation, in batches.

    Parameters
    ----------
    firms, platforms : FirmTable, PlatformTable
        Provide the nodes.
    partner_buyer, partner_seller : ndarray
        The directed partner links on which off-platform trade can happen.
    """

    def __init__(
        self, firms: FirmTable, platforms: PlatformTable, partner_buyer: np.ndarray, partner_seller: np.ndarray
    ):
        self._graph = nx.DiGraph()
        self._graph.add_nodes_from(
            (int(node), {"kind": KIND_NAMES[kind], "row": row})
            for row, (node, kind) in enumerate(zip(firms.node_id.tolist(), firms.kind.tolist()))
        )
        self._graph.add_nodes_from(
            (int(node), {"kind": "platform", "row": row})
            for row, node in enumerate(platforms.node_id.tolist())
            if node >= 0  # rows kept for entrant platforms get their node when they enter
        )
        self._firm_nodes = firms.node_id
        self._platform_nodes = platforms.node_id
        # Totals per partner link (position in the partner arrays) and per platform-traded pair code.
        self._partner_code = partner_buyer.astype(np.int64) * _PAIR_BASE + partner_seller
        self._partner_totals = np.zeros((3, self._partner_code.size))
        self._pair_code = np.zeros(0, np.int64)
        self._pair_totals = np.zeros((3, 0))
        self._queued: list[np.ndarray] = []  # rows of (pair code, hours, value)
        self._queued_rows = 0
        self._synced: dict[int, tuple[float, float, float]] = {}
        self._pending_members: list[tuple[np.ndarray, np.ndarray]] = []
        members = np.argwhere(firms.membership & firms.active[:, None])  # members from week 0
        self.record_week(Trades.empty(), members, np.zeros((0, 2), np.int64))

    def add_firms(self, firms: FirmTable, rows: np.ndarray, partner_buyer: np.ndarray, partner_seller: np.ndarray):
        """Entrants at ``rows`` become nodes; ``partner_buyer``/``partner_seller`` are the new partner links."""
        self._graph.add_nodes_from(
            (int(firms.node_id[row]), {"kind": KIND_NAMES[firms.kind[row]], "row": int(row)}) for row in rows.tolist()
        )
        self._firm_nodes = firms.node_id
        new_codes = partner_buyer.astype(np.int64) * _PAIR_BASE + partner_seller
        self._partner_code = np.concatenate([self._partner_code, new_codes])
        self._partner_totals = np.concatenate([self._partner_totals, np.zeros((3, new_codes.size))], axis=1)

    def add_platforms(self, platforms: PlatformTable, rows: np.ndarray) -> None:
        """Platforms that entered at ``rows`` become nodes."""
        self._graph.add_nodes_from(
            (int(platforms.node_id[row]), {"kind": "platform", "row": int(row)}) for row in rows.tolist()
        )
        self._platform_nodes = platforms.node_id

    def record_week(self, trades: Trades, joined: np.ndarray, left: np.ndarray) -> None:
        """Add this week's delivered trades and membership changes (``(firm row, platform row)`` pairs)."""
        delivered = trades.delivered
        off = delivered & (trades.platform < 0)
        on = delivered & (trades.platform >= 0)
        hours, value = trades.hours, trades.paid_yuan
        links = self._partner_code.size
        self._partner_totals[0] += np.bincount(trades.link[off], hours[off], minlength=links)
        self._partner_totals[1] += np.bincount(trades.link[off], value[off], minlength=links)
        if on.any():
            code = trades.buyer[on] * _PAIR_BASE + trades.seller[on]
            self._queued.append(np.stack([code.astype(np.float64), hours[on], value[on]]))
            self._queued_rows += int(on.sum())
            if self._queued_rows > _MAX_QUEUED_ROWS:
                self._sum_queue()
        if joined.size or left.size:
            self._pending_members.append((joined, left))

    @property
    def graph(self) -> nx.DiGraph:
        """The graph, brought up to date."""
        self._sum_queue()
        graph = self._graph
        totals = self._totals_by_pair()
        for code, pair_totals in totals.items():
            if self._synced.get(code) == pair_totals:
                continue
            buyer, seller = int(self._firm_nodes[code // _PAIR_BASE]), int(self._firm_nodes[code % _PAIR_BASE])
            graph.add_edge(buyer, seller, relation="trade", **dict(zip(_TOTALS, pair_totals)))
            self._synced[code] = pair_totals
        for joined, left in self._pending_members:
            graph.add_edges_from(
                (int(self._firm_nodes[f]), int(self._platform_nodes[p]), {"relation": "member"})
                for f, p in joined.tolist()
            )
            graph.remove_edges_from((int(self._firm_nodes[f]), int(self._platform_nodes[p])) for f, p in left.tolist())
        self._pending_members.clear()
        return graph

    def pair_hours(self) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative delivered hours per buyer-seller pair, all channels: ``(pair codes, hours)``, codes sorted.

        A pair's code is ``buyer row * 2**31 + seller row``. Keep a result to count
        only later trades with :meth:`trade_degree`.
        """
        self._sum_queue()
        codes = np.concatenate([self._partner_code, self._pair_code])
        hours = np.concatenate([self._partner_totals[0], self._pair_totals[0]])
        codes, position = np.unique(codes, return_inverse=True)
        return codes, np.bincount(position, hours, minlength=codes.size)

    def trade_degree(self, since: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """(firms,) how many distinct firms each firm has traded with, either way, all channels.

        With ``since`` (an earlier :meth:`pair_hours`), only pairs that traded after
        it count: e.g. the links of the last year, as firm-to-firm data report them.
        """
        codes, hours = self.pair_hours()
        before = np.zeros(codes.size)
        if since is not None and since[0].size:
            at = np.minimum(np.searchsorted(since[0], codes), since[0].size - 1)
            known = since[0][at] == codes
            before[known] = since[1][at[known]]
        # Totals only grow, and a pair with no new trade keeps exactly the same sum.
        codes = codes[hours > before]
        n = self._firm_nodes.size
        first, second = codes // _PAIR_BASE, codes % _PAIR_BASE
        low, high = np.minimum(first, second), np.maximum(first, second)
        pairs = np.unique(low * _PAIR_BASE + high)
        return np.bincount(pairs // _PAIR_BASE, minlength=n) + np.bincount(pairs % _PAIR_BASE, minlength=n)

    def _sum_queue(self) -> None:
        """Fold queued platform-trade rows into the per-pair totals (sort-based, in NumPy)."""
        if not self._queued:
            return
        queued = np.concatenate(self._queued, axis=1)
        codes = np.concatenate([self._pair_code, queued[0].astype(np.int64)])
        totals = np.concatenate([self._pair_totals, np.stack([queued[1], queued[2], queued[1]])], axis=1)
        self._pair_code, position = np.unique(codes, return_inverse=True)
        self._pair_totals = np.stack([np.bincount(position, row, minlength=self._pair_code.size) for row in totals])
        self._queued.clear()
        self._queued_rows = 0

    def _totals_by_pair(self) -> dict[int, tuple[float, float, float]]:
        """Cumulative (hours, value, platform hours) per buyer-seller pair code, all channels."""
        traded = self._partner_totals[0] > 0
        codes = np.concatenate([self._partner_code[traded], self._pair_code])
        totals = np.concatenate([self._partner_totals[:, traded], self._pair_totals], axis=1)
        unique_codes, position = np.unique(codes, return_inverse=True)
        summed = [np.bincount(position, row, minlength=unique_codes.size).tolist() for row in totals]
        return dict(zip(unique_codes.tolist(), zip(*summed)))
