"""Step cost of the full model: microseconds per firm-step at 1k, 10k and 100k firms.

A script, not a test: it measures and prints, it asserts nothing.

    python benchmarks/step_cost.py                      # sharing scenario, 1k/10k/100k firms
    python benchmarks/step_cost.py --sizes 1000 10000 --weeks 52 --repeats 5

Each size is built once per repeat, warmed up for ``--warmup`` weeks (so
platforms have members and trade flows), then timed over ``--weeks`` weeks.
The median over repeats is reported, with the set-up time and the process's
peak resident memory so far.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model import SharedManufacturingModel, load_scenario


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kilobytes on Linux


def measure(scenario_path: Path, firms: int, warmup: int, weeks: int, seed: int) -> tuple[float, float]:
    """Returns (set-up seconds, microseconds per firm-step)."""
    scenario = load_scenario(scenario_path, {"size.firms": firms})
    start = time.perf_counter()
    economy = SharedManufacturingModel(scenario, seed=seed)
    setup = time.perf_counter() - start
    economy.run(warmup)
    start = time.perf_counter()
    economy.run(weeks)
    elapsed = time.perf_counter() - start
    return setup, elapsed / (weeks * firms) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=Path(__file__).resolve().parents[1] / "scenarios/sharing.yaml")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--warmup", type=int, default=8, help="weeks played before timing")
    parser.add_argument("--weeks", type=int, default=20, help="weeks timed")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    print(
        f"# step cost, scenario {args.scenario.name}, {platform.python_version()} on {platform.machine()}, "
        f"{args.warmup} warm-up + {args.weeks} timed weeks, median of {args.repeats}"
    )
    print(f"{'firms':>9} {'setup_s':>9} {'us_per_firm_step':>17} {'runs_us':>30} {'peak_rss_mb':>12}")
    for firms in args.sizes:
        results = [measure(args.scenario, firms, args.warmup, args.weeks, seed) for seed in range(args.repeats)]
        setup = statistics.median(r[0] for r in results)
        costs = [r[1] for r in results]
        runs = " ".join(f"{c:.3f}" for c in costs)
        print(
            f"{firms:>9} {setup:>9.2f} {statistics.median(costs):>17.3f} {runs:>30} {peak_rss_mb():>12.0f}", flush=True
        )


if __name__ == "__main__":
    main()
