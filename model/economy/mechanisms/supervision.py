"""Platform supervision: a regulator that audits platform trades and owners that put themselves first.

The article asks regulators to supervise platforms "with cloud computing and big
data". Here the regulator audits a share ``supervision.audit_share`` of the
week's platform trades, at ``supervision.audit_cost_yuan`` each, paid by the
government. An audit reveals whether the trade failed; audited outcomes form a
public record that every platform's credit system reads in full, beside the
share of its own record it can see (``platforms.credit_system``), so a seller
that fails often is rated risky, asks for less business and, past
``platforms.blacklist_failure_rate``, is excluded, even on a platform with a
weak credit system. Audits change no seller's own failure rate: what falls is
the share of platform trade that goes to unreliable sellers.

A platform may belong to a large firm (``platforms.owned_platforms``): the
owner is a member from launch and never leaves, and with
``platforms.self_preferencing`` its idle hours are shown to buyers first. The
regulator can forbid that (``supervision.forbid_self_preferencing``).
"""

from __future__ import annotations

import numpy as np

from ..kernels import row_sums
from ..ledger import Ledger
from ..scenario import Scenario
from ..state import LARGE, MICRO, FirmTable, PlatformTable, Trades


def assign_owners(firms: FirmTable, platforms: PlatformTable, scenario: Scenario) -> None:
    """Give the first ``platforms.owned_platforms`` platforms each an owner: the biggest firms, large ones first.

    The owner joins its platform before launch (knowing it, at no joining cost).
    """
    platforms.owner = np.full(platforms.n, -1, np.int64)
    count = scenario.platforms.owned_platforms
    if count == 0:
        return
    machines = row_sums(firms.machines)
    candidates = np.flatnonzero(firms.active & (firms.kind != MICRO))
    # Large firms first, then by machines, biggest first; the row breaks ties.
    order = np.lexsort((candidates, -machines[candidates], firms.kind[candidates] != LARGE))
    owners = candidates[order][:count]
    platforms.owner[: owners.size] = owners
    platform_rows = np.arange(owners.size)
    firms.membership[owners, platform_rows] = True
    firms.aware[owners, platform_rows] = True
    firms.joined_week[owners, platform_rows] = 0


def prefers_owner(platforms: PlatformTable, scenario: Scenario) -> np.ndarray:
    """(P,) whether each platform shows its owner's offers first this week."""
    allowed = scenario.platforms.self_preferencing and not scenario.supervision.forbid_self_preferencing
    return (platforms.owner >= 0) & allowed


def audit_trades(firms: FirmTable, trades: Trades, scenario: Scenario, rng: np.random.Generator, ledger: Ledger) -> int:
    """Audit a share of this week's platform trades; record their outcomes publicly; the government pays.

    Returns the number of trades audited.
    """
    params = scenario.supervision
    if params.audit_share <= 0.0:
        return 0
    on_platform = np.flatnonzero(trades.platform >= 0)
    audited = on_platform[rng.random(on_platform.size) < params.audit_share]
    seller = trades.seller[audited]
    firms.audited_sales += np.bincount(seller, minlength=firms.n)
    firms.audited_failures += np.bincount(seller[trades.failed[audited]], minlength=firms.n)
    ledger.pay("platform audit", "government", "suppliers", params.audit_cost_yuan * audited.size)
    return int(audited.size)
