"""Mechanism 4, labour: permanent staff, flexible task contracts, job search and training.

Workers are array state (:class:`model.economy.state.WorkerTable`), never Python objects.
Each week:

* **Load.** Every machine-hour a firm runs, for its own orders or for hours it
  sold, needs ``worker_hours_per_machine_hour`` of labour, so its load, in workers,
  is ``hours x that / hours_per_worker_week`` per process type (the skill it needs).
* **Permanent staff** are paid every week, busy or not; a micro-business's owner
  works in it too. Load beyond them is covered by *flexible* workers on task
  contracts, paid ``flexible_pay_premium`` more per hour but only when needed, at
  a cost per worker engaged (``task_contract_cost_weeks``), or by overtime, paid
  ``overtime_premium`` more to the staff who work it, up to ``max_overtime_share``
  of their normal hours: whichever is cheaper (:func:`task_slots`), and overtime
  where no flexible worker is found. Machine-hours nobody can staff are not produced.
* **Staffing.** At its reviews a firm sets permanent staff by the newsvendor
  rule: a permanent worker pays off when the load exceeds that staff level with
  probability at least ``wage / flexible pay``, so the target is that quantile of
  its recent load (mean + z x sd of a moving average). It posts vacancies for the
  gap, and dismisses (paying severance) only when staff exceed the target by more
  than ``firing_band``. Volatile load, such as sales to other firms, is therefore
  staffed flexibly; steady load permanently.
* **Matching** (:mod:`matching`): first for permanent vacancies (among seekers
  whose reservation wage the wage meets), then for this week's task slots, in
  local markets per region and skill that platforms pool into one market per
  skill for their members and registered seekers; urn-ball matching in each.
* **Training.** At their reviews, unemployed workers may retrain to the skill
  with the best prospects, if the expected gain over ``planning_horizon_weeks``
  beats the cost net of ``training_subsidy``; they stop searching for
  ``training_weeks``.

Whoever worked a task contract this week is ``flexible``; a seeker who found
nothing is ``unemployed`` (the ILO convention: employed means paid work in the
reference week).

* **Participation.** Beyond the labour force are people at home (farming, home
  work, study), each with a value of that time; at their reviews they join the
  search when a seeker's expected income beats it, and discouraged seekers leave
  (:func:`review_participation`). So labour supply answers the market.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import ndtri

from ..draws import beta_with_mean, mean_one_lognormal
from ..kernels import (
    benefit_claimants,
    blend,
    column_sums,
    first_within_groups,
    job_seekers,
    per_head,
    row_sums,
    staff_in_groups,
    start_the_week,
)
from ..ledger import Ledger
from ..scenario import LabourParams, Scenario
from ..state import (
    FLEXIBLE,
    INACTIVE,
    MICRO,
    PERMANENT,
    SELF_EMPLOYED,
    UNEMPLOYED,
    FirmTable,
    LabourMarket,
    LabourWeek,
    WorkerTable,
)
from . import matching

GINI_SAMPLE_SIZE = 20_000


def weekly_flexible_pay(params: LabourParams) -> float:
    """What one worker earns for a full week of task contracts (yuan/week)."""
    return params.wage_yuan_per_week * (1.0 + params.flexible_pay_premium)


def marginal_labour_cost(params: LabourParams) -> float:
    """Yuan of flexible labour one extra machine-hour needs."""
    return (
        params.worker_hours_per_machine_hour
        * params.wage_yuan_per_week
        / params.hours_per_worker_week
        * (1.0 + params.flexible_pay_premium)
    )


def load_in_workers(used_hours: np.ndarray, params: LabourParams) -> np.ndarray:
    """Workers needed to run ``used_hours`` machine-hours in a week."""
    return used_hours * (params.worker_hours_per_machine_hour / params.hours_per_worker_week)


def staffing_target(load_ewma: np.ndarray, load_sq_ewma: np.ndarray, params: LabourParams) -> np.ndarray:
    """Permanent staff a firm wants per skill: the newsvendor quantile of its recent load (integers)."""
    cost_ratio = 1.0 / (1.0 + params.flexible_pay_premium)  # wage / flexible pay for the same hours
    if cost_ratio >= 1.0:
        return np.zeros(load_ewma.shape, np.int64)  # flexible labour is no dearer: keep no permanent staff
    z = ndtri(1.0 - cost_ratio)
    spread = np.sqrt(np.maximum(load_sq_ewma - load_ewma**2, 0.0))
    return np.rint(np.maximum(load_ewma + z * spread, 0.0)).astype(np.int64)


def task_slots(gap: np.ndarray, regular: np.ndarray, params: LabourParams) -> np.ndarray:
    """Worker-weeks of task work a firm posts per skill, of the ``gap`` its own ``regular`` workers leave.

    A task contract costs its pay (``flexible_pay_premium`` over the wage) and a
    cost per worker engaged (``task_contract_cost_weeks``); overtime costs
    ``overtime_premium`` over the wage, up to ``max_overtime_share`` of the own
    workers' hours. A firm posts the whole gap where task work is the cheaper way
    to cover it, and otherwise only what overtime cannot cover.
    """
    wage = params.wage_yuan_per_week
    saving = (params.overtime_premium - params.flexible_pay_premium) * wage * gap
    saving -= np.ceil(gap - 1e-9) * params.task_contract_cost_weeks * wage
    beyond_overtime = np.maximum(gap - params.max_overtime_share * regular, 0.0)
    return np.where(saving > 0.0, gap, beyond_overtime)


def owner_labour(firms: FirmTable, workers: WorkerTable) -> np.ndarray:
    """(N, K) workers a micro-business's owner supplies to it (one, in the owner's skill)."""
    supplied = np.zeros(firms.machines.shape)
    running = np.flatnonzero((firms.kind == MICRO) & firms.active & (firms.owner >= 0))
    supplied[running, workers.skill[firms.owner[running]]] = 1.0
    return supplied


def workforce(firms: FirmTable, workers: WorkerTable) -> np.ndarray:
    """(N, K) workers of each skill a firm has this week: its permanent staff and a micro-business's owner."""
    return firms.staff + owner_labour(firms, workers)


