"""The physical limit of sharing: no economy leaves less unserved than pooling every machine would."""

from __future__ import annotations

import numpy as np
import pytest

from model import SharedManufacturingModel
from tests.helpers import scenario


def history(name: str, seed: int = 4, weeks: int = 30, **overrides):
    economy = SharedManufacturingModel(scenario(name, size__firms=400, **overrides), seed=seed)
    economy.run(weeks)
    return economy.datacollector.get_model_vars_dataframe().iloc[1:]


@pytest.mark.parametrize("seed", [4, 5])
def test_a_frictionless_platform_reaches_the_pooling_bound_every_week(seed):
    table = history("frictionless", seed=seed)
    assert (table["platform_members"] == table[["n_large", "n_sme", "n_micro"]].sum(axis=1)).all()
    np.testing.assert_allclose(table["unmet_hours"], table["pooling_bound_hours"], rtol=1e-9, atol=1e-6)
    assert (table["pooling_bound_hours"] > 0).any(), "the bound must bind somewhere for the test to mean anything"


@pytest.mark.parametrize("name", ["baseline", "sharing"])
def test_no_economy_beats_the_bound(name):
    table = history(name)
    assert (table["unmet_hours"] - table["unstaffed_hours"] >= table["pooling_bound_hours"] - 1e-6).all()
    assert table["pooling_realised"].between(0.0, 1.0).all()


def test_sharing_realises_more_of_the_pooling_limit_than_partners_alone():
    realised = {
        name: history(name, weeks=52, platforms__launch_awareness=1.0)["pooling_realised"].iloc[26:].mean()
        for name in ("baseline", "sharing")
    }
    assert realised["sharing"] > realised["baseline"] + 0.1, realised
