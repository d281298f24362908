"""Scenario schema: every parameter of the economy, declared once.

A scenario file is YAML that lists only what differs from the defaults below,
grouped in sections (``size``, ``firms``, ``demand``, ``network``, ``platforms``,
``investment``). Each parameter is declared once, here, with its default, its
allowed range, its unit and a one-line meaning; tables, error messages and (later)
the JSON Schema are generated from these declarations.

Example
-------
>>> from model import load_scenario
>>> scenario = load_scenario("scenarios/sharing.yaml", overrides={"size.firms": 500})
>>> scenario.size.firms
500
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError


def param(default: Any, low: float | None, high: float | None, unit: str, doc: str) -> Any:
    """Declare one parameter: its default, allowed closed range [low, high], unit and meaning."""
    return Field(default, ge=low, le=high, description=doc, json_schema_extra={"unit": unit})


class Section(BaseModel):
    """A group of parameters; unknown keys and wrong types are errors, not ignored."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class SizeParams(Section):
    firms: int = param(2000, 10, 5_000_000, "firms", "Total number of firms of all kinds at the start.")
    process_types: int = param(
        6,
        1,
        64,
        "types",
        "Number K of process types (machining, sheet metal, moulding, electronics, assembly, additive).",
    )
    micro_share: float = param(0.2, 0.0, 0.9, "share", "Share of firms that are micro-entrepreneurs.")
    workers_per_firm: float = param(
        10.0, 1.0, 1000.0, "workers/firm", "Size of the labour pool per firm at the start (labour force / firms)."
    )


def _openness(default: float) -> Any:
    return param(default, 0.0, 1.0, "share", "Share of its idle capacity a firm of this kind offers others each week.")


def _readiness(default: float) -> Any:
    return param(default, 0.0, 1.0, "index 0-1", "Mean digital readiness (Beta-distributed across firms of this kind).")


class LargeFirmParams(Section):
    """Large firms: many machines, high digital readiness; open part of their idle capacity."""

    openness: float = _openness(0.5)
    digital_readiness: float = _readiness(0.8)


class SMEParams(Section):
    """Small and medium enterprises: few machines, volatile orders, low digital readiness."""

    openness: float = _openness(1.0)
    digital_readiness: float = _readiness(0.35)


class MicroParams(Section):
    """Micro-entrepreneurs: custom (C2B) orders, no or few machines."""

    openness: float = _openness(1.0)
    digital_readiness: float = _readiness(0.5)
    machine_probability: float = param(
        0.3, 0.0, 1.0, "probability", "Chance that a micro-entrepreneur owns one machine (else none)."
    )


class FirmParams(Section):
    size_tail_exponent: float = param(
        1.05,
        0.3,
        4.0,
        "",
        "Pareto tail exponent of firm size in machines (Zipf law, about 1 in Axtell 2001).",
    )
    min_machines: int = param(2, 1, 1000, "machines", "Smallest SME, in machines.")
    max_machines: int = param(1000, 1, 1_000_000, "machines", "Largest firm, in machines (truncates the tail).")
    large_firm_min_machines: int = param(
        100, 1, 1_000_000, "machines", "A non-micro firm with at least this many machines is a large firm."
    )
    type_concentration: float = param(
        0.4,
        0.01,
        100.0,
        "",
        "Dirichlet concentration of a firm's machines over process types; lower means more specialised.",
    )
    production_cost_yuan_per_hour: float = param(
        60.0, 0.0, 1e5, "yuan/hour", "Mean non-labour variable cost of one machine-hour (energy, materials, wear)."
    )
    cost_dispersion: float = param(
        0.15, 0.0, 2.0, "log-sd", "Dispersion of production cost across firms and types (lognormal sigma)."
    )
    failure_rate_mean: float = param(
        0.04,
        0.0,
        1.0,
        "probability",
        "Mean chance that a trade with a given seller fails (defect or non-delivery).",
    )
    failure_rate_concentration: float = param(
        8.0, 0.1, 1e4, "", "Beta concentration of sellers' failure rates; lower means more bad actors."
    )
    readiness_concentration: float = param(
        6.0, 0.1, 1e4, "", "Beta concentration of digital readiness around each kind's mean."
    )
    initial_cash_weeks: float = param(8.0, 0.0, 520.0, "weeks", "Starting cash, in weeks of expected revenue.")
    memory_weeks: float = param(
        8.0, 1.0, 520.0, "weeks", "Time scale of the moving averages firms use to judge their recent past."
    )
    large: LargeFirmParams = Field(default_factory=LargeFirmParams, description=LargeFirmParams.__doc__)
    sme: SMEParams = Field(default_factory=SMEParams, description=SMEParams.__doc__)
    micro: MicroParams = Field(default_factory=MicroParams, description=MicroParams.__doc__)


