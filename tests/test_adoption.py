"""Platforms spread over years, as the national series did: an S-curve, then saturation.

On seeds neither scenario was calibrated on, over ten years, in the default sharing
economy and in the calibrated one: the share of firms on a platform follows a
logistic curve (R^2 >= 0.9) whose midpoint falls in years 1.5-6, and yearly platform
turnover grows in the last year by less than a third of its growth in the second.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import SharedManufacturingModel
from model.experiments.validation import adoption_path
from tests.helpers import scenario


@pytest.fixture(scope="module", params=[("sharing", 301), ("calibrated", 302)], ids=lambda p: p[0])
def ten_years(request):
    name, seed = request.param
    economy = SharedManufacturingModel(scenario(name, size__firms=1500), seed=seed)
    economy.run(520)
    table = economy.datacollector.get_model_vars_dataframe().iloc[1:]
    share = table["platform_members"] / table[["n_large", "n_sme", "n_micro"]].sum(axis=1)
    return adoption_path(share.tolist(), table["platform_value"].tolist())


def test_adoption_follows_an_s_curve_with_its_midpoint_in_years_one_and_a_half_to_six(ten_years):
    assert ten_years["adoption_r2"] >= 0.9, ten_years
    assert 1.5 <= ten_years["adoption_midpoint_years"] <= 6.0, ten_years


def test_turnover_growth_slows_to_under_a_third_of_its_second_year(ten_years):
    assert ten_years["platform_value_growth_2"] > 0 and np.isfinite(ten_years["platform_growth_slowdown"])
    assert ten_years["platform_growth_slowdown"] < 1 / 3, ten_years
