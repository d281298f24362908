"""Figures people would rather look at than read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..economy.metrics import COLUMNS

HEADLINE_METRICS = (
    "utilisation_mean",
    "utilisation_std",
    "unmet_demand_share",
    "pooling_realised",
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

    ``comparison`` is a :class:`model.experiments.comparison.Comparison`.
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


def cost_effectiveness_figure(rankings: Mapping[str, pd.DataFrame], reference: str) -> Figure:
    """For each policy, its effect on each metric against its extra public cost (the cost-effectiveness plane).

    ``rankings`` maps a metric to :func:`model.experiments.comparison.cost_effectiveness`
    for it; ``reference`` names the scenario the policies are compared with. Both
    axes are paired differences from it with their 95% intervals; a policy up and to
    the left does more for less (for a metric where more is better).
    """
    figure, axes = plt.subplots(
        1, len(rankings), figsize=(5.5 * len(rankings), 4.2), squeeze=False, layout="constrained"
    )
    for axis, (metric, table) in zip(axes.flat, rankings.items()):
        axis.errorbar(
            table["extra_public_cost_yuan"],
            table["difference"],
            xerr=[
                table["extra_public_cost_yuan"] - table["extra_public_cost_low"],
                table["extra_public_cost_high"] - table["extra_public_cost_yuan"],
            ],
            yerr=[table["difference"] - table["difference_low"], table["difference_high"] - table["difference"]],
            fmt="o",
            capsize=3,
        )
        for row in table.itertuples():
            axis.annotate(
                row.scenario,
                (row.extra_public_cost_yuan, row.difference),
                fontsize=7,
                xytext=(4, 4),
                textcoords="offset points",
            )
        axis.axhline(0.0, color="black", linewidth=0.8)
        axis.axvline(0.0, color="black", linewidth=0.8)
        axis.set_xlabel(f"extra public cost over {reference} (yuan/week)", fontsize=8)
        axis.set_ylabel(f"difference in {metric} ({COLUMNS[metric][0]})", fontsize=8)
        axis.set_title(f"{metric}: effect against public cost (95% CI)", fontsize=9)
        axis.tick_params(labelsize=7)
        axis.grid(alpha=0.3)
    return figure


KIND_COLOURS = {"large": "tab:red", "sme": "tab:blue", "micro": "tab:green", "platform": "black"}
TRADE_COLOURS = {"partner": "0.55", "platform": "tab:orange"}
WRAP_NOTE = "the map wraps around: a line leaving one edge comes back at the other"


@dataclass
class MarketLayers:
    """What a market map shows, in map coordinates (the unit torus; platforms as hubs above it at y = 1.08)."""

    partner_trades: np.ndarray  # (T, 2, 2) segments from buyer to seller, the short way round the torus
    platform_trades: np.ndarray  # (T', 2, 2)
    spokes: np.ndarray  # (M, 2, 2) from each member firm to its platform's hub
    firms: dict[str, tuple[np.ndarray, np.ndarray]]  # kind -> (positions (n, 2), machines (n,))
    platforms: np.ndarray  # (P, 2) hubs of the platforms in the market
    title: str


def market_layers(economy, *, weeks_of_trade: str = "last", max_trade_edges: int = 600) -> MarketLayers:
    """The layers of the market map (see :func:`draw_market`), for any drawing library."""
    firms, platforms = economy.firms, economy.platforms
    active = firms.active
    position = firms.location
    hubs = np.column_stack([(np.arange(platforms.n) + 1) / (platforms.n + 1), np.full(platforms.n, 1.08)])

    if weeks_of_trade == "last":
        trades = economy.last_trades
        delivered = np.flatnonzero(trades.delivered)
        heaviest = delivered[np.argsort(-trades.hours[delivered], kind="stable")[:max_trade_edges]]
        buyers, sellers = trades.buyer[heaviest], trades.seller[heaviest]
        on_platform = trades.platform[heaviest] >= 0
    else:
        row = {node: data["row"] for node, data in economy.market_graph.nodes(data=True) if data["kind"] != "platform"}
        edges = [
            (row[u], row[v], data["hours"], data["platform_hours"] > 0.5 * data["hours"])
            for u, v, data in economy.market_graph.edges(data=True)
            if data.get("relation") == "trade"
        ]
        edges.sort(key=lambda edge: -edge[2])
        edges = edges[:max_trade_edges]
        buyers = np.array([u for u, *_ in edges], dtype=np.int64)
        sellers = np.array([v for _, v, *_ in edges], dtype=np.int64)
        on_platform = np.array([platform for *_, platform in edges], dtype=bool)
    start = position[buyers]
    step = position[sellers] - start
    step -= np.round(step)  # the short way round the torus
    segments = np.stack([start, start + step], axis=1).reshape(-1, 2, 2)
    member_rows, member_platforms = np.nonzero(firms.membership & active[:, None])
    by_kind = {}
    for code, kind in enumerate(("large", "sme", "micro")):
        rows = np.flatnonzero(active & (firms.kind == code))
        by_kind[kind] = (position[rows], firms.machines[rows].sum(axis=1))
    heaviest_note = f"the heaviest {max_trade_edges:,} trades" if len(segments) == max_trade_edges else "all trades"
    when = "last week" if weeks_of_trade == "last" else "so far"
    return MarketLayers(
        partner_trades=segments[~on_platform],
        platform_trades=segments[on_platform],
        spokes=np.stack([position[member_rows], hubs[member_platforms]], axis=1).reshape(-1, 2, 2),
        firms=by_kind,
        platforms=hubs[platforms.in_market],  # not rows kept for entrants, nor platforms that exited
        title=f"market in week {economy.steps}: {heaviest_note} {when}",
    )


def draw_market(economy, axis=None, *, weeks_of_trade: str = "last", max_trade_edges: int = 600):
    """Draw the market: firms where they are (the unit torus of the supply network), coloured by kind;
    platforms as hubs above the map, with spokes to their members; and who traded with whom.

    Partners are neighbours on a torus, so a trade between firms near opposite edges
    is drawn the short way round: it leaves the map at one edge (and comes back at the
    other). Only the heaviest ``max_trade_edges`` trades by hours are drawn, so the
    map stays readable as trade grows. ``weeks_of_trade="last"`` draws the last
    week's delivered trades (fast, for live views); ``"all"`` the cumulative trade
    edges of ``economy.market_graph``. The legend sits below the map. Returns the axis.
    """
    from matplotlib.collections import LineCollection

    if axis is None:
        _, axis = plt.subplots(figsize=(6, 6.6))
    layers = market_layers(economy, weeks_of_trade=weeks_of_trade, max_trade_edges=max_trade_edges)
    axis.add_collection(
        LineCollection(layers.partner_trades, colors=TRADE_COLOURS["partner"], linewidths=0.5, alpha=0.6)
    )
    axis.add_collection(
        LineCollection(layers.platform_trades, colors=TRADE_COLOURS["platform"], linewidths=0.5, alpha=0.6)
    )
    if len(layers.spokes):
        axis.add_collection(LineCollection(layers.spokes, colors="black", linewidths=0.15, alpha=0.1))
    for kind, (position, machines) in layers.firms.items():
        size = 4 + 2 * np.sqrt(machines)
        axis.scatter(*position.T, s=size, color=KIND_COLOURS[kind], label=f"{kind} ({len(machines)})", zorder=3)
    if len(layers.platforms):
        axis.scatter(
            *layers.platforms.T, s=160, marker="s", color=KIND_COLOURS["platform"], label="platforms", zorder=4
        )
    for channel, colour in TRADE_COLOURS.items():
        axis.plot([], [], color=colour, label=f"{channel} trade")
    axis.set_xlim(0.0, 1.0)
    axis.set_ylim(0.0, 1.14)
    axis.set_xticks([])
    axis.set_yticks([])
    axis.set_title(layers.title, fontsize=9)
    axis.set_xlabel(WRAP_NOTE, fontsize=7)
    axis.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3, frameon=False)
    return axis


def sweep_figure(runs: pd.DataFrame, steps: pd.DataFrame, parameters: list[str], metrics: list[str]) -> Figure:
    """A grid sweep of one or two parameters at a glance: one column per metric.

    Top: the metric over the weeks at each design point (mean over replicates).
    Bottom: its end-of-run value (the ``runs`` table's window mean) against the
    parameters: a line with the replicates' 95% interval for one parameter, a
    heat map of the mean for two (the first on the x axis). ``runs`` is a sweep's
    ``runs.parquet`` (successful runs), ``steps`` its per-step metrics.
    """

    columns = [f"param.{key}" for key in parameters]
    points = runs.groupby(columns, sort=True)
    figure, axes = plt.subplots(2, len(metrics), figsize=(4.2 * len(metrics), 6.6), squeeze=False)
    for column, metric in enumerate(metrics):
        top, bottom = axes[0, column], axes[1, column]
        unit = COLUMNS[metric][0] if metric in COLUMNS else ""
        for values, group in points:
            values = values if isinstance(values, tuple) else (values,)
            path = steps[steps["run_id"].isin(group["run_id"]) & (steps["step"] > 0)].groupby("step")[metric].mean()
            label = ", ".join(f"{key.split('.')[-1]}={value:g}" for key, value in zip(parameters, values))
            top.plot(path.index, path.to_numpy(), linewidth=1.0, label=label)
        top.set_title(f"{metric} ({unit})" if unit else metric, fontsize=9)
        top.set_xlabel("week", fontsize=8)
        summary = points[metric].agg(["mean", "std", "count"])
        if len(parameters) == 1:
            half = 1.96 * summary["std"] / np.sqrt(summary["count"])
            x = summary.index.to_numpy(dtype=float)
            bottom.errorbar(x, summary["mean"], yerr=half, marker="o", capsize=3)
            bottom.set_xlabel(parameters[0], fontsize=8)
            bottom.set_ylabel(f"end of run ({unit})" if unit else "end of run", fontsize=8)
        else:
            grid = summary["mean"].unstack(level=1)
            image = bottom.imshow(grid.T.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
            bottom.set_xticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index], fontsize=8)
            bottom.set_yticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns], fontsize=8)
            bottom.set_xlabel(parameters[0], fontsize=8)
            bottom.set_ylabel(parameters[1], fontsize=8)
            for (i, j), value in np.ndenumerate(grid.to_numpy()):
                bottom.text(i, j, f"{value:.3g}", ha="center", va="center", fontsize=7, color="white")
            figure.colorbar(image, ax=bottom, shrink=0.8)
        for axis in (top, bottom):
            axis.tick_params(labelsize=8)
            axis.grid(alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    rows_of_legend = -(-len(labels) // 3)
    figure.legend(handles, labels, loc="lower center", ncol=3, fontsize=7, frameon=False)
    figure.tight_layout(rect=(0, 0.03 * rows_of_legend, 1, 1))
    return figure
