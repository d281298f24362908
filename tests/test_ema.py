"""The EMA Workbench drives the economy: ready model, seeds, identical outcomes in parallel, PRIM on them."""

from __future__ import annotations

import multiprocessing
import sys

import numpy as np
import pytest

if sys.version_info < (3, 12):
    pytest.skip("the EMA Workbench 3 needs Python 3.12 or later", allow_module_level=True)

from ema_workbench import MultiprocessingEvaluator, SequentialEvaluator, perform_experiments
from ema_workbench.analysis import prim

from model.experiments.comparison import replicate_seed
from model.experiments.ema import ema_model, ema_model_from_sweep, run_experiment
from tests.helpers import SCENARIOS

SAMPLING = {"uncertainty_sampling_kwargs": {"rng": 42}, "lever_sampling_kwargs": {"rng": 43}}


def small_model(**options):
    return ema_model(
        "sharing",
        uncertainties={"demand.load_factor": (0.75, 1.0), "labour.matching_model": ["urn_ball", "cobb_douglas"]},
        levers={"platforms.commission_rate": (0.02, 0.3)},
        fixed={"size.firms": 150},
        outcomes=("unmet_demand_share", "utilisation_mean", "public_cost_yuan"),
        weeks=16,
        window=4,
        **options,
    )


@pytest.fixture
def spawned_workers():
    """Worker processes started fresh (spawn), as under Mesa 3.3 or on macOS and Windows: nothing inherited."""
    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    yield
    multiprocessing.set_start_method(before, force=True)


def test_sequential_and_two_processes_give_identical_outcomes_and_prim_finds_a_box(spawned_workers):
    model = small_model()
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=8, policies=2, evaluator=evaluator, **SAMPLING)
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        parallel_experiments, parallel = perform_experiments(
            model, scenarios=8, policies=2, evaluator=evaluator, **SAMPLING
        )
    inputs = ["demand_load_factor", "labour_matching_model", "platforms_commission_rate"]
    assert list(experiments.columns[:3]) == inputs
    assert experiments[inputs].astype(str).equals(parallel_experiments[inputs].astype(str))
    for name, values in outcomes.items():
        np.testing.assert_array_equal(values, parallel[name])
    assert len(set(np.round(outcomes["unmet_demand_share"], 12))) == 16, "every experiment should differ"

    poor = outcomes["unmet_demand_share"] > np.median(outcomes["unmet_demand_share"])
    inputs = experiments[["demand_load_factor", "platforms_commission_rate"]]
    box = prim.Prim(inputs, poor, mass_min=0.1).find_box()
    assert box.coverage > 0 and box.density >= np.mean(poor)


def test_replications_report_the_mean_and_spread_of_runs_on_the_replicate_seeds():
    model = small_model(replications=2, seed=7)
    sampled, outcomes = perform_experiments(model, scenarios=1, policies=1, **SAMPLING)
    assert set(outcomes) == {
        "unmet_demand_share",
        "utilisation_mean",
        "public_cost_yuan",
        "unmet_demand_share_sd",
        "utilisation_mean_sd",
        "public_cost_yuan_sd",
    }
    row = sampled.iloc[0]
    experiment = {
        "demand.load_factor": row["demand_load_factor"],
        "labour.matching_model": row["labour_matching_model"],
        "size.firms": 150,
        "platforms.commission_rate": row["platforms_commission_rate"],
    }
    runs = [
        run_experiment(scenario="sharing", weeks=16, window=4, seed=replicate_seed(7, r), **experiment)[
            "unmet_demand_share"
        ]
        for r in range(2)
    ]
    assert outcomes["unmet_demand_share"][0] == pytest.approx(np.mean(runs), rel=1e-12)
    assert outcomes["unmet_demand_share_sd"][0] == pytest.approx(np.std(runs, ddof=1), rel=1e-9)
    assert runs[0] != runs[1], "replicate seeds should differ"


def test_types_come_from_the_schema_and_mistakes_are_named():
    model = ema_model("sharing", uncertainties={"size.firms": (100, 300), "demand.load_factor": (0.8, 1.0)}, weeks=4)
    kinds = {parameter.name: type(parameter).__name__ for parameter in model.uncertainties}
    assert kinds == {"size_firms": "IntegerParameter", "demand_load_factor": "RealParameter"}
    assert [parameter.variable_name for parameter in model.uncertainties] == [["size.firms"], ["demand.load_factor"]]
    with pytest.raises(ValueError, match=r"did you mean 'platforms\.commission_rate'"):
        ema_model(levers={"platforms.comission_rate": (0.0, 0.1)})
    with pytest.raises(ValueError, match=r"within \[0.0, 1.0\]"):
        ema_model(levers={"platforms.commission_rate": (0.0, 1.5)})
    with pytest.raises(ValueError, match="as a list"):
        ema_model(uncertainties={"occupation.entrants_at_every_size": (0, 1)})
    with pytest.raises(ValueError, match="unknown outcome"):
        ema_model(outcomes=("unmet_share",))
    with pytest.raises(ValueError, match="given twice"):
        ema_model(uncertainties={"size.firms": (100, 300)}, fixed={"size.firms": 200})


def test_a_sweep_spec_becomes_an_ema_model_with_chosen_levers():
    model = ema_model_from_sweep(SCENARIOS / "sweeps" / "levers_sobol.yaml", levers=["platforms.commission_rate"])
    assert [lever.name for lever in model.levers] == ["platforms_commission_rate"]
    assert "size_firms" in [u.name for u in model.uncertainties]
    assert [outcome.name for outcome in model.outcomes][:2] == ["utilisation_mean", "unmet_demand_share"]
    with pytest.raises(ValueError, match="not among the spec's parameters"):
        ema_model_from_sweep(SCENARIOS / "sweeps" / "levers_sobol.yaml", levers=["labour.wage_yuan_per_week"])
