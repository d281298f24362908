"""Interactive shared-manufacturing economy for students, built with Mesa's SolaraViz.

    pip install -e ".[viz]"
    solara run app.py

Sliders set four policy levers; the economy is the classroom scenario
(``scenarios/classroom.yaml``), and every slider starts at that scenario's value,
with the range the scenario schema allows: nothing here restates a default.
Each browser session builds its own economy (:func:`Page`), so a whole class can
use one server.
"""

from __future__ import annotations

from pathlib import Path

import solara
from matplotlib.figure import Figure
from mesa.visualization import Slider, SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from model import SharedManufacturingModel, load_scenario
from model.economy.scenario import parameters
from model.experiments.plots import draw_market

CLASSROOM = Path(__file__).resolve().parent / "scenarios" / "classroom.yaml"

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


def lever_sliders() -> dict:
    """One slider per lever: the classroom value to start, the schema's range."""
    ranges = {row["key"]: (row["min"], row["max"]) for row in parameters()}
    sliders = {}
    for name, (key, label) in LEVERS.items():
        low, high = ranges[key]
        sliders[name] = Slider(label, value=classroom_value(key), min=low, max=high, step=0.01)
    # A whole-number slider, not free text: a typed "abc" cannot reach the model.
    sliders["seed"] = Slider("Random seed", value=1, min=0, max=999, step=1)
    return sliders


@solara.component
def MarketView(model):  # noqa: N802 - Solara components are named like classes
    """The market graph, redrawn every step: firms by kind, platforms as hubs, last week's trades."""
    update_counter.get()
    solara.Markdown(f"**Week {model.steps}**")  # Mesa 3.3 shows "Step: n", Mesa 3.5 "Time: n.0"
    figure = Figure(figsize=(5.5, 5.5))
    draw_market(model, figure.subplots())
    solara.FigureMatplotlib(figure, format="png")


COMPONENTS = [
    make_plot_component({"utilisation_mean": "tab:blue", "idle_share": "tab:gray"}),
    make_plot_component({"shared_hours": "tab:orange"}),
    make_plot_component(
        {
            "employment_permanent": "tab:blue",
            "employment_flexible": "tab:orange",
            "micro_entrepreneurs": "tab:green",
            "unemployed": "tab:red",
        }
    ),
    (MarketView, 0),
]


@solara.component
def Page():  # noqa: N802 - the component `solara run` renders
    """One economy per browser session: each visitor's Step and Reset move only their own."""
    economy = solara.use_memo(ClassroomEconomy, dependencies=[])
    return SolaraViz(
        economy,
        components=COMPONENTS,
        model_params=lever_sliders(),
        name="Shared manufacturing: what do the levers do?",
    )
