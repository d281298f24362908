"""The per-firm weekly panel: one row per firm per week, what Mesa's agent reporters would collect.

Kept only when asked for (``SharedManufacturingModel(..., firm_panel=True)``), as
NumPy blocks per week, so that it costs nothing when switched off and little
when on. A week's rows are the firms that were active at its start, and the
firms that entered during it; ``active`` says whether each is still active at
its end.

Columns (hours per week, yuan per week, cash in yuan at the week's end):
``step, firm`` (the agent's ``unique_id``), ``kind, active, own_hours,
sold_hours, bought_hours, capacity_hours, staff, staff_hours, flexible_hours,
overtime_hours, owner_hours, labour_hours_needed, labour_cost_yuan,
revenue_yuan, profit_yuan, cash_yuan``, ``net_flow_yuan`` (the firm's inflows
minus outflows in the ledger this week) and ``operating_flow_yuan`` (the same for
the kinds that make up operating profit: :data:`model.economy.ledger.OPERATING`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .ledger import Ledger
from .scenario import LabourParams
from .state import KIND_NAMES, Deliveries, FirmTable, LabourWeek

COLUMNS = (
    "step",
    "firm",
    "kind",
    "active",
    "own_hours",
    "sold_hours",
    "bought_hours",
    "capacity_hours",
    "staff",
    "staff_hours",
    "flexible_hours",
    "overtime_hours",
    "owner_hours",
    "labour_hours_needed",
    "labour_cost_yuan",
    "revenue_yuan",
    "profit_yuan",
    "cash_yuan",
    "net_flow_yuan",
    "operating_flow_yuan",
)


class FirmPanel:
    """Collects one block of rows per week; :meth:`to_frame` joins them into a DataFrame."""

    def __init__(self) -> None:
        self._blocks: list[dict[str, np.ndarray]] = []

    def record(
        self,
        week: int,
        firms: FirmTable,
        active_at_start: np.ndarray,
        deliveries: Deliveries,
        labour: LabourWeek,
        revenue_yuan: np.ndarray,
        ledger: Ledger,
        params: LabourParams,
    ) -> None:
        """Add ``week``'s rows: firms active at its start (rows of the week's records) and the week's entrants."""
        net_flow_yuan, operating_flow_yuan = ledger.firm_net_yuan(), ledger.firm_net_yuan(operating=True)
        played = active_at_start.size  # rows that existed when the week's records were made
        rows = np.concatenate([np.flatnonzero(active_at_start), np.arange(played, firms.n)])

        def week_value(values: np.ndarray) -> np.ndarray:  # zero for entrants, which played no part of the week
            return np.concatenate([values[:played][active_at_start], np.zeros(firms.n - played)])

        own, sold = deliveries.own_hours.sum(axis=1), deliveries.sold_hours.sum(axis=1)
        self._blocks.append(
            {
                "step": np.full(rows.size, week, np.int64),
                "firm": firms.node_id[rows],
                "kind": firms.kind[rows],
                "active": firms.active[rows],
                "own_hours": week_value(own),
                "sold_hours": week_value(sold),
                "bought_hours": week_value(deliveries.bought_hours.sum(axis=1)),
                "capacity_hours": week_value(firms.capacity_week[:played]),
                "staff": week_value(labour.staff),
                "staff_hours": week_value(labour.staff_hours),
                "flexible_hours": week_value(labour.flexible_hours),
                "overtime_hours": week_value(labour.overtime_hours),
                "owner_hours": week_value(labour.owner_hours),
                "labour_hours_needed": week_value(params.worker_hours_per_machine_hour * (own + sold)),
                "labour_cost_yuan": week_value(labour.labour_cost_yuan),
                "revenue_yuan": week_value(revenue_yuan),
                "profit_yuan": week_value(firms.profit_yuan[:played]),
                "cash_yuan": firms.cash_yuan[rows].copy(),
                "net_flow_yuan": _padded(net_flow_yuan, firms.n)[rows],
                "operating_flow_yuan": _padded(operating_flow_yuan, firms.n)[rows],
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """The panel so far, one row per firm and week (``kind`` as its name: large, sme, micro)."""
        if not self._blocks:
            return pd.DataFrame({name: pd.Series(dtype=float) for name in COLUMNS})
        table = pd.DataFrame({name: np.concatenate([block[name] for block in self._blocks]) for name in COLUMNS})
        table["kind"] = pd.Categorical.from_codes(table["kind"], categories=list(KIND_NAMES))
        return table


def _padded(values: np.ndarray, size: int) -> np.ndarray:
    return np.concatenate([values, np.zeros(size - values.size)])
