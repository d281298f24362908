"""Interactive shared-manufacturing economy for students, built with Mesa's Solara components.

    pip install -e ".[viz]"
    solara run app.py

Sliders set four policy levers; the economy is the classroom scenario
(``scenarios/classroom.yaml``), and every slider starts at that scenario's value,
with the range the scenario schema allows: nothing here restates a default.
Each browser session builds its own economy (:func:`Page`), so a whole class can
use one server.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import bqplot
import numpy as np
import solara
from matplotlib.colors import to_hex
from mesa.visualization import Slider
from mesa.visualization.solara_viz import ModelController, ModelCreator
from mesa.visualization.utils import update_counter

from model import SharedManufacturingModel, load_scenario
from model.economy.scenario import parameters
from model.experiments.plots import KIND_COLOURS, TRADE_COLOURS, WRAP_NOTE, market_layers

CLASSROOM = Path(__file__).resolve().parent / "scenarios" / "classroom.yaml"
_RUN_NUMBERS = itertools.count(1)  # tells one economy from the next after a Reset

# Slider name -> (dotted scenario key, label).
LEVERS = {
    "commission_rate": ("platforms.commission_rate", "Commission"),
    "credit_system": ("platforms.credit_system", "Credit system"),
    "digitalisation_subsidy": ("platforms.digitalisation_subsidy", "Digital subsidy"),
    "large_firm_openness": ("firms.large.openness", "Large-firm openness"),
}


def classroom_value(key: str) -> float:
    """A parameter's value in the classroom scenario (dotted key)."""
    value = load_scenario(CLASSROOM)
    for part in key.split("."):
        value = getattr(value, part)
    return value


class ClassroomEconomy(SharedManufacturingModel):
    """The classroom scenario with the policy levers as keyword arguments (what the sliders set).

    A lever left at ``None`` keeps the classroom scenario's value.
    """

    def __init__(
        self,
        commission_rate: float | None = None,
        credit_system: float | None = None,
        digitalisation_subsidy: float | None = None,
        large_firm_openness: float | None = None,
        seed: int | None = 1,
    ):
        chosen = {
            "commission_rate": commission_rate,
            "credit_system": credit_system,
            "digitalisation_subsidy": digitalisation_subsidy,
            "large_firm_openness": large_firm_openness,
        }
        overrides = {LEVERS[name][0]: value for name, value in chosen.items() if value is not None}
        super().__init__(load_scenario(CLASSROOM, overrides), seed=seed)
        self.run_number = next(_RUN_NUMBERS)


def lever_rows() -> dict[str, dict]:
    """Each lever's row of the scenario schema (range, unit, one-line meaning)."""
    rows = {row["key"]: row for row in parameters()}
    return {name: rows[key] for name, (key, _) in LEVERS.items()}


def lever_sliders() -> dict:
    """One slider per lever: the classroom value to start, the schema's range, the unit in the label."""
    sliders = {}
    for name, row in lever_rows().items():
        label = f"{LEVERS[name][1]} ({row['unit']})"
        sliders[name] = Slider(label, value=classroom_value(row["key"]), min=row["min"], max=row["max"], step=0.01)
    # A whole-number slider, not free text: a typed "abc" cannot reach the model.
    sliders["seed"] = Slider("Random seed (same seed, same economy)", value=1, min=0, max=999, step=1)
    return sliders


def introduction() -> str:
    """What the page shows, in words a student meets first; the levers' meanings come from the schema."""
    levers = "\n".join(
        f"* **{LEVERS[name][1]}** ({row['unit']}, {row['min']:g} to {row['max']:g}): {row['doc']}"
        for name, row in lever_rows().items()
    )
    return f"""
**An economy of {load_scenario(CLASSROOM).size.firms:,} factories** - large firms, small and medium firms
and one-person workshops - that can rent each other's idle machines, directly or on a capacity-sharing
platform. **One step is one week.** Platforms spread slowly: firms hear of them from partners, so
lever effects take months to show (run 26 or more weeks).

**Levers** (set them, then press **Reset**: a change applies to a new economy, not the running one):

{levers}
"""


