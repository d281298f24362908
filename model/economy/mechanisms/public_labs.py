"""Public research equipment opened as capacity: the article's third recommendation.

Universities, research institutes and innovation centres hold instruments that
sit idle much of the time. With ``public_labs.count`` labs, each with
``public_labs.machines`` instruments spread over the process types, they are rows
of the firm table of kind ``PUBLIC_LAB``:

* they have no customers of their own, so every instrument-hour is idle and
  offered, on every platform (they are members from launch and never leave,
  and join platforms that enter), never to partners off-platform;
* they ask the regulated price ``price_yuan_per_hour`` for an hour, whatever
  their cost, and sell at the auction's price like anyone else;
* their instruments are run by their own technicians, paid from the institute's
  budget as before, not hired in the labour market: a lab can staff every
  instrument, and the hours it sells need no worker from the pool; it pays
  materials, upkeep and platform fees;
* the government covers each lab's weekly loss (``public lab funding``) and
  takes its surplus (``public lab surplus``), so a lab holds no cash; its
  instruments are neither bought, sold nor retired, and a lab never closes.

Labs are drawn at set-up by :func:`model.economy.population.create_public_labs`.

The column ``public_hours`` is the instrument-hours labs delivered in a week.
Labs are not businesses: the utilisation and capital columns and the per-kind
columns count firms only.
"""

from __future__ import annotations

import numpy as np

from ..ledger import Ledger
from ..scenario import LabourParams
from ..state import PUBLIC_LAB, FirmTable


def is_lab(firms: FirmTable) -> np.ndarray:
    """(N,) whether each row is a public lab."""
    return firms.kind == PUBLIC_LAB


def with_technicians(firms: FirmTable, workforce: np.ndarray, params: LabourParams) -> np.ndarray:
    """(N, K) ``workforce`` with each lab staffed to run all its instruments (its own technicians)."""
    labs = is_lab(firms)
    if not labs.any():
        return workforce
    needed = firms.capacity_hours[labs] * params.worker_hours_per_machine_hour / params.hours_per_worker_week
    staffed = workforce.copy()
    staffed[labs] = np.ceil(needed).astype(workforce.dtype)
    return staffed


def pool_work(firms: FirmTable, produced_hours: np.ndarray) -> np.ndarray:
    """(N, K) machine-hours that need workers from the labour pool: all but the labs'."""
    labs = is_lab(firms)
    return produced_hours * ~labs[:, None] if labs.any() else produced_hours


def balance_budgets(firms: FirmTable, ledger: Ledger) -> None:
    """The government covers each lab's cash shortfall and takes its surplus: a lab ends the week holding nothing."""
    labs = np.flatnonzero(is_lab(firms) & firms.active)
    if labs.size == 0:
        return
    cash = firms.cash_yuan[labs]
    ledger.pay("public lab funding", "government", "firms", np.maximum(-cash, 0.0), payee_rows=labs)
    ledger.pay("public lab surplus", "firms", "government", np.maximum(cash, 0.0), payer_rows=labs)
