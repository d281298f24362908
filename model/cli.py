"""Command line of the shared-manufacturing economy.

    python run.py run SCENARIO [SCENARIO ...] [--seed N] [--steps N] [--out DIR] [--set KEY=VALUE]... [--ledger]
                      [--firm-panel]
    python run.py compare A.yaml B.yaml [C.yaml ...] [--seeds N] [--steps N] [--out DIR]
    python run.py sweep SPEC [--out DIR] [--set KEY=VALUE]... [--steps N] [--workers N] [--scheduler ADDR] [--resume]
                    [--rerun-changed] [--shard i/N]
    python run.py sensitivity SPEC [--out DIR] [--workers N] [--scheduler ADDR]
    python run.py calibrate SPEC [--out DIR] [--workers N]
    python run.py validate-model [--seeds N] [--quick] [--out DIR] [--report FILE] [--workers N]
    python run.py validate FILE_OR_FOLDER [...]
    python run.py params [--format table|json]
    python run.py schema [--out FILE]

A user mistake (a bad scenario file, an unknown ``--set`` key, a value out of
range) prints one line per problem, naming the file, key, value and what is
allowed, and exits with status 2, before anything runs. No traceback.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .economy.metrics import COLUMNS
from .economy.scenario import Scenario, parameters, scenario_json_schema
from .economy.scenario_files import (
    ScenarioError,
    load_scenario,
    parse_assignment,
    read_yaml_mapping,
    resolve_scenario_path,
)
from .experiments.calibration import calibrate, load_calibration_spec
from .experiments.comparison import COST_METRICS, END_WEEKS, compare_scenarios, cost_effectiveness
from .experiments.engines import caused_by_interrupt
from .experiments.plots import HEADLINE_METRICS, comparison_figure, cost_effectiveness_figure, sweep_figure
from .experiments.runs import RunResult, run_scenario, save_comparison_figure, save_run
from .experiments.sensitivity import SensitivityError, sensitivity_figure, sensitivity_indices
from .experiments.store import SweepStoreError, committed_runs
from .experiments.sweeps import SweepSpec, load_sweep_spec, parse_shard, run_sweep
from .experiments.validation_report import validate_model

EXIT_USER_ERROR = 2
SUMMARY_WEEKS = 52


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the command line (``run.py``, ``shared-mfg``, ``python -m model``); returns the exit status."""
    import matplotlib

    matplotlib.use("Agg")  # the command line writes figures to files, on clusters and in CI too
    parser = _parser(prog)
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # to tell an interrupted sweep how to resume
    args.prog = f"python {parser.prog}" if parser.prog.endswith(".py") else parser.prog
    try:
        return args.command(args)
    except ScenarioError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        if not caused_by_interrupt(error):
            raise
        print("interrupted", file=sys.stderr)  # Ctrl-C that came back wrapped by a compiled kernel
        return 130


