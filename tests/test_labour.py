"""The labour pool: identities every week, consistent books, matching, training, and the Beveridge curve."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from model import SharedManufacturingModel
from model.economy.mechanisms.labour import task_slots
from model.economy.mechanisms.matching import _matches
from model.economy.state import INACTIVE, MICRO, PERMANENT, SELF_EMPLOYED
from tests.helpers import run, scenario


@pytest.fixture(scope="module")
def weeks_of_labour():
    """Play 40 weeks of a small economy with two platforms and keep what the identities need."""
    economy = SharedManufacturingModel(scenario(size__firms=400, platforms__count=2), seed=21)
    params = economy.params.labour
    weeks = []
    for _ in range(40):
        permanent_at_start = economy.workers.status == PERMANENT
        inactive_at_start = economy.workers.status == INACTIVE
        owners_at_start = economy.workers.status == SELF_EMPLOYED  # who draws on a business this week
        economy.step()
        firms, workers, market = economy.firms, economy.workers, economy.labour_market
        staff = np.zeros_like(firms.staff)
        employed = workers.status == PERMANENT
        np.add.at(staff, (workers.employer[employed], workers.skill[employed]), 1)
        owners = workers.status == SELF_EMPLOYED
        weeks.append(
            {
                "metrics": dict(economy.week_metrics),
                "staff_matches_workers": np.array_equal(staff, firms.staff),
                "people": workers.n,
                "benefit_paid": economy.ledger.week_total("benefit"),
                "inactive_all_week_income": float(
                    np.abs(workers.income[inactive_at_start & (workers.status == INACTIVE)]).sum()
                ),
                "wages_paid": market.wages_yuan,
                "wages_received": float(
                    np.minimum(workers.income[permanent_at_start], params.wage_yuan_per_week).sum()
                ),
                "paid_to_workers": economy.ledger.week_flows()
                .query("payee == 'workers'")
                .set_index("kind")["yuan"]
                .drop(["owner's draw", "closing cash to founder", "training subsidy"], errors="ignore")
                .sum(),
                "income_of_employees": float(workers.income[~owners_at_start].sum()),
                "flexible_received": market.flexible_pay_yuan,
                "flexible_paid": economy.ledger.week_total("flexible pay"),
                "owners_run_active_micro": bool(
                    np.all(firms.active[workers.employer[owners]])
                    and np.all(firms.kind[workers.employer[owners]] == MICRO)
                    and np.array_equal(
                        np.sort(workers.employer[owners]), np.flatnonzero(firms.active & (firms.kind == MICRO))
                    )
                ),
                "employers_active": bool(np.all(firms.active[workers.employer[employed]])),
            }
        )
    return economy, weeks


def test_every_person_has_exactly_one_status_every_week(weeks_of_labour):
    _, weeks = weeks_of_labour
    for week in weeks:
        m = week["metrics"]
        parts = [m["employment_permanent"], m["employment_flexible"], m["micro_entrepreneurs"], m["unemployed"]]
        assert all(isinstance(part, int) for part in parts)
        assert sum(parts) == m["labour_force"]
        assert m["labour_force"] + m["inactive"] == week["people"]
    assert weeks[-1]["metrics"]["inactive"] > 0


def test_people_outside_the_labour_force_earn_nothing_and_draw_no_benefit(weeks_of_labour):
    _, weeks = weeks_of_labour
    assert sum(week["benefit_paid"] for week in weeks) > 0
    assert all(week["inactive_all_week_income"] == 0.0 for week in weeks)


def test_firms_staff_counts_match_the_workers_they_employ(weeks_of_labour):
    _, weeks = weeks_of_labour
    assert all(week["staff_matches_workers"] and week["employers_active"] for week in weeks)


def test_what_workers_earned_this_week_is_what_the_ledger_paid_them(weeks_of_labour):
    _, weeks = weeks_of_labour
    for week in weeks:
        assert week["wages_paid"] == pytest.approx(week["wages_received"], rel=1e-12)
        assert week["flexible_paid"] == pytest.approx(week["flexible_received"], rel=1e-9)
        assert week["paid_to_workers"] == pytest.approx(week["income_of_employees"], rel=1e-9)


def test_each_micro_business_has_one_owner_and_each_owner_one_business(weeks_of_labour):
    economy, weeks = weeks_of_labour
    assert all(week["owners_run_active_micro"] for week in weeks)
    table = economy.datacollector.get_model_vars_dataframe()
    assert (table["micro_entrepreneurs"] == table["n_micro"]).all()


def test_firms_enter_and_exit_and_mesa_follows(weeks_of_labour):
    economy, _ = weeks_of_labour
    firms = economy.firms
    assert (firms.birth_week > 0).any(), "nobody entered"
    assert (~firms.active).any(), "nobody left"
    assert len(economy.agents) == firms.active.sum() + economy.platforms.n


def test_matches_never_exceed_seekers_or_openings():
    rng = np.random.default_rng(0)
    seekers = rng.integers(0, 500, 1000)
    openings = rng.uniform(0, 500, 1000)
    matches = _matches(np.full(1000, 5.0), seekers, openings, 0.5, rng)
    assert np.all(matches <= seekers) and np.all(matches <= np.floor(openings)) and np.all(matches >= 0)


def test_training_moves_skills_and_a_subsidy_trains_more():
    trained = {}
    for subsidy in (0.0, 1.0):
        economy = SharedManufacturingModel(
            scenario(size__firms=400, labour__training_subsidy=subsidy, labour__training_cost_yuan=60000.0), seed=3
        )
        start = economy.workers.skill.copy()
        economy.run(60)
        trained[subsidy] = int((economy.workers.skill != start).sum())
    assert trained[1.0] > trained[0.0]


@pytest.mark.parametrize("seed", range(3))
def test_people_join_the_labour_force_when_work_goes_begging_and_leave_when_it_is_scarce(seed):
    """A labour force set up too small for the work grows from the reserve; one set up too large shrinks."""
    change = {}
    for ratio in (0.7, 1.6):
        economy = run(size__firms=400, size__labour_force_ratio=ratio, weeks=1, seed=seed)
        first = economy.week_metrics["labour_force"]
        economy.run(52)
        change[ratio] = economy.week_metrics["labour_force"] / first - 1.0
    assert change[0.7] > 0.05 and change[1.6] < -0.05, change


@pytest.mark.parametrize("seed", [4, 5])
def test_without_a_policy_the_labour_force_stays_within_eight_percent_of_its_start(seed):
    """Participation settles: over two years of the baseline the labour force moves 4-5% at most (measured)."""
    economy = run("baseline", size__firms=1000, weeks=1, seed=seed)
    first = economy.week_metrics["labour_force"]
    sizes = []
    for _ in range(104):
        economy.step()
        sizes.append(economy.week_metrics["labour_force"] / first - 1.0)
    assert max(abs(change) for change in sizes) < 0.08, sizes


def test_small_gaps_are_worked_as_overtime_and_large_ones_as_task_contracts():
    params = scenario().labour  # task pay 30% over the wage, overtime 50%, 0.1 weeks' wage per worker engaged
    assert (params.flexible_pay_premium, params.overtime_premium, params.task_contract_cost_weeks) == (0.3, 0.5, 0.1)
    gap = np.array([[0.2, 0.6, 3.0, 0.2]])  # worker-weeks beyond the firm's own workers
    regular = np.array([[10.0, 10.0, 10.0, 0.2]])  # the last firm's own workers can cover 0.1 of it by overtime
    np.testing.assert_allclose(task_slots(gap, regular, params), [[0.0, 0.6, 3.0, 0.1]])
    dearer = params.model_copy(update={"flexible_pay_premium": 0.6})  # task work never cheaper: overtime first
    np.testing.assert_allclose(task_slots(gap, regular, dearer), [[0.0, 0.0, 0.0, 0.1]])


def test_a_million_workers_fit_in_the_pool():
    economy = SharedManufacturingModel(scenario(size__firms=2000, size__labour_force_ratio=80.0), seed=1)
    economy.step()
    assert economy.week_metrics["labour_force"] > 1_000_000


@pytest.mark.parametrize("seed", range(4))
def test_beveridge_curve_slopes_down_over_the_demand_cycle(seed):
    economy = SharedManufacturingModel(scenario("demand_cycle", size__firms=800), seed=seed)
    economy.run(156)
    table = economy.datacollector.get_model_vars_dataframe().iloc[27:]  # after the first half-year
    fit = stats.linregress(table["unemployment_rate"], table["vacancy_rate"])
    assert fit.slope + 1.96 * fit.stderr < 0, f"slope {fit.slope:.3f} +- {fit.stderr:.3f}"