def expect_load(firms: FirmTable, scenario: Scenario) -> np.ndarray:
    """Set new firms' remembered labour load to what their expected orders need; returns it (workers)."""
    expected_orders = firms.base_order_hours[:, None] * firms.order_mix
    load = load_in_workers(np.minimum(expected_orders, firms.capacity_hours), scenario.labour)
    firms.load_ewma[:] = load
    # Start from the variance that order lumpiness alone would give.
    firms.load_sq_ewma[:] = load**2 * np.exp(scenario.demand.order_noise_sigma**2)
    return load


def create_pool(firms: FirmTable, scenario: Scenario, stream: Callable[[str], np.random.Generator]) -> WorkerTable:
    """The labour force at week 0, with each firm staffed to its target where skills allow.

    The labour force is sized by the work there is to do: one owner per
    micro-business, plus ``size.labour_force_ratio`` times the workers the other
    firms' expected orders need (so tightness does not depend on how many firms
    there are or how many machines a seed's size draw gives them). Beyond it,
    ``size.reserve_labour_ratio`` times as many people start outside the labour
    force, free to join it (see :func:`review_participation`). The first
    workers run the micro-businesses (one owner each, skilled in the business's
    main process type). The others' skills are drawn in proportion to
    the labour firms need per process type; those in the labour force fill the
    firms' permanent targets, skill by skill, in random order; the rest start unemployed.
    ``stream(name)`` gives the generator for one attribute (common random numbers).
    """
    params, occupation = scenario.labour, scenario.occupation
    k = firms.process_types
    load = expect_load(firms, scenario)
    micro_rows = np.flatnonzero(firms.kind == MICRO)
    # Micro-businesses' owners, and the labour the other firms' expected orders need, times the supply ratio.
    need = float(load[firms.kind != MICRO].sum())
    n_labour = max(micro_rows.size + round(scenario.size.labour_force_ratio * need), 1)
    n_workers = n_labour + round(scenario.size.reserve_labour_ratio * n_labour)  # the rest start inactive

    n_owners = min(micro_rows.size, n_workers)
    skill = np.empty(n_workers, np.int64)
    skill[:n_owners] = np.argmax(firms.order_mix[micro_rows[:n_owners]], axis=1)
    need_by_skill = column_sums(load)
    shares = need_by_skill / need_by_skill.sum() if need_by_skill.sum() > 0 else np.full(k, 1.0 / k)
    skill[n_owners:] = stream("skill").choice(k, size=n_workers - n_owners, p=shares)

    status = np.full(n_workers, UNEMPLOYED, np.int8)
    employer = np.full(n_workers, -1, np.int64)
    status[:n_owners] = SELF_EMPLOYED
    status[n_labour:] = INACTIVE
    employer[:n_owners] = micro_rows[:n_owners]
    firms.owner[micro_rows[:n_owners]] = np.arange(n_owners)
    firms.active[micro_rows[n_owners:]] = False  # no one to run them in a tiny labour force

    target = staffing_target(firms.load_ewma, firms.load_sq_ewma, params)
    rng = stream("staffing")
    for process in range(k):
        available = n_owners + np.flatnonzero(skill[n_owners:n_labour] == process)
        filled = int(min(target[:, process].sum(), available.size))
        chosen_slots = _draw_slots(target[:, process], filled, rng)
        chosen_workers = rng.permutation(available)[:filled]
        status[chosen_workers] = PERMANENT
        employer[chosen_workers] = chosen_slots
        np.add.at(firms.staff[:, process], chosen_slots, 1)
    firms.vacancies[:] = np.maximum(target - firms.staff, 0)

    # Where workers live: at their employer or business; the others where their skill is needed.
    firm_region = matching.region_of(firms.location, params.regions_per_side)
    region = np.where(employer >= 0, firm_region[np.maximum(employer, 0)], 0)
    regions = params.regions_per_side**2
    need = np.zeros((regions, k))
    np.add.at(need, firm_region, load)
    need += 1e-12  # a skill nobody needs yet is spread evenly
    cumulative = np.cumsum(need / column_sums(need), axis=0)  # (regions, K): where each skill is needed
    free = np.flatnonzero(employer < 0)
    draw = stream("region").random(free.size)
    for process in range(k):  # a loop over skills, not workers
        of_skill = skill[free] == process
        region[free[of_skill]] = np.searchsorted(cumulative[:, process], draw[of_skill])
    np.minimum(region, regions - 1, out=region)

    wage, benefit = params.wage_yuan_per_week, params.unemployment_benefit_yuan_per_week
    income = np.select([status == PERMANENT, status == INACTIVE], [wage, 0.0], benefit).astype(np.float64)
    sigma = params.reservation_wage_dispersion
    ability = mean_one_lognormal(stream("ability"), occupation.ability_dispersion, (n_workers,))
    ability[:n_owners] = firms.base_order_hours[micro_rows[:n_owners]] / max(scenario.demand.micro_order_hours, 1e-12)
    readiness = beta_with_mean(
        stream("readiness"),
        np.full(n_workers, scenario.firms.micro.digital_readiness),
        scenario.firms.readiness_concentration,
    )
    readiness[:n_owners] = firms.digital_readiness[micro_rows[:n_owners]]
    # Those who value time at home least are the ones in the labour force at the start (see review_participation).
    home_value = (
        params.home_value_ratio
        * wage
        * mean_one_lognormal(stream("home_value"), params.home_value_dispersion, (n_workers,))
    )
    home_value[n_owners:] = np.sort(home_value[n_owners:])
    # Thrift sets both a worker's saving rate and its savings at the start, which are what its saving and
    # spending keep a wage earner at (see model.economy.mechanisms.accounts).
    thrift = mean_one_lognormal(stream("savings"), params.savings_dispersion, (n_workers,))
    return WorkerTable(
        skill=skill,
        region=region,
        status=status,
        employer=employer,
        reservation_wage=np.maximum(
            benefit,
            params.reservation_wage_ratio * wage * mean_one_lognormal(stream("reservation"), sigma, (n_workers,)),
        ),
        home_value=home_value,
        income=income,
        income_ewma=income.copy(),
        income_sq_ewma=income**2,
        savings_yuan=params.initial_savings_yuan * thrift,
        saving_rate=np.minimum(params.savings_rate * thrift, 0.95),
        ability=ability,
        digital_readiness=readiness,
        training_target=np.full(n_workers, -1, np.int64),
        training_left=np.zeros(n_workers, np.int64),
        review_offset=stream("review_offset").integers(0, 2**31, n_workers),
        gini_sample=np.sort(stream("gini").choice(n_workers, size=min(n_workers, GINI_SAMPLE_SIZE), replace=False)),
    )