def _parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Shared-manufacturing economy: run scenarios and compare them."
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run one or more scenarios on one seed",
        description=(
            "Run scenarios and write model.parquet (one row per week), run.json (resolved parameters, seed, "
            "versions, wall time) and headline.png. With one scenario the files go to --out (default "
            "out/<scenario name>); with several, to --out/<scenario name>/ (default out/), with a side-by-side "
            "headline.png in --out, and the summary shows each scenario's difference from the first."
        ),
    )
    run.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO", help="scenario YAML file(s)")
    run.add_argument("--seed", type=_seed, default=1, help="random seed, a whole number >= 0 (default: 1)")
    run.add_argument("--steps", type=_non_negative_int, default=None, help="weeks to run (default: the scenario's)")
    run.add_argument("--out", type=Path, default=None, help="output directory")
    run.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter with a dotted key, e.g. --set platforms.commission_rate=0.1 (repeatable)",
    )
    run.add_argument(
        "--ledger",
        action="store_true",
        help="also write ledger.parquet: the yearly transaction-flow matrix (kinds of payment x sectors, yuan)",
    )
    run.add_argument("--firm-panel", action="store_true", help="also write firms.parquet: one row per firm per week")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(command=_run_command)

    compare = commands.add_parser(
        "compare",
        help="compare scenarios over several seeds, with confidence intervals",
        description=(
            "Run every scenario on the same seeds (common random numbers) and report, for each headline metric "
            "at the end of the run (mean of the last --window weeks), the mean and 95%% CI across seeds and the "
            "paired difference from the first scenario with its 95%% CI. Writes DIR/compare.csv and "
            "DIR/compare.png."
        ),
    )
    compare.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO", help="scenario YAML files")
    compare.add_argument(
        "--seeds", type=_at_least_two, default=10, help="replicate seeds per scenario, 2 or more (default 10)"
    )
    compare.add_argument(
        "--seed", type=_seed, default=1, help="root seed the replicate seeds derive from, >= 0 (default 1)"
    )
    compare.add_argument("--steps", type=_non_negative_int, default=None, help="weeks per run (default: scenario's)")
    compare.add_argument("--out", type=Path, default=Path("out/compare"), help="output directory (default out/compare)")
    compare.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter in every scenario (repeatable)",
    )
    compare.add_argument(
        "--metrics",
        type=_metric_list,
        default=HEADLINE_METRICS,
        metavar="NAMES",
        help="comma-separated columns to report, or 'all' (default: the headline metrics)",
    )
    compare.add_argument(
        "--window",
        type=_positive_int,
        default=END_WEEKS,
        metavar="WEEKS",
        help=f"weeks at the end of each run to average (default {END_WEEKS})",
    )
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    compare.set_defaults(command=_compare_command)

    sweep = commands.add_parser(
        "sweep",
        help="run a sweep spec (grid, lhs, sobol, morris) on this machine or a cluster",
        description=(
            "Run every design point of a sweep spec, replicates on common random numbers, and write "
            "DIR/runs.parquet (one row per run), DIR/steps/ (per-step metrics, chunked) and DIR/manifest.jsonl. "
            "Finished runs are committed in chunks, so an interrupted sweep resumes with --resume."
        ),
    )
    _add_sweep_arguments(sweep)
    sweep.add_argument("--retry-failed", action="store_true", help="with --resume: rerun runs that failed")
    sweep.add_argument(
        "--rerun-changed",
        action="store_true",
        help="if --out holds this sweep's runs made by another version of the model's code, move them aside "
        "(to DIR/superseded-<digest>/) and run the sweep again",
    )
    sweep.add_argument(
        "--shard", default="0/1", metavar="i/N", help="run only shard i of N (0 <= i < N), e.g. for SLURM arrays"
    )
    sweep.set_defaults(command=_sweep_command)

    sensitivity = commands.add_parser(
        "sensitivity",
        help="Sobol or Morris sensitivity indices of a sobol/morris sweep (runs or reuses it)",
        description=(
            "Run (or finish) a sobol or morris sweep and compute sensitivity indices with SALib for its metrics: "
            "DIR/sensitivity.csv and DIR/sensitivity.png, with 95% confidence intervals."
        ),
    )
    _add_sweep_arguments(sensitivity)
    sensitivity.set_defaults(command=_sensitivity_command)

    calibrate = commands.add_parser(
        "calibrate",
        help="calibrate free parameters to target moments (method of simulated moments, on the sweep engine)",
        description=(
            "Run rounds of Latin-hypercube sweeps that zoom in on the parameters whose simulated moments come "
            "closest to the targets of a calibration spec. Writes the calibrated parameter file named in the "
            "spec, DIR/moment_fit.csv, DIR/convergence.png and DIR/calibration.json."
        ),
    )
    calibrate.add_argument("spec", type=Path, metavar="SPEC", help="calibration spec YAML file")
    calibrate.add_argument("--out", type=Path, default=None, help="output directory (default out/<spec name>)")
    _add_engine_arguments(calibrate)
    calibrate.set_defaults(command=_calibrate_command)

    validation = commands.add_parser(
        "validate-model",
        help="run the calibrated scenarios over many seeds and report every stylised fact",
        description=(
            "Run the calibrated baseline, sharing and demand-cycle economies over N seeds and write a report: "
            "for every stylised fact its target and source, the measured value with a 95%% CI, and match or miss."
        ),
    )
    validation.add_argument("--seeds", type=_positive_int, default=50, help="seeds per scenario (default 50)")
    validation.add_argument("--quick", action="store_true", help="small economies and 3 seeds, for CI")
    validation.add_argument("--out", type=Path, default=Path("out/validation"), help="directory for figures and data")
    validation.add_argument("--report", type=Path, default=None, help="report file (default DIR/validation.md)")
    _add_engine_arguments(validation)
    validation.set_defaults(command=_validate_model_command)

    validate = commands.add_parser(
        "validate", help="check scenario files, sweep and calibration specs (or folders of them) without running them"
    )
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE_OR_FOLDER")
    validate.set_defaults(command=_validate_command)

    params = commands.add_parser("params", help="list every parameter with its default, range, unit and meaning")
    params.add_argument("--format", choices=("table", "json"), default="table")
    params.set_defaults(command=_params_command)

    schema = commands.add_parser("schema", help="write the JSON Schema of scenario files (for editors)")
    schema.add_argument("--out", type=Path, default=None, help="file to write (default: standard output)")
    schema.set_defaults(command=_schema_command)
    return parser


