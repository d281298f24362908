"""Stylised facts: the statistics that compare the model with what is known, and what a run yields for them.

Statistics (each tested on synthetic data with a known answer):

* :func:`hill_tail_exponent` - the Hill (1975) estimator of a Pareto tail exponent
  from the largest ``k`` observations, with its asymptotic 95% interval
  ``alpha (1 +- 1.96 / sqrt(k))``;
* :func:`laplace_gain` - mean log-likelihood per observation of a Laplace fit
  minus that of a Gaussian fit (both by maximum likelihood): positive when the
  distribution is tent-shaped, as firm growth rates are (Stanley et al. 1996,
  Bottazzi & Secchi 2006);
* :func:`size_variance_slope` - slope of log standard deviation of growth against
  log size across size classes: negative when big firms grow more steadily;
* :func:`spearman` - rank correlation with a Fisher-z 95% interval;
* :func:`beveridge_slope` - least-squares slope of the vacancy rate on the
  unemployment rate, with its standard error;
* :func:`s_curve` - fits a logistic curve to a series and compares how much it
  rises early and late (saturation).

:class:`FactObserver` watches one run, week by week, and returns the run's
values of every fact (:meth:`FactObserver.result`); it is what calibration and
``validate-model`` ask each run to report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..economy.mechanisms.demand import cycle_factor
from ..economy.state import LARGE, MICRO, SME
from .steady_state import MEASURES, drift_summary


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    n: int


def hill_tail_exponent(values: np.ndarray, k: int | None = None, tail_share: float = 0.1) -> Estimate:
    """Hill estimator of the tail exponent alpha of ``P(X > x) ~ x^-alpha`` from the ``k`` largest values.

    ``k`` defaults to ``tail_share`` of the positive values (at least 10).

    >>> rng = np.random.default_rng(0)
    >>> round(hill_tail_exponent(rng.pareto(1.0, 200_000) + 1.0, k=20_000).value, 2)
    1.0
    """
    values = np.sort(np.asarray(values, dtype=np.float64)[np.asarray(values) > 0])[::-1]
    if values.size < 12:
        return Estimate(float("nan"), float("nan"), float("nan"), int(values.size))
    k = int(k if k is not None else max(10, round(tail_share * values.size)))
    k = min(k, values.size - 1)
    threshold = values[k]
    alpha = 1.0 / np.mean(np.log(values[:k] / threshold))
    half = 1.96 / np.sqrt(k)
    return Estimate(float(alpha), float(alpha * (1 - half)), float(alpha * (1 + half)), k)


def laplace_gain(values: np.ndarray) -> float:
    """Mean log-likelihood per observation of a Laplace fit minus a Gaussian fit (> 0: tent-shaped).

    >>> rng = np.random.default_rng(1)
    >>> laplace_gain(rng.laplace(size=50_000)) > 0 > laplace_gain(rng.normal(size=50_000))
    True
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size < 10 or np.std(values) == 0:
        return float("nan")
    scale = np.mean(np.abs(values - np.median(values)))
    laplace = -np.log(2 * scale) - 1.0
    gaussian = -0.5 * np.log(2 * np.pi * np.var(values)) - 0.5
    return float(laplace - gaussian)


def size_variance_slope(sizes: np.ndarray, growth: np.ndarray, bins: int = 8) -> float:
    """Slope of log(sd of growth) on log(mean size) across ``bins`` equal-count size classes.

    >>> rng = np.random.default_rng(2)
    >>> size = np.exp(rng.uniform(0, 8, 40_000))
    >>> round(size_variance_slope(size, rng.normal(0, size ** -0.2)), 1)
    -0.2
    """
    sizes, growth = np.asarray(sizes, dtype=np.float64), np.asarray(growth, dtype=np.float64)
    keep = (sizes > 0) & np.isfinite(growth)
    sizes, growth = sizes[keep], growth[keep]
    if sizes.size < bins * 10:
        return float("nan")
    order = np.argsort(sizes)
    groups = np.array_split(order, bins)
    log_size = np.array([np.log(sizes[g].mean()) for g in groups])
    log_sd = np.array([np.log(growth[g].std()) for g in groups])
    return float(np.polyfit(log_size, log_sd, 1)[0])