class DemandParams(Section):
    load_factor: float = param(
        0.8, 0.0, 5.0, "hours/capacity-hour", "Mean ordered hours per hour of a firm's own capacity."
    )
    cycle_amplitude: float = param(0.1, 0.0, 0.95, "share", "Amplitude of the common demand cycle.")
    cycle_period_weeks: float = param(52.0, 2.0, 5200.0, "weeks", "Period of the common demand cycle.")
    shock_persistence: float = param(0.9, 0.0, 0.999, "", "Weekly AR(1) persistence of each firm's log demand shock.")
    shock_sigma: float = param(0.1, 0.0, 2.0, "log-sd", "Weekly innovation of each firm's log demand shock.")
    sector_shock_persistence: float = param(
        0.95, 0.0, 0.999, "", "Weekly AR(1) persistence of each process type's log demand shock."
    )
    sector_shock_sigma: float = param(
        0.03, 0.0, 2.0, "log-sd", "Weekly innovation of each process type's log demand shock."
    )
    order_noise_sigma: float = param(
        0.25, 0.0, 3.0, "log-sd", "Week-to-week lumpiness of a firm's orders in each process type."
    )
    outside_need_share: float = param(
        0.3,
        0.0,
        1.0,
        "share",
        "Share of a firm's orders whose process mix is independent of the machines it owns.",
    )
    backlog_share: float = param(
        0.5, 0.0, 1.0, "share", "Share of unserved hours that customers carry to next week; the rest is lost."
    )
    order_value_yuan_per_hour: float = param(
        200.0, 0.0, 1e6, "yuan/hour", "Mean price customers pay per machine-hour of an order."
    )
    value_dispersion: float = param(
        0.15, 0.0, 2.0, "log-sd", "Dispersion of order value across firms and types (lognormal sigma)."
    )
    micro_order_hours: float = param(
        30.0, 0.0, 1e4, "hours/week", "Mean custom-order hours a micro-entrepreneur receives per week."
    )
    custom_premium: float = param(0.3, 0.0, 10.0, "share", "Price premium of custom (C2B) orders over standard orders.")
    custom_market_crowding: float = param(
        1.0,
        0.0,
        2.0,
        "",
        "Elasticity of a micro-business's custom orders to the number of micro-businesses: "
        "orders x (micro-businesses at the start / now)^elasticity; 1 is a custom market of fixed size.",
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
        4.0, 0.0, 1000.0, "partners", "Mean number of partners a firm of average size seeks nearby."
    )
    partner_size_elasticity: float = param(
        0.5, 0.0, 2.0, "", "Elasticity of a firm's number of partners with respect to its size."
    )
    partners_max: int = param(60, 0, 10_000, "partners", "Most partners a firm seeks.")
    contact_rate: float = param(
        0.5, 0.0, 1.0, "probability/week", "Chance that a buyer contacts a given trusted partner in a week."
    )
    search_cost_yuan: float = param(
        200.0, 0.0, 1e7, "yuan/contact", "Cost of one off-platform contact (calls, visits, quotes)."
    )
    trust_loss: float = param(0.5, 0.0, 1.0, "share", "Share of a partner edge's trust lost when a trade on it fails.")
    trust_recovery: float = param(0.05, 0.0, 1.0, "share/week", "Share of the lost trust that returns each week.")


