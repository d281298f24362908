"""Firm agents: large firms, SMEs and micro-entrepreneurs, each a view of one firm row."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from model.economy.model import SharedManufacturingModel


class Firm(mesa.Agent):
    """A firm: read-only view of row ``row`` of ``model.firms``.

    Values are those at the end of the last week played. Arrays per process type
    are returned as read-only copies.
    """

    kind = "firm"
    model: SharedManufacturingModel

    def __init__(self, model: SharedManufacturingModel, row: int):
        super().__init__(model)  # the model numbers its agents (see model.mesa_compat)
        self.row = row

    def __repr__(self) -> str:
        return f"{type(self).__name__}(unique_id={self.unique_id}, row={self.row})"

    def _per_type(self, table_array: np.ndarray) -> np.ndarray:
        view = np.array(table_array[self.row], dtype=np.float64)
        view.flags.writeable = False
        return view

    @property
    def active(self) -> bool:
        return bool(self.model.firms.active[self.row])

    @property
    def machines(self) -> np.ndarray:
        """Machines owned in each process type."""
        return self._per_type(self.model.firms.machines)

    @property
    def capacity_hours(self) -> np.ndarray:
        """Machine-hours per week it can use in each process type (installed, less any disruption)."""
        firms = self.model.firms
        return self.machines * firms.machine_hours_per_week * firms.available_share

    @property
    def orders_hours(self) -> np.ndarray:
        """Hours ordered last week (new orders plus backlog), per process type."""
        return self._per_type(self.model.firms.orders_hours)

    @property
    def unmet_hours(self) -> np.ndarray:
        """Ordered hours left unserved last week, per process type."""
        return self._per_type(self.model.firms.unmet_hours)

    @property
    def bought_hours(self) -> np.ndarray:
        return self._per_type(self.model.firms.bought_hours)

    @property
    def sold_hours(self) -> np.ndarray:
        return self._per_type(self.model.firms.sold_hours)

    @property
    def utilisation(self) -> float:
        """Used / available machine-hours last week (0 without machines)."""
        return float(self.model.firms.utilisation[self.row])

    @property
    def cash_yuan(self) -> float:
        return float(self.model.firms.cash_yuan[self.row])

    @property
    def profit_yuan(self) -> float:
        """Operating profit last week."""
        return float(self.model.firms.profit_yuan[self.row])

    @property
    def digital_readiness(self) -> float:
        return float(self.model.firms.digital_readiness[self.row])

    @property
    def openness(self) -> float:
        """Share of idle capacity offered to others."""
        return float(self.model.firms.openness[self.row])

    @property
    def platforms(self) -> list:
        """The Platform agents this firm belongs to."""
        rows = np.flatnonzero(self.model.firms.membership[self.row])
        return [self.model.platform_agents[p] for p in rows]


class LargeFirm(Firm):
    """Many machines across process types, high digital readiness, opens part of its idle capacity."""

    kind = "large"


class SME(Firm):
    """A small or medium enterprise: few machines, volatile orders, low digital readiness."""

    kind = "sme"


class MicroEntrepreneur(Firm):
    """A micro-business with custom (C2B) orders and no or few machines: it rents capacity."""

    kind = "micro"


class PublicLab(Firm):
    """A university, research institute or innovation centre whose instruments are offered on every platform."""

    kind = "public_lab"