def _add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers", type=_positive_int, default=1, help="local worker processes (default 1: in-process)"
    )
    parser.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786"
    )
    parser.add_argument(
        "--scheduler-file", default=None, metavar="FILE", help="Dask scheduler file (dask-jobqueue, SLURM)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _calibrate_command(args: argparse.Namespace) -> int:
    out = args.out or Path("out") / args.spec.stem
    try:
        result = calibrate(
            args.spec,
            out,
            workers=args.workers,
            scheduler=args.scheduler,
            scheduler_file=args.scheduler_file,
            progress=not args.quiet,
        )
    except SweepStoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    summary = result["summary"]
    print(result["fit"].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(
        f"\ncalibrated {summary['parameters']}; distance at the optimum {summary['distance']:.3f} "
        f"({summary['runs']} runs)"
    )
    print(f"-> {summary['parameters_file']}, {out / 'moment_fit.csv'}, {out / 'convergence.png'}")
    return 0


def _validate_model_command(args: argparse.Namespace) -> int:
    seeds = 3 if args.quick and args.seeds == 50 else args.seeds
    facts = validate_model(
        seeds,
        quick=args.quick,
        out=args.out,
        report=args.report,
        workers=args.workers,
        scheduler=args.scheduler,
        scheduler_file=args.scheduler_file,
    )
    for fact in facts:
        print(f"{'match' if fact.matched else 'MISS '}  {fact.name}: {fact.measured} (target {fact.target})")
    print(f"-> {args.report or args.out / 'validation.md'}")
    return 0


def _add_sweep_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", type=Path, metavar="SPEC", help="sweep spec YAML file")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default out/<spec name>)")
    parser.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter of the spec's scenario, e.g. --set size.firms=200 to try a sweep small (repeatable)",
    )
    parser.add_argument("--steps", type=_non_negative_int, default=None, help="weeks per run (default: the spec's)")
    _add_engine_arguments(parser)
    parser.add_argument("--resume", action="store_true", help="continue a sweep in --out, skipping committed runs")
    parser.add_argument("--chunk-runs", type=_positive_int, default=50, help="runs per committed chunk (default 50)")


def _load_spec(args: argparse.Namespace):
    """The sweep spec with the command line's ``--set`` and ``--steps``; all problems raised together."""
    overrides, problems = _parse_overrides(args.assignments)
    if problems:
        raise ScenarioError(problems)
    return load_sweep_spec(args.spec, overrides, steps=args.steps)


def _sweep_command(args: argparse.Namespace) -> int:
    spec = _load_spec(args)
    try:
        shard = parse_shard(args.shard)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    out = args.out or Path("out") / args.spec.stem
    try:
        runs = _run_sweep_or_explain(
            spec, out, args, shard=shard, retry_failed=args.retry_failed, rerun_changed=args.rerun_changed
        )
    except KeyboardInterrupt:
        kept = committed_runs(out)
        again = args.argv + ([] if "--resume" in args.argv else ["--resume"])
        print(
            f"interrupted: {kept} finished run{'s' if kept != 1 else ''} kept in {out}; continue with\n"
            f"  {args.prog} {shlex.join(again)}",
            file=sys.stderr,
        )
        return 130
    if runs is None:
        return EXIT_USER_ERROR
    failed = int((runs["status"] != "ok").sum()) if len(runs) else 0
    print(f"{len(runs)} runs in {out / 'runs.parquet'} ({failed} failed); per-step metrics in {out / 'steps'}/")
    _draw_grid_sweep(spec, runs, out)
    return 0


