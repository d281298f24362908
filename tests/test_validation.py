"""Validation statistics recover known values on synthetic data; calibration and the quick report run."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from model.cli import main
from model.economy.scenario_files import ScenarioError, load_scenario
from model.experiments.calibration import calibrate, load_calibration_spec
from model.experiments.validation import (
    beveridge_slope,
    hill_tail_exponent,
    laplace_gain,
    s_curve,
    size_variance_slope,
    spearman,
)
from tests.helpers import REPO, SCENARIOS

RNG = np.random.default_rng(2026)


@pytest.mark.parametrize("alpha", [0.8, 1.0, 1.5])
def test_hill_estimator_recovers_a_pareto_tail_exponent(alpha):
    sample = RNG.pareto(alpha, 100_000) + 1.0
    estimate = hill_tail_exponent(sample, k=5_000)
    assert estimate.low < alpha < estimate.high
    assert abs(estimate.value - alpha) < 0.06 * alpha


def test_laplace_gain_tells_tents_from_bells():
    assert laplace_gain(RNG.laplace(0.0, 0.3, 20_000)) > 0.05
    assert laplace_gain(RNG.normal(0.0, 0.3, 20_000)) < -0.03


def test_size_variance_slope_recovers_a_known_scaling():
    size = np.exp(RNG.uniform(0.0, 10.0, 100_000))
    growth = RNG.normal(0.0, 0.5 * size**-0.15)
    assert size_variance_slope(size, growth) == pytest.approx(-0.15, abs=0.02)
    assert abs(size_variance_slope(size, RNG.normal(0.0, 0.5, size.size))) < 0.02


def test_beveridge_slope_recovers_a_known_line_and_its_sign():
    unemployment = 0.06 + 0.03 * np.sin(np.linspace(0, 6 * np.pi, 150))
    vacancies = 0.2 - 1.2 * unemployment + RNG.normal(0, 0.005, unemployment.size)
    slope = beveridge_slope(unemployment, vacancies)
    assert slope.low < -1.2 < slope.high and slope.high < 0


def test_spearman_interval_covers_a_monotone_relation():
    x = RNG.uniform(0, 1, 2_000)
    rho = spearman(x, x**3 + RNG.normal(0, 0.05, x.size))
    assert rho.low > 0.9


def test_s_curve_sees_saturation_in_a_logistic_and_not_in_a_straight_line():
    t = np.arange(104.0)
    logistic = s_curve(100.0 / (1.0 + np.exp(-(t - 20.0) / 5.0)))
    assert logistic["r2_logistic"] > 0.99 and logistic["late_growth"] < logistic["early_growth"] / 3
    line = s_curve(10.0 + t)
    assert line["late_growth"] > line["early_growth"] / 3


def test_calibrated_scenarios_extend_the_calibrated_parameters():
    parameters = yaml.safe_load((SCENARIOS / "calibrated_parameters.yaml").read_text())
    for name, count in (("calibrated_baseline.yaml", 0), ("calibrated.yaml", 1)):
        scenario = load_scenario(SCENARIOS / name)
        assert scenario.platforms.count == count
        assert scenario.demand.load_factor == parameters["demand"]["load_factor"]


def test_calibration_spec_errors_name_the_moment(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            {"scenario": "x.yaml", "parameters": {}, "moments": {"utilisation_men": {"target": 0.7, "sd": 0.1}}}
        )
    )
    with pytest.raises(ScenarioError, match=r"moments\.utilisation_men"):
        load_calibration_spec(path)


def test_calibration_finds_a_labour_supply_that_hits_a_target_unemployment_rate(tmp_path):
    spec = tmp_path / "calibration.yaml"
    spec.write_text(
        yaml.safe_dump(
            {
                "scenario": str(SCENARIOS / "baseline.yaml"),
                "steps": 60,
                "replicates": 1,
                "seed": 3,
                "samples": 5,
                "rounds": 2,
                "shrink": 0.5,
                "parameters": {"size.labour_force_ratio": {"low": 0.9, "high": 1.5}},
                "moments": {"unemployment_rate": {"target": 0.2, "sd": 0.01}},
                "parameters_file": "fitted.yaml",
            }
        )
    )
    small = tmp_path / "small_baseline.yaml"
    small.write_text(yaml.safe_dump({"extends": str(SCENARIOS / "baseline.yaml"), "size": {"firms": 150}}))
    content = yaml.safe_load(spec.read_text())
    content["scenario"] = str(small)
    spec.write_text(yaml.safe_dump(content))
    result = calibrate(spec, tmp_path / "out")
    fit = result["fit"].set_index("moment")
    assert abs(fit.loc["unemployment_rate", "simulated"] - 0.2) < 0.05
    assert (tmp_path / "fitted.yaml").exists() and (tmp_path / "out" / "convergence.png").exists()
    assert (
        load_scenario(tmp_path / "fitted.yaml").size.labour_force_ratio
        == result["summary"]["parameters"]["size.labour_force_ratio"]
    )


def test_quick_validation_report_runs_and_reports_every_fact(tmp_path, capsys):
    assert main(["validate-model", "--quick", "--out", str(tmp_path), "--quiet"]) == 0
    report = (tmp_path / "validation.md").read_text()
    assert "3 seeds" in report and report.count("| **") >= 10
    assert (tmp_path / "validation_facts.png").exists()


def test_committed_validation_report_states_its_seeds():
    report = (REPO / "VALIDATION.md").read_text()
    assert "seeds** each" in report and "match" in report