@solara.component
def WeekCounter(model):  # noqa: N802 - Solara components are named like classes
    """The week the economy is in, at the top, above the fold (Mesa 3.3 says "Step", 3.5 "Time").

    A plain heading, not Markdown: the browser re-renders a Markdown element in about 45 ms, so the week
    showed after the plots that depend on it (measured with ``benchmarks/app_step_time.py``).
    """
    update_counter.get()
    solara.HTML(tag="h2", unsafe_innerHTML=f"Week {model.steps}")


def time_series(title: str, unit: str, series: dict[str, tuple[str, str]]):
    """A plot component of weekly columns: ``series`` maps a column to its (legend name, colour).

    Weeks start at 1: week 0 is the economy before its first week, when flows are still zero.
    The plot is a bqplot widget drawn in the browser: a step sends it only the new numbers.
    """

    @solara.component
    def TimeSeries(model):  # noqa: N802 - Solara components are named like classes
        update_counter.get()
        shown, before_reset = solara.use_ref(None), solara.use_ref(None)  # this session's runs, for this plot
        table = model.datacollector.get_model_vars_dataframe().iloc[1:]
        run = getattr(model, "run_number", 0)
        if shown.current is not None and shown.current[0] != run:
            before_reset.current = shown.current[1]  # Reset: keep the last run to draw it faintly
        shown.current = (run, table)
        # One pair of scales for every line of this plot, kept across steps.
        week, value = solara.use_memo(lambda: (bqplot.LinearScale(), bqplot.LinearScale()), dependencies=[])
        previous = before_reset.current
        shown_values = [_column(data, column) for data in (table, previous) if data is not None for column in series]
        low, high = _span(shown_values)
        entries = len(series) + (previous is not None)
        value.min, value.max = low, high + (0.25 + 0.2 * entries) * (high - low)  # room at the top for the legend
        lines = [
            bqplot.Lines.element(scales={"x": week, "y": value}, **line)
            for line in series_lines(table, series, previous)
        ]
        bqplot.Figure.element(
            marks=lines,
            axes=[
                bqplot.Axis.element(scale=week, label="week"),
                bqplot.Axis.element(scale=value, orientation="vertical", label=unit, label_offset="40px"),
            ],
            title=title,
            legend_location="top-left",
            fig_margin={"top": 40, "bottom": 40, "left": 60, "right": 10},
            layout={"height": "260px", "width": "100%"},
        )

    return TimeSeries


FAINT = 0.35  # opacity of the run before the last Reset


def series_lines(table, series: dict[str, tuple[str, str]], previous=None) -> list[dict]:
    """The lines of a plot, as ``bqplot.Lines`` keywords: each series of ``table``, and of a ``previous`` run faintly.

    The previous run (before the last Reset) is dashed and faint, with one legend entry for all its lines.
    """
    lines = []
    for column, (name, colour) in series.items():
        if previous is not None and len(previous):
            lines.append(
                {
                    "x": previous.index.to_numpy(),
                    "y": _column(previous, column),
                    "colors": [to_hex(colour)],
                    "opacities": [FAINT],
                    "line_style": "dashed",
                    "labels": ["before the last Reset"],
                    "display_legend": not lines,
                }
            )
        values = {"x": table.index.to_numpy(), "y": _column(table, column)}
        # Markers while a run has too few weeks to draw a line (week 1 is a single point).
        marker = {"marker": "circle" if len(table) < 3 else None, "marker_size": 16}
        lines.append({**values, **marker, "colors": [to_hex(colour)], "labels": [name], "display_legend": True})
    return lines


def _span(arrays) -> tuple[float, float]:
    """Lowest and highest value shown (0 to 1 when there is nothing yet)."""
    values = [a for a in arrays if a.size]
    if not values:
        return 0.0, 1.0
    low, high = float(min(a.min() for a in values)), float(max(a.max() for a in values))
    if high > low:
        return low, high
    pad = 0.1 * abs(low) or 0.5  # one value so far (week 1): a band around it, not below 0 for a count or share
    return (max(low - pad, 0.0) if low >= 0 else low - pad), high + pad


def _column(table, column: str):
    return (table[column] if column in table else derived(table, column)).to_numpy()


