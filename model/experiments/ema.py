"""The EMA Workbench as a client: exploratory modelling of the economy under deep uncertainty.

The EMA Workbench (Kwakkel 2017; ``pip install -e ".[ema]"``, Python 3.12 or later)
samples uncertainties and policy levers, runs thousands of experiments and finds
the conditions under which a policy fails (PRIM scenario discovery), which inputs
matter (feature scoring) and which policies are robust. :func:`ema_model` gives it
a ready model of this economy:

* parameters by their dotted keys, under identifier names EMA can use
  (``platforms.commission_rate`` becomes ``platforms_commission_rate``), with the
  schema's type: whole-number keys as integer parameters, ``true``/``false`` and
  named options as categories;
* seeds handled: without ``replications`` every experiment runs on the same seed
  (common random numbers, so experiments differ only by their inputs); with
  ``replications=n`` each experiment runs on ``n`` replicate seeds and every outcome
  is their mean, with its standard deviation as ``<outcome>_sd``;
* outcomes as the mean of the last ``window`` weeks, or as weekly series.

The model function :func:`run_experiment` is a plain function of this package, so
EMA's multiprocessing and Dask evaluators can start it in new processes, also
from a notebook.

Example
-------
>>> from ema_workbench import perform_experiments  # doctest: +SKIP
>>> economy = ema_model(
...     "sharing",
...     uncertainties={"demand.load_factor": (0.8, 1.0), "size.firms": (200, 400)},
...     levers={"platforms.commission_rate": (0.02, 0.2)},
...     weeks=52,
... )  # doctest: +SKIP
>>> experiments, outcomes = perform_experiments(economy, scenarios=20, policies=2)  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..economy.metrics import COLUMNS
from ..economy.scenario import parameters
from ..economy.scenario_files import load_scenario, resolve_scenario_path
from .comparison import replicate_seed
from .runs import run_scenario

DEFAULT_OUTCOMES = ("unmet_demand_share", "utilisation_mean", "unemployment_rate", "welfare_yuan", "public_cost_yuan")

# A range (low, high) or a list of the values a parameter may take.
Spec = tuple[float, float] | Sequence[Any]


def run_experiment(
    *,
    scenario: str,
    weeks: int | None = None,
    window: int = 13,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    series: bool = False,
    seed: int = 1,
    fixed: Mapping[str, Any] | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """One experiment: ``scenario`` with ``fixed`` and ``changes`` (dotted keys) run on ``seed`` for ``weeks`` weeks.

    Returns each outcome as the mean of the last ``window`` weeks, or with
    ``series`` as its weekly values (an array from week 1). NumPy scalars, as EMA
    passes them, are accepted.
    """
    changes = {**(fixed or {}), **changes}
    plain = {key: value.item() if isinstance(value, np.generic) else value for key, value in changes.items()}
    loaded = load_scenario(resolve_scenario_path(scenario), overrides=plain)
    table = run_scenario(loaded, seed=int(seed), steps=None if weeks is None else int(weeks)).table
    played = table[table["step"] > 0]
    if series:
        return {name: played[name].to_numpy(np.float64) for name in outcomes}
    return {name: float(played[name].iloc[-int(window) :].mean()) for name in outcomes}


def ema_model(
    scenario: str | Path = "sharing",
    uncertainties: Mapping[str, Spec] | None = None,
    levers: Mapping[str, Spec] | None = None,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    *,
    fixed: Mapping[str, Any] | None = None,
    weeks: int | None = None,
    window: int = 13,
    seed: int = 1,
    replications: int | None = None,
    series: bool = False,
    name: str = "shared_manufacturing",
):
    """An EMA Workbench model of the economy, ready for ``perform_experiments``.

    Parameters
    ----------
    scenario : str or Path
        A scenario file, or the name of a shipped scenario (``"sharing"``,
        ``"policies/training"``); every experiment starts from it.
    uncertainties, levers : mapping of dotted key to ``(low, high)`` or a list of values
        What EMA samples as uncertainties (the world) and as levers (policies). A
        list makes a categorical parameter; a range takes the key's type from the
        scenario schema (whole numbers give an integer parameter).
    outcomes : sequence of str
        Metric columns (see ``model.COLUMNS``).
    fixed : mapping of dotted key to value, optional
        Parameters held at one value in every experiment (say, ``{"size.firms": 500}``).
    weeks, window : int
        Weeks per run (default: the scenario's) and weeks averaged at the end.
    seed : int
        The seed of every experiment, or with ``replications`` the root of the
        replicate seeds (the same for every experiment: common random numbers).
    replications : int, optional
        Runs per experiment; each outcome is then their mean, and ``<outcome>_sd``
        their standard deviation.
    series : bool
        Outcomes as weekly series instead of window means.

    Raises
    ------
    ValueError
        For an unknown key or outcome, a range outside what the schema allows, or a
        bad number of replications, naming what is wrong and what is allowed.
    """
    import ema_workbench as ema

    known = {row["key"]: row for row in parameters()}
    uncertainties, levers, fixed = dict(uncertainties or {}), dict(levers or {}), dict(fixed or {})
    for key in sorted((set(uncertainties) & set(levers)) | (set(fixed) & (set(uncertainties) | set(levers)))):
        raise ValueError(f"{key}: given twice (as an uncertainty, a lever or a fixed value); choose one")
    for key in fixed:
        _known_key(key, known)
    unknown = [name for name in outcomes if name not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown outcome(s) {', '.join(unknown)}; outcomes are metric columns (model.COLUMNS)")
    if replications is not None and int(replications) < 1:
        raise ValueError(f"replications: {replications!r}; give 1 or more, or None for one run on a fixed seed")

    if replications is None:
        model = ema.Model(name, function=run_experiment)
    else:
        model = ema.ReplicatorModel(name, function=run_experiment)
        model.replications = [{"seed": replicate_seed(seed, r)} for r in range(int(replications))]
    model.uncertainties = [_parameter(ema, key, spec, known) for key, spec in uncertainties.items()]
    model.levers = [_parameter(ema, key, spec, known) for key, spec in levers.items()]
    constants = {"scenario": str(scenario), "weeks": weeks, "window": window, "outcomes": tuple(outcomes)}
    # Fixed values travel as one mapping: EMA's replicator passes constants by name, not variable_name.
    constants.update(series=series, fixed=fixed)
    if replications is None:
        constants["seed"] = seed
    model.constants = [ema.Constant(key, value) for key, value in constants.items()]
    model.outcomes = _outcomes(ema, outcomes, replicated=replications is not None, series=series)
    return model


def ema_model_from_sweep(path: str | Path, levers: Sequence[str] = (), **options: Any):
    """An EMA model from a sweep spec: its parameters become uncertainties (or ``levers``, by key).

    The spec's scenario, weeks, window, metrics (as outcomes), root seed and
    replicates (as replications, when more than one) carry over; ``options`` are
    passed to :func:`ema_model` and win over the spec.
    """
    from .sweeps import load_sweep_spec

    spec = load_sweep_spec(path)
    ranges = {
        key: (value.low, value.high) if hasattr(value, "low") else value for key, value in spec.parameters.items()
    }
    missing = [key for key in levers if key not in ranges]
    if missing:
        raise ValueError(f"{path}: lever(s) {', '.join(missing)} are not among the spec's parameters {sorted(ranges)}")
    settings = {
        "uncertainties": {key: value for key, value in ranges.items() if key not in levers},
        "levers": {key: ranges[key] for key in levers},
        "outcomes": spec.metrics or DEFAULT_OUTCOMES,
        "weeks": spec.steps,
        "window": spec.window,
        "seed": spec.seed,
        "replications": spec.replicates if spec.replicates > 1 else None,
    }
    return ema_model(spec.scenario_path, **{**settings, **options})


def identifier(key: str) -> str:
    """The name EMA uses for a dotted key: ``platforms.commission_rate`` -> ``platforms_commission_rate``."""
    return key.replace(".", "_")


def _parameter(ema, key: str, spec: Spec, known: Mapping[str, dict]):
    """The EMA parameter for ``key``: categorical for a list, integer or real for a range, by the schema's type."""
    row = _known_key(key, known)
    if isinstance(spec, list):
        return ema.CategoricalParameter(identifier(key), spec, variable_name=key)
    if not (isinstance(spec, tuple) and len(spec) == 2):
        raise ValueError(f"{key}: give (low, high) for a range or a list of values, not {spec!r}")
    low, high = spec
    lowest, highest = row["min"], row["max"]
    if low >= high or (lowest is not None and low < lowest) or (highest is not None and high > highest):
        raise ValueError(f"{key}: range ({low}, {high}) must rise and lie within [{lowest}, {highest}] ({row['unit']})")
    default = row["default"]
    if isinstance(default, bool) or not isinstance(default, int | float):
        raise ValueError(f"{key}: takes {type(default).__name__} values; give them as a list, e.g. {[default]!r}")
    if isinstance(default, int):
        return ema.IntegerParameter(identifier(key), int(low), int(high), variable_name=key)
    return ema.RealParameter(identifier(key), float(low), float(high), variable_name=key)


def _known_key(key: str, known: Mapping[str, dict]) -> dict:
    """The schema row of ``key``, or a ValueError naming it and the closest known key."""
    if key not in known:
        hint = difflib.get_close_matches(key, list(known), n=1)
        raise ValueError(f"unknown parameter {key!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
    return known[key]


def _outcomes(ema, names: Sequence[str], *, replicated: bool, series: bool) -> list:
    """Scalar (window mean) or array (weekly series) outcomes; over replications their mean and sd."""
    kind = ema.ArrayOutcome if series else ema.ScalarOutcome
    if not replicated:
        return [kind(name) for name in names]
    return [kind(name, variable_name=name, function=mean_over_replications) for name in names] + [
        kind(f"{name}_sd", variable_name=name, function=sd_over_replications) for name in names
    ]


def mean_over_replications(values: Sequence[Any]) -> Any:
    """Mean over an experiment's replications (element-wise for series)."""
    return np.mean(np.asarray(values, dtype=np.float64), axis=0)


def sd_over_replications(values: Sequence[Any]) -> Any:
    """Standard deviation over an experiment's replications (0 with one)."""
    values = np.asarray(values, dtype=np.float64)
    return np.std(values, axis=0, ddof=1) if len(values) > 1 else np.zeros_like(values[0])