class PlatformParams(Section):
    count: int = param(1, 0, 64, "platforms", "Number of competing capacity-sharing platforms.")
    commission_rate: float = param(
        0.05, 0.0, 1.0, "share of trade value", "Platform commission, taken from the seller's receipts."
    )
    membership_fee_yuan_per_week: float = param(
        100.0, 0.0, 1e7, "yuan/week", "Weekly membership fee a firm pays each platform it belongs to."
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


class InvestmentParams(Section):
    machine_hours_per_week: float = param(40.0, 1.0, 168.0, "hours/week", "Capacity of one machine (one shift).")
    machine_price_yuan: float = param(400_000.0, 0.0, 1e10, "yuan", "Price of one new machine.")
    machine_life_years: float = param(10.0, 0.5, 100.0, "years", "Economic life of a machine.")
    interest_rate: float = param(0.06, 0.0, 1.0, "per year", "Interest rate used to annuitise machine prices.")
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
        0.4, 0.0, 1.0, "share", "Sustained utilisation of a process type below which a firm sells machines."
    )
    target_utilisation: float = param(
        0.7, 0.01, 1.0, "share", "Utilisation a firm aims for when it sells idle machines."
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
    unemployment_benefit_yuan_per_week: float = param(
        300.0, 0.0, 1e6, "yuan/week", "Income of an unemployed worker (paid from outside the economy)."
    )
    matching_efficiency: float = param(
        0.4, 0.0, 10.0, "", "Matching efficiency A of traditional hiring channels: matches = A u^alpha v^(1-alpha)."
    )
    platform_matching_efficiency: float = param(
        1.0, 0.0, 10.0, "", "Matching efficiency A for jobs and tasks posted by platform members."
    )
    matching_elasticity: float = param(
        0.5, 0.0, 1.0, "", "Elasticity alpha of matches with respect to job seekers (Petrongolo-Pissarides: 0.5)."
    )
    hiring_cost_weeks: float = param(2.0, 0.0, 104.0, "weeks of wage", "Cost to a firm of one permanent hire.")
    firing_cost_weeks: float = param(8.0, 0.0, 520.0, "weeks of wage", "Severance a firm pays per dismissal.")
    staffing_review_weeks: int = param(4, 1, 520, "weeks", "How often a firm reviews its permanent staff.")
    firing_band: float = param(
        0.15, 0.0, 10.0, "share", "Staff may exceed the target by this share before a firm dismisses anyone."
    )
    reservation_wage_ratio: float = param(
        0.85, 0.0, 10.0, "share of wage", "Mean reservation wage at the start, relative to the permanent wage."
    )
    reservation_wage_dispersion: float = param(
        0.1, 0.0, 2.0, "log-sd", "Dispersion of reservation wages across workers (lognormal)."
    )
    reservation_wage_decay: float = param(
        0.01, 0.0, 1.0, "share/week", "Weekly fall of an unemployed worker's reservation wage."
    )
    savings_rate: float = param(0.1, 0.0, 1.0, "share", "Share of income a worker saves.")
    initial_savings_yuan: float = param(30000.0, 0.0, 1e9, "yuan", "Mean savings of a worker at the start.")
    savings_dispersion: float = param(1.0, 0.0, 5.0, "log-sd", "Dispersion of initial savings (lognormal).")
    training_weeks: int = param(13, 1, 520, "weeks", "Weeks a worker trains to change skill.")
    training_cost_yuan: float = param(20000.0, 0.0, 1e8, "yuan", "Cost of retraining to another skill.")
    training_subsidy: float = param(0.0, 0.0, 1.0, "share", "Share of the training cost paid by a public programme.")
    review_weeks: int = param(13, 1, 520, "weeks", "How often a worker reviews training and occupational choice.")
    planning_horizon_weeks: float = param(
        104.0, 1.0, 2080.0, "weeks", "Weeks over which a worker weighs a one-off cost against income gains."
    )


class OccupationParams(Section):
    ability_dispersion: float = param(
        0.5, 0.0, 3.0, "log-sd", "Dispersion of entrepreneurial ability (custom orders a micro-business attracts)."
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
    credit_limit_weeks: float = param(
        8.0, 0.0, 520.0, "weeks of revenue", "Overdraft a firm may run; below it the firm is bankrupt and exits."
    )
    sme_entry_rate: float = param(
        0.002, 0.0, 1.0, "per week", "Entrants per active SME per week when incumbents earn twice their capital cost."
    )


class Scenario(Section):
    """A complete, validated scenario: every section with its defaults filled in."""

    name: str = Field("", description="Short name of the scenario.")
    description: str = Field("", description="What the scenario stands for.")
    steps: int = param(104, 0, 100_000, "weeks", "Default run length.")
    size: SizeParams = Field(default_factory=SizeParams, description="How big the economy is.")
    firms: FirmParams = Field(default_factory=FirmParams, description="Firm population and costs.")
    demand: DemandParams = Field(default_factory=DemandParams, description="Orders: cycle, shocks, values.")
    network: NetworkParams = Field(
        default_factory=NetworkParams, description="Off-platform supply network of existing partners."
    )
    platforms: PlatformParams = Field(
        default_factory=PlatformParams, description="Capacity-sharing platforms and adoption."
    )
    investment: InvestmentParams = Field(default_factory=InvestmentParams, description="Buying and selling machines.")
    labour: LabourParams = Field(default_factory=LabourParams, description="Workers, wages, hiring and training.")
    occupation: OccupationParams = Field(
        default_factory=OccupationParams, description="Entry and exit of micro-entrepreneurs and SMEs."
    )


# ---------------------------------------------------------------------------
# Loading and errors
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioProblem:
    """One thing wrong with a scenario: where, which key, what value, what is allowed."""

    source: str
    key: str
    value: Any
    allowed: str

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        key = f"{self.key}: " if self.key else ""
        value = "" if self.value is _MISSING else f"{self.value!r} is not allowed; "
        return f"{where}{key}{value}{self.allowed}"


_MISSING = object()


class ScenarioError(ValueError):
    """A scenario could not be loaded; ``problems`` lists every reason at once."""

    def __init__(self, problems: Iterable[ScenarioProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def load_scenario(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read a YAML scenario file, apply dotted-key overrides and validate.

    Parameters
    ----------
    path : str or Path, optional
        The scenario file. ``None`` gives the defaults.
    overrides : mapping, optional
        Dotted keys to values, applied on top of the file, e.g.
        ``{"size.firms": 10000, "platforms.commission_rate": 0.1}``.

    Returns
    -------
    Scenario
        The validated scenario with every default filled in.

    Raises
    ------
    ScenarioError
        If the file is missing or not valid YAML, or any key is unknown, has the
        wrong type or is out of range. All problems are reported together.
    """
    source = str(path) if path is not None else "defaults"
    data: dict[str, Any] = {}
    if path is not None:
        data = _read_yaml_mapping(Path(path))
        if not data.get("name"):
            data["name"] = Path(path).stem
    problems: list[ScenarioProblem] = []
    for key, value in (overrides or {}).items():
        try:
            _set_dotted(data, key, value)
        except ScenarioError as error:
            problems.extend(error.problems)
    try:
        scenario = scenario_from_dict(data, source=source)
    except ScenarioError as error:
        overridden = set(overrides or {})
        problems.extend(
            ScenarioProblem("--set", p.key, p.value, p.allowed) if p.key in overridden else p for p in error.problems
        )
    if problems:
        raise ScenarioError(problems)
    return scenario


def scenario_from_dict(data: Mapping[str, Any], source: str = "scenario") -> Scenario:
    """Validate a nested mapping into a :class:`Scenario`, reporting every problem at once."""
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as error:
        raise ScenarioError(_explain(error, data, source)) from None


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``KEY=VALUE`` from the command line; the value is read as YAML (``0.1``, ``true``)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError([ScenarioProblem("--set", text, _MISSING, "expected KEY=VALUE, e.g. platforms.count=2")])
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def flatten(scenario: Scenario | Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted key -> value for every parameter, e.g. ``{"size.firms": 2000, ...}``."""
    data = scenario.model_dump() if isinstance(scenario, BaseModel) else scenario
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _read_yaml_mapping(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ScenarioError([ScenarioProblem(str(path), "", _MISSING, "file not found")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        reason = getattr(error, "problem", None) or str(error)
        raise ScenarioError([ScenarioProblem(str(path), "", _MISSING, f"{line}invalid YAML ({reason})")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([ScenarioProblem(str(path), "", _MISSING, f"cannot read file ({error})")]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ScenarioError(
            [ScenarioProblem(str(path), "", type(data).__name__, "a scenario file must be a mapping of sections")]
        )
    return data


def _set_dotted(data: dict[str, Any], dotted_key: str, value: Any) -> None:
    """Write ``value`` at ``a.b.c`` in nested dicts, checking each key against the schema."""
    parts = dotted_key.split(".")
    section_model: type[BaseModel] = Scenario
    node = data
    for depth, part in enumerate(parts):
        fields = section_model.model_fields
        if part not in fields:
            where = ".".join(parts[:depth])
            raise ScenarioError([_unknown_key(dotted_key, part, list(fields), where)])
        annotation = fields[part].annotation
        is_section = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        last = depth == len(parts) - 1
        if last:
            if is_section:
                raise ScenarioError(
                    [ScenarioProblem("--set", dotted_key, value, "is a section; set one of its keys instead")]
                )
            node[part] = value
            return
        if not is_section:
            raise ScenarioError(
                [ScenarioProblem("--set", dotted_key, value, f"'{'.'.join(parts[: depth + 1])}' has no sub-keys")]
            )
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
        section_model = annotation


def _unknown_key(key: str, part: str, known: list[str], where: str) -> ScenarioProblem:
    close = difflib.get_close_matches(part, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    section = f"in '{where}' " if where else ""
    return ScenarioProblem("--set", key, _MISSING, f"unknown key {section}(known: {', '.join(sorted(known))}){hint}")


def _explain(error: ValidationError, data: Mapping[str, Any], source: str) -> list[ScenarioProblem]:
    problems = []
    for item in error.errors():
        location = [str(part) for part in item["loc"]]
        key = ".".join(location)
        if item["type"] == "extra_forbidden":
            known = list(_model_at(location[:-1]).model_fields)
            close = difflib.get_close_matches(location[-1], known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            allowed = f"unknown key (known here: {', '.join(sorted(known))}){hint}"
            problems.append(ScenarioProblem(source, key, _MISSING, allowed))
            continue
        field = _field_at(location)
        allowed = item["msg"]
        if field is not None:
            low, high = _bounds(field)
            unit = (field.json_schema_extra or {}).get("unit", "")
            kind = getattr(field.annotation, "__name__", str(field.annotation))
            if low is not None or high is not None:
                allowed = f"expected {kind} in [{low}, {high}]" + (f" ({unit})" if unit else "")
            else:
                allowed = f"expected {kind}"
            allowed += f" - {field.description}" if field.description else ""
        problems.append(ScenarioProblem(source, key, item.get("input", _MISSING), allowed))
    return problems


def _model_at(location: list[str]) -> type[BaseModel]:
    model: type[BaseModel] = Scenario
    for part in location:
        annotation = model.model_fields[part].annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            break
        model = annotation
    return model


def _field_at(location: list[str]):
    model: type[BaseModel] = Scenario
    field = None
    for part in location:
        if part not in model.model_fields:
            return None
        field = model.model_fields[part]
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return field


def _bounds(field) -> tuple[float | None, float | None]:
    low = high = None
    for constraint in field.metadata:
        low = getattr(constraint, "ge", low)
        high = getattr(constraint, "le", high)
    return low, high
