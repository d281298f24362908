"""Running scenarios and saving what they produce.

>>> from model import load_scenario
>>> from model.experiments.runs import run_scenario
>>> result = run_scenario(load_scenario("scenarios/baseline.yaml", {"size.firms": 200}), seed=3, steps=4)
>>> list(result.table.columns[:3])
['step', 'utilisation_mean', 'utilisation_std']
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform as python_platform
import time
from dataclasses import dataclass
from pathlib import Path

import mesa
import pandas as pd
from tqdm.auto import tqdm

from ..economy.ledger import transaction_flow_matrix
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
    ledger: pd.DataFrame | None = None  # yearly transaction-flow matrix, if asked for
    firms: pd.DataFrame | None = None  # per-firm weekly panel, if asked for

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
                "code_digest": code_digest(),
                "mesa": mesa.__version__,
                "python": python_platform.python_version(),
            },
        }


@functools.cache
def code_digest() -> str:
    """A short hash of the model's source (every ``.py`` file of the ``model`` package).

    The package version stays "0.1.0" while the code changes; run ids and sweep
    fingerprints carry this digest instead, so results of different code never mix.
    """
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def run_scenario(
    scenario: Scenario,
    seed: int,
    steps: int | None = None,
    *,
    progress: bool = False,
    observer=None,
    ledger: bool = False,
    firm_panel: bool = False,
) -> RunResult:
    """Build the economy for ``scenario`` with ``seed`` and play ``steps`` weeks (default: the scenario's).

    ``observer``, if given, is called with the model at the start and after every week.
    ``ledger`` keeps the yearly transaction-flow matrix (:func:`model.economy.ledger.transaction_flow_matrix`)
    and ``firm_panel`` the per-firm weekly panel in the result.
    """
    steps = scenario.steps if steps is None else steps
    start = time.perf_counter()
    economy = SharedManufacturingModel(scenario, seed=seed, firm_panel=firm_panel)
    if observer is not None:
        observer(economy)
    for _ in tqdm(range(steps), desc=scenario.name or "run", unit="week", disable=not progress, leave=False):
        economy.step()
        if observer is not None:
            observer(economy)
    table = economy.datacollector.get_model_vars_dataframe()
    table.insert(0, "step", range(len(table)))
    return RunResult(
        scenario,
        seed,
        steps,
        table,
        time.perf_counter() - start,
        ledger=transaction_flow_matrix(economy.ledger.flows()) if ledger else None,
        firms=economy.firm_panel() if firm_panel else None,
    )


def save_run(result: RunResult, out_dir: Path) -> None:
    """Write ``model.parquet``, ``run.json`` and ``headline.png`` into ``out_dir``.

    Also ``ledger.parquet`` (yearly transaction-flow matrix: one row per year and kind
    of payment, one column per sector, inflow minus outflow in yuan) and
    ``firms.parquet`` (the per-firm weekly panel) when the result holds them.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    result.table.to_parquet(out_dir / "model.parquet", index=False)
    if result.ledger is not None:
        result.ledger.to_parquet(out_dir / "ledger.parquet", index=False)
    if result.firms is not None:
        result.firms.to_parquet(out_dir / "firms.parquet", index=False)
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
