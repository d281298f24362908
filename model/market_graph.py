"""The market graph: a NetworkX record of who belongs to which platform and who traded with whom.

Nodes are firms and platforms, keyed by their Mesa agents' ``unique_id``, with a
``kind`` attribute (``large``, ``sme``, ``micro`` or ``platform``). Edges are
directed:

* ``firm -> platform`` with ``relation="member"`` while the firm is a member;
* ``buyer -> seller`` with ``relation="trade"`` and cumulative delivered
  ``hours``, ``value_yuan`` and ``platform_hours`` (the part cleared on platforms).

The model records each week's trades as one aggregated batch of arrays; the
NetworkX graph applies pending batches when it is read, so a run that never
looks at the graph pays almost nothing for it, and one that does sees it
exactly up to date.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from .state import KIND_NAMES, FirmTable, PlatformTable, Trades

# Batches are applied early once this many pending edge updates pile up, to bound memory.
_MAX_PENDING_ROWS = 2_000_000


class MarketGraph:
    """Keeps ``graph`` (an ``nx.DiGraph``) in step with the simulation, in batches."""

    def __init__(self, firms: FirmTable, platforms: PlatformTable):
        self._graph = nx.DiGraph()
        self._graph.add_nodes_from(
            (int(node), {"kind": KIND_NAMES[kind], "row": row})
            for row, (node, kind) in enumerate(zip(firms.node_id, firms.kind))
        )
        self._graph.add_nodes_from(
            (int(node), {"kind": "platform", "row": row}) for row, node in enumerate(platforms.node_id)
        )
        self._firm_nodes = firms.node_id
        self._platform_nodes = platforms.node_id
        self._pending_trades: list[np.ndarray] = []  # rows of (buyer, seller, hours, value, platform_hours)
        self._pending_members: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_rows = 0

    def record_week(self, trades: Trades, joined: np.ndarray, left: np.ndarray) -> None:
        """Queue this week's delivered trades (aggregated per buyer-seller pair) and membership changes."""
        delivered = trades.delivered
        if delivered.any():
            buyer, seller = trades.buyer[delivered], trades.seller[delivered]
            hours = trades.hours[delivered]
            value = trades.paid_yuan[delivered]
            platform_hours = hours * (trades.platform[delivered] >= 0)
            n_firms = self._firm_nodes.size
            pairs, pair_of = np.unique(buyer * n_firms + seller, return_inverse=True)
            sums = [np.bincount(pair_of, w, minlength=len(pairs)) for w in (hours, value, platform_hours)]
            self._pending_trades.append(np.column_stack([pairs // n_firms, pairs % n_firms, *sums]))
            self._pending_rows += len(pairs)
        if joined.size or left.size:
            self._pending_members.append((joined, left))
            self._pending_rows += len(joined) + len(left)
        if self._pending_rows > _MAX_PENDING_ROWS:
            self._flush()

    @property
    def graph(self) -> nx.DiGraph:
        self._flush()
        return self._graph

    def _flush(self) -> None:
        graph, firm_nodes, platform_nodes = self._graph, self._firm_nodes, self._platform_nodes
        for batch in self._pending_trades:
            buyers = firm_nodes[batch[:, 0].astype(np.int64)].tolist()
            sellers = firm_nodes[batch[:, 1].astype(np.int64)].tolist()
            for buyer, seller, hours, value, platform_hours in zip(
                buyers, sellers, batch[:, 2].tolist(), batch[:, 3].tolist(), batch[:, 4].tolist()
            ):
                edge = graph.get_edge_data(buyer, seller)
                if edge is None:
                    graph.add_edge(
                        buyer, seller, relation="trade", hours=hours, value_yuan=value, platform_hours=platform_hours
                    )
                else:
                    edge["hours"] += hours
                    edge["value_yuan"] += value
                    edge["platform_hours"] += platform_hours
        for joined, left in self._pending_members:
            graph.add_edges_from(
                (int(firm_nodes[f]), int(platform_nodes[p]), {"relation": "member"}) for f, p in joined
            )
            graph.remove_edges_from((int(firm_nodes[f]), int(platform_nodes[p])) for f, p in left)
        self._pending_trades.clear()
        self._pending_members.clear()
        self._pending_rows = 0