def derived(table, column: str):
    """Columns the plots show that the model does not collect under that name."""
    if column == "firms_on_a_platform_share":
        return table["platform_members"] / table[["n_large", "n_sme", "n_micro"]].sum(axis=1)
    if column == "platform_hours":
        return table["shared_hours"] * table["platform_share"]
    raise KeyError(column)


FIRM_DOTS = {"large": 110, "sme": 28, "micro": 10}  # dot area (square pixels) by kind: bigger firms, bigger dots
# The map's line layers: (layer, colour, opacity, legend entry or None).
MAP_LINES = (
    ("spokes", KIND_COLOURS["platform"], 0.1, None),
    ("partner_trades", TRADE_COLOURS["partner"], 0.6, "partner trade"),
    ("platform_trades", TRADE_COLOURS["platform"], 0.6, "platform trade"),
)


@solara.component
def MarketView(model):  # noqa: N802 - Solara components are named like classes
    """The market map, redrawn every step: firms by kind, platforms as hubs, last week's heaviest trades.

    Drawn in the browser like the plots (bqplot): a step sends the new positions and trades, not an image.
    Three marks in all (the lines, the firms, the platforms), as each mark the browser updates costs a redraw.
    The legend is text below the map, so it covers nothing.
    """
    update_counter.get()
    layers = market_layers(model, max_trade_edges=300)
    x, y, colour, size = solara.use_memo(
        lambda: (
            bqplot.LinearScale(min=0.0, max=1.0),
            bqplot.LinearScale(min=0.0, max=1.14),
            bqplot.OrdinalColorScale(
                domain=list(range(len(FIRM_DOTS))), colors=[to_hex(KIND_COLOURS[k]) for k in FIRM_DOTS]
            ),
            bqplot.LinearScale(min=0.0, max=float(max(FIRM_DOTS.values()))),
        ),
        [],
    )
    on_map = {"x": x, "y": y}
    bqplot.Figure.element(
        marks=[
            bqplot.Lines.element(scales=on_map, **map_lines(layers)),
            bqplot.Scatter.element(scales={**on_map, "color": colour, "size": size}, **map_firms(layers)),
            bqplot.Scatter.element(scales=on_map, **map_platforms(layers)),
        ],
        axes=[
            bqplot.Axis.element(scale=x, label=WRAP_NOTE, num_ticks=0),
            bqplot.Axis.element(scale=y, orientation="vertical", num_ticks=0),
        ],
        title=layers.title,
        fig_margin={"top": 40, "bottom": 30, "left": 10, "right": 10},
        layout={"height": "560px", "width": "500px"},  # about square: the firms live on a unit torus
    )
    solara.HTML(tag="div", unsafe_innerHTML=map_legend(layers))  # plain HTML: Markdown redraws slowly


def map_lines(layers) -> dict:
    """The map's lines as ``bqplot.Lines`` keywords: one line per layer of :data:`MAP_LINES`, its segments
    separated by gaps (NaN), so the browser draws three paths rather than hundreds; shorter layers end in gaps."""
    paths = []
    for name, *_ in MAP_LINES:
        segments = getattr(layers, name)  # (S, 2, 2): a third point, NaN, after each segment breaks the line
        paths.append(np.concatenate([segments, np.full((len(segments), 1, 2), np.nan)], axis=1).reshape(-1, 2))
    padded = np.full((len(paths), max(1, *map(len, paths)), 2), np.nan)
    for row, path in enumerate(paths):
        padded[row, : len(path)] = path
    return {
        "x": padded[:, :, 0],
        "y": padded[:, :, 1],
        "colors": [to_hex(colour) for _, colour, _, _ in MAP_LINES],
        "opacities": [opacity for _, _, opacity, _ in MAP_LINES],
        "stroke_width": 1.0,
    }


def map_firms(layers) -> dict:
    """The map's firms as ``bqplot.Scatter`` keywords: coloured and sized by kind (:data:`FIRM_DOTS`)."""
    positions = [layers.firms[kind][0] for kind in FIRM_DOTS]
    kinds = np.concatenate([np.full(len(p), code) for code, p in enumerate(positions)])
    everyone = np.concatenate(positions)
    return {
        "x": everyone[:, 0],
        "y": everyone[:, 1],
        "color": kinds,
        "size": np.array(list(FIRM_DOTS.values()), np.float64)[kinds],
        "default_size": max(FIRM_DOTS.values()),
    }


