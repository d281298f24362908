"""Sweeps: a spec file, its design points, and the runs they expand into.

A sweep spec is YAML, validated like a scenario (one line per problem, naming
the file, the key, the value and what is allowed)::

    scenario: ../sharing.yaml       # relative to the spec file (or, failing that, the working directory)
    steps: 104
    replicates: 5
    seed: 2026
    design: grid                    # grid | lhs | sobol | morris
    samples: 64                     # lhs / sobol / morris
    parameters:
      platforms.commission_rate: [0.02, 0.05, 0.1]     # values, for grid
      size.firms: {low: 500, high: 2000}                # range, for sampled designs
    metrics: [utilisation_mean, unmet_demand_share]    # optional; default: all

Every design point runs ``replicates`` times; replicate ``r`` uses the seed
``SeedSequence(seed, spawn_key=(r,))`` at every design point (common random
numbers). A run's ``run_id`` hashes its resolved scenario, replicate, root seed,
steps and the model version, so the same run always has the same id.

Example
-------
>>> spec = load_sweep_spec("scenarios/sweeps/commission.yaml")
>>> runs = plan_runs(spec)
>>> len(runs) == len(design_points(spec)) * spec.replicates
True
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..economy.metrics import COLUMNS
from ..economy.scenario import PARAMETER_KEYS, Scenario, parameters
from ..economy.scenario_files import (
    ScenarioError,
    ScenarioProblem,
    explain_validation_error,
    load_scenario,
    read_yaml_mapping,
    resolve_scenario_path,
    with_changes,
)
from .comparison import replicate_seed
from .engines import RunTask, executor, interrupts_noticed, load_observer, resolve_observer, run_batch
from .runs import code_digest
from .store import SweepStore

DEFAULT_WINDOW_WEEKS = 13


class Range(BaseModel):
    """A parameter's range for a sampled design."""

    model_config = ConfigDict(extra="forbid", strict=True)
    low: float
    high: float


class SweepSpec(BaseModel):
    """A validated sweep spec. ``scenario_path`` is resolved; ``base`` is the loaded scenario."""

    model_config = ConfigDict(extra="forbid", strict=True, arbitrary_types_allowed=True)

    scenario: str = Field(description="The scenario file every design point starts from.")
    steps: int | None = Field(None, ge=0, le=100_000, description="Weeks per run (default: the scenario's).")
    replicates: int = Field(1, ge=1, le=100_000, description="Runs per design point, on replicate seeds.")
    seed: int = Field(0, ge=0, description="Root seed of the replicate seeds.")
    design_seed: int | None = Field(None, ge=0, description="Seed of a sampled design (default: seed).")
    design: Literal["grid", "lhs", "sobol", "morris"] = Field("grid", description="How design points are chosen.")
    samples: int = Field(16, ge=1, le=1_000_000, description="Base sample size N of lhs, sobol and morris designs.")
    parameters: dict[str, list[Any] | Range] = Field(
        default_factory=dict, description="Swept parameters: values (grid) or {low, high} (sampled designs)."
    )
    metrics: list[str] | None = Field(None, description="Metric columns kept per run (default: all).")
    window: int = Field(
        DEFAULT_WINDOW_WEEKS, ge=1, le=100_000, description="Weeks at the end of a run its end-of-run metrics average."
    )
    observer: str | None = Field(
        None,
        description="Optional 'module:Class' whose instance watches each run (called with the model every week) "
        "and whose result() adds numbers to the run's row, e.g. model.experiments.validation:FactObserver.",
    )
    scenario_path: Path | None = Field(None, exclude=True)
    base: Scenario | None = Field(None, exclude=True)

    @property
    def metric_names(self) -> list[str]:
        return list(self.metrics) if self.metrics else list(COLUMNS)

    def fingerprint(self) -> str:
        """A hash of everything that decides which runs a sweep contains."""
        content = {
            "spec": self.model_dump(mode="json"),
            "base": self.base.model_dump(mode="json") if self.base else None,
            "code": code_digest(),
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]


