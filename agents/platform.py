"""Platform agents: capacity-sharing platforms, each a view of one platform row."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from model.economy.model import SharedManufacturingModel


class Platform(mesa.Agent):
    """A capacity-sharing platform: read-only view of row ``row`` of ``model.platforms``."""

    kind = "platform"
    model: SharedManufacturingModel

    def __init__(self, model: SharedManufacturingModel, row: int):
        super().__init__(model)  # the model numbers its agents (see model.mesa_compat)
        self.row = row

    def __repr__(self) -> str:
        return f"Platform(unique_id={self.unique_id}, row={self.row})"

    @property
    def commission_rate(self) -> float:
        """Share of trade value the platform keeps."""
        return float(self.model.platforms.commission_rate[self.row])

    @property
    def members(self) -> int:
        """Number of active member firms."""
        firms = self.model.firms
        return int((firms.membership[:, self.row] & firms.active).sum())

    @property
    def member_share(self) -> float:
        return float(self.model.platforms.member_share[self.row])

    @property
    def matching_efficiency(self) -> float:
        """Share of the frictionless match the platform realises this week."""
        return float(self.model.platforms.matching_efficiency[self.row])

    @property
    def traded_hours(self) -> float:
        """Machine-hours delivered through the platform last week."""
        return float(self.model.platforms.traded_hours[self.row])

    @property
    def traded_value(self) -> float:
        """Yuan paid by buyers on the platform last week."""
        return float(self.model.platforms.traded_value[self.row])

    @property
    def commission_yuan(self) -> float:
        """Commission earned last week."""
        return float(self.model.platforms.commission_yuan[self.row])
