"""Scenario schema: every parameter of the economy, declared once.

A scenario lists only what differs from the defaults below, grouped in sections
(``size``, ``firms``, ``demand``, ``network``, ``platforms``, ``supervision``, ``investment``,
``labour``, ``occupation``, ``shocks``), plus ``interventions``: changes during
the run. Each parameter is declared once, here, with its default, its allowed
range, its unit and a one-line meaning; the ``params`` table, the JSON Schema and
error messages are all generated from these declarations. Reading files
(``extends``, errors that name the file) is in :mod:`model.economy.scenario_files`.

Example
-------
>>> [row for row in parameters() if row["key"] == "platforms.commission_rate"][0]["max"]
1.0
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


def param(default: Any, low: float | None, high: float | None, unit: str, doc: str, *, setup: bool = False) -> Any:
    """Declare one parameter: its default, allowed closed range [low, high], unit and meaning.

    ``setup=True`` marks a parameter that only shapes the economy when it is built
    (sizes, drawn traits); an intervention cannot change it during a run.
    """
    return Field(default, ge=low, le=high, description=doc, json_schema_extra={"unit": unit, "setup_only": setup})


class Section(BaseModel):
    """A group of parameters; unknown keys and wrong types are errors, not ignored."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class SizeParams(Section):
    firms: int = param(2000, 10, 5_000_000, "firms", "Total number of firms of all kinds at the start.", setup=True)
    process_types: int = param(
        6,
        1,
        64,
        "types",
        "Number K of process types (machining, sheet metal, moulding, electronics, assembly, additive).",
        setup=True,
    )
    micro_share: float = param(0.3, 0.0, 0.9, "share", "Share of firms that are micro-entrepreneurs.", setup=True)
    labour_force_ratio: float = param(
        1.0,
        0.05,
        100.0,
        "workers/worker needed",
        "Labour force at the start (micro-business owners aside) over the workers firms' expected orders need.",
        setup=True,
    )
    reserve_labour_ratio: float = param(
        0.5,
        0.0,
        100.0,
        "people/worker",
        "People outside the labour force at the start (home work, farming, study) per worker in it; they join "
        "it when searching pays more than their time at home (labour.home_value_ratio).",
        setup=True,
    )


def _openness(default: float) -> Any:
    return param(default, 0.0, 1.0, "share", "Share of its idle capacity a firm of this kind offers others each week.")


def _readiness(default: float) -> Any:
    return param(default, 0.0, 1.0, "index 0-1", "Mean digital readiness (Beta-distributed across firms of this kind).")


class LargeFirmParams(Section):
    """Large firms: many machines, high digital readiness; open part of their idle capacity."""

    openness: float = _openness(0.5)
    digital_readiness: float = _readiness(0.8)
    opens_data: bool = param(
        False,
        None,
        None,
        "",
        "Large firms open their production data, compute and designs to the SMEs and micro-businesses they deal "
        "with: their partners, and fellow members of a platform they belong to.",
    )
    data_defect_reduction: float = param(
        0.3,
        0.0,
        1.0,
        "share",
        "How much lower the failure rate of a firm with access to a large firm's data and designs is (process data, "
        "standards); an assumption.",
    )
    data_upgrade_discount: float = param(
        0.3,
        0.0,
        1.0,
        "share",
        "Share of a digital upgrading project's cost a firm with access saves (shared tools and compute); an "
        "assumption.",
    )
    data_fee_yuan_per_week: float = param(
        0.0,
        0.0,
        1e7,
        "yuan/week",
        "What each firm with access pays for it, shared equally among the large firms that open.",
    )
    data_cost_yuan_per_week: float = param(
        5000.0,
        0.0,
        1e8,
        "yuan/week",
        "What opening costs each large firm that opens (support, compute, curating data); an assumption.",
    )


class SMEParams(Section):
    """Small and medium enterprises: few machines, volatile orders, low digital readiness."""

    openness: float = _openness(1.0)
    digital_readiness: float = _readiness(0.35)


class MicroParams(Section):
    """Micro-entrepreneurs: custom (C2B) orders, no or few machines."""

    openness: float = _openness(1.0)
    digital_readiness: float = _readiness(0.5)
    machine_probability: float = param(
        0.3,
        0.0,
        1.0,
        "probability",
        "Chance that a micro-entrepreneur owns one machine (else none).",
        setup=True,
    )