def _draw_grid_sweep(spec: SweepSpec, runs: pd.DataFrame, out: Path) -> None:
    """DIR/sweep.png for a grid over one or two parameters (a picture of anything larger would be unreadable)."""
    finished = runs[runs["status"] == "ok"] if len(runs) else runs
    if spec.design != "grid" or not 1 <= len(spec.parameters) <= 2 or finished.empty:
        return
    metrics = [name for name in spec.metric_names if name in finished.columns][:4]
    try:
        steps = pd.read_parquet(out / "steps", columns=["run_id", "step", *metrics])
        figure = sweep_figure(finished, steps, list(spec.parameters), metrics)
        figure.savefig(out / "sweep.png", dpi=100)
    except (OSError, ValueError) as error:
        print(f"error: cannot draw {out / 'sweep.png'}: {error}", file=sys.stderr)
        return
    print(f"-> {out / 'sweep.png'} ({', '.join(metrics)})")


def _sensitivity_command(args: argparse.Namespace) -> int:
    spec = _load_spec(args)
    if spec.design not in ("sobol", "morris"):
        print(
            f"error: {args.spec}: design: {spec.design!r} is not allowed; sensitivity needs sobol or morris",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    out = args.out or Path("out") / args.spec.stem
    runs = _run_sweep_or_explain(spec, out, args, shard=(0, 1), retry_failed=False, always_resume=True)
    if runs is None:
        return EXIT_USER_ERROR
    try:
        indices = sensitivity_indices(spec, runs)
    except SensitivityError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    indices.to_csv(out / "sensitivity.csv", index=False)
    figure = sensitivity_figure(indices, spec.design)
    figure.savefig(out / "sensitivity.png", dpi=100)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(indices.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"-> {out / 'sensitivity.csv'}, {out / 'sensitivity.png'}")
    return 0


def _run_sweep_or_explain(spec, out: Path, args, *, shard, retry_failed, always_resume=False, rerun_changed=False):
    try:
        return run_sweep(
            spec,
            out,
            workers=args.workers,
            scheduler=args.scheduler,
            scheduler_file=args.scheduler_file,
            resume=args.resume or always_resume,
            retry_failed=retry_failed,
            shard=shard,
            chunk_runs=args.chunk_runs,
            progress=not args.quiet,
            rerun_changed=rerun_changed,
        )
    except SweepStoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return None
    except OSError as error:  # a scheduler that cannot be reached, a directory that cannot be written
        print(f"error: {error}", file=sys.stderr)
        return None


def _metric_list(text: str) -> tuple[str, ...]:
    if text == "all":
        return tuple(COLUMNS)
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in COLUMNS]
    if unknown or not names:
        hints = [difflib.get_close_matches(name, list(COLUMNS), n=1) for name in unknown]
        suggestion = "; ".join(f"{name}: did you mean {hint[0]}?" for name, hint in zip(unknown, hints) if hint)
        raise argparse.ArgumentTypeError(
            f"unknown metric(s) {', '.join(unknown) or '(none given)'}"
            + (f" ({suggestion})" if suggestion else "")
            + "; 'python run.py params' lists parameters, the README lists metric columns"
        )
    return names


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _seed(text: str) -> int:
    return _whole_number(text, "seeds are whole numbers >= 0")


def _at_least_two(text: str) -> int:
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: a confidence interval needs at least 2 seeds")
    return value


def _unwritable(directory: Path) -> str | None:
    """Why results cannot be written under ``directory`` (created if missing), or None if they can.

    Checked before any compute, so a mistyped ``--out`` costs nothing.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        return f"error: --out: cannot write results to {directory}: {error.strerror or error}"
    return None


def _non_negative_int(text: str) -> int:
    return _whole_number(text, "give 0 or more")


def _whole_number(text: str, allowed: str) -> int:
    """``text`` as an int >= 0, or an argparse error saying what is wrong and what is ``allowed``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; {allowed}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative; {allowed}")
    return value