def load_sweep_spec(
    path: str | Path, overrides: Mapping[str, Any] | None = None, steps: int | None = None
) -> SweepSpec:
    """Read and validate a sweep spec; every problem is reported at once as a :class:`ScenarioError`.

    ``overrides`` (dotted keys) change the scenario every point starts from and ``steps``
    the weeks per run, e.g. to try a sweep small before running it in full; both
    enter the sweep's fingerprint, so ``--resume`` never mixes runs made with and
    without them.
    """
    path = Path(path)
    source = str(path)
    data = read_yaml_mapping(path)
    if steps is not None:
        data = {**data, "steps": steps}
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(explain_validation_error(error, {}, source, root=SweepSpec)) from None

    problems: list[ScenarioProblem] = []
    scenario_path = _find_scenario(path, spec.scenario)
    if scenario_path is None:
        problems.append(
            ScenarioProblem(
                source,
                "scenario",
                spec.scenario,
                f"file not found (looked in {path.parent}, in the working directory and among the shipped scenarios)",
            )
        )
    for metric in spec.metrics or []:
        if metric not in COLUMNS:
            close = difflib.get_close_matches(metric, list(COLUMNS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(ScenarioProblem(source, "metrics", metric, f"unknown metric column{hint}"))
    if not spec.parameters:
        problems.append(ScenarioProblem(source, "parameters", {}, "name at least one parameter to sweep"))
    if spec.observer is not None:
        try:
            observer = resolve_observer(spec.observer, path.parent)
            load_observer(observer)
            spec = spec.model_copy(update={"observer": observer})
        except ValueError as error:
            problems.append(ScenarioProblem(source, "observer", spec.observer, str(error)))
        except (ImportError, AttributeError, OSError, SyntaxError) as error:
            problems.append(ScenarioProblem(source, "observer", spec.observer, f"cannot import it ({error})"))
    kinds = {row["key"]: type(row["default"]) for row in parameters()}
    for key, values in spec.parameters.items():
        where = f"parameters.{key}"
        if key not in PARAMETER_KEYS:
            close = difflib.get_close_matches(key, sorted(PARAMETER_KEYS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(ScenarioProblem(source, where, values, f"unknown parameter{hint}"))
            continue
        if spec.design == "grid" and not isinstance(values, list):
            problems.append(ScenarioProblem(source, where, values.model_dump(), "a grid needs a list of values"))
        elif spec.design != "grid" and not isinstance(values, Range):
            problems.append(
                ScenarioProblem(source, where, values, f"a {spec.design} design needs a range {{low: .., high: ..}}")
            )
        elif isinstance(values, list) and not values:
            problems.append(ScenarioProblem(source, where, values, "give at least one value"))
        elif isinstance(values, Range) and not values.low < values.high:
            problems.append(ScenarioProblem(source, where, values.model_dump(), "low must be below high"))
        elif isinstance(values, Range) and kinds[key] not in (int, float):
            problems.append(ScenarioProblem(source, where, values.model_dump(), "only numeric parameters have ranges"))
    if problems:
        raise ScenarioError(problems)

    base = load_scenario(scenario_path, overrides)
    # Every value (or both ends of every range) must be allowed for its parameter.
    for key, values in spec.parameters.items():
        candidates = [values.low, values.high] if isinstance(values, Range) else values
        for value in candidates:
            value = _as_kind(value, kinds[key])
            try:
                with_changes(base, {key: value})
            except ScenarioError as error:
                problems.extend(ScenarioProblem(source, f"parameters.{key}", value, p.allowed) for p in error.problems)
    if problems:
        raise ScenarioError(problems)
    return spec.model_copy(update={"scenario_path": scenario_path, "base": base})


def _find_scenario(spec_path: Path, name: str) -> Path | None:
    """The spec's scenario: beside the spec, in the working directory, or a shipped one by name."""
    for candidate in (spec_path.parent / name, Path(name), resolve_scenario_path(name)):
        if candidate.is_file():
            return candidate.resolve()
    return None


def _as_kind(value: Any, kind: type) -> Any:
    if kind is int and isinstance(value, float):
        return round(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem definition of a sampled design."""
    names = list(spec.parameters)
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [[spec.parameters[n].low, spec.parameters[n].high] for n in names],
    }


def design_points(spec: SweepSpec) -> list[dict[str, Any]]:
    """The design: one mapping of swept parameter -> value per point, in a fixed order.

    Grid: every combination of the listed values. LHS: ``samples`` points of a Latin
    hypercube. Sobol: Saltelli's extension of a Sobol' sequence, ``samples x (D + 2)``
    points (first-order and total indices). Morris: ``samples`` trajectories of
    ``D + 1`` points. Sampled designs are seeded from the spec's seed; integer
    parameters are rounded.
    """
    kinds = {row["key"]: type(row["default"]) for row in parameters()}
    names = list(spec.parameters)
    if spec.design == "grid":
        rows = itertools.product(*(spec.parameters[name] for name in names))
        return [{name: _as_kind(value, kinds[name]) for name, value in zip(names, row)} for row in rows]
    from SALib.sample import latin, morris, sobol

    problem = salib_problem(spec)
    seed = spec.seed if spec.design_seed is None else spec.design_seed
    if spec.design == "lhs":
        matrix = latin.sample(problem, spec.samples, seed=seed)
    elif spec.design == "sobol":
        matrix = sobol.sample(problem, spec.samples, calc_second_order=False, seed=seed)
    else:
        matrix = morris.sample(problem, spec.samples, seed=seed)
    return [{name: _as_kind(float(value), kinds[name]) for name, value in zip(names, row)} for row in matrix]


def run_id(scenario: Scenario, replicate: int, root_seed: int, steps: int) -> str:
    """Stable identity of a run: a hash of its resolved scenario, replicate, root seed, steps and the model's code."""
    content = {
        "scenario": scenario.model_dump(mode="json"),
        "replicate": replicate,
        "root_seed": root_seed,
        "steps": steps,
        "code": code_digest(),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:20]


def plan_runs(spec: SweepSpec, shard: tuple[int, int] = (0, 1)) -> list[RunTask]:
    """Every run of the sweep (or of shard ``i`` of ``n``: the runs whose position modulo n is i)."""
    assert spec.base is not None, "load the spec with load_sweep_spec"
    index, count = shard
    steps = spec.base.steps if spec.steps is None else spec.steps
    seeds = [replicate_seed(spec.seed, replicate) for replicate in range(spec.replicates)]
    tasks = []
    position = 0
    for point, values in enumerate(design_points(spec)):
        scenario = with_changes(spec.base, values)
        data = scenario.model_dump()
        for replicate in range(spec.replicates):
            if position % count == index:
                tasks.append(
                    RunTask(
                        run_id=run_id(scenario, replicate, spec.seed, steps),
                        point=point,
                        replicate=replicate,
                        seed=seeds[replicate],
                        steps=steps,
                        values=values,
                        scenario=data,
                        metrics=tuple(spec.metric_names),
                        window=spec.window,
                        observer=spec.observer,
                    )
                )
            position += 1
    return tasks


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/N"`` with ``0 <= i < N`` (for SLURM job arrays: ``--array=0-(N-1)``)."""
    try:
        index_text, count_text = text.split("/")
        index, count = int(index_text), int(count_text)
    except ValueError:
        raise ValueError(f"--shard {text!r}: expected i/N, e.g. 0/4") from None
    if not (count >= 1 and 0 <= index < count):
        raise ValueError(f"--shard {text!r}: need 0 <= i < N")
    return index, count


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    scheduler_file: str | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    shard: tuple[int, int] = (0, 1),
    chunk_runs: int = 50,
    chunk_seconds: float = 60.0,
    progress: bool = False,
    rerun_changed: bool = False,
):
    """Run (the rest of) a sweep and return ``runs.parquet`` as a table.

    Finished runs are committed to ``out`` in chunks of ``chunk_runs`` runs (or
    every ``chunk_seconds``, whichever comes first); ``resume`` skips committed
    runs, and ``retry_failed`` reruns those that failed. Runs of the same sweep made
    by another version of the model's code are refused, or with ``rerun_changed``
    moved aside (to ``out/superseded-<digest>/``) and run again. Several runs go to each
    task so that sending work to a worker costs little beside running it.
    """
    import time
    from concurrent.futures import FIRST_COMPLETED, wait

    from tqdm.auto import tqdm

    tasks = plan_runs(spec, shard)
    recorded = {**spec.model_dump(mode="json"), "code": code_digest()}
    store = SweepStore(Path(out), spec.fingerprint(), recorded, resume=resume, shard=shard, rerun_changed=rerun_changed)
    done = store.committed()
    todo = [t for t in tasks if t.run_id not in done or (retry_failed and done[t.run_id] == "failed")]
    buffer: list = []
    last_commit = time.monotonic()

    def flush(force: bool = False) -> None:
        nonlocal buffer, last_commit
        if buffer and (force or len(buffer) >= chunk_runs or time.monotonic() - last_commit > chunk_seconds):
            store.commit(buffer)
            buffer, last_commit = [], time.monotonic()

    with (
        interrupts_noticed() as interrupted,
        executor(workers, scheduler, scheduler_file) as (pool, slots),
        tqdm(total=len(tasks), initial=len(tasks) - len(todo), desc="runs", unit="run", disable=not progress) as bar,
    ):
        per_task = max(1, min(16, -(-len(todo) // (slots * 4)))) if slots > 1 else 1
        batches = iter([todo[i : i + per_task] for i in range(0, len(todo), per_task)])
        running = set()
        try:
            while True:
                while len(running) < 2 * slots:
                    batch = next(batches, None)
                    if batch is None:
                        break
                    running.add(pool.submit(run_batch, batch))
                if not running:
                    break
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    outcomes = future.result()
                    buffer.extend(outcomes)
                    bar.update(len(outcomes))
                flush()
                if interrupted():  # Ctrl-C that a run swallowed (see interrupts_noticed)
                    raise KeyboardInterrupt
        finally:
            flush(force=True)  # an interrupted sweep keeps what it finished
    return store.consolidate()