class FirmParams(Section):
    size_tail_exponent: float = param(
        1.05,
        0.3,
        4.0,
        "",
        "Pareto tail exponent of firm size in machines (Zipf law, about 1 in Axtell 2001).",
        setup=True,
    )
    min_machines: int = param(2, 1, 1000, "machines", "Smallest SME, in machines.", setup=True)
    max_machines: int = param(
        1000, 1, 1_000_000, "machines", "Largest firm, in machines (truncates the tail).", setup=True
    )
    large_firm_min_machines: int = param(
        100,
        1,
        1_000_000,
        "machines",
        "A non-micro firm with at least this many machines is a large firm.",
        setup=True,
    )
    type_concentration: float = param(
        0.4,
        0.01,
        100.0,
        "",
        "Dirichlet concentration of a firm's machines over process types; lower means more specialised.",
        setup=True,
    )
    production_cost_yuan_per_hour: float = param(
        60.0,
        0.0,
        1e5,
        "yuan/hour",
        "Mean non-labour variable cost of one machine-hour (energy, materials, wear).",
        setup=True,
    )
    cost_dispersion: float = param(
        0.15,
        0.0,
        2.0,
        "log-sd",
        "Dispersion of production cost across firms and types (lognormal sigma).",
        setup=True,
    )
    failure_rate_mean: float = param(
        0.04,
        0.0,
        1.0,
        "probability",
        "Mean chance that a trade with a given seller fails (defect or non-delivery).",
        setup=True,
    )
    failure_rate_concentration: float = param(
        8.0,
        0.1,
        1e4,
        "",
        "Beta concentration of sellers' failure rates; lower means more bad actors.",
        setup=True,
    )
    readiness_concentration: float = param(
        6.0,
        0.1,
        1e4,
        "",
        "Beta concentration of digital readiness around each kind's mean.",
        setup=True,
    )
    cash_buffer_weeks: float = param(
        8.0,
        0.0,
        520.0,
        "weeks",
        "Cash a firm starts with and keeps, in weeks of expected revenue; it pays out what it holds beyond it.",
    )
    memory_weeks: float = param(
        8.0, 1.0, 520.0, "weeks", "Time scale of the moving averages firms use to judge their recent past."
    )
    large: LargeFirmParams = Field(default_factory=LargeFirmParams, description=LargeFirmParams.__doc__)
    sme: SMEParams = Field(default_factory=SMEParams, description=SMEParams.__doc__)
    micro: MicroParams = Field(default_factory=MicroParams, description=MicroParams.__doc__)


class DemandParams(Section):
    load_factor: float = param(
        0.85,
        0.0,
        5.0,
        "hours/capacity-hour",
        "Mean ordered hours per hour of a firm's own capacity.",
        setup=True,
    )
    cycle_amplitude: float = param(0.1, 0.0, 0.95, "share", "Amplitude of the common demand cycle.")
    cycle_period_weeks: float = param(52.0, 2.0, 5200.0, "weeks", "Period of the common demand cycle.")
    shock_persistence: float = param(0.9, 0.0, 0.999, "", "Weekly AR(1) persistence of each firm's log demand shock.")
    shock_sigma: float = param(0.03, 0.0, 2.0, "log-sd", "Weekly innovation of each firm's log demand shock.")
    sector_shock_persistence: float = param(
        0.95, 0.0, 0.999, "", "Weekly AR(1) persistence of each process type's log demand shock."
    )
    sector_shock_sigma: float = param(
        0.03, 0.0, 2.0, "log-sd", "Weekly innovation of each process type's log demand shock."
    )
    order_noise_sigma: float = param(
        0.25, 0.0, 3.0, "log-sd", "Week-to-week lumpiness of a firm's orders in each process type."
    )
    contract_share: float = param(
        0.5, 0.0, 1.0, "share", "Share of a firm's mean orders that come as contracts it wins and loses."
    )
    contract_weeks: float = param(104.0, 1.0, 520.0, "weeks", "Mean length of a contract (geometric).")
    contracts_per_mean_firm: float = param(
        5.0, 0.01, 1000.0, "contracts", "Contracts a firm of average size holds at a time."
    )
    contract_size_elasticity: float = param(
        0.4,
        0.0,
        1.0,
        "",
        "How a firm's contracts grow with its size (size^elasticity): below 1, big firms hold more of them.",
    )
    contract_size_tail: float = param(
        1.5, 1.05, 10.0, "", "Pareto tail exponent of contract sizes (lower: a fatter tail of big contracts)."
    )
    outside_need_share: float = param(
        0.3,
        0.0,
        1.0,
        "share",
        "Share of a firm's orders whose process mix is independent of the machines it owns.",
        setup=True,
    )
    backlog_share: float = param(
        0.5, 0.0, 1.0, "share", "Share of unserved hours that customers carry to next week; the rest is lost."
    )
    order_value_yuan_per_hour: float = param(
        200.0,
        0.0,
        1e6,
        "yuan/hour",
        "Mean price customers pay per machine-hour of an order.",
        setup=True,
    )
    value_dispersion: float = param(
        0.15,
        0.0,
        2.0,
        "log-sd",
        "Dispersion of order value across firms and types (lognormal sigma).",
        setup=True,
    )
    micro_order_hours: float = param(
        30.0,
        0.0,
        1e4,
        "hours/week",
        "Mean custom-order hours a micro-entrepreneur receives per week.",
        setup=True,
    )
    custom_premium: float = param(
        0.3, 0.0, 10.0, "share", "Price premium of custom (C2B) orders over standard orders.", setup=True
    )
    custom_share: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Mass customisation: share of every SME's and large firm's orders that are custom, worth custom_premium "
        "more per hour and spread evenly over all process types, whatever machines the firm owns.",
        setup=True,
    )
    multi_stage_share: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Multi-stage products: share of every SME's and large firm's new orders in its route that come as products "
        "made in stages, one week each, perhaps by different factories; a stage goes on only as far as the stages "
        "before it were made.",
        setup=True,
    )
    product_stages: int = param(
        3,
        2,
        8,
        "stages",
        "Stages of a multi-stage product: the firm's most-ordered process types (at most all of them), the "
        "lowest-numbered (upstream) first.",
        setup=True,
    )
    custom_market_crowding: float = param(
        1.0,
        0.0,
        2.0,
        "",
        "Elasticity of a micro-business's custom orders to the number of micro-businesses: "
        "orders x (micro-businesses at the start / now)^elasticity; 1 is a custom market of fixed size.",
    )
    design_copy_risk: float = param(
        0.3,
        0.0,
        1.0,
        "share",
        "Share of a custom order's value a micro-entrepreneur expects to lose when a stranger on a platform "
        "makes its design (copying); IP protection lowers it.",
    )
    reach_gain: float = param(
        1.0,
        0.0,
        100.0,
        "",
        "Growth of custom-order arrival with platform reach: orders x (1 + reach_gain x reach share).",
    )


