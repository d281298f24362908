"""The model behaves as a Mesa model on Mesa 3.3 (Python 3.11) and Mesa 3.5 (Python 3.12+).

Same seed, same history on every supported stack; Mesa's ``rng=``, ``batch_run`` and
scenario work with our parameters; no warnings from our own calls; models are freed.
"""

from __future__ import annotations

import gc
import warnings
import weakref

import mesa
import numpy as np
import pandas as pd
import pytest

from model import Scenario, ScenarioError, SharedManufacturingModel
from model.economy import mesa_compat
from tests.helpers import REPO, SCENARIOS

SMALL = {"size.firms": 150, "platforms.count": 2}
REFERENCE = REPO / "tests" / "reference" / "sharing_150_firms_seed_3.parquet"


def history(economy: SharedManufacturingModel, weeks: int = 6) -> pd.DataFrame:
    economy.run(weeks)
    return economy.datacollector.get_model_vars_dataframe()


def reference_run() -> pd.DataFrame:
    """The run whose table is stored in ``tests/reference`` (rebuild it with ``python -m tests.test_mesa_interop``)."""
    return history(SharedManufacturingModel(SCENARIOS / "sharing.yaml", seed=3, **SMALL), weeks=30)


def test_the_same_seed_gives_the_stored_history_on_every_supported_stack():
    # Stored once; CI compares it on Python 3.11 + Mesa 3.3 and Python 3.13 + Mesa 3.5. Bit-identical across
    # 3.11, 3.12 and 3.13 here; the tolerance only allows for a CPU with other vector instructions.
    stored = pd.read_parquet(REFERENCE)
    pd.testing.assert_frame_equal(reference_run().reset_index(drop=True), stored, check_exact=False, rtol=1e-9)


def test_constructing_and_stepping_raises_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        economy = SharedManufacturingModel(seed=1, **SMALL)
        economy.run(2)
    assert economy.steps == 2


def test_rng_is_the_seed_by_its_mesa_name():
    by_seed = history(SharedManufacturingModel(seed=11, **SMALL))
    by_rng = history(SharedManufacturingModel(rng=11, **SMALL))
    by_numpy_int = history(SharedManufacturingModel(rng=np.int64(11), **SMALL))
    assert by_seed.equals(by_rng) and by_seed.equals(by_numpy_int)
    assert (by_seed["seed"] == 11).all()


def test_a_generator_or_no_seed_gives_a_seed_the_run_records():
    drawn = SharedManufacturingModel(rng=np.random.default_rng(5), **SMALL)
    again = SharedManufacturingModel(rng=np.random.default_rng(5), **SMALL)
    fresh = SharedManufacturingModel(**SMALL)
    assert drawn.seed == again.seed and fresh.seed >= 0
    assert history(fresh, 1)["seed"].iloc[-1] == fresh.seed
    assert history(SharedManufacturingModel(seed=fresh.seed, **SMALL), 1).equals(history(fresh, 0))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [({"seed": -3}, "non-negative"), ({"seed": 1.5}, "non-negative integer"), ({"seed": 1, "rng": 2}, "not both")],
)
def test_a_bad_seed_is_refused_with_its_value(arguments, message):
    with pytest.raises((ValueError, TypeError), match=message):
        SharedManufacturingModel(**SMALL, **arguments)


def test_dotted_keyword_parameters_override_the_scenario_and_are_validated():
    economy = SharedManufacturingModel(
        SCENARIOS / "sharing.yaml", seed=1, **{"platforms.commission_rate": 0.2}, **SMALL
    )
    assert economy.params.platforms.commission_rate == 0.2 and economy.platforms.commission_rate[0] == 0.2
    assert economy.params.name == "sharing"
    assert getattr(economy.scenario, "platforms.commission_rate") == 0.2 and economy.scenario.rng == 1
    with pytest.raises(ScenarioError, match="commission_rate"):
        SharedManufacturingModel(**{"platforms.commission_rate": 1.5})
    with pytest.raises(ScenarioError, match="unknown key"):
        SharedManufacturingModel(**{"platforms.comission_rate": 0.1})


def test_numpy_scalars_are_accepted_as_parameters():
    economy = SharedManufacturingModel(
        seed=1, **{"size.firms": np.int64(150), "platforms.commission_rate": np.float64(0.1)}
    )
    assert economy.params.size.firms == 150 and type(economy.params.size.firms) is int


@pytest.mark.skipif(not mesa_compat.MESA_HAS_SCENARIOS, reason="Mesa scenarios arrived in Mesa 3.4")
def test_mesas_scenario_rebuilds_the_same_run():
    first = SharedManufacturingModel(seed=4, **SMALL)
    assert isinstance(first.scenario, mesa_compat.MesaScenario) and first.scenario.model is first
    second = SharedManufacturingModel(scenario=first.scenario)
    assert second.seed == 4 and history(first).equals(history(second))


def test_batch_run_sweeps_dotted_parameters_and_seeds_on_two_processes():
    parameters = {"platforms.commission_rate": [0.02, 0.3], "size.firms": 120, "steps": 8}
    seeds = [1, 2]
    if mesa_compat.MESA_VERSION >= (3, 4):
        options = {"rng": seeds}
    else:  # Mesa 3.3's batch_run has no rng: seeds are a parameter
        parameters = {**parameters, "seed": seeds}
        options = {}
    common = {"max_steps": 8, "data_collection_period": -1, "display_progress": False, **options}
    parallel = mesa.batch_run(SharedManufacturingModel, parameters, number_processes=2, **common)
    sequential = mesa.batch_run(SharedManufacturingModel, parameters, number_processes=1, **common)
    columns = ["platforms.commission_rate", "seed", "shared_hours", "platform_share", "utilisation_mean"]
    parallel, sequential = (
        pd.DataFrame(rows)[columns].sort_values(columns[:2]).reset_index(drop=True) for rows in (parallel, sequential)
    )
    assert len(parallel) == 4 and sorted(set(parallel["seed"])) == seeds
    pd.testing.assert_frame_equal(parallel, sequential)
    by_commission = parallel.groupby("platforms.commission_rate")["shared_hours"].mean()
    assert by_commission.nunique() == 2  # the parameter reached the economy


def test_a_scenario_object_is_passed_whole_by_batch_run():
    with pytest.raises(TypeError, match="one value"):
        iter(Scenario())
    parameters = {"scenario": Scenario.model_validate({"size": {"firms": 100}})}
    if mesa_compat.MESA_VERSION >= (3, 4):
        options = {"rng": 3}
    else:
        parameters, options = {**parameters, "seed": 3}, {}
    results = mesa.batch_run(SharedManufacturingModel, parameters, max_steps=2, display_progress=False, **options)
    assert len(results) == 1 and results[0]["seed"] == 3


def test_a_finished_model_is_freed():
    economy = SharedManufacturingModel(seed=1, **SMALL)
    economy.run(2)
    alive = weakref.ref(economy)
    del economy
    gc.collect()
    assert alive() is None  # Mesa 3.3's agent-id counter must not keep it (mesa#3179)


if __name__ == "__main__":  # rebuild the stored reference after a deliberate change of the economy
    REFERENCE.parent.mkdir(exist_ok=True)
    reference_run().reset_index(drop=True).to_parquet(REFERENCE, index=False)
    print(f"wrote {REFERENCE}")
