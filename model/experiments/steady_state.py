"""Does an economy hold still? Yearly means of a run and how far they drift.

>>> import pandas as pd
>>> largest_drift(pd.Series([100.0, 100.0, 104.0, 97.0], index=[1, 2, 3, 4]))
0.04
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MEASURES = ["capital_stock", "active_firms", "utilisation_mean", "unemployment_rate"]
# What an economy without a policy should do over ten years (issue "Effects that come from mechanisms"):
# capital and firm numbers within these shares of their year-2 level, utilisation and unemployment in these bands
# every year (NBS utilisation 73-77%).
GOALS = {
    "capital_drift": (-0.05, 0.05),
    "firms_drift": (-0.10, 0.10),
    "utilisation_mean": (0.70, 0.80),
    "unemployment_rate": (0.02, 0.15),
}


def yearly_means(table: pd.DataFrame) -> pd.DataFrame:
    """Yearly means (year 1 is weeks 1-52) of :data:`MEASURES` from a model table (one row per step from step 0)."""
    played = table.iloc[1:].copy()
    played["year"] = (np.arange(1, len(played) + 1) - 1) // 52 + 1
    played["active_firms"] = played["n_large"] + played["n_sme"] + played["n_micro"]
    return played.groupby("year")[MEASURES].mean()


def largest_drift(series: pd.Series, from_year: int = 2) -> float:
    """The signed largest relative departure of a yearly series from its level in ``from_year``."""
    relative = series.loc[from_year:] / series.loc[from_year] - 1.0
    return round(float(relative.iloc[int(relative.abs().argmax())]), 12)


def drift_summary(yearly: pd.DataFrame) -> dict[str, float]:
    """One run's steady-state measures: capital and firm drift from year 2, and utilisation and unemployment ranges."""
    return {
        "capital_drift": largest_drift(yearly["capital_stock"]),
        "firms_drift": largest_drift(yearly["active_firms"]),
        "utilisation_low": float(yearly["utilisation_mean"].min()),
        "utilisation_high": float(yearly["utilisation_mean"].max()),
        "unemployment_low": float(yearly["unemployment_rate"].min()),
        "unemployment_high": float(yearly["unemployment_rate"].max()),
    }
