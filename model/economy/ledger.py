"""The ledger: every payment of the economy, booked once, from a payer sector to a payee sector.

Money is held by three sectors inside the economy, each the plain sum of a
state array: ``firms`` (every firm row's ``cash_yuan``), ``workers`` (every
worker's ``savings_yuan``) and ``platforms`` (every platform's ``cash_yuan``).
Everything else is an outside sector: ``customers`` (who buy firms' orders),
``suppliers`` (materials, energy, machines, upkeep, services, training),
``government`` (benefits, subsidies), ``banks`` (loans, their service, write-offs),
``owners`` (the outside owners of SMEs and large firms) and ``consumption``
(what workers spend).

A payment is one call, :meth:`Ledger.pay`, which moves the cash arrays of the
inside sectors and records the flow in the same place; nothing else changes
those arrays. So, each week and for each inside sector, the change in holdings
equals inflows minus outflows (the stock-flow consistency of Godley and Lavoie
2007; Caiani et al. 2016), which the tests check against the arrays themselves.
The flows of a year form the transaction-flow matrix (kinds x sectors), whose
rows each sum to zero.

Example
-------
>>> import numpy as np
>>> from types import SimpleNamespace
>>> firms = SimpleNamespace(cash_yuan=np.array([100.0, 0.0]))
>>> workers = SimpleNamespace(savings_yuan=np.zeros(3))
>>> platforms = SimpleNamespace(cash_yuan=np.zeros(1))
>>> ledger = Ledger(firms, workers, platforms)
>>> ledger.open_week(1)
>>> ledger.pay("wage", "firms", "workers", np.array([10.0, 10.0]), payer_rows=np.array([0, 0]),
...            payee_rows=np.array([1, 2]))
>>> firms.cash_yuan, workers.savings_yuan
(array([80.,  0.]), array([ 0., 10., 10.]))
>>> ledger.week_flows()
  payer    payee  kind  yuan
0  firms  workers  wage  20.0
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .kernels import add_by_row, invalid_amounts, rows_outside

INSIDE = ("firms", "workers", "platforms")
OUTSIDE = ("customers", "suppliers", "government", "banks", "owners", "consumption")
SECTORS = INSIDE + OUTSIDE

# What each kind of payment is, and who pays whom; pay() refuses any other pair.
KINDS: dict[str, tuple[str, str, str]] = {
    "order revenue": ("customers", "firms", "customers pay for the orders firms serve"),
    "production cost": ("firms", "suppliers", "materials and energy of every machine-hour a firm runs"),
    "trade payment": ("firms", "firms", "a buyer pays a seller for delivered machine-hours"),
    "commission": ("firms", "platforms", "a seller's commission on a delivered platform trade"),
    "membership fee": ("firms", "platforms", "weekly fee of each platform membership"),
    "platform operating cost": ("platforms", "suppliers", "a platform's cost of serving its members and trades"),
    "joining cost": ("firms", "suppliers", "digitalisation and onboarding to join a platform (gross)"),
    "search cost": ("firms", "suppliers", "contacting partners off-platform"),
    "upkeep": ("firms", "suppliers", "maintenance of every installed machine"),
    "machine purchase": ("firms", "suppliers", "new machines, bought at a review or by an entrant"),
    "machine resale": ("suppliers", "firms", "machines sold second-hand, at a review or at closure"),
    "wage": ("firms", "workers", "weekly wage of permanent staff"),
    "flexible pay": ("firms", "workers", "task contracts of flexible workers"),
    "overtime": ("firms", "workers", "overtime pay to the staff who work it"),
    "severance": ("firms", "workers", "paid to each dismissed worker"),
    "hiring cost": ("firms", "suppliers", "recruitment of a permanent worker"),
    "task contract cost": ("firms", "suppliers", "agency fee and induction of each worker engaged on a task contract"),
    "owner's draw": ("firms", "workers", "cash a micro-business holds beyond its buffer, paid to its owner"),
    "closing cash to founder": ("firms", "workers", "a closing micro-business's remaining cash, to its owner"),
    "closing cash to owners": ("firms", "owners", "a closing SME's remaining cash, to its outside owners"),
    "founder's savings": ("workers", "firms", "a founder's savings, put into the new micro-business"),
    "owners' equity": ("owners", "firms", "outside owners' money for a new SME (its machines and working cash)"),
    "loan": ("banks", "firms", "a loan for machines, lent at a purchase or to a micro-business's founder"),
    "interest": ("firms", "banks", "interest on loans and overdrafts"),
    "loan repayment": ("firms", "banks", "the week's share of a loan repaid"),
    "dividend": ("firms", "owners", "cash an SME or large firm holds beyond its buffer, paid to its outside owners"),
    "debt write-off": ("banks", "firms", "a closing firm's overdraft, written off by its bank"),
    "benefit": ("government", "workers", "unemployment benefit"),
    "digitalisation subsidy": ("government", "firms", "the subsidised share of a platform's joining cost"),
    "digital upgrading": ("firms", "suppliers", "a project that raises a firm's digital readiness (gross)"),
    "upgrading subsidy": ("government", "firms", "the subsidised share of a digital upgrading project"),
    "data access fee": ("firms", "firms", "an SME's or micro-business's fee for a large firm's data and designs"),
    "data opening cost": ("firms", "suppliers", "a large firm's cost of opening its data, compute and designs"),
    "public lab funding": ("government", "firms", "the government covers a public lab's weekly shortfall"),
    "public lab surplus": ("firms", "government", "a public lab's weekly surplus, to the government"),
    "platform launch": ("owners", "suppliers", "investors' outlay to launch a platform that enters the market"),
    "platform closing cash": ("platforms", "owners", "an exiting platform's remaining cash, to its investors"),
    "platform audit": ("government", "suppliers", "the regulator's audits of platform trades"),
    "training fee": ("workers", "suppliers", "the cost of retraining (gross)"),
    "training subsidy": ("government", "workers", "the subsidised share of the training fee"),
    "consumption": ("workers", "consumption", "what workers spend of their income"),
}

# Kinds that make up a firm's operating profit; the rest move capital (machines, equity, loans, draws).
OPERATING = frozenset(
    {
        "order revenue",
        "production cost",
        "trade payment",
        "commission",
        "membership fee",
        "search cost",
        "upkeep",
        "wage",
        "flexible pay",
        "overtime",
        "severance",
        "hiring cost",
        "task contract cost",
        "interest",
        "data access fee",
        "data opening cost",
    }
)

# Kinds that are neither income nor a cost of producing it: capital moves (machines, loans, equity, write-offs),
# profit paid out (dividends, draws, closing cash) and workers' spending. Welfare leaves them out, as national
# accounts leave out the purchase of assets and the distribution of income.
NOT_INCOME = frozenset(
    {
        "machine purchase",
        "machine resale",
        "loan",
        "loan repayment",
        "owners' equity",
        "founder's savings",
        "debt write-off",
        "dividend",
        "owner's draw",
        "closing cash to founder",
        "closing cash to owners",
        "platform launch",
        "platform closing cash",
        "consumption",
    }
)

_HOLDINGS = {"firms": "cash_yuan", "workers": "savings_yuan", "platforms": "cash_yuan"}


class Ledger:
    """Books payments between sectors and moves the inside sectors' money with them.

    Parameters
    ----------
    firms, workers, platforms
        The state tables holding ``cash_yuan``, ``savings_yuan`` and ``cash_yuan``.
        Arrays are read from the tables at each payment, so tables may grow.
    firm_flows : bool, optional
        Also keep each firm row's net flow of the current week
        (:meth:`firm_net_yuan`), for the per-firm panel.
    """

    def __init__(self, firms: Any, workers: Any, platforms: Any, *, firm_flows: bool = False):
        self._tables = {"firms": firms, "workers": workers, "platforms": platforms}
        self.week = 0
        self._week: dict[tuple[str, str, str], float] = {}
        self._history: list[tuple[int, str, str, str, float]] = []
        self._keep_firm_flows = firm_flows
        self._firm_net = np.zeros(0)
        self._firm_operating = np.zeros(0)
        self._scratch = np.zeros(0)  # kept zero between payments; see kernels.add_by_row

    def holdings(self) -> dict[str, float]:
        """Money each inside sector holds now: the plain sum of its state array (yuan)."""
        return {sector: float(getattr(table, _HOLDINGS[sector]).sum()) for sector, table in self._tables.items()}

    def open_week(self, week: int) -> None:
        """Close the books of the previous week and start ``week``'s."""
        for (payer, payee, kind), yuan in self._week.items():
            self._history.append((self.week, payer, payee, kind, yuan))
        self._week = {}
        self.week = week
        if self._keep_firm_flows:
            self._firm_net = np.zeros(self._tables["firms"].cash_yuan.shape[0])
            self._firm_operating = np.zeros_like(self._firm_net)

    def pay(
        self,
        kind: str,
        payer: str,
        payee: str,
        yuan: np.ndarray | float,
        *,
        payer_rows: np.ndarray | None = None,
        payee_rows: np.ndarray | None = None,
        payee_yuan: np.ndarray | None = None,
    ) -> None:
        """Pay ``yuan`` from ``payer`` to ``payee`` and book it as ``kind``.

        ``yuan`` is one amount per payment (non-negative, finite). For an inside
        sector, ``payer_rows`` and ``payee_rows`` give the table row of each
        payment's payer and payee; where they are omitted, ``yuan`` holds one amount
        per row of that sector's table. Outside sectors have no rows.

        ``payee_yuan``, if given, shares the same total out differently among the
        ``payee_rows``: a pooled payment, such as task contracts that firms pay into
        per skill and workers are paid from. Its total must equal that of ``yuan``.
        """
        expected = KINDS.get(kind)
        if expected is None or expected[:2] != (payer, payee):
            allowed = f"{expected[0]} -> {expected[1]}" if expected else "a kind listed in ledger.KINDS"
            raise ValueError(f"payment {kind!r} from {payer} to {payee}: expected {allowed}")
        paid = _amounts(kind, yuan)
        received = paid if payee_yuan is None else _amounts(kind, payee_yuan)
        total = float(paid.sum())
        if payee_yuan is not None and not np.isclose(float(received.sum()), total, rtol=1e-9, atol=1e-6):
            raise ValueError(f"payment {kind!r}: payees receive {received.sum()!r} of {total!r} paid")
        payer_rows = self._checked_rows(payer, paid, payer_rows)  # both sides checked before any money moves
        payee_rows = self._checked_rows(payee, received, payee_rows)
        self._move(payer, paid, payer_rows, -1.0, kind in OPERATING)
        self._move(payee, received, payee_rows, 1.0, kind in OPERATING)
        if total > 0:
            key = (payer, payee, kind)
            self._week[key] = self._week.get(key, 0.0) + total

    def _checked_rows(self, sector: str, amounts: np.ndarray, rows: np.ndarray | None) -> np.ndarray | None:
        """``rows`` as int64, after checking they fit ``sector``'s table and ``amounts``."""
        if sector not in _HOLDINGS:
            if rows is not None:
                raise ValueError(f"{sector} is an outside sector: it has no rows")
            return None
        size = getattr(self._tables[sector], _HOLDINGS[sector]).size
        if rows is None:
            if amounts.shape != (size,):
                raise ValueError(f"{sector}: expected one amount per row ({size},), got {amounts.shape}")
            return None
        rows = np.asarray(rows, dtype=np.int64)
        if rows.shape != amounts.shape:
            raise ValueError(f"{sector}: {rows.shape} rows for {amounts.shape} amounts")
        if rows_outside(rows, size):
            raise ValueError(f"{sector}: a payment's row is outside the table's rows 0..{size - 1}")
        return rows

    def _move(self, sector: str, amounts: np.ndarray, rows: np.ndarray | None, sign: float, operating: bool) -> None:
        """Move ``sign * amounts`` into the sector's holdings (and the firms' weekly flows), by row or per row."""
        if sector not in _HOLDINGS:
            return
        balance = getattr(self._tables[sector], _HOLDINGS[sector])
        keep_flows = sector == "firms" and self._keep_firm_flows
        if keep_flows:
            self._firm_net = _grown(self._firm_net, balance.size)
            if operating:
                self._firm_operating = _grown(self._firm_operating, balance.size)
        if rows is None:
            balance += sign * amounts
            if keep_flows:
                self._firm_net += sign * amounts
                if operating:
                    self._firm_operating += sign * amounts
            return
        self._scratch = _grown(self._scratch, balance.size)
        add_by_row(balance, rows, amounts, sign, self._scratch)
        if keep_flows:
            add_by_row(self._firm_net, rows, amounts, sign, self._scratch)
            if operating:
                add_by_row(self._firm_operating, rows, amounts, sign, self._scratch)

    def firm_net_yuan(self, *, operating: bool = False) -> np.ndarray:
        """(N,) each firm row's inflows minus outflows this week, of every kind or only the ``operating`` ones.

        Needs ``firm_flows=True``. Rows of firms that arrived after the last
        payment are missing from the end (they had no flows).
        """
        if not self._keep_firm_flows:
            raise RuntimeError("build the ledger with firm_flows=True to follow each firm's flows")
        return (self._firm_operating if operating else self._firm_net).copy()

    def week_flows(self) -> pd.DataFrame:
        """This week's payments: one row per (payer, payee, kind), columns ``payer, payee, kind, yuan``."""
        rows = [(payer, payee, kind, yuan) for (payer, payee, kind), yuan in self._week.items()]
        return pd.DataFrame(rows, columns=["payer", "payee", "kind", "yuan"])

    def week_net(self) -> dict[str, float]:
        """Each sector's inflows minus outflows this week (yuan)."""
        net = dict.fromkeys(SECTORS, 0.0)
        for (payer, payee, _), yuan in self._week.items():
            net[payer] -= yuan
            net[payee] += yuan
        return net

    def week_total(self, kind: str) -> float:
        """Yuan paid this week as ``kind``."""
        return add_up(yuan for (_, _, booked), yuan in self._week.items() if booked == kind)

    def week_income(self, sector: str) -> float:
        """``sector``'s inflows minus outflows this week, over the kinds that are income or its cost (yuan).

        Leaves out the kinds in :data:`NOT_INCOME`.
        """
        income = 0.0
        for (payer, payee, kind), yuan in self._week.items():
            if kind not in NOT_INCOME:
                income += (yuan if payee == sector else 0.0) - (yuan if payer == sector else 0.0)
        return income

    def week_paid_by(self, sector: str) -> float:
        """All that ``sector`` paid this week (yuan)."""
        return add_up(yuan for (payer, _, _), yuan in self._week.items() if payer == sector)

    def week_received_by(self, sector: str) -> float:
        """All that ``sector`` received this week (yuan)."""
        return add_up(yuan for (_, payee, _), yuan in self._week.items() if payee == sector)

    def week_gross(self) -> float:
        """All money paid this week (yuan): the scale against which the books must balance."""
        return add_up(self._week.values())

    def flows(self) -> pd.DataFrame:
        """Every week's payments so far: columns ``step, payer, payee, kind, yuan``."""
        rows = self._history + [(self.week, *key, yuan) for key, yuan in self._week.items()]
        return pd.DataFrame(rows, columns=["step", "payer", "payee", "kind", "yuan"])