class NetworkParams(Section):
    partners_mean: float = param(
        4.0,
        0.0,
        1000.0,
        "partners",
        "Mean number of partners a firm of average size seeks nearby.",
        setup=True,
    )
    partner_size_elasticity: float = param(
        0.5,
        0.0,
        2.0,
        "",
        "Elasticity of a firm's number of partners with respect to its size.",
        setup=True,
    )
    partners_max: int = param(60, 0, 10_000, "partners", "Most partners a firm seeks.", setup=True)
    contact_rate: float = param(
        0.5, 0.0, 1.0, "probability/week", "Chance that a buyer contacts a given trusted partner in a week."
    )
    search_cost_yuan: float = param(
        200.0, 0.0, 1e7, "yuan/contact", "Cost of one off-platform contact (calls, visits, quotes)."
    )
    trust_loss: float = param(0.5, 0.0, 1.0, "share", "Share of a partner edge's trust lost when a trade on it fails.")
    trust_recovery: float = param(0.05, 0.0, 1.0, "share/week", "Share of the lost trust that returns each week.")


class PlatformParams(Section):
    count: int = param(1, 0, 64, "platforms", "Number of competing capacity-sharing platforms.", setup=True)
    commission_rate: float = param(
        0.05,
        0.0,
        1.0,
        "share of trade value",
        "Platform commission, taken from the seller's receipts (under learning pricing, where platforms start).",
    )
    pricing: Literal["fixed", "learning"] = param(
        "fixed",
        None,
        None,
        "",
        "fixed: the commission is commission_rate; learning: each platform tries its commission a step above and "
        "below (A-B-B-A trial phases) and moves it a step towards the side that earned more.",
    )
    commission_cap: float = param(
        1.0, 0.0, 1.0, "share of trade value", "Highest commission a regulator allows (1: no cap); binds either way."
    )
    price_trial_weeks: int = param(
        4, 1, 520, "weeks", "Length of each of the four trial phases of learning pricing (a move every 4 phases)."
    )
    commission_step: float = param(
        0.005,
        0.0,
        0.5,
        "share of trade value",
        "How far above and below its commission a platform under learning pricing tries, and moves.",
    )
    membership_fee_yuan_per_week: float = param(
        100.0,
        0.0,
        1e7,
        "yuan/week",
        "Weekly membership fee a firm pays each platform it belongs to (under learning pricing with a fee step, "
        "where platforms start).",
    )
    fee_step_yuan: float = param(
        0.0,
        0.0,
        1e6,
        "yuan/week",
        "Under learning pricing, how far above and below its membership fee a platform tries, and moves; with a "
        "step, its trials alternate between the commission and the fee (0: the fee stays fixed).",
    )
    operating_cost_yuan_per_member_week: float = param(
        0.0,
        0.0,
        1e7,
        "yuan/week",
        "A platform's weekly cost of serving one member (hosting, support, vetting); 0: not modelled.",
    )
    operating_cost_share: float = param(
        0.0,
        0.0,
        1.0,
        "share of trade value",
        "A platform's cost of handling a delivered trade (payments, disputes), as a share of its value; 0: none.",
    )
    join_cost_yuan: float = param(
        20000.0, 0.0, 1e9, "yuan", "One-off cost of joining a platform for a fully digital firm."
    )
    digitalisation_cost_factor: float = param(
        2.0,
        0.0,
        100.0,
        "",
        "Extra joining cost per unit of missing digital readiness: cost x (1 + factor x (1 - readiness)).",
    )
    digitalisation_subsidy: float = param(
        0.0, 0.0, 1.0, "share", "Share of the joining cost paid by a public digitalisation subsidy."
    )
    min_readiness: float = param(
        0.3, 0.0, 1.0, "index 0-1", "Digital readiness below which a firm cannot join a platform."
    )
    infrastructure_quality: float = param(
        0.8, 0.0, 1.0, "index 0-1", "Industrial-internet infrastructure; caps the platform's matching efficiency."
    )
    half_efficiency_share: float = param(
        0.05,
        0.0,
        1.0,
        "share of firms",
        "Membership share at which matching efficiency reaches half its cap (network effect).",
    )
    credit_system: float = param(
        0.5,
        0.0,
        1.0,
        "index 0-1",
        "Strength of the credit system: how much of sellers' failure record the platform can see and use.",
    )
    ip_protection: float = param(
        0.5,
        0.0,
        1.0,
        "index 0-1",
        "Protection of designs traded on platforms: the share of the copying risk it removes.",
    )
    asks_reflect_load: bool = param(
        True,
        None,
        None,
        "",
        "Sellers ask less for hours their paid staff can run than for hours that need more labour (off: every "
        "hour carries flexible labour's cost, whatever the seller's load).",
    )
    min_order_hours: float = param(
        1.0, 0.0, 1000.0, "hours", "Smallest order a platform dispatches: smaller matches are not worth one."
    )
    blacklist_failure_rate: float = param(
        0.15, 0.0, 1.0, "probability", "Estimated failure rate above which the credit system excludes a seller."
    )
    launch_fill_belief: float = param(
        0.5, 0.0, 1.0, "share", "Fill rate firms expect from a platform before it has any history."
    )
    planning_horizon_weeks: float = param(
        52.0, 1.0, 1040.0, "weeks", "Weeks over which a firm weighs the joining cost against expected gains."
    )
    review_period_weeks: int = param(4, 1, 520, "weeks", "How often a firm reviews its platform memberships.")
    min_tenure_weeks: int = param(12, 0, 520, "weeks", "Weeks a new member stays before it may leave.")
    launch_awareness: float = param(
        0.05, 0.0, 1.0, "share of firms", "Firms that know a platform and what it offers when it launches."
    )
    outreach_per_year: float = param(
        0.2,
        0.0,
        52.0,
        "per year",
        "Bass innovation p: yearly chance that a firm learns of a platform from its own outreach.",
    )
    imitation_per_year: float = param(
        2.0,
        0.0,
        52.0,
        "per year",
        "Bass imitation q: yearly chance of learning of it, times the net share of a firm's partners who report "
        "gains from it (satisfied members less dissatisfied ones).",
    )
    upgrade_step: float = param(
        0.2, 0.01, 1.0, "index 0-1", "Digital readiness one upgrading project adds (industrial internet, data)."
    )
    upgrade_cost_yuan_per_machine: float = param(
        25_000.0,
        0.0,
        1e8,
        "yuan/machine",
        "Cost of one upgrading project per machine a firm owns (at least one machine's worth).",
    )
    upgrade_weeks: int = param(13, 0, 520, "weeks", "Time an upgrading project takes before readiness rises.")
    upgrade_subsidy: float = param(
        0.0, 0.0, 1.0, "share", "Share of the cost of upgrading digital readiness paid by a public programme."
    )
    readiness_depreciation_per_year: float = param(
        0.05,
        0.0,
        1.0,
        "share/year",
        "Share of its digital readiness a firm loses each year as technology moves on, unless it upgrades.",
    )
    entry: bool = param(
        False,
        None,
        None,
        "",
        "Platforms may enter, when the profit an entrant expects covers its entry cost, and exit after sustained "
        "losses (off: the platforms launched at week 0 stay for good).",
    )
    max_platforms: int = param(
        8,
        1,
        64,
        "platforms",
        "With entry on, the most platforms a run can see, launched and entrants together (exited ones count).",
        setup=True,
    )
    entry_cost_yuan: float = param(
        1e7,
        0.0,
        1e11,
        "yuan",
        "What investors pay to launch a platform (software, onboarding, outreach); an assumption, not sourced.",
    )
    entry_review_weeks: int = param(13, 1, 520, "weeks", "How often a would-be entrant looks at the market.")
    entry_payback_weeks: float = param(
        156.0,
        1.0,
        5200.0,
        "weeks",
        "Weeks of expected profit an entrant needs to recover its entry cost: it enters if payback x the profit "
        "it expects per week exceeds the cost.",
    )
    fixed_cost_yuan_per_week: float = param(
        0.0,
        0.0,
        1e9,
        "yuan/week",
        "Cost of running a platform whatever its size (servers, staff), paid while it is in the market.",
    )
    exit_after_loss_weeks: int = param(
        26, 1, 5200, "weeks", "With entry on, a platform that has lost money this many weeks in a row exits."
    )
    startup_weeks: int = param(
        104,
        0,
        5200,
        "weeks",
        "With entry on, how long investors carry a new platform's losses while it builds its members (adoption "
        "takes years) before its losses count towards exit.",
    )
    owned_platforms: int = param(
        0,
        0,
        64,
        "platforms",
        "How many platforms (the first ones) each belong to a large firm, the biggest first; an owner is a "
        "member of its platform from launch and never leaves it.",
        setup=True,
    )
    self_preferencing: bool = param(
        False,
        None,
        None,
        "",
        "An owned platform shows buyers its owner's idle hours first: they clear against the owner's asks before "
        "anyone else's.",
    )


