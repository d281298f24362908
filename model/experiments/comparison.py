"""Comparing scenarios fairly: the same seeds for every scenario, paired differences with confidence intervals.

Every scenario runs on the same replicate seeds (common random numbers), so the
difference between two scenarios on one seed removes most of the noise the
scenarios share. A metric's value at the end of a run is its mean over the last
``END_WEEKS`` weeks (one quarter), which smooths week-to-week noise.

>>> from model import load_scenario
>>> sharing = load_scenario("scenarios/sharing.yaml", {"size.firms": 100})
>>> result = compare_scenarios([sharing, sharing], seeds=2, steps=4)
>>> result.summary(["utilisation_mean"])["diff_mean"].tolist()[1]
0.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..economy.metrics import COLUMNS
from ..economy.scenario import Scenario
from .runs import run_scenario
from .stats import Interval, mean_interval

END_WEEKS = 13
# Public cost, then the outcomes whose effect is set against it (the cost-effectiveness plane of `compare`).
COST_METRICS = ("public_cost_yuan", "welfare_yuan", "unmet_demand_share")
BOUNDED_UNITS = ("share", "HHI 0-1", "Gini 0-1")  # metrics that lie in [0, 1]; every other metric is >= 0


def metric_bounds(metric: str) -> tuple[float, float]:
    """The values a metric can take: [0, 1] for shares and indices, [0, inf) for counts, hours and yuan."""
    unit = COLUMNS.get(metric, ("",))[0]
    return 0.0, 1.0 if unit in BOUNDED_UNITS else np.inf


def replicate_seed(root: int, replicate: int) -> int:
    """The seed of replicate ``replicate``: ``SeedSequence(root, spawn_key=(replicate,))``, as an integer."""
    state = np.random.SeedSequence(root, spawn_key=(replicate,)).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


@dataclass
class Comparison:
    """Runs of several scenarios on the same seeds: ``tables[label][i]`` is the run on ``seeds[i]``."""

    labels: list[str]
    seeds: list[int]
    tables: dict[str, list[pd.DataFrame]]

    def end_values(self, metric: str, weeks: int = END_WEEKS) -> pd.DataFrame:
        """One row per seed, one column per scenario: the metric's mean over each run's last ``weeks`` weeks."""
        return pd.DataFrame(
            {label: [table[metric].iloc[-weeks:].mean() for table in runs] for label, runs in self.tables.items()},
            index=pd.Index(self.seeds, name="seed"),
        )

    def summary(self, metrics: Sequence[str], weeks: int = END_WEEKS) -> pd.DataFrame:
        """Tidy table: per scenario and metric, the mean and 95% CI, and the paired difference from the first.

        A level's t-interval is clipped to the values its metric can take (see
        :func:`metric_bounds`): with few seeds the interval of a share near 0 would
        otherwise reach below 0. Differences are not clipped.
        """
        rows = []
        first = self.labels[0]
        extra_cost = self.extra_public_cost(weeks)
        for metric in metrics:
            values = self.end_values(metric, weeks)
            lowest, highest = metric_bounds(metric)
            for label in self.labels:
                level = mean_interval(values[label])
                difference = mean_interval(values[label] - values[first])
                rows.append(
                    {
                        "scenario": label,
                        "metric": metric,
                        "mean": level.mean,
                        "low": max(level.low, lowest),
                        "high": min(level.high, highest),
                        "diff_mean": difference.mean,
                        "diff_low": difference.low,
                        "diff_high": difference.high,
                        "per_million_yuan": _per_million(difference.mean, extra_cost.get(label)),
                        "seeds": level.n,
                        "end_weeks": weeks,
                    }
                )
        return pd.DataFrame(rows)

    def extra_public_cost(self, weeks: int = END_WEEKS) -> dict[str, Interval]:
        """Per scenario after the first, its paired difference in ``public_cost_yuan`` (yuan/week, 95% CI)."""
        if "public_cost_yuan" not in self.tables[self.labels[0]][0]:
            return {}
        cost = self.end_values("public_cost_yuan", weeks)
        return {label: mean_interval(cost[label] - cost[self.labels[0]]) for label in self.labels[1:]}

    def band(self, metric: str) -> dict[str, pd.DataFrame]:
        """Per scenario, the weekly mean of a metric across seeds and its 95% interval (columns mean, low, high)."""
        bands = {}
        for label, runs in self.tables.items():
            stacked = np.stack([table[metric].to_numpy(dtype=np.float64) for table in runs])
            weeks = runs[0]["step"].to_numpy()
            intervals = [mean_interval(stacked[:, column]) for column in range(stacked.shape[1])]
            bands[label] = pd.DataFrame(
                {
                    "step": weeks,
                    "mean": [i.mean for i in intervals],
                    "low": [i.low for i in intervals],
                    "high": [i.high for i in intervals],
                }
            )
        return bands


def cost_effectiveness(summary: pd.DataFrame, metric: str = "welfare_yuan") -> pd.DataFrame:
    """Scenarios after the first, ranked by ``metric``'s difference per million yuan a week of extra public cost.

    ``summary`` is :meth:`Comparison.summary` with ``metric`` and ``public_cost_yuan``
    among its metrics. Columns: ``scenario``, ``extra_public_cost_yuan`` (with
    ``_low``/``_high``), ``difference`` (with ``_low``/``_high``), ``per_million_yuan``;
    scenarios with no clear extra cost (``per_million_yuan`` NaN) come last.
    """
    first = summary["scenario"].iloc[0]
    rows = summary[summary["scenario"] != first]
    cost = rows[rows["metric"] == "public_cost_yuan"].set_index("scenario")
    effect = rows[rows["metric"] == metric].set_index("scenario")
    table = pd.DataFrame(
        {
            "extra_public_cost_yuan": cost["diff_mean"],
            "extra_public_cost_low": cost["diff_low"],
            "extra_public_cost_high": cost["diff_high"],
            "difference": effect["diff_mean"],
            "difference_low": effect["diff_low"],
            "difference_high": effect["diff_high"],
            "per_million_yuan": effect["per_million_yuan"],
        }
    )
    return table.sort_values("per_million_yuan", ascending=False, na_position="last").reset_index()


def _per_million(difference: float, extra_cost: Interval | None) -> float:
    """A metric's difference per million yuan a week of extra public cost; NaN unless that cost is clearly above 0.

    A policy that costs the government nothing more, or whose extra cost is within
    noise of zero, has no cost-effectiveness to report (its effect is not bought).
    """
    if extra_cost is None or not extra_cost.low > 0:
        return float("nan")
    return difference / (extra_cost.mean / 1e6)


def scenario_labels(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, made unique ("sharing", "sharing (2)") when a scenario is given twice."""
    labels, seen = [], {}
    for scenario in scenarios:
        name = scenario.name or "scenario"
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return labels


def compare_scenarios(
    scenarios: Sequence[Scenario], seeds: int, steps: int | None = None, *, root_seed: int = 1, progress: bool = False
) -> Comparison:
    """Run every scenario on the same ``seeds`` replicate seeds (derived from ``root_seed``)."""
    labels = scenario_labels(scenarios)
    seed_values = [replicate_seed(root_seed, replicate) for replicate in range(seeds)]
    tables: dict[str, list[pd.DataFrame]] = {label: [] for label in labels}
    with tqdm(total=len(scenarios) * seeds, desc="runs", unit="run", disable=not progress) as bar:
        for seed in seed_values:
            for label, scenario in zip(labels, scenarios):
                tables[label].append(run_scenario(scenario, seed=seed, steps=steps).table)
                bar.update()
    return Comparison(labels, seed_values, tables)