def _run_command(args: argparse.Namespace) -> int:
    scenarios = _load_all(args.scenarios, args.assignments)
    out_dirs = _output_dirs(scenarios, args.out)
    for out_dir in out_dirs:
        if problem := _unwritable(out_dir):
            print(problem, file=sys.stderr)
            return EXIT_USER_ERROR
    results = []
    for scenario, out_dir in zip(scenarios, out_dirs):
        result = run_scenario(
            scenario,
            seed=args.seed,
            steps=args.steps,
            progress=not args.quiet,
            ledger=args.ledger,
            firm_panel=args.firm_panel,
        )
        try:
            save_run(result, out_dir)
        except OSError as error:
            print(f"error: cannot write results to {out_dir}: {error}", file=sys.stderr)
            return 1
        results.append(result)
        print(f"{scenario.name}: {result.steps} weeks in {result.wall_time_s:.2f} s -> {out_dir}")
    if len(results) > 1:
        root = out_dirs[0].parent
        try:
            save_comparison_figure(results, root / "headline.png")
        except OSError as error:
            print(f"error: cannot write {root / 'headline.png'}: {error}", file=sys.stderr)
            return 1
        print(f"side by side -> {root / 'headline.png'}")
    print()
    print(summary_table(results).to_string(float_format=_format_number))
    return 0


def _compare_command(args: argparse.Namespace) -> int:
    scenarios = _load_all(args.scenarios, args.assignments)
    if problem := _unwritable(args.out):
        print(problem, file=sys.stderr)
        return EXIT_USER_ERROR
    comparison = compare_scenarios(
        scenarios, seeds=args.seeds, steps=args.steps, root_seed=args.seed, progress=not args.quiet
    )
    summary = comparison.summary(args.metrics, weeks=args.window)
    costs = comparison.summary(COST_METRICS, weeks=args.window)
    rankings = {metric: cost_effectiveness(costs, metric) for metric in COST_METRICS[1:]}
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        summary.to_csv(args.out / "compare.csv", index=False)
        figure = comparison_figure(comparison, args.metrics, weeks=args.window)
        figure.savefig(args.out / "compare.png", dpi=100)
        cost_effectiveness_figure(rankings, comparison.labels[0]).savefig(args.out / "compare_costs.png", dpi=100)
    except OSError as error:
        print(f"error: cannot write results to {args.out}: {error}", file=sys.stderr)
        return 1
    print(comparison_table(summary, comparison.labels).to_string())
    played = min(len(table) - 1 for runs in comparison.tables.values() for table in runs)  # row 0 is week 0
    window = min(args.window, played)
    print(f"\n{args.seeds} seeds per scenario; values are means of the last {window} weeks of each run.")
    ranking = rankings["welfare_yuan"].set_index("scenario")
    if len(ranking):
        print(f"\nWelfare per million yuan a week of extra public cost, against {comparison.labels[0]}:")
    for scenario, row in ranking.iterrows():
        cost = f"extra public cost {_format_number(row['extra_public_cost_yuan'])} yuan/week"
        per_million = (
            "no clear extra public cost"
            if np.isnan(row["per_million_yuan"])
            else f"{_format_number(row['per_million_yuan'])} yuan of welfare per million yuan"
        )
        print(f"  {scenario}: {per_million} ({cost})")
    print(f"-> {args.out / 'compare.csv'}, {args.out / 'compare.png'}, {args.out / 'compare_costs.png'}")
    return 0