def map_platforms(layers) -> dict:
    """The platforms' hubs above the map, as ``bqplot.Scatter`` keywords."""
    hubs = layers.platforms
    colour = to_hex(KIND_COLOURS["platform"])
    return {"x": hubs[:, 0], "y": hubs[:, 1], "colors": [colour], "marker": "square", "default_size": 200}


def map_legend(layers) -> str:
    """The map's legend, as HTML: a coloured mark and what it stands for, with the firms of each kind counted."""
    entries = [(KIND_COLOURS[kind], "&#9679;", f"{kind} ({len(layers.firms[kind][1]):,})") for kind in FIRM_DOTS]
    entries.append((KIND_COLOURS["platform"], "&#9632;", "platforms"))
    entries += [(colour, "&#9473;", entry) for _, colour, _, entry in MAP_LINES if entry]
    shown = " &nbsp; ".join(f'<span style="color:{to_hex(c)}">{mark}</span> {text}' for c, mark, text in entries)
    return f'<div style="font-size:0.85em; text-align:center">{shown}</div>'


PLOTS = [
    time_series(
        "Machines in use",
        "share",
        {
            "utilisation_mean": ("capacity used (capacity-weighted)", "tab:blue"),
            "idle_share": ("firms using under half their machines", "tab:gray"),
        },
    ),
    time_series(
        "Machine-hours rented from other firms",
        "machine-hours per week",
        {"shared_hours": ("all rented hours", "tab:orange"), "platform_hours": ("of which on platforms", "tab:red")},
    ),
    time_series(
        "Platform adoption",
        "share of firms",
        {"firms_on_a_platform_share": ("firms on a platform", "tab:purple")},
    ),
    time_series(
        "Work",
        "people",
        {
            "employment_permanent": ("permanent jobs", "tab:blue"),
            "employment_flexible": ("flexible (task) work this week", "tab:orange"),
            "micro_entrepreneurs": ("running a one-person workshop", "tab:green"),
            "unemployed": ("looking for work", "tab:red"),
        },
    ),
    MarketView,
]


TITLE = "Shared manufacturing: what do the levers do?"


@solara.component
def Page():  # noqa: N802 - the component `solara run` renders
    """One economy per browser session: each visitor's Step and Reset move only their own.

    Mesa's own parts run the economy (:func:`ModelController`: Reset, Play, Step)
    and set the levers (:func:`ModelCreator`); the layout is ours, without the
    controls a class does not need (play and render intervals, threads, page tabs).
    """
    economy = solara.use_reactive(solara.use_memo(ClassroomEconomy, dependencies=[]))
    chosen_levers = solara.use_reactive({})
    # Mesa's controller reads these as reactive values; fixed here, as the class needs no sliders for them.
    play_interval, render_interval, use_threads = (solara.use_reactive(v) for v in (300, 1, False))
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run the economy"):
            ModelController(
                economy,
                model_parameters=chosen_levers,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
        with solara.Card("Levers"):
            solara.Markdown("Set them, then press **Reset**: a change applies to a new economy.")
            ModelCreator(economy, lever_sliders(), model_parameters=chosen_levers)
            solara.Markdown(lever_values(chosen_levers.value))
    with solara.Column():
        WeekCounter(economy.value)
        solara.Markdown(introduction())  # the same every week: not redrawn on a step
        for left, right in itertools.zip_longest(PLOTS[::2], PLOTS[1::2]):
            with solara.Columns([1, 1]):
                left(economy.value)
                if right is not None:
                    right(economy.value)


def lever_values(chosen: dict) -> str:
    """The levers' values for the next Reset, with units: the sliders themselves show no numbers."""
    rows = lever_rows()
    values = [
        f"{LEVERS[name][1]}: **{chosen.get(name, classroom_value(row['key'])):g}** {row['unit']}"
        for name, row in rows.items()
    ]
    return "  \n".join(["Next Reset:", *values, f"Random seed: **{chosen.get('seed', 1)}**"])
