"""Large firms opening more than idle machine-hours: their data, compute and designs.

The article's large firms open platforms, data and designs to small firms
(Haier's open innovation; CASIC's INDICS), "pulling SMEs along". With
``firms.large.opens_data`` every large firm opens them to the SMEs and
micro-businesses it deals with: its partners on the supply network, and the
members of any platform it belongs to. What access does is stated by
parameters (assumptions, not sourced values):

* a firm with access fails less often on the trades it sells, by
  ``data_defect_reduction`` of its own failure rate (process data, standards);
* its digital upgrading projects cost ``data_upgrade_discount`` less (shared
  tools and compute; :mod:`model.economy.mechanisms.digital`);
* it pays ``data_fee_yuan_per_week`` for access (0 by default: open), shared
  equally among the large firms that open; each of them pays
  ``data_cost_yuan_per_week`` to run the opening.

What follows is not written in: better-delivering SMEs win trade from others
(large firms included) on platforms and among partners, and cheaper upgrading
brings more of them onto platforms.
"""

from __future__ import annotations

import numpy as np

from ..kernels import any_in_rows
from ..ledger import Ledger
from ..scenario import Scenario
from ..state import LARGE, FirmTable, PartnerEdges, PlatformTable


def opening_firms(firms: FirmTable, scenario: Scenario) -> np.ndarray:
    """(N,) whether each firm is a large firm that opens its data and designs this week."""
    return firms.active & (firms.kind == LARGE) & scenario.firms.large.opens_data


def update_access(firms: FirmTable, platforms: PlatformTable, edges: PartnerEdges, scenario: Scenario) -> None:
    """Who has access this week, and the failure rate each firm sells with."""
    opening = opening_firms(firms, scenario)
    access = np.zeros(firms.n, bool)
    if opening.any():
        # Partners of an opening large firm, and fellow members of a platform one belongs to.
        linked = opening[edges.seller] & firms.active[edges.buyer]
        access[edges.buyer[linked]] = True
        if platforms.n:
            members = firms.membership & firms.active[:, None] & platforms.active[None, :]
            hosting = members[opening].any(axis=0)
            access |= any_in_rows(members & hosting[None, :])
        access &= firms.active & (firms.kind != LARGE)
    firms.data_access[:] = access
    reduction = scenario.firms.large.data_defect_reduction
    np.multiply(firms.failure_rate_alone, np.where(access, 1.0 - reduction, 1.0), out=firms.failure_rate)


def charge_for_access(firms: FirmTable, scenario: Scenario, ledger: Ledger) -> np.ndarray:
    """Firms with access pay their fee to the opening large firms, which pay for the opening; returns (N,) net cost."""
    params = scenario.firms.large
    net_cost = np.zeros(firms.n)
    opening = np.flatnonzero(opening_firms(firms, scenario))
    if opening.size == 0:
        return net_cost
    users = np.flatnonzero(firms.data_access)
    fees = np.full(users.size, params.data_fee_yuan_per_week)
    share = np.full(opening.size, fees.sum() / opening.size)
    ledger.pay("data access fee", "firms", "firms", fees, payer_rows=users, payee_rows=opening, payee_yuan=share)
    running = np.full(opening.size, params.data_cost_yuan_per_week)
    ledger.pay("data opening cost", "firms", "suppliers", running, payer_rows=opening)
    net_cost[users] += fees
    net_cost[opening] += running - share
    return net_cost
