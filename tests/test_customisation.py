"""Mass customisation: a custom share of every firm's orders (issue 14, item 5)."""

from __future__ import annotations

import numpy as np

from model import SharedManufacturingModel
from model.economy.state import MICRO
from tests.helpers import run, scenario


def test_custom_orders_spread_over_every_process_type_and_earn_the_premium():
    plain = SharedManufacturingModel(scenario(size__firms=300), seed=7).firms
    custom = SharedManufacturingModel(scenario(size__firms=300, demand__custom_share=0.3), seed=7).firms
    standard = plain.kind != MICRO
    k = plain.process_types
    np.testing.assert_allclose(custom.order_mix[standard], 0.7 * plain.order_mix[standard] + 0.3 / k)
    premium = scenario().demand.custom_premium
    custom_part = (0.3 / k) / custom.order_mix[standard]
    np.testing.assert_allclose(
        custom.order_value[standard], plain.order_value[standard] * (1 + premium * custom_part), rtol=1e-12
    )
    np.testing.assert_array_equal(custom.order_value[~standard], plain.order_value[~standard])  # already all custom


def test_the_customisation_share_column_is_the_custom_share_of_the_hours_ordered():
    economy = run(weeks=8, size__firms=300, size__micro_share=0.0, demand__custom_share=0.3)
    share = economy.datacollector.get_model_vars_dataframe()["customisation_share"].iloc[1:]
    assert abs(share.iloc[0] - 0.3) < 1e-12  # no micro-business yet in week 1
    assert (share >= 0.3 - 1e-12).all() and (share < 0.31).all()  # then a few founders open them
    mixed = run(weeks=8, size__firms=300, demand__custom_share=0.3)
    firms = mixed.firms
    ordered = firms.orders_hours.sum(axis=1) * firms.active
    micro = ordered[firms.kind == MICRO].sum()
    expected = (0.3 * (ordered.sum() - micro) + micro) / ordered.sum()
    assert mixed.datacollector.get_model_vars_dataframe()["customisation_share"].iloc[-1] == np.float64(expected)


def test_customisation_sends_more_work_to_other_factories():
    # Measured on seed 1, two years: traded hours +61%, platform share of trade 0.13 -> 0.28.
    for seed in (1, 2, 3):
        plain = run(seed=seed, weeks=52, size__firms=800).datacollector.get_model_vars_dataframe().iloc[-13:]
        custom = run(seed=seed, weeks=52, size__firms=800, demand__custom_share=0.3)
        custom = custom.datacollector.get_model_vars_dataframe().iloc[-13:]
        assert custom["shared_hours"].mean() > 1.2 * plain["shared_hours"].mean()
        assert custom["outsourcing_ratio"].mean() > plain["outsourcing_ratio"].mean()
