"""Mesa agents of the shared-manufacturing economy.

Each agent is a thin handle on one row of the model's state arrays
(:mod:`model.economy.state`): it carries no behaviour and no numbers of its own, so the
weekly rules can run vectorised over all rows while ``model.agents_by_type``,
Mesa's ``AgentSet`` and visualisation still see real agents.
"""

from .firms import SME, Firm, LargeFirm, MicroEntrepreneur, PublicLab
from .platform import Platform

__all__ = ["Firm", "LargeFirm", "SME", "MicroEntrepreneur", "PublicLab", "Platform"]