class PublicLabParams(Section):
    """Public research equipment opened as capacity: universities, research institutes and innovation centres."""

    count: int = param(
        0,
        0,
        10_000,
        "labs",
        "Public labs whose instruments are offered on every platform (the article's third recommendation).",
        setup=True,
    )
    machines: int = param(
        20,
        1,
        100_000,
        "machines",
        "Instruments of each lab, counted as machines, spread over process types.",
        setup=True,
    )
    price_yuan_per_hour: float = param(
        150.0,
        0.0,
        1e6,
        "yuan/hour",
        "Regulated price a lab asks for an instrument-hour; the government covers a lab's losses and takes its "
        "surplus.",
    )


class SupervisionParams(Section):
    """A regulator that audits platform trades (with cloud and big-data tools) and polices self-preferencing."""

    audit_share: float = param(
        0.0,
        0.0,
        1.0,
        "share of trades",
        "Share of platform trades the regulator audits; an audited trade's outcome enters a public record that "
        "every platform's credit system reads in full.",
    )
    audit_cost_yuan: float = param(
        300.0, 0.0, 1e7, "yuan/trade", "What one audit costs the government (inspectors, data systems)."
    )
    forbid_self_preferencing: bool = param(
        False, None, None, "", "The regulator forbids owned platforms to put their owner's offers first."
    )


