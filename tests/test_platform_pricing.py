"""Platforms as businesses: accounts and learning pricing (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

from model import SharedManufacturingModel
from model.economy.mechanisms import platforms as platform_rules
from model.economy.mechanisms.demand import cycle_factor
from tests.helpers import scenario


def test_learning_tries_above_and_below_and_a_steadily_growing_market_favours_neither():
    params = scenario(platforms__count=2, platforms__pricing="learning", platforms__price_trial_weeks=1)
    table = platform_rules.create_platforms(params, np.arange(2))
    step = params.platforms.commission_step
    np.testing.assert_allclose(table.commission_rate, 0.05 + step)  # the first phase tries above

    def trial(profits_by_phase: list[list[float]], first_week: int) -> list[np.ndarray]:
        charged = []
        for phase, profits in enumerate(profits_by_phase):
            week = first_week + phase
            charged.append(table.commission_rate.copy())
            table.profit_yuan[:] = np.array(profits) * cycle_factor(week, params.demand)
            platform_rules.review_prices(table, week, params)
        return charged

    # Platform 0's profit grows by 10 a phase whatever it charges; platform 1 earns 5 more when it charges more.
    charged = trial([[100, 50], [110, 45], [120, 45], [130, 50]], 0)
    np.testing.assert_allclose([c[0] for c in charged], [0.05 + step, 0.05 - step, 0.05 - step, 0.05 + step])
    np.testing.assert_allclose(table.commission_base, [0.05, 0.05 + step])
    np.testing.assert_allclose(table.commission_rate, table.commission_base + step)  # the next trial begins above


def test_fixed_pricing_never_moves_the_commission():
    economy = SharedManufacturingModel(scenario(size__firms=300, platforms__count=2), seed=3)
    economy.run(30)
    np.testing.assert_array_equal(economy.platforms.commission_rate, 0.05)


def test_a_cap_binds_under_learning_pricing():
    economy = SharedManufacturingModel(
        scenario(
            size__firms=400,
            platforms__pricing="learning",
            platforms__commission_cap=0.06,
            platforms__price_trial_weeks=1,
            platforms__commission_step=0.01,
        ),
        seed=2,
    )
    seen = set()
    for _ in range(60):
        economy.step()
        seen.add(round(float(economy.platforms.commission_rate[0]), 9))
    assert max(seen) == pytest.approx(0.06) and len(seen) >= 3
    assert all(0.0 <= value <= 0.06 + 1e-12 for value in seen)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_platform_alone_learns_to_charge_more_than_it_started_with(seed):
    """A monopoly platform starting at 5% finds that a higher commission pays (measured: 8.5% after three years)."""
    economy = SharedManufacturingModel(scenario(platforms__pricing="learning"), seed=seed)
    economy.run(156)
    assert economy.platforms.commission_rate[0] > 0.05 + 1e-9


def test_switching_learning_on_mid_run_starts_from_the_commission_then_in_force():
    base = scenario(size__firms=200)
    switched = base.model_copy(
        update={
            "interventions": [
                *base.interventions,
                *type(base)
                .model_validate(
                    {
                        "interventions": [
                            {"at": 3, "set": {"platforms.commission_rate": 0.08}},
                            {"at": 6, "set": {"platforms.pricing": "learning", "platforms.price_trial_weeks": 1}},
                        ]
                    }
                )
                .interventions,
            ]
        }
    )
    economy = SharedManufacturingModel(switched, seed=1)
    economy.run(5)
    assert economy.platforms.commission_rate[0] == pytest.approx(0.08)  # fixed, after the change at week 3
    economy.run(1)  # week 6: learning from the list commission then in force, trying a step away from it
    assert economy.platforms.commission_base[0] == pytest.approx(0.08)
    assert abs(economy.platforms.commission_rate[0] - 0.08) == pytest.approx(0.005)


def test_with_a_fee_step_every_second_cycle_tries_the_fee_and_keeps_the_commission_at_its_list_level():
    params = scenario(
        platforms__count=1, platforms__pricing="learning", platforms__price_trial_weeks=1, platforms__fee_step_yuan=10.0
    )
    table = platform_rules.create_platforms(params, np.arange(1))
    step = params.platforms.commission_step
    charged = []
    for week in range(8):  # a commission cycle (weeks 0-3), then a fee cycle (weeks 4-7)
        charged.append((table.commission_rate[0], table.membership_fee[0]))
        # Profit rises with the fee (members pay more) and does not depend on the commission.
        table.profit_yuan[:] = (1_000.0 + table.membership_fee) * cycle_factor(week, params.demand)
        platform_rules.review_prices(table, week, params)
    commissions, fees = zip(*charged)
    np.testing.assert_allclose(commissions[:4], [0.05 + step, 0.05 - step, 0.05 - step, 0.05 + step])
    np.testing.assert_allclose(commissions[4:], 0.05)
    np.testing.assert_allclose(fees[:4], 100.0)
    np.testing.assert_allclose(fees[4:], [110.0, 90.0, 90.0, 110.0])
    assert table.fee_base[0] == 110.0  # the higher fee earned more
    np.testing.assert_allclose(table.commission_base, 0.05)  # profit did not depend on the commission
