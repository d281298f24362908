"""Calibration by the method of simulated moments, on the sweep engine.

A calibration spec names a scenario, the free parameters with their ranges, and
the target moments with their sources and the tolerance that weighs them::

    scenario: baseline.yaml
    steps: 104
    replicates: 3
    seed: 17
    samples: 16            # design points per round
    rounds: 3              # each round zooms in around the best point so far
    shrink: 0.5            # ...keeping this share of the range
    parameters:
      demand.load_factor: {low: 0.7, high: 1.1}
    moments:
      utilisation_mean: {target: 0.76, sd: 0.01, source: "NBS capacity utilisation 2016-2023"}
    parameters_file: calibrated_parameters.yaml    # written next to the spec

A moment is a run's end-of-run metric (mean of the last 52 weeks) or a value of
:class:`model.experiments.validation.FactObserver`, averaged over replicates on common random
numbers. The distance of a point is ``sum(((simulated - target) / sd) ** 2)``.
Each round is a Latin-hypercube sweep over the current box; the next box is
centred on the best point so far. The best point's parameters are written as a
scenario fragment that calibrated scenarios extend.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..economy.metrics import COLUMNS
from ..economy.scenario_files import ScenarioError, ScenarioProblem, explain_validation_error, read_yaml_mapping
from .stats import mean_interval
from .sweeps import Range, SweepSpec, load_sweep_spec, run_sweep

OBSERVER = "model.experiments.validation:FactObserver"
OBSERVED = (
    "utilisation_type_spread",
    "size_tail_exponent",
    "growth_laplace_gain",
    "growth_size_slope",
    "degree_tail_exponent",
    "degree_size_spearman",
    "adoption_r2",
    "adoption_midpoint_years",
    "platform_growth_slowdown",
    "capital_drift",
    "firms_drift",
    *(f"platform_value_growth_{year}" for year in range(2, 21)),
)


class Moment(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    target: float
    sd: float = Field(gt=0, description="Tolerance: how far off counts as one unit of distance.")
    source: str = ""


class CalibrationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    scenario: str
    steps: int = Field(104, ge=53, le=100_000, description="Weeks per run (at least two years' worth of data).")
    replicates: int = Field(3, ge=1, le=1000)
    seed: int = Field(0, ge=0)
    samples: int = Field(16, ge=2, le=100_000)
    rounds: int = Field(3, ge=1, le=100)
    shrink: float = Field(0.5, gt=0, le=1)
    parameters: dict[str, Range]
    moments: dict[str, Moment]
    parameters_file: str = "calibrated_parameters.yaml"


def load_calibration_spec(path: str | Path) -> CalibrationSpec:
    """Read and check a calibration spec; problems are raised together as a :class:`ScenarioError`."""
    path = Path(path)
    try:
        spec = CalibrationSpec.model_validate(read_yaml_mapping(path))
    except ValidationError as error:
        raise ScenarioError(explain_validation_error(error, {}, str(path), root=CalibrationSpec)) from None
    known = set(COLUMNS) | set(OBSERVED)
    problems = [
        ScenarioProblem(str(path), f"moments.{name}", name, f"unknown moment (known: {', '.join(sorted(known))})")
        for name in spec.moments
        if name not in known
    ]
    if problems:
        raise ScenarioError(problems)
    return spec


def _round_spec(
    spec: CalibrationSpec, spec_path: Path, box: dict[str, Range], round_index: int, out: Path
) -> SweepSpec:
    """The sweep spec of one round: a new hypercube over ``box``, on the same replicate seeds as every round."""
    metrics = [name for name in spec.moments if name in COLUMNS] or ["utilisation_mean"]
    scenario = (spec_path.parent / spec.scenario).resolve()
    content = {
        "scenario": str(scenario if scenario.is_file() else Path(spec.scenario).resolve()),
        "steps": spec.steps,
        "replicates": spec.replicates,
        "seed": spec.seed,
        "design_seed": spec.seed + round_index,
        "design": "lhs",
        "samples": spec.samples,
        "parameters": {key: {"low": r.low, "high": r.high} for key, r in box.items()},
        "metrics": metrics,
        "window": 52,
        "observer": OBSERVER,
    }
    path = out / f"round_{round_index}.yaml"
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content))
    return load_sweep_spec(path)


def _distances(spec: CalibrationSpec, runs: pd.DataFrame) -> pd.DataFrame:
    """Per design point: parameter values, mean moments over replicates, and the distance."""
    parameters = [f"param.{key}" for key in spec.parameters]
    ok = runs[runs["status"] == "ok"]
    points = ok.groupby("point")[[*parameters, *spec.moments]].mean()
    distance = sum(((points[name] - m.target) / m.sd) ** 2 for name, m in spec.moments.items())
    return points.assign(distance=distance)


def calibrate(
    spec_path: str | Path,
    out: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    scheduler_file: str | None = None,
    progress: bool = False,
) -> dict:
    """Run the calibration rounds and write the parameters file, the moment fit and the convergence plot."""
    spec_path, out = Path(spec_path), Path(out)
    spec = load_calibration_spec(spec_path)
    box = dict(spec.parameters)
    history, best_point, best_runs = [], None, None
    for round_index in range(spec.rounds):
        sweep = _round_spec(spec, spec_path, box, round_index, out)
        runs = run_sweep(
            sweep,
            out / f"round_{round_index}",
            workers=workers,
            scheduler=scheduler,
            scheduler_file=scheduler_file,
            resume=True,
            progress=progress,
        )
        table = _distances(spec, runs).assign(round=round_index)
        history.append(table)
        best = table["distance"].idxmin()
        if best_point is None or table.loc[best, "distance"] < best_point["distance"]:
            best_point = table.loc[best]
            best_runs = runs[(runs["point"] == best) & (runs["status"] == "ok")]
        # The next box: centred on the best point so far, a share `shrink` of the current width.
        box = {}
        for key, original in spec.parameters.items():
            centre = float(best_point[f"param.{key}"])
            half = (original.high - original.low) * spec.shrink ** (round_index + 1) / 2
            box[key] = Range(low=max(original.low, centre - half), high=min(original.high, centre + half))

    calibrated = {key: float(best_point[f"param.{key}"]) for key in spec.parameters}
    kinds = _parameter_kinds()
    calibrated = {key: (round(value) if kinds.get(key) is int else value) for key, value in calibrated.items()}
    fit = pd.DataFrame(
        [
            {
                "moment": name,
                "target": moment.target,
                "sd": moment.sd,
                "simulated": (interval := mean_interval(best_runs[name].to_numpy(dtype=float))).mean,
                "low": interval.low,
                "high": interval.high,
                "z": (interval.mean - moment.target) / moment.sd,
                "source": moment.source,
            }
            for name, moment in spec.moments.items()
        ]
    )
    out.mkdir(parents=True, exist_ok=True)
    fit.to_csv(out / "moment_fit.csv", index=False)
    all_points = pd.concat(history)
    all_points.to_csv(out / "design_points.csv")
    parameters_path = spec_path.parent / spec.parameters_file
    parameters_path.write_text(_parameters_yaml(calibrated, spec, float(best_point["distance"])), encoding="utf-8")
    _convergence_figure(all_points).savefig(out / "convergence.png", dpi=100)
    summary = {
        "parameters": calibrated,
        "distance": float(best_point["distance"]),
        "rounds": spec.rounds,
        "runs": int(sum(len(h) for h in history) * spec.replicates),
        "parameters_file": str(parameters_path),
    }
    (out / "calibration.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return {"summary": summary, "fit": fit}


def _parameter_kinds() -> dict[str, type]:
    from ..economy.scenario import parameters

    return {row["key"]: type(row["default"]) for row in parameters()}


def _parameters_yaml(calibrated: dict[str, float], spec: CalibrationSpec, distance: float) -> str:
    nested: dict = {}
    for key, value in calibrated.items():
        node = nested
        *sections, last = key.split(".")
        for section in sections:
            node = node.setdefault(section, {})
        node[last] = value
    moments = ", ".join(f"{name} = {m.target}" for name, m in spec.moments.items())
    header = (
        "# Calibrated parameters, written by `python run.py calibrate` (method of simulated moments).\n"
        f"# Targets: {moments}. Distance at the optimum: {distance:.3f}.\n"
        "# Calibrated scenarios extend this file; do not edit it by hand.\n"
    )
    return header + yaml.safe_dump(nested, sort_keys=False)


def _convergence_figure(points: pd.DataFrame):
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 3.5), layout="constrained")
    order = np.arange(len(points))
    axis.scatter(order, points["distance"], s=10, c=points["round"], cmap="viridis", label="design points")
    axis.plot(order, np.minimum.accumulate(points["distance"].to_numpy()), color="black", label="best so far")
    axis.set_yscale("log")
    axis.set_xlabel("design point (rounds in order)")
    axis.set_ylabel("distance to the target moments")
    axis.legend(fontsize=8)
    return figure