def work_the_week(
    firms: FirmTable,
    workers: WorkerTable,
    market: LabourMarket,
    produced_hours: np.ndarray,
    platform_member: np.ndarray,
    week: int,
    scenario: Scenario,
    stream: Callable[[str], np.random.Generator],
    ledger: Ledger,
) -> tuple[LabourWeek, LabourMarket]:
    """Staff and pay this week's production, review staffing, and match seekers to jobs and tasks.

    ``produced_hours`` (N, K) are the machine-hours each firm plans to run this
    week, for its own orders and for the hours it sold. The week's payroll is the
    staff at its start: they are paid their wage, and work overtime where neither
    they, the owner nor flexible workers cover the load; dismissals and hires take
    effect at its end. Every payment goes through ``ledger``: wages, severance and
    overtime to the workers concerned, task pay to the flexible workers, hiring
    costs to suppliers, and benefits from the government to everyone else (the
    self-employed draw on their business later, in :mod:`accounts`).
    ``platform_member`` is, per firm, whether it belongs to any platform in service
    (see :mod:`matching` for how seekers and openings meet);
    ``stream(name)`` gives this week's generator for each kind of draw.

    Returns the week's labour record per firm and the labour market's statistics.
    """
    params = scenario.labour
    k = firms.machines.shape[1]
    wage, hours = params.wage_yuan_per_week, params.hours_per_worker_week
    weight = 1.0 / scenario.firms.memory_weeks

    load = load_in_workers(produced_hours, params) * firms.active[:, None]
    blend(firms.load_ewma, load, weight)
    blend(firms.load_sq_ewma, load, weight, squared=True)
    staff = firms.staff.astype(np.float64)  # this week's payroll
    owner = owner_labour(firms, workers)
    regular = staff + owner
    gap = np.maximum(load - regular, 0.0)  # worker-weeks beyond the firm's own workers
    slots = task_slots(gap, regular, params)

    # The payroll is this week's permanent staff; the unemployed and last week's flexible workers search.
    roster, roster_employer, roster_skill, seekers = start_the_week(
        workers.status, workers.employer, workers.skill, workers.training_left, PERMANENT, UNEMPLOYED, FLEXIBLE
    )
    income = np.zeros(workers.n)
    ledger.pay("wage", "firms", "workers", np.full(roster.size, wage), payer_rows=roster_employer, payee_rows=roster)
    income[roster] = wage
    labour_cost = row_sums(staff) * wage

    dismissed = _review_staffing(firms, workers, week, params, stream("dismissals"))
    severance = np.full(dismissed.size, params.firing_cost_weeks * wage)
    dismissing = workers.employer[dismissed]
    ledger.pay("severance", "firms", "workers", severance, payer_rows=dismissing, payee_rows=dismissed)
    income[dismissed] += severance
    labour_cost += np.bincount(dismissing, weights=severance, minlength=firms.n)
    dismissals = _release(firms, workers, dismissed)

    if platform_member.any():
        registered = workers.digital_readiness >= scenario.platforms.min_readiness  # can search on platforms
    else:
        registered = np.zeros(workers.n, bool)  # no platform to search on
    eligible, job_seekers_by_skill = job_seekers(seekers, workers.reservation_wage, wage, workers.skill, k)
    markets = matching.markets_of_the_week(firms, platform_member, registered, params)
    hired, employer = matching.fill_vacancies(firms, workers, eligible.copy(), markets, params, stream("hiring"))
    hiring_cost = _hire(firms, workers, hired, employer, params)
    ledger.pay("hiring cost", "firms", "suppliers", hiring_cost)
    labour_cost += hiring_cost
    hires = np.bincount(workers.skill[hired], minlength=k)
    seekers &= workers.status == UNEMPLOYED  # those just hired start next week
    filled, flexible = matching.fill_tasks(slots, workers, seekers.copy(), markets, params, stream("tasks"))
    workers.status[flexible] = FLEXIBLE
    task_workers = np.bincount(workers.skill[flexible], minlength=k)
    engaged = np.ceil(filled - 1e-9)  # workers a firm engaged per skill (a part-week still takes a worker)
    contract_cost = row_sums(engaged) * (params.task_contract_cost_weeks * wage)
    ledger.pay("task contract cost", "firms", "suppliers", contract_cost)
    labour_cost += contract_cost
    flexible_pay = row_sums(filled) * weekly_flexible_pay(params)
    ledger.pay(
        "flexible pay",
        "firms",
        "workers",
        flexible_pay,
        payee_rows=flexible,
        payee_yuan=np.full(flexible.size, weekly_flexible_pay(params)),
    )
    income[flexible] = weekly_flexible_pay(params)
    labour_cost += flexible_pay

    # The firm's own workers run the rest, up to their overtime limit; what is left is not produced.
    overtime_needed = gap - filled
    overtime = np.minimum(overtime_needed, params.max_overtime_share * regular)
    unstaffed = overtime_needed - overtime
    staff_overtime = overtime * np.divide(staff, regular, out=np.zeros_like(staff), where=regular > 0)
    overtime_pay = staff_overtime * (wage * (1.0 + params.overtime_premium))  # (N, K), shared by that staff
    per_worker = per_head(overtime_pay, staff, roster_employer, roster_skill)
    ledger.pay("overtime", "firms", "workers", per_worker, payer_rows=roster_employer, payee_rows=roster)
    income[roster] += per_worker
    labour_cost += row_sums(overtime_pay)

    on_benefit = benefit_claimants(workers.status, roster, UNEMPLOYED, PERMANENT)  # the unemployed and new hires
    benefit = params.unemployment_benefit_yuan_per_week
    ledger.pay("benefit", "government", "workers", np.full(on_benefit.size, benefit), payee_rows=on_benefit)
    income[on_benefit] = benefit
    workers.income[:] = income  # zero for the inactive: what they do at home is outside these books

    firms.last_flexible_week[row_sums(filled) * hours >= 8.0] = week  # at least a worker-day of task work
    machine_hours_per_worker = (
        hours / params.worker_hours_per_machine_hour if params.worker_hours_per_machine_hour else 0.0
    )
    week_record = LabourWeek(
        labour_cost_yuan=labour_cost,
        staff=row_sums(staff),
        staff_hours=row_sums(staff) * hours,
        owner_hours=row_sums(owner + overtime - staff_overtime) * hours,
        flexible_hours=row_sums(filled) * hours,
        overtime_hours=row_sums(staff_overtime) * hours,
        needed_hours=row_sums(load) * hours,
        unstaffed_hours=unstaffed * machine_hours_per_worker,
    )

    task_seekers = np.bincount(workers.skill[seekers], minlength=k)
    job_finding = np.divide(
        hires, job_seekers_by_skill, out=market.job_finding_ewma.copy(), where=job_seekers_by_skill > 0
    )
    task_finding = np.divide(task_workers, task_seekers, out=market.task_finding_ewma.copy(), where=task_seekers > 0)
    unfilled_tasks = np.maximum(column_sums(slots) - task_workers, 0.0)
    statistics = LabourMarket(
        job_finding_ewma=market.job_finding_ewma + weight * (job_finding - market.job_finding_ewma),
        task_finding_ewma=market.task_finding_ewma + weight * (task_finding - market.task_finding_ewma),
        open_positions=column_sums(firms.vacancies) + unfilled_tasks,
        unemployed=np.zeros(k),
        hires=hires.astype(np.float64),
        dismissals=dismissals.astype(np.float64),
        wages_yuan=float(roster.size * wage),
        flexible_pay_yuan=float(flexible.size * weekly_flexible_pay(params)),
    )
    return week_record, statistics