def comparison_table(summary: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """One row per metric; per scenario 'mean [low, high]', and for the others the difference from the first."""
    table = {}
    for label in labels:
        part = summary[summary["scenario"] == label].set_index("metric")
        table[label] = [
            f"{_format_number(m)} [{_format_number(lo)}, {_format_number(hi)}]"
            for m, lo, hi in zip(part["mean"], part["low"], part["high"])
        ]
        if label != labels[0]:
            table[f"{label} - {labels[0]}"] = [
                f"{_format_number(m)} [{_format_number(lo)}, {_format_number(hi)}]"
                for m, lo, hi in zip(part["diff_mean"], part["diff_low"], part["diff_high"])
            ]
        index = part.index
    return pd.DataFrame(table, index=index)


def _validate_command(args: argparse.Namespace) -> int:
    failed = False
    for path in _yaml_files(args.files):
        try:
            what = _check_file(path)
        except ScenarioError as error:
            failed = True
            for problem in error.problems:
                print(f"error: {problem}", file=sys.stderr)
            continue
        print(f"ok: {path} ({what})")
    return EXIT_USER_ERROR if failed else 0


def _yaml_files(paths: Sequence[Path]) -> list[Path]:
    """The files to check: each file given, and every YAML file under each folder given."""
    files = []
    for path in paths:
        if path.is_dir():
            found = sorted({*path.rglob("*.yaml"), *path.rglob("*.yml")})
            files.extend(found or [path / "*.yaml"])  # an empty folder is reported as a file not found
        else:
            files.append(path)
    return files


def _check_file(path: Path) -> str:
    """Validate a scenario, sweep spec or calibration spec (told apart by their keys); what it is, in words."""
    data = read_yaml_mapping(resolve_scenario_path(path))
    if "scenario" not in data:  # only specs name the scenario they start from
        scenario = load_scenario(path)
        interventions = len(scenario.interventions)
        return f"scenario {scenario.name}, {interventions} intervention{'s' if interventions != 1 else ''}"
    if "moments" in data:
        calibration = load_calibration_spec(path)
        return f"calibration spec, {len(calibration.parameters)} parameters, {len(calibration.moments)} moments"
    spec = load_sweep_spec(path)
    return f"sweep spec, {spec.design} design over {len(spec.parameters)} parameters"


def _params_command(args: argparse.Namespace) -> int:
    rows = parameters()
    if args.format == "json":
        keys = ("key", "default", "min", "max", "unit", "doc")
        print(json.dumps([{key: row[key] for key in keys} for row in rows], indent=1))
        return 0
    columns = {
        "key": [row["key"] for row in rows],
        "default": [_format_value(row["default"]) for row in rows],
        "range": [f"[{_format_value(row['min'])}, {_format_value(row['max'])}]" for row in rows],
        "unit": [row["unit"] for row in rows],
        "when": ["set-up" if row["setup_only"] else "any week" for row in rows],
    }
    widths = {name: max(len(name), *(len(value) for value in values)) for name, values in columns.items()}
    print("  ".join(name.ljust(widths[name]) for name in columns) + "  meaning")
    for index, row in enumerate(rows):
        cells = "  ".join(values[index].ljust(widths[name]) for name, values in columns.items())
        print(f"{cells}  {row['doc']}")
    return 0


def _schema_command(args: argparse.Namespace) -> int:
    text = json.dumps(scenario_json_schema(), indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"error: cannot write {args.out}: {error}", file=sys.stderr)
        return 1
    print(f"JSON Schema -> {args.out}")
    return 0


def _format_value(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _parse_overrides(assignments: Sequence[str]) -> tuple[dict, list]:
    """``--set KEY=VALUE`` flags as a mapping of dotted keys, and the problems found reading them."""
    problems, overrides = [], {}
    for text in assignments:
        try:
            key, value = parse_assignment(text)
            overrides[key] = value
        except ScenarioError as error:
            problems.extend(error.problems)
    return overrides, problems


def _load_all(paths: Sequence[Path], assignments: Sequence[str]) -> list[Scenario]:
    """Validate every file and every override first; report all problems together."""
    overrides, problems = _parse_overrides(assignments)
    scenarios = []
    for path in paths:
        try:
            scenarios.append(load_scenario(path, overrides))
        except ScenarioError as error:
            problems.extend(p for p in error.problems if p not in problems)
    if problems:
        raise ScenarioError(problems)
    return scenarios


def _output_dirs(scenarios: Sequence[Scenario], out: Path | None) -> list[Path]:
    names, seen = [], {}
    for scenario in scenarios:
        name = scenario.name or "run"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    if len(scenarios) == 1:
        return [out if out is not None else Path("out") / names[0]]
    root = out if out is not None else Path("out")
    return [root / name for name in names]


def summary_table(results: Sequence[RunResult], weeks: int = SUMMARY_WEEKS) -> pd.DataFrame:
    """Headline metrics averaged over each run's last ``weeks`` weeks; with several runs, differences from the first."""
    columns = {}
    for result in results:
        played = result.table[result.table["step"] > 0].tail(weeks)
        source = played if len(played) else result.table
        columns[result.scenario.name or "run"] = source[list(HEADLINE_METRICS)].mean()
    table = pd.DataFrame(columns)
    labels = list(table.columns)
    for label in labels[1:]:
        table[f"{label} - {labels[0]}"] = table[label] - table[labels[0]]
    played = min(int((result.table["step"] > 0).sum()) for result in results)
    table.index.name = f"mean of last {min(weeks, played)} weeks" if played else "week 0 (no week run)"
    return table


def _format_number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4f}"


if __name__ == "__main__":
    sys.exit(main())