def spearman(x: np.ndarray, y: np.ndarray) -> Estimate:
    """Spearman rank correlation with a Fisher-z 95% interval."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = x.size
    if n < 10:
        return Estimate(float("nan"), float("nan"), float("nan"), n)
    rho = float(stats.spearmanr(x, y).statistic)
    z, half = np.arctanh(np.clip(rho, -0.999999, 0.999999)), 1.96 / np.sqrt(n - 3)
    return Estimate(rho, float(np.tanh(z - half)), float(np.tanh(z + half)), n)


def beveridge_slope(unemployment: np.ndarray, vacancies: np.ndarray) -> Estimate:
    """Least-squares slope of vacancies on unemployment, with a 95% interval.

    >>> u = np.linspace(0.02, 0.12, 50)
    >>> round(beveridge_slope(u, 0.2 - 1.5 * u).value, 6)
    -1.5
    """
    fit = stats.linregress(unemployment, vacancies)
    return Estimate(
        float(fit.slope), float(fit.slope - 1.96 * fit.stderr), float(fit.slope + 1.96 * fit.stderr), len(unemployment)
    )


def s_curve(series: np.ndarray) -> dict[str, float]:
    """Fit ``level / (1 + exp(-rate (t - middle)))`` to a series and compare early with late growth.

    Returns the fit's R^2, a linear fit's R^2, the logistic's midpoint (in steps
    of the series), and how much the series rose in its first and in its last
    quarter (absolute changes: a straight line rises as much in both, a
    saturating curve far less at the end).
    """
    y = np.asarray(series, dtype=np.float64)
    t = np.arange(y.size, dtype=np.float64)
    if y.size < 8 or np.ptp(y) == 0:
        return {
            "r2_logistic": float("nan"),
            "r2_linear": float("nan"),
            "middle": float("nan"),
            "early_growth": float("nan"),
            "late_growth": float("nan"),
        }

    def logistic(t, level, rate, middle):
        return level / (1.0 + np.exp(-rate * (t - middle)))

    try:
        parameters, _ = optimize.curve_fit(logistic, t, y, p0=[y.max(), 4.0 / y.size, y.size / 4], maxfev=20_000)
        fitted, middle = logistic(t, *parameters), float(parameters[2])
    except RuntimeError:
        fitted, middle = np.full_like(y, y.mean()), float("nan")
    total = np.sum((y - y.mean()) ** 2)
    linear = np.polyval(np.polyfit(t, y, 1), t)
    quarter = max(y.size // 4, 1)
    early = y[quarter] - y[0]
    late = y[-1] - y[-quarter - 1]
    return {
        "r2_logistic": float(1 - np.sum((y - fitted) ** 2) / total),
        "r2_linear": float(1 - np.sum((y - linear) ** 2) / total),
        "middle": middle,
        "early_growth": float(early),
        "late_growth": float(late),
    }


class FactObserver:
    """Watches a run week by week and reports its values of the stylised facts.

    Call it with the model after every week (``run_scenario(..., observer=...)``).
    Firm growth uses each firm's revenue (served orders at their value) summed
    over consecutive 52-week years: the log growth from one year to the next, for
    SMEs and large firms active throughout both years. Trade degree counts the
    links of the run's last year when the run ends on a year's end (all trades
    otherwise).
    """

    def __init__(self, year_weeks: int = 52):
        self.year_weeks = year_weeks
        self.yearly_revenue: list[np.ndarray] = []
        self.used_by_type: np.ndarray | None = None
        self.capacity_by_type: np.ndarray | None = None
        self.platform_value: list[float] = []
        self.member_share: list[float] = []
        self.steady: dict[str, list[float]] = {name: [] for name in MEASURES}
        # Trade totals per pair at the ends of the last two years, to count the last year's links.
        self.pairs_at_year_end: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.economy = None

    def __call__(self, economy) -> None:
        self.economy = economy
        if economy.steps == 0:
            return
        firms = economy.firms
        year = (economy.steps - 1) // self.year_weeks
        revenue = ((firms.own_hours + firms.bought_hours) * firms.order_value).sum(axis=1) * firms.active
        if len(self.yearly_revenue) <= year:
            self.yearly_revenue.append(np.zeros(firms.n))
        current = self.yearly_revenue[year]
        if current.size < firms.n:
            current = np.concatenate([current, np.zeros(firms.n - current.size)])
        current += revenue
        self.yearly_revenue[year] = current
        # Utilisation per process type over the last year of the run (reset every year).
        used = (firms.own_hours + firms.sold_hours).sum(axis=0)
        capacity = firms.capacity_hours.sum(axis=0)
        if (economy.steps - 1) % self.year_weeks == 0 or self.used_by_type is None:
            self.used_by_type, self.capacity_by_type = np.zeros_like(used), np.zeros_like(capacity)
        self.used_by_type += used
        self.capacity_by_type += capacity
        # Seasonally adjusted: divided by the common demand cycle, which the model knows exactly.
        cycle = cycle_factor(economy.steps, economy.params.demand)
        self.platform_value.append(float(economy.platforms.traded_value.sum()) / cycle)
        metrics = economy.week_metrics
        firms_now = metrics["n_large"] + metrics["n_sme"] + metrics["n_micro"]
        self.member_share.append(metrics["platform_members"] / firms_now if firms_now else 0.0)
        for name in MEASURES:
            self.steady[name].append(firms_now if name == "active_firms" else metrics[name])
        if economy.steps % self.year_weeks == 0:
            self.pairs_at_year_end[economy.steps] = economy._market.pair_hours()
            self.pairs_at_year_end.pop(economy.steps - 2 * self.year_weeks, None)

    def result(self) -> dict[str, float]:
        """The run's values: utilisation by type, size tail, growth shape, network, sharing volume."""
        economy = self.economy
        firms = economy.firms
        values: dict[str, float] = {}
        by_type = np.divide(
            self.used_by_type,
            self.capacity_by_type,
            out=np.zeros_like(self.used_by_type),
            where=self.capacity_by_type > 0,
        )
        values.update({f"utilisation_type_{k}": float(u) for k, u in enumerate(by_type)})
        values["utilisation_type_spread"] = float(by_type.max() - by_type.min())

        standard = firms.active & ((firms.kind == SME) | (firms.kind == LARGE))
        machines = firms.machines.sum(axis=1)
        tail = hill_tail_exponent(machines[standard])
        values.update(size_tail_exponent=tail.value, size_tail_k=float(tail.n))

        if len(self.yearly_revenue) >= 2:
            first, second = self.yearly_revenue[-2], self.yearly_revenue[-1]
            first = np.concatenate([first, np.zeros(second.size - first.size)])
            alive = standard[: second.size] & (firms.birth_week[: second.size] == 0) & (first > 0) & (second > 0)
            growth = np.log(second[alive] / first[alive])
            growth -= np.median(growth)
            values["growth_laplace_gain"] = laplace_gain(growth)
            values["growth_kurtosis"] = float(stats.kurtosis(growth)) if growth.size > 10 else float("nan")
            values["growth_size_slope"] = size_variance_slope(first[alive], growth)
            values["growth_firms"] = float(alive.sum())

        # Links of the last year, as firm-to-firm data count them; over ten years a
        # platform trader meets most of the market, and the count saturates.
        degree = economy._market.trade_degree(since=self.pairs_at_year_end.get(economy.steps - self.year_weeks))
        degree_tail = hill_tail_exponent(degree[standard | (firms.active & (firms.kind == MICRO))])
        values["degree_tail_exponent"] = degree_tail.value
        values["degree_size_spearman"] = spearman(machines[standard], degree[standard]).value
        values["platform_value_series"] = self.platform_value  # kept for the S-curve; not a number
        values.update(adoption_path(self.member_share, self.platform_value, self.year_weeks))
        if len(self.member_share) >= 2 * self.year_weeks:
            weeks = pd.DataFrame(self.steady)
            yearly = weeks.groupby(np.arange(len(weeks)) // self.year_weeks).mean()
            yearly.index += 1
            values.update(drift_summary(yearly))
        return values


def adoption_path(member_share: list[float], platform_value: list[float], year_weeks: int = 52) -> dict[str, float]:
    """The multi-year path of sharing: a logistic fit to the members' share of firms, and yearly turnover growth.

    ``adoption_r2`` and ``adoption_midpoint_years`` come from the logistic fit of
    the weekly share of firms on a platform; ``platform_value_growth_{y}`` is the
    growth of platform turnover in year ``y`` over year ``y - 1``, and
    ``platform_growth_slowdown`` the last full year's growth over the second year's.
    """
    values: dict[str, float] = {}
    if len(member_share) >= 2 * year_weeks and max(member_share) > 0:
        fit = s_curve(np.asarray(member_share))
        values["adoption_r2"] = fit["r2_logistic"]
        values["adoption_midpoint_years"] = fit["middle"] / year_weeks
    years = len(platform_value) // year_weeks
    yearly = np.asarray(platform_value[: years * year_weeks]).reshape(years, year_weeks).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = yearly[1:] / yearly[:-1] - 1.0
    for year, rate in enumerate(growth, start=2):
        values[f"platform_value_growth_{year}"] = float(rate) if np.isfinite(rate) else float("nan")
    if growth.size >= 2 and np.isfinite(growth[0]) and growth[0] > 0:
        values["platform_growth_slowdown"] = float(growth[-1] / growth[0])
    return values