class InvestmentParams(Section):
    machine_hours_per_week: float = param(
        40.0, 1.0, 168.0, "hours/week", "Capacity of one machine (one shift).", setup=True
    )
    machine_price_yuan: float = param(400_000.0, 0.0, 1e10, "yuan", "Price of one new machine.")
    machine_life_years: float = param(10.0, 0.5, 100.0, "years", "Economic life of a machine.")
    interest_rate: float = param(
        0.06, 0.0, 1.0, "per year", "Interest on loans and overdrafts, and the rate used to annuitise machine prices."
    )
    maintenance_yuan_per_week: float = param(200.0, 0.0, 1e8, "yuan/week", "Upkeep of one machine, used or not.")
    resale_share: float = param(0.5, 0.0, 1.0, "share", "Share of the price a firm recovers selling a machine.")
    review_period_weeks: int = param(13, 1, 520, "weeks", "How often a firm reviews its machine park.")
    overload_threshold_machines: float = param(
        0.75,
        0.0,
        1e4,
        "machines",
        "Sustained hours beyond own capacity (unmet plus rented), in machines, that trigger a buy-vs-rent review.",
    )
    idle_utilisation_threshold: float = param(
        0.5, 0.0, 1.0, "share", "Sustained utilisation of a process type below which a firm sells machines."
    )
    target_utilisation: float = param(
        0.75, 0.01, 1.0, "share", "Utilisation a firm aims for when it sells idle machines."
    )
    loan_to_value: float = param(
        0.8, 0.0, 1.0, "share", "Share of a machine's price a bank lends; the buyer pays the rest from its cash."
    )
    loan_years: float = param(10.0, 0.5, 100.0, "years", "Time over which a loan is repaid (in equal shares of it).")
    retire_machines: bool = param(
        True,
        None,
        None,
        "",
        "Machines wear out: each retires at random, on average after machine_life_years (scrapped, no resale).",
    )
    adjustment_speed: float = param(
        0.5, 0.0, 1.0, "share", "Share of the gap to the desired machine park closed at one review."
    )


