"""Global sensitivity of the chosen metrics to the swept parameters, with SALib.

Runs a ``sobol`` or ``morris`` sweep (reusing every run already committed in its
output directory), averages each design point's end-of-run metrics over its
replicates, and computes, per metric and parameter:

* Sobol' (Saltelli 2002, Jansen/Saltelli 2010 estimators): first-order ``S1`` and
  total-order ``ST`` indices with their bootstrap 95% confidence halves;
* Morris elementary effects: ``mu_star`` (mean absolute effect, with its 95%
  confidence half) and ``sigma`` (spread: non-linearity or interactions).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .sweeps import SweepSpec, design_points, salib_problem


class SensitivityError(ValueError):
    """The sweep cannot give sensitivity indices (wrong design, or failed runs)."""


def sensitivity_indices(spec: SweepSpec, runs: pd.DataFrame) -> pd.DataFrame:
    """Tidy table of indices: one row per metric and parameter."""
    if spec.design not in ("sobol", "morris"):
        raise SensitivityError(f"sensitivity needs design sobol or morris, not {spec.design!r}")
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        raise SensitivityError(
            f"{len(failed)} runs failed (see the 'error' column of runs.parquet); rerun with --retry-failed"
        )
    points = design_points(spec)
    means = runs.groupby("point")[spec.metric_names].mean().reindex(range(len(points)))
    if means.isna().any().any():
        raise SensitivityError("some design points have no finished run yet; finish the sweep first")
    problem = salib_problem(spec)
    names = problem["names"]
    rows = []
    for metric in spec.metric_names:
        outputs = means[metric].to_numpy(dtype=np.float64)
        if np.ptp(outputs) == 0.0:
            rows.extend({"metric": metric, "parameter": name, "note": "metric does not vary"} for name in names)
            continue
        if spec.design == "sobol":
            from SALib.analyze import sobol

            result = sobol.analyze(problem, outputs, calc_second_order=False, seed=spec.seed)
            table = pd.concat(result.to_df(), axis=1)  # ST, ST_conf | S1, S1_conf, indexed by parameter
        else:
            from SALib.analyze import morris

            inputs = np.array([[point[name] for name in names] for point in points], dtype=np.float64)
            table = morris.analyze(problem, inputs, outputs, seed=spec.seed).to_df()
        rows.extend(table.rename_axis("parameter").reset_index().assign(metric=metric).to_dict("records"))
    indices = pd.DataFrame(rows)
    return indices[["metric", "parameter", *[c for c in indices.columns if c not in ("metric", "parameter")]]]


def sensitivity_figure(indices: pd.DataFrame, design: str):
    """One panel per metric: bars per parameter with 95% confidence intervals."""
    import matplotlib.pyplot as plt

    metrics = list(dict.fromkeys(indices["metric"]))
    figure, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.4), squeeze=False, layout="constrained")
    for axis, metric in zip(axes.flat, metrics):
        part = indices[indices["metric"] == metric]
        positions = np.arange(len(part))
        if design == "sobol" and "ST" in part:
            axis.barh(positions - 0.2, part["S1"], height=0.4, xerr=part["S1_conf"], capsize=2, label="first order S1")
            axis.barh(positions + 0.2, part["ST"], height=0.4, xerr=part["ST_conf"], capsize=2, label="total ST")
        elif "mu_star" in part:
            axis.barh(positions, part["mu_star"], xerr=part["mu_star_conf"], capsize=2, label="mu* (Morris)")
        axis.set_yticks(positions, part["parameter"], fontsize=7)
        axis.set_title(metric, fontsize=9)
        axis.axvline(0.0, color="black", linewidth=0.6)
        axis.grid(alpha=0.3, axis="x")
        axis.tick_params(axis="x", labelsize=7)
    axes.flat[0].legend(fontsize=7)
    return figure