def _review_staffing(
    firms: FirmTable, workers: WorkerTable, week: int, params: LabourParams, rng: np.random.Generator
) -> np.ndarray:
    """Firms due for review post vacancies up to target and pick staff far above it to dismiss (worker rows)."""
    due = np.flatnonzero(firms.active & firms.due(week, params.staffing_review_weeks))
    if due.size == 0:
        return np.zeros(0, np.int64)
    target = staffing_target(firms.load_ewma[due], firms.load_sq_ewma[due], params)
    staff = firms.staff[due]
    firms.vacancies[due] = np.maximum(target - staff, 0)
    excess = np.where(staff > np.floor(target * (1.0 + params.firing_band)), staff - target, 0)
    cut = np.zeros(firms.machines.shape, np.int64)
    cut[due] = excess
    return _pick_within_groups(workers, cut, rng)


def _pick_within_groups(workers: WorkerTable, count: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random permanent workers, ``count[firm, skill]`` of them from each firm-and-skill group."""
    k = count.shape[1]
    candidates = staff_in_groups(workers.status, workers.employer, workers.skill, count, PERMANENT)
    if candidates.size == 0:
        return candidates
    group = workers.employer[candidates] * k + workers.skill[candidates]
    return candidates[first_within_groups(group, rng.random(candidates.size), count.ravel())]


def _release(firms: FirmTable, workers: WorkerTable, leaving: np.ndarray) -> np.ndarray:
    """Permanent workers ``leaving`` leave their firms' staff and become unemployed. Returns leavers per skill."""
    k = firms.machines.shape[1]
    employer, skill = workers.employer[leaving], workers.skill[leaving]
    np.subtract.at(firms.staff, (employer, skill), 1)
    workers.status[leaving] = UNEMPLOYED
    workers.employer[leaving] = -1
    return np.bincount(skill, minlength=k)


def release_staff(firms: FirmTable, workers: WorkerTable, closing: np.ndarray) -> None:
    """Everyone employed by the firms in ``closing`` (rows) becomes unemployed; a closing firm pays no severance."""
    closing_mask = np.zeros(firms.n, bool)
    closing_mask[closing] = True
    leaving = np.flatnonzero((workers.status == PERMANENT) & closing_mask[np.maximum(workers.employer, 0)])
    leaving = leaving[workers.employer[leaving] >= 0]
    _release(firms, workers, leaving)
    firms.vacancies[closing] = 0


def _hire(
    firms: FirmTable, workers: WorkerTable, hired: np.ndarray, employer: np.ndarray, params: LabourParams
) -> np.ndarray:
    """The ``hired`` workers join ``employer`` (rows) from next week, and move to its region; returns hiring costs."""
    skill = workers.skill[hired]
    workers.status[hired] = PERMANENT
    workers.employer[hired] = employer
    workers.region[hired] = matching.region_of(firms.location[employer], params.regions_per_side)
    np.add.at(firms.staff, (employer, skill), 1)
    np.subtract.at(firms.vacancies, (employer, skill), 1)
    return np.bincount(employer, minlength=firms.n) * (params.hiring_cost_weeks * params.wage_yuan_per_week)


def _draw_slots(openings: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Rows of ``count`` openings drawn at random without replacement from ``openings[row]`` per row, shuffled.

    Costs what the firms and draws cost, not what the openings number (a
    multivariate hypergeometric draw rather than one entry per opening).
    """
    per_row = rng.multivariate_hypergeometric(openings.astype(np.int64), count, method="marginals")
    return rng.permutation(np.repeat(np.arange(openings.size), per_row))


def review_training(
    workers: WorkerTable,
    market: LabourMarket,
    week: int,
    scenario: Scenario,
    rng: np.random.Generator,
    ledger: Ledger,
) -> None:
    """Advance training; unemployed workers due for review start retraining when it pays.

    A worker compares each other skill's expected income over the planning horizon,
    less the income given up while training, with the cost net of the subsidy. Among
    the skills where retraining pays, it picks one at random with odds proportional
    to the net gain, so that a whole cohort does not crowd into the same skill.
    """
    params = scenario.labour
    training = workers.training_left > 0
    workers.training_left[training] -= 1
    finished = training & (workers.training_left == 0)
    workers.skill[finished] = workers.training_target[finished]
    workers.training_target[finished] = -1

    due = (workers.status == UNEMPLOYED) & (workers.training_left == 0)
    due &= workers.due(week, params.review_weeks)
    rows = np.flatnonzero(due)
    if rows.size == 0:
        return
    prospects = expected_search_income(market, params)
    own = prospects[workers.skill[rows]]
    cost = params.training_cost_yuan * (1.0 - params.training_subsidy)
    benefit = params.unemployment_benefit_yuan_per_week
    gain = (prospects[None, :] - own[:, None]) * params.planning_horizon_weeks
    net = np.maximum(gain - (own[:, None] - benefit) * params.training_weeks - cost, 0.0)
    net *= (workers.savings_yuan[rows] >= cost)[:, None]
    total = row_sums(net)
    start = total > 0
    odds = np.cumsum(net[start], axis=1) / total[start, None]
    target = np.argmax(odds > rng.random(int(start.sum()))[:, None], axis=1)
    trainees = rows[start]
    workers.training_target[trainees] = target
    workers.training_left[trainees] = params.training_weeks
    fee = np.full(trainees.size, params.training_cost_yuan)
    ledger.pay("training subsidy", "government", "workers", fee * params.training_subsidy, payee_rows=trainees)
    ledger.pay("training fee", "workers", "suppliers", fee, payer_rows=trainees)


def expected_search_income(market: LabourMarket, params: LabourParams) -> np.ndarray:
    """(K,) expected weekly income of a job seeker of each skill, from the market's recent finding rates."""
    benefit = params.unemployment_benefit_yuan_per_week
    job, task = np.clip(market.job_finding_ewma, 0, 1), np.clip(market.task_finding_ewma, 0, 1)
    return job * params.wage_yuan_per_week + (1 - job) * (task * weekly_flexible_pay(params) + (1 - task) * benefit)


def initial_market(workers: WorkerTable, scenario: Scenario) -> LabourMarket:
    """The labour market's remembered statistics at the start: those that keep its participation where it is.

    The labour force at the start holds the people who value time at home least
    (see :func:`create_pool`); the job-finding rate remembered at the start is the
    one at which the marginal person, in or out, is indifferent between searching
    and staying home, so the first reviews do not move people for want of a history.
    """
    params = scenario.labour
    wage, benefit = params.wage_yuan_per_week, params.unemployment_benefit_yuan_per_week
    outside = workers.home_value[workers.status == INACTIVE]
    marginal = float(outside.min()) if outside.size else wage
    job_finding = float(np.clip((marginal - benefit) / (wage - benefit), 0.0, 1.0)) if wage > benefit else 0.0
    return LabourMarket.empty(scenario.size.process_types, job_finding=job_finding)


def review_participation(workers: WorkerTable, market: LabourMarket, week: int, scenario: Scenario) -> None:
    """People due for review join the labour force, or leave it, as searching pays more or less than home.

    A person searches while a job seeker's expected weekly income in its skill
    (from the market's recent job- and task-finding rates, see
    :func:`expected_search_income`) beats the value of its time at home
    (``home_value``: home work, farming, study). So labour supply answers the
    market: when firms cannot fill their openings, finding rates rise and people
    come in until they fall back; when work is scarce, discouraged seekers leave.
    Workers in training finish it first.
    """
    params = scenario.labour
    outside = workers.status == INACTIVE
    rows = np.flatnonzero(
        (outside | (workers.status == UNEMPLOYED))
        & (workers.training_left == 0)
        & workers.due(week, params.review_weeks)
    )
    pays = expected_search_income(market, params)[workers.skill[rows]] > workers.home_value[rows]
    workers.status[rows] = np.where(pays, UNEMPLOYED, INACTIVE)
