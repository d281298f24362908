"""Command line: ``python run.py run SCENARIO [SCENARIO ...] [--seed N] [--steps N] [--out DIR] [--set KEY=VALUE]``.

A user mistake (a bad scenario file, an unknown ``--set`` key, a value out of
range) prints one line per problem, naming the file, key, value and what is
allowed, and exits with status 2, before anything runs. No traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .experiments import RunResult, run_scenario, save_comparison_figure, save_run
from .plots import HEADLINE_METRICS
from .scenario import Scenario, ScenarioError, load_scenario, parse_assignment

EXIT_USER_ERROR = 2
SUMMARY_WEEKS = 52


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except ScenarioError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py", description="Shared-manufacturing economy: run scenarios and compare them."
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
    run.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
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
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(command=_run_command)
    return parser


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of weeks") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative; give 0 or more weeks")
    return value


def _run_command(args: argparse.Namespace) -> int:
    scenarios = _load_all(args.scenarios, args.assignments)
    out_dirs = _output_dirs(scenarios, args.out)
    results = []
    for scenario, out_dir in zip(scenarios, out_dirs):
        result = run_scenario(scenario, seed=args.seed, steps=args.steps, progress=not args.quiet)
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


def _load_all(paths: Sequence[Path], assignments: Sequence[str]) -> list[Scenario]:
    """Validate every file and every override first; report all problems together."""
    problems, overrides = [], {}
    for text in assignments:
        try:
            key, value = parse_assignment(text)
            overrides[key] = value
        except ScenarioError as error:
            problems.extend(error.problems)
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
    table.index.name = f"mean of last {weeks} weeks"
    return table


def _format_number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4f}"


if __name__ == "__main__":
    sys.exit(main())
