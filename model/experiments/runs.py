"""Running scenarios and saving what they produce.

>>> from model import load_scenario
>>> from model.experiments.runs import run_scenario
>>> result = run_scenario(load_scenario("scenarios/baseline.yaml", {"size.firms": 200}), seed=3, steps=4)
>>> list(result.table.columns[:3])
['step', 'utilisation_mean', 'utilisation_std']
"""

from __future__ import annotations

import json
import platform as python_platform
import time
from dataclasses import dataclass
from pathlib import Path

import mesa
import pandas as pd
from tqdm.auto import tqdm

from ..economy.model import SharedManufacturingModel
from ..economy.scenario import Scenario


@dataclass
class RunResult:
    """One finished run: its metrics table (one row per step, from step 0) and how it was made."""

    scenario: Scenario
    seed: int
    steps: int
    table: pd.DataFrame
    wall_time_s: float

    def metadata(self) -> dict:
        """What ``run.json`` records: resolved parameters, seed, versions and wall time."""
        from .. import __version__

        return {
            "scenario": self.scenario.model_dump(),
            "seed": self.seed,
            "steps": self.steps,
            "wall_time_s": round(self.wall_time_s, 4),
            "versions": {
                "shared_manufacturing": __version__,
                "mesa": mesa.__version__,
                "python": python_platform.python_version(),
            },
        }


def run_scenario(
    scenario: Scenario, seed: int, steps: int | None = None, *, progress: bool = False, observer=None
) -> RunResult:
    """Build the economy for ``scenario`` with ``seed`` and play ``steps`` weeks (default: the scenario's).

    ``observer``, if given, is called with the model at the start and after every week.
    """
    steps = scenario.steps if steps is None else steps
    start = time.perf_counter()
    economy = SharedManufacturingModel(scenario, seed=seed)
    if observer is not None:
        observer(economy)
    for _ in tqdm(range(steps), desc=scenario.name or "run", unit="week", disable=not progress, leave=False):
        economy.step()
        if observer is not None:
            observer(economy)
    table = economy.datacollector.get_model_vars_dataframe()
    table.insert(0, "step", range(len(table)))
    return RunResult(scenario, seed, steps, table, time.perf_counter() - start)


def save_run(result: RunResult, out_dir: Path) -> None:
    """Write ``model.parquet``, ``run.json`` and ``headline.png`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result.table.to_parquet(out_dir / "model.parquet", index=False)
    (out_dir / "run.json").write_text(json.dumps(result.metadata(), indent=2), encoding="utf-8")
    save_comparison_figure([result], out_dir / "headline.png")


def save_comparison_figure(results: list[RunResult], path: Path) -> None:
    """Headline metrics of several runs in one figure, one line per run."""
    import matplotlib.pyplot as plt

    from .plots import headline_figure

    path.parent.mkdir(parents=True, exist_ok=True)
    figure = headline_figure({result.scenario.name or f"run {i}": result.table for i, result in enumerate(results)})
    figure.savefig(path, dpi=110)
    plt.close(figure)
