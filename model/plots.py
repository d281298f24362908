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


def comparison_figure(comparison, metrics: tuple[str, ...] = HEADLINE_METRICS, weeks: int = 13) -> Figure:
    """Left: each metric over the weeks, the mean across seeds with its 95% band, one colour per scenario.
    Right: each scenario's difference from the first at the end of the run (the mean of its last
    ``weeks`` weeks), with its 95% interval.

    ``comparison`` is a :class:`model.comparison.Comparison`.
    """
    columns = 3
    rows = -(-len(metrics) // columns)
    figure = plt.figure(figsize=(2 * 4.2 * columns, 2.8 * rows), layout="constrained")
    over_time, effects = figure.subfigures(1, 2, width_ratios=[1, 1])
    over_time.suptitle("over the weeks (mean across seeds, 95% band)", fontsize=10)
    effects.suptitle(f"difference from {comparison.labels[0]} at the end of the run (95% CI)", fontsize=10)
    time_axes = over_time.subplots(rows, columns, sharex=True, squeeze=False)
    effect_axes = effects.subplots(rows, columns, squeeze=False)
    summary = comparison.summary(metrics, weeks=weeks)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    others = comparison.labels[1:]
    for index, metric in enumerate(metrics):
        axis = time_axes.flat[index]
        for number, (label, band) in enumerate(comparison.band(metric).items()):
            weeks = band[band["step"] > 0]
            colour = colours[number % len(colours)]
            axis.plot(weeks["step"], weeks["mean"], color=colour, linewidth=1.2, label=label)
            axis.fill_between(weeks["step"], weeks["low"], weeks["high"], color=colour, alpha=0.2, linewidth=0)
        axis.set_title(f"{metric} ({COLUMNS[metric][0]})", fontsize=9)
        axis.tick_params(labelsize=8)
        axis.grid(alpha=0.3)

        axis = effect_axes.flat[index]
        rows_of_metric = summary[(summary["metric"] == metric) & summary["scenario"].isin(others)]
        positions = range(len(others))
        axis.barh(
            list(positions),
            rows_of_metric["diff_mean"],
            xerr=[
                rows_of_metric["diff_mean"] - rows_of_metric["diff_low"],
                rows_of_metric["diff_high"] - rows_of_metric["diff_mean"],
            ],
            color=[colours[(number + 1) % len(colours)] for number in positions],
            capsize=3,
        )
        axis.axvline(0.0, color="black", linewidth=0.8)
        axis.set_yticks(list(positions), others, fontsize=7)
        axis.set_title(metric, fontsize=9)
        axis.tick_params(axis="x", labelsize=7)
        axis.grid(alpha=0.3, axis="x")
    for axes in (time_axes, effect_axes):
        for axis in axes.flat[len(metrics) :]:
            axis.set_visible(False)
    time_axes.flat[0].legend(fontsize=7)
    return figure