def add_up(values: Iterable[float]) -> float:
    """The plain sum of ``values``, added in order: the same on every Python (3.12's ``sum()`` of floats
    compensates for rounding, so it can differ from 3.11's in the last bit)."""
    total = 0.0
    for value in values:
        total += value
    return total


def _grown(values: np.ndarray, size: int) -> np.ndarray:
    return values if values.size >= size else np.concatenate([values, np.zeros(size - values.size)])


def _amounts(kind: str, yuan: np.ndarray | float) -> np.ndarray:
    amounts = np.asarray(yuan, dtype=np.float64)
    if invalid_amounts(amounts.reshape(-1)):
        raise ValueError(f"payment {kind!r}: amounts must be finite and non-negative")
    return amounts


def transaction_flow_matrix(flows: pd.DataFrame, weeks_per_year: int = 52) -> pd.DataFrame:
    """Yearly transaction-flow matrix from :meth:`Ledger.flows`: inflow minus outflow per year, kind and sector.

    Rows are ``(year, kind)``, columns the sectors; every row sums to zero (what
    one sector pays another receives). Year 1 is weeks 1-52.
    """
    columns = list(SECTORS)
    if flows.empty:
        return pd.DataFrame(columns=["year", "kind", *columns])
    year = (flows["step"] - 1) // weeks_per_year + 1
    paid = flows.assign(year=year, sector=flows["payer"], yuan=-flows["yuan"])
    received = flows.assign(year=year, sector=flows["payee"])
    both = pd.concat([paid, received], ignore_index=True)
    matrix = both.pivot_table(index=["year", "kind"], columns="sector", values="yuan", aggfunc="sum", fill_value=0.0)
    return matrix.reindex(columns=columns, fill_value=0.0).reset_index()
