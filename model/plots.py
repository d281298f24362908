"""Figures people would rather look at than read."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")  # files, not windows: runs on clusters and in CI
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from .metrics import COLUMNS

HEADLINE_METRICS = (
    "utilisation_mean",
    "utilisation_std",
    "unmet_demand_share",
    "shared_hours",
    "platform_share",
    "producers_per_order",
    "outsourcing_ratio",
    "capital_stock",
    "platform_members",
    "unemployment_rate",
    "flexible_employment_share",
    "micro_entrepreneurs",
)


def headline_figure(tables: Mapping[str, pd.DataFrame], metrics: tuple[str, ...] = HEADLINE_METRICS) -> Figure:
    """One panel per headline metric over the weeks, one line per run (step 0 left out).

    ``tables`` maps a label (a scenario name) to a metrics table with a ``step`` column.
    """
    columns = 3
    rows = -(-len(metrics) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.8 * rows), sharex=True, squeeze=False)
    for axis, metric in zip(axes.flat, metrics):
        for label, table in tables.items():
            weeks = table[table["step"] > 0]
            axis.plot(weeks["step"], weeks[metric], label=label, linewidth=1.2)
        unit = COLUMNS[metric][0]
        axis.set_title(f"{metric} ({unit})", fontsize=9)
        axis.tick_params(labelsize=8)
        axis.grid(alpha=0.3)
    for axis in axes.flat[len(metrics) :]:
        axis.set_visible(False)
    for axis in axes[-1]:
        axis.set_xlabel("week", fontsize=8)
    axes.flat[0].legend(fontsize=8)
    figure.tight_layout()
    return figure