class LabourParams(Section):
    wage_yuan_per_week: float = param(1500.0, 0.0, 1e6, "yuan/week", "Permanent wage, the same for every skill.")
    hours_per_worker_week: float = param(40.0, 1.0, 84.0, "hours/week", "Hours one worker works in a week.")
    worker_hours_per_machine_hour: float = param(
        1.5, 0.0, 20.0, "hours/hour", "Labour one machine-hour needs (operation, set-up, handling, inspection)."
    )
    flexible_pay_premium: float = param(
        0.3, -0.9, 5.0, "share", "Hourly pay of a flexible task contract above the permanent hourly wage."
    )
    overtime_premium: float = param(
        0.5, 0.0, 5.0, "share", "Pay above the hourly wage for overtime, used when no flexible worker is found."
    )
    max_overtime_share: float = param(
        0.5,
        0.0,
        2.0,
        "share of normal hours",
        "Most overtime a firm's own workers (staff, owner) work, as a share of their normal hours; "
        "machine-hours beyond it that no flexible worker covers are not produced.",
    )
    unemployment_benefit_yuan_per_week: float = param(
        300.0, 0.0, 1e6, "yuan/week", "Benefit the government pays each unemployed worker (and each trainee)."
    )
    matching_model: Literal["urn_ball", "cobb_douglas"] = param(
        "urn_ball",
        None,
        None,
        "",
        "How seekers meet openings: urn_ball in local markets that platforms pool (the mechanism), or "
        "cobb_douglas, one market per skill with a higher A on platforms (the earlier assumption, for comparison).",
    )
    applications_per_week: float = param(
        0.5, 0.0, 50.0, "applications/week", "Applications a job seeker sends a week (urn-ball matching)."
    )
    regions_per_side: int = param(
        3,
        1,
        50,
        "regions",
        "Local labour markets: firms' locations are cut into this many x this many regions (urn-ball matching).",
        setup=True,
    )
    matching_efficiency: float = param(
        0.4, 0.0, 10.0, "", "cobb_douglas only: A of traditional channels, matches = A u^alpha v^(1-alpha)."
    )
    platform_matching_efficiency: float = param(
        1.0, 0.0, 10.0, "", "cobb_douglas only: A for jobs and tasks posted by platform members."
    )
    matching_elasticity: float = param(
        0.5, 0.0, 1.0, "", "cobb_douglas only: elasticity alpha of matches to job seekers (Petrongolo-Pissarides)."
    )
    hiring_cost_weeks: float = param(2.0, 0.0, 104.0, "weeks of wage", "Cost to a firm of one permanent hire.")
    task_contract_cost_weeks: float = param(
        0.1,
        0.0,
        52.0,
        "weeks of wage",
        "Cost to a firm of each worker it engages on a task contract (agency fee, induction): about half a day's "
        "wage, so a firm covers small gaps by overtime when that is cheaper.",
    )
    firing_cost_weeks: float = param(8.0, 0.0, 520.0, "weeks of wage", "Severance a firm pays per dismissal.")
    staffing_review_weeks: int = param(4, 1, 520, "weeks", "How often a firm reviews its permanent staff.")
    firing_band: float = param(
        0.15, 0.0, 10.0, "share", "Staff may exceed the target by this share before a firm dismisses anyone."
    )
    reservation_wage_ratio: float = param(
        0.85,
        0.0,
        10.0,
        "share of wage",
        "Mean reservation wage at the start, relative to the permanent wage.",
        setup=True,
    )
    reservation_wage_dispersion: float = param(
        0.1,
        0.0,
        2.0,
        "log-sd",
        "Dispersion of reservation wages across workers (lognormal).",
        setup=True,
    )
    home_value_ratio: float = param(
        0.6,
        0.0,
        10.0,
        "share of wage",
        "Mean weekly value of a person's time outside the labour force, relative to the wage: a person searches "
        "for work only while a job seeker's expected income beats it.",
        setup=True,
    )
    home_value_dispersion: float = param(
        0.4, 0.0, 2.0, "log-sd", "Dispersion of the value of time at home across people (lognormal).", setup=True
    )
    reservation_wage_decay: float = param(
        0.01, 0.0, 1.0, "share/week", "Weekly fall of an unemployed worker's reservation wage."
    )
    savings_rate: float = param(0.1, 0.0, 0.95, "share", "Mean share of income a worker saves.")
    initial_savings_yuan: float = param(
        30000.0,
        1.0,
        1e9,
        "yuan",
        "Mean savings of a worker at the start, which a wage earner's saving and spending keep in the long run.",
        setup=True,
    )
    savings_dispersion: float = param(
        1.0,
        0.0,
        5.0,
        "log-sd",
        "Dispersion of thrift across workers (lognormal): of each one's saving rate, and so of savings at the start.",
        setup=True,
    )
    training_weeks: int = param(13, 1, 520, "weeks", "Weeks a worker trains to change skill.")
    training_cost_yuan: float = param(20000.0, 0.0, 1e8, "yuan", "Cost of retraining to another skill.")
    training_subsidy: float = param(0.0, 0.0, 1.0, "share", "Share of the training cost paid by a public programme.")
    review_weeks: int = param(13, 1, 520, "weeks", "How often a worker reviews training and occupational choice.")
    planning_horizon_weeks: float = param(
        104.0, 1.0, 2080.0, "weeks", "Weeks over which a worker weighs a one-off cost against income gains."
    )


