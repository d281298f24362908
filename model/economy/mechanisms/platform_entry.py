"""Platforms entering and leaving the market (``platforms.entry``).

The article expects private capital to build new industry platforms; whether the
market then holds several platforms or tips to one is a question, not an input.
With entry on, the platform table has ``max_platforms`` rows: the first
``platforms.count`` launch at week 0, the rest wait for entrants, and a row is
used once (an exited platform does not come back; a new one takes a new row).

* **Exit.** Once past its first ``startup_weeks`` (investors carry a young
  platform's losses while members come), a platform that makes a loss
  (``platforms.profit_yuan < 0``: commissions and fees below its operating and
  fixed costs) ``exit_after_loss_weeks`` weeks in a row leaves: its members lose
  their membership and what cash it holds goes to its investors.
* **Entry.** Every ``entry_review_weeks`` a would-be entrant looks at the
  platforms' profit since the last review and expects an equal share of it once
  it is in, if it survives: ``belief x profit per week / (platforms in the market
  + 1)``, where the belief that an entrant survives its start-up is learnt from
  past entrants (:func:`survival_belief`). It enters when ``entry_payback_weeks``
  of that covers ``entry_cost_yuan``, which its investors pay. It starts like
  a launched platform: the list commission and fee, the launch fill belief, and
  known to ``launch_awareness`` of firms, who join, or not, at their own reviews.

So entry follows the profit the incumbents make, and it stops when the market
is shared among enough platforms that a further one would not pay; whether
volume then tips to one platform comes from members' choices (matching
efficiency grows with size).
"""

from __future__ import annotations

import numpy as np

from ..ledger import Ledger
from ..scenario import Scenario
from ..state import PUBLIC_LAB, FirmTable, PlatformTable


def platform_rows(scenario: Scenario) -> int:
    """Rows of the platform table: the launched platforms, and room for entrants when entry is on."""
    params = scenario.platforms
    return max(params.count, params.max_platforms) if params.entry else params.count


def review_entry_and_exit(
    firms: FirmTable, platforms: PlatformTable, week: int, scenario: Scenario, ledger: Ledger, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Close platforms with sustained losses, then let one enter if the review is due and entry pays.

    Call it after the week's platform profit is booked. Returns the platform rows that
    entered and exited, and the ``(firm row, platform row)`` memberships that ended.
    """
    none = np.zeros(0, np.int64)
    params = scenario.platforms
    if not params.entry or platforms.n == 0:
        return none, none, np.zeros((0, 2), np.int64)
    losing = platforms.in_market & _past_startup(platforms, week, scenario) & (platforms.profit_yuan < 0.0)
    platforms.loss_weeks[:] = np.where(losing, platforms.loss_weeks + 1, 0)
    exited = np.flatnonzero(platforms.in_market & (platforms.loss_weeks >= params.exit_after_loss_weeks))
    ended = close_platforms(firms, platforms, exited, ledger)

    platforms.review_profit_yuan += platforms.profit_yuan * platforms.in_market
    entered = none
    if (week + 1) % params.entry_review_weeks == 0:
        entered = _enter(firms, platforms, week, scenario, ledger, rng)
        platforms.review_profit_yuan[:] = 0.0
    return entered, exited, ended


def close_platforms(firms: FirmTable, platforms: PlatformTable, rows: np.ndarray, ledger: Ledger) -> np.ndarray:
    """Platforms at ``rows`` leave the market; returns the memberships that ended, ``(firm row, platform row)``."""
    if rows.size == 0:
        return np.zeros((0, 2), np.int64)
    member, column = np.nonzero(firms.membership[:, rows] & firms.active[:, None])
    firms.membership[:, rows] = False
    firms.aware[:, rows] = False
    platforms.in_market[rows] = False
    platforms.active[rows] = False
    cash = np.maximum(platforms.cash_yuan[rows], 0.0)  # a platform in debt leaves its debt on its books
    ledger.pay("platform closing cash", "platforms", "owners", cash, payer_rows=rows)
    return np.stack([member, rows[column]], axis=1).astype(np.int64)


def survival_belief(platforms: PlatformTable, week: int, scenario: Scenario) -> float:
    """Investors' belief that an entrant survives its start-up: Laplace's rule over past entrants.

    ``(survived + 1) / (survived + failed + 2)``, where entrants (not the platforms
    launched at week 0) that are past ``startup_weeks`` and still in the market
    survived, and those that exited failed; 1/2 before any entrant is judged.
    """
    entrants = platforms.entered_week > 0
    failed = int((entrants & ~platforms.in_market).sum())
    survived = int((entrants & platforms.in_market & _past_startup(platforms, week, scenario)).sum())
    return (survived + 1.0) / (survived + failed + 2.0)


def _past_startup(platforms: PlatformTable, week: int, scenario: Scenario) -> np.ndarray:
    """(P,) whether ``week`` is past each platform's first ``startup_weeks`` weeks in the market."""
    return week - platforms.entered_week > scenario.platforms.startup_weeks


def _enter(
    firms: FirmTable, platforms: PlatformTable, week: int, scenario: Scenario, ledger: Ledger, rng: np.random.Generator
) -> np.ndarray:
    """One entrant, if a row is free and the profit it expects pays back its entry cost; returns its row."""
    params = scenario.platforms
    free = np.flatnonzero(platforms.entered_week < 0)
    if free.size == 0:
        return np.zeros(0, np.int64)
    in_market = int(platforms.in_market.sum())
    weekly_profit = platforms.review_profit_yuan.sum() / params.entry_review_weeks
    expected = survival_belief(platforms, week, scenario) * weekly_profit / (in_market + 1)
    if params.entry_payback_weeks * expected <= params.entry_cost_yuan:
        return np.zeros(0, np.int64)
    row = free[:1]
    platforms.in_market[row] = True
    platforms.entered_week[row] = week
    platforms.loss_weeks[row] = 0
    firms.aware[:, row[0]] = firms.active & (rng.random(firms.n) < params.launch_awareness)
    labs = firms.active & (firms.kind == PUBLIC_LAB)  # public labs offer their instruments on every platform
    firms.membership[labs, row[0]] = True
    firms.aware[labs, row[0]] = True
    firms.joined_week[labs, row[0]] = week
    ledger.pay("platform launch", "owners", "suppliers", params.entry_cost_yuan)
    return row
