"""Does the economy without a policy hold still? Ten years of the baseline, year by year.

A script, not a test: it measures and prints, it asserts nothing.

    python benchmarks/ten_year_baseline.py                        # baseline.yaml, 2,000 firms, 5 seeds
    python benchmarks/ten_year_baseline.py scenarios/calibrated_baseline.yaml --seeds 10 --workers 2

For each run it takes yearly means (year 1 is weeks 1-52) of the capital stock,
the number of active firms, capacity utilisation and the unemployment rate, and
the largest drift of the first two from their year-2 level. It prints, per
scenario, the range of each across seeds (seeds 101, 102, ...: seeds the model
was never tuned on) beside the goal of a steady state:

* capital stock and active firms within +-5% and +-10% of year 2,
* utilisation between 0.70 and 0.80 every year (NBS: 73-77%),
* unemployment between 0.02 and 0.15 every year.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model import SharedManufacturingModel, load_scenario
from model.experiments.steady_state import GOALS, largest_drift, yearly_means

ROOT = Path(__file__).resolve().parents[1]


def run_years(scenario_path: str, seed: int, firms: int, years: int) -> pd.DataFrame:
    """One run's yearly means, with the scenario and seed."""
    economy = SharedManufacturingModel(load_scenario(scenario_path, {"size.firms": firms}), seed=seed)
    economy.run(52 * years)
    means = yearly_means(economy.datacollector.get_model_vars_dataframe())
    return means.assign(scenario=Path(scenario_path).stem, seed=seed).reset_index()


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: the range across seeds of each measure, and whether it stays within its goal."""
    rows = []
    for scenario, by_scenario in runs.groupby("scenario", sort=False):
        per_seed = by_scenario.groupby("seed")
        measures = {
            "capital_drift": per_seed.apply(lambda run: largest_drift(run.set_index("year")["capital_stock"])),
            "firms_drift": per_seed.apply(lambda run: largest_drift(run.set_index("year")["active_firms"])),
            "utilisation_mean": by_scenario["utilisation_mean"],
            "unemployment_rate": by_scenario["unemployment_rate"],
        }
        for measure, values in measures.items():
            low, high = GOALS[measure]
            rows.append(
                {
                    "scenario": scenario,
                    "measure": measure,
                    "lowest": values.min(),
                    "highest": values.max(),
                    "goal": f"{low:+.2f} to {high:+.2f}" if "drift" in measure else f"{low:.2f} to {high:.2f}",
                    "met": bool(values.min() >= low and values.max() <= high),
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", default=[str(ROOT / "scenarios" / "baseline.yaml")])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 101, 102, ... (default 5)")
    parser.add_argument("--firms", type=int, default=2000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--out", type=Path, default=None, help="also write the yearly means as CSV")
    args = parser.parse_args()

    jobs = [(path, 101 + i, args.firms, args.years) for path in args.scenarios for i in range(args.seeds)]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        runs = pd.concat(pool.map(run_years, *zip(*jobs)), ignore_index=True)
    if args.out is not None:
        runs.to_csv(args.out, index=False)
    print(f"# {args.years} years, {args.firms} firms, seeds 101-{100 + args.seeds}")
    print(summarise(runs).to_string(index=False, float_format=lambda value: f"{value:.3f}"))
    print()
    print("yearly means, averaged over seeds:")
    print(
        runs.groupby(["scenario", "year"])[["capital_stock", "active_firms", "utilisation_mean", "unemployment_rate"]]
        .mean()
        .round(3)
        .to_string()
    )


if __name__ == "__main__":
    main()