class OccupationParams(Section):
    ability_dispersion: float = param(
        0.5,
        0.0,
        3.0,
        "log-sd",
        "Dispersion of entrepreneurial ability (custom orders a micro-business attracts).",
        setup=True,
    )
    micro_skill_share: float = param(
        0.6, 0.0, 1.0, "share", "Share of a micro-entrepreneur's orders in the process type of its own skill."
    )
    entry_capital_yuan: float = param(
        100000.0, 0.0, 1e10, "yuan", "Savings needed to open a micro-business that buys its own machine."
    )
    entry_hurdle: float = param(
        0.2, 0.0, 10.0, "share", "Expected self-employed income must beat the alternatives by this share."
    )
    min_age_weeks: int = param(26, 0, 5200, "weeks", "A firm younger than this does not exit for losses alone.")
    closure_rate_per_year: float = param(
        0.05,
        0.0,
        1.0,
        "share/year",
        "Chance that an SME or micro-business closes in a year for reasons outside the model (owner retires, moves).",
    )
    large_closure_rate_per_year: float = param(
        0.0,
        0.0,
        1.0,
        "share/year",
        "Chance that a large firm closes in a year for reasons outside the model (merger, relocation); at 0 a large "
        "firm leaves only when it fails.",
    )
    entrant_size_tail_exponent: float = param(
        0.0,
        0.0,
        5.0,
        "",
        "Pareto tail exponent of new firms' sizes (machines); 0 draws them from the first firms' law "
        "(firms.size_tail_exponent). Above it, entrants are smaller than incumbents, as young firms are.",
    )
    entrants_at_every_size: bool = param(
        False,
        None,
        None,
        "",
        "New firms draw their size from the same law as the first firms, up to firms.max_machines, and enter as "
        "large firms from firms.large_firm_min_machines (off: every new firm is an SME below that size).",
    )
    credit_limit_weeks: float = param(
        8.0, 0.0, 520.0, "weeks of revenue", "Overdraft a firm may run; below it the firm is bankrupt and exits."
    )
    sme_entry_rate: float = param(
        0.006,
        0.0,
        1.0,
        "per week",
        "Entrants per active SME per week when incumbents earn twice their capital cost or more (in proportion below).",
    )


class DemandShock(Section):
    """A fall in new orders for a while (a recession, a lost export market)."""

    depth: float = param(0.0, 0.0, 0.95, "share", "Share of new orders lost while the shock lasts.")
    start_week: int = param(1, 1, 100_000, "week", "First week of the shock.")
    weeks: int = param(0, 0, 100_000, "weeks", "How long the shock lasts (0: no shock).")


class PlatformOutage(Section):
    """A platform out of service for a while (a cyber-attack, a regulatory suspension)."""

    platform: int = param(0, 0, 63, "platform", "Which platform goes down (0 is the first).")
    start_week: int = param(1, 1, 100_000, "week", "First week of the outage.")
    weeks: int = param(0, 0, 100_000, "weeks", "How long the outage lasts (0: no outage).")


class SupplyDisruption(Section):
    """Part of the capacity of one process type unavailable for a while (a parts shortage, a power cut)."""

    process_type: int = param(0, 0, 63, "type", "Which process type is disrupted (0 is the first).")
    depth: float = param(0.0, 0.0, 1.0, "share", "Share of that process type's machine-hours unavailable.")
    start_week: int = param(1, 1, 100_000, "week", "First week of the disruption.")
    weeks: int = param(0, 0, 100_000, "weeks", "How long the disruption lasts (0: none).")


class ShockParams(Section):
    demand: DemandShock = Field(default_factory=DemandShock, description=DemandShock.__doc__)
    platform_outage: PlatformOutage = Field(default_factory=PlatformOutage, description=PlatformOutage.__doc__)
    supply_disruption: SupplyDisruption = Field(default_factory=SupplyDisruption, description=SupplyDisruption.__doc__)


class Intervention(Section):
    """A change of parameters at the start of a week: ``{at: 52, set: {platforms.commission_rate: 0.02}}``."""

    at: int = Field(ge=1, le=100_000, description="Week at whose start the change takes effect.")
    set: dict[str, Any] = Field(description="Dotted parameter keys and their new values.")


class Scenario(Section):
    """A complete, validated scenario: every section with its defaults filled in."""

    name: str = Field("", description="Short name of the scenario.")
    description: str = Field("", description="What the scenario stands for.")
    steps: int = param(104, 0, 100_000, "weeks", "Default run length.", setup=True)
    size: SizeParams = Field(default_factory=SizeParams, description="How big the economy is.")
    firms: FirmParams = Field(default_factory=FirmParams, description="Firm population and costs.")
    demand: DemandParams = Field(default_factory=DemandParams, description="Orders: cycle, shocks, values.")
    network: NetworkParams = Field(
        default_factory=NetworkParams, description="Off-platform supply network of existing partners."
    )
    platforms: PlatformParams = Field(
        default_factory=PlatformParams, description="Capacity-sharing platforms and adoption."
    )
    public_labs: PublicLabParams = Field(
        default_factory=PublicLabParams, description="Public research equipment opened as capacity on platforms."
    )
    supervision: SupervisionParams = Field(
        default_factory=SupervisionParams, description="Public supervision of platforms: audits and conduct rules."
    )
    investment: InvestmentParams = Field(default_factory=InvestmentParams, description="Buying and selling machines.")
    labour: LabourParams = Field(default_factory=LabourParams, description="Workers, wages, hiring and training.")
    occupation: OccupationParams = Field(
        default_factory=OccupationParams, description="Entry and exit of micro-entrepreneurs and SMEs."
    )
    shocks: ShockParams = Field(default_factory=ShockParams, description="Shocks with a start and a duration.")
    interventions: list[Intervention] = Field(
        default_factory=list, description="Changes of parameters during the run, applied in order of week."
    )

    def __iter__(self):
        """Not iterable: a scenario is one value, so ``mesa.batch_run`` passes it whole instead of taking it apart."""
        raise TypeError("a Scenario is one value; read its sections as attributes (scenario.platforms, ...)")


class ScenarioFile(Scenario):
    """What a scenario file may contain: a scenario plus the files it extends (for the JSON Schema)."""

    extends: str | list[str] | None = Field(
        None, description="Scenario file(s) this one builds on, relative to this file; later ones win."
    )


def parameters() -> list[dict[str, Any]]:
    """Every parameter as ``{"key", "default", "min", "max", "unit", "doc", "setup_only"}``, with dotted keys."""
    rows: list[dict[str, Any]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, Section):
                walk(annotation, f"{prefix}{name}.")
                continue
            if name in ("name", "description", "interventions"):
                continue
            extra = field.json_schema_extra or {}
            low = high = None
            for constraint in field.metadata:
                low = getattr(constraint, "ge", low)
                high = getattr(constraint, "le", high)
            rows.append(
                {
                    "key": f"{prefix}{name}",
                    "default": field.get_default(call_default_factory=True),
                    "min": low,
                    "max": high,
                    "unit": extra.get("unit", ""),
                    "doc": field.description or "",
                    "setup_only": bool(extra.get("setup_only", False)),
                }
            )

    walk(Scenario, "")
    return rows


PARAMETER_KEYS = frozenset(row["key"] for row in parameters())
SETUP_ONLY_KEYS = frozenset(row["key"] for row in parameters() if row["setup_only"])


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of a scenario file, for editors; interventions may set only keys that can change in a run."""
    schema = ScenarioFile.model_json_schema()
    changeable = sorted(PARAMETER_KEYS - SETUP_ONLY_KEYS)
    schema["$defs"]["Intervention"]["properties"]["set"]["propertyNames"] = {"enum": changeable}
    schema["title"] = "Shared-manufacturing scenario"
    return schema
