"""Reading scenario files: YAML, ``extends``, overrides, interventions, and errors that say what is wrong.

A scenario file is YAML read with ``yaml.safe_load``. It may build on others::

    extends: ../sharing.yaml          # or a list; paths are relative to this file
    platforms:
      credit_system: 1.0
    interventions:
      - {at: 52, set: {platforms.commission_rate: 0.02}}

Mappings merge key by key (this file wins over the files it extends, a later
parent over an earlier one); ``interventions`` lists are joined, parents first.
Every problem in a file, its parents and the overrides is collected and raised
together as one :class:`ScenarioError`, each naming the file, the key, the value
and what is allowed.

Example
-------
>>> scenario = load_scenario("scenarios/policies/credit_system.yaml")
>>> scenario.platforms.credit_system, scenario.platforms.count
(1.0, 1)
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import numpy as np
import yaml
from pydantic import BaseModel, ValidationError

from .scenario import PARAMETER_KEYS, SETUP_ONLY_KEYS, Scenario, Section

_MISSING = object()


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
        value = "" if self.value is _MISSING else f"{_short(self.value)} is not allowed; "
        return f"{where}{key}{value}{self.allowed}"


class ScenarioError(ValueError):
    """A scenario could not be loaded; ``problems`` lists every reason at once."""

    def __init__(self, problems: Iterable[ScenarioProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        # Rebuilt from its problems, not its message, so that it crosses process boundaries whole (sweep workers).
        return type(self), (self.problems,)


def load_scenario(path: str | Path | Scenario | None = None, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read a YAML scenario file (and the files it extends), apply dotted-key overrides and validate.

    Parameters
    ----------
    path : str, Path or Scenario, optional
        The scenario file, or a scenario to start from. ``None`` gives the defaults.
    overrides : mapping, optional
        Dotted keys to values, applied on top of the file, e.g.
        ``{"size.firms": 10000, "platforms.commission_rate": 0.1}``.

    Returns
    -------
    Scenario
        The validated scenario with every default filled in; its interventions are
        checked too (known keys, changeable during a run, valid values).

    Raises
    ------
    ScenarioError
        If a file is missing, is not valid YAML or extends itself in a cycle, or any
        key is unknown, has the wrong type or is out of range. All problems are
        reported together.
    """
    problems: list[ScenarioProblem] = []
    data: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if isinstance(path, Scenario):
        source = path.name or "scenario"
        data = path.model_dump()
    elif path is not None:
        path = resolve_scenario_path(path)
        source = str(path)
        if not path.is_file():
            shipped = ", ".join(shipped_scenario_names())
            raise ScenarioError(
                [ScenarioProblem(source, "", _MISSING, f"file not found (or name a shipped scenario: {shipped})")]
            )
        data, origin, problems = _read_with_parents(Path(path), chain=())
        if problems:
            raise ScenarioError(problems)
        data.setdefault("name", Path(path).stem)
    else:
        source = "defaults"
    for key, value in (overrides or {}).items():
        try:
            _set_dotted(data, key, value, source="--set")
            origin[key] = "--set"
        except ScenarioError as error:
            problems.extend(error.problems)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems.extend(explain_validation_error(error, origin, source))
        raise ScenarioError(problems) from None
    problems.extend(_check_interventions(scenario, origin, source))
    problems.extend(_check_references(scenario, origin, source))
    problems.extend(_check_scale(scenario, origin, source))
    if problems:
        raise ScenarioError(problems)
    return scenario


def shipped_scenarios_folder() -> Path:
    """The folder of the scenario files that come with the model.

    In an installed package they are package data (``model/scenarios``); in a clone
    of the repository, the ``scenarios/`` folder beside ``model/``.
    """
    package = Path(__file__).resolve().parents[1]
    installed = package / "scenarios"
    return installed if installed.is_dir() else package.parent / "scenarios"


def shipped_scenario_names() -> list[str]:
    """Names of the shipped scenarios and policies, as :func:`load_scenario` accepts them."""
    folder = shipped_scenarios_folder()
    files = sorted(folder.glob("*.yaml")) + sorted((folder / "policies").glob("*.yaml"))
    return [file.relative_to(folder).with_suffix("").as_posix() for file in files]


def resolve_scenario_path(path: str | Path) -> Path:
    """``path`` itself if it exists or names a file; else the shipped scenario of that name.

    A name without a folder or a ``.yaml`` ending (``"sharing"``, ``"policies/training"``)
    that is not a file here is looked up among the shipped scenarios, so an installed
    model runs its built-in scenarios from any folder.
    """
    path = Path(path)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    shipped = shipped_scenarios_folder() / path.with_suffix(".yaml")
    return shipped if shipped.is_file() else path


def with_changes(scenario: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """A copy of ``scenario`` with dotted-key ``changes`` applied and validated."""
    data = scenario.model_dump()
    for key, value in changes.items():
        _set_dotted(data, key, value, source="change")
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(explain_validation_error(error, {}, "change")) from None


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``KEY=VALUE`` from the command line; the value is read as YAML (``0.1``, ``true``)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError([ScenarioProblem("--set", text, _MISSING, "expected KEY=VALUE, e.g. platforms.count=2")])
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    if isinstance(value, str):
        value = _number(value)
    return key.strip(), value


def _number(text: str) -> Any:
    """``text`` as a number if it is one YAML reads as text (``1e3``, ``2.5E-2``); whole numbers become ints."""
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text  # 'nan' and 'inf' stay text, so the error names what was typed
    return int(number) if number.is_integer() else number


# ---------------------------------------------------------------------------
# Files and their parents
# ---------------------------------------------------------------------------


def _read_with_parents(
    path: Path, chain: tuple[Path, ...]
) -> tuple[dict[str, Any], dict[str, str], list[ScenarioProblem]]:
    """The merged content of ``path`` and the files it extends, where each leaf key came from, and problems.

    Files are merged in the order of :func:`_lineage`: every ancestor once, before
    the files that extend it, so a shared ancestor never overrides what a parent set.
    """
    files, contents, problems = _lineage(path, chain)
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for file in files:
        content = dict(contents[file])
        if file != path.resolve():
            content.pop("name", None)  # a file's name and description are its own
            content.pop("description", None)
        merged = _merge(merged, content)
        origin.update({key: str(file) for key in _leaf_keys(content)})
    return merged, origin, problems


def _lineage(
    path: Path, chain: tuple[Path, ...]
) -> tuple[list[Path], dict[Path, dict[str, Any]], list[ScenarioProblem]]:
    """``path`` and its ancestors, each once, ancestors first; the content of each (without ``extends``)."""
    here = path.resolve()
    try:
        data = read_yaml_mapping(path)
    except ScenarioError as error:
        return [], {}, error.problems
    parents = data.pop("extends", None)
    if parents is None:
        parents = []
    elif isinstance(parents, str):
        parents = [parents]
    elif not (isinstance(parents, list) and all(isinstance(p, str) for p in parents)):
        return [], {}, [ScenarioProblem(str(path), "extends", parents, "expected a file name or a list of them")]

    files: list[Path] = []
    contents: dict[Path, dict[str, Any]] = {}
    problems: list[ScenarioProblem] = []
    for parent in parents:
        parent_path = (path.parent / parent).resolve()
        if parent_path in (*chain, here):
            cycle = " -> ".join(str(p) for p in (*chain, here, parent_path))
            problems.append(ScenarioProblem(str(path), "extends", parent, f"cyclic extends ({cycle})"))
            continue
        if not parent_path.is_file():
            problems.append(ScenarioProblem(str(path), "extends", parent, f"file not found ({parent_path})"))
            continue
        parent_files, parent_contents, parent_problems = _lineage(parent_path, (*chain, here))
        problems.extend(parent_problems)
        files.extend(file for file in parent_files if file not in files)
        contents.update(parent_contents)
    files.append(here)
    contents[here] = data
    return files, contents, problems


def _merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if key == "interventions" and isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = [*merged[key], *value]
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _leaf_keys(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            keys.extend(_leaf_keys(value, f"{prefix}{key}."))
        else:
            keys.append(f"{prefix}{key}")
    return keys


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ScenarioError([ScenarioProblem(str(path), "", _MISSING, "file not found")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ScenarioError([ScenarioProblem(str(path), "", _MISSING, f"{line}invalid YAML ({reason})")]) from None
    except (OSError, UnicodeDecodeError, RecursionError) as error:
        raise ScenarioError([ScenarioProblem(str(path), "", _MISSING, f"cannot read file ({error})")]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ScenarioError(
            [ScenarioProblem(str(path), "", _short(data), "a scenario file must be a mapping of sections")]
        )
    return data


# ---------------------------------------------------------------------------
# Checks and error messages
# ---------------------------------------------------------------------------


def _set_dotted(data: dict[str, Any], dotted_key: str, value: Any, source: str) -> None:
    """Write ``value`` at ``a.b.c`` in nested dicts, checking each key against the schema."""
    parts = dotted_key.split(".")
    section_model: type[BaseModel] = Scenario
    node = data
    for depth, part in enumerate(parts):
        fields = section_model.model_fields
        if part not in fields:
            where = ".".join(parts[:depth])
            raise ScenarioError([_unknown_key(source, dotted_key, part, list(fields), where)])
        annotation = fields[part].annotation
        is_section = isinstance(annotation, type) and issubclass(annotation, Section)
        if depth == len(parts) - 1:
            if is_section:
                raise ScenarioError(
                    [ScenarioProblem(source, dotted_key, value, "is a section; set one of its keys instead")]
                )
            node[part] = value.item() if isinstance(value, np.generic) else value  # numpy scalars, as from EMA
            return
        if not is_section:
            raise ScenarioError(
                [ScenarioProblem(source, dotted_key, value, f"'{'.'.join(parts[: depth + 1])}' has no sub-keys")]
            )
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
        section_model = annotation


def _check_interventions(scenario: Scenario, origin: Mapping[str, str], source: str) -> list[ScenarioProblem]:
    """Every intervention names known parameters that may change during a run, with valid values."""
    problems = []
    where = origin.get("interventions", source)
    for index, intervention in enumerate(scenario.interventions):
        prefix = f"interventions[{index}].set"
        usable = {}
        for key, value in intervention.set.items():
            key = str(key)
            if key not in PARAMETER_KEYS:
                close = difflib.get_close_matches(key, sorted(PARAMETER_KEYS), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append(ScenarioProblem(where, f"{prefix}.{key}", _MISSING, f"unknown parameter{hint}"))
            elif key in SETUP_ONLY_KEYS:
                problems.append(
                    ScenarioProblem(
                        where, f"{prefix}.{key}", value, "only shapes the economy at set-up; it cannot change in a run"
                    )
                )
            else:
                usable[key] = value
        try:
            with_changes(scenario, usable)
        except ScenarioError as error:
            problems.extend(ScenarioProblem(where, f"{prefix}.{p.key}", p.value, p.allowed) for p in error.problems)
    return problems


def _check_references(scenario: Scenario, origin: Mapping[str, str], source: str) -> list[ScenarioProblem]:
    """Shocks must name a process type and a platform that exist; only existing platforms can be owned;
    room for the launched platforms when entry is on."""
    disruption, outage, platforms = (
        scenario.shocks.supply_disruption,
        scenario.shocks.platform_outage,
        scenario.platforms,
    )
    count = platforms.count
    checks = [  # (broken, key, value, what is allowed)
        (
            disruption.weeks and disruption.process_type >= scenario.size.process_types,
            "shocks.supply_disruption.process_type",
            disruption.process_type,
            f"expected a process type below size.process_types ({scenario.size.process_types})",
        ),
        (
            outage.weeks and outage.platform >= count,
            "shocks.platform_outage.platform",
            outage.platform,
            f"expected a platform below platforms.count ({count})",
        ),
        (
            platforms.owned_platforms > count,
            "platforms.owned_platforms",
            platforms.owned_platforms,
            f"expected at most platforms.count ({count}) owned platforms",
        ),
        (
            platforms.entry and platforms.max_platforms < count,
            "platforms.max_platforms",
            platforms.max_platforms,
            f"expected at least platforms.count ({count}) when platforms.entry is on",
        ),
    ]
    return [
        ScenarioProblem(origin.get(key, source), key, value, allowed)
        for broken, key, value, allowed in checks
        if broken
    ]


# Workers per firm, on average, beyond which a scenario is refused: the labour pool is sized by the work to do,
# so set-up and every week cost time in proportion to it (about a microsecond per worker).
MAX_WORKERS_PER_FIRM = 5_000


def expected_workers_per_firm(scenario: Scenario) -> float:
    """Expected people per firm at the start: the work firms' machines have, times the supply ratio, with the reserve.

    Uses the mean of the truncated Pareto law of firm sizes (in machines), each
    machine busy ``min(load_factor, 1)`` of its hours.
    """
    firms, size, labour = scenario.firms, scenario.size, scenario.labour
    low, high, alpha = (
        float(firms.min_machines),
        float(max(firms.max_machines, firms.min_machines)),
        firms.size_tail_exponent,
    )
    if abs(alpha - 1.0) < 1e-9:
        machines = low * (1.0 + np.log(high / low))
    else:
        machines = low + low**alpha * (high ** (1.0 - alpha) - low ** (1.0 - alpha)) / (1.0 - alpha)
    hours = min(scenario.demand.load_factor, 1.0) * scenario.investment.machine_hours_per_week
    per_machine = hours * labour.worker_hours_per_machine_hour / labour.hours_per_worker_week
    labour_force = (1.0 - size.micro_share) * machines * per_machine * size.labour_force_ratio + size.micro_share
    return labour_force * (1.0 + size.reserve_labour_ratio)


def _check_scale(scenario: Scenario, origin: Mapping[str, str], source: str) -> list[ScenarioProblem]:
    """The labour force the scenario implies must stay within what a run can afford (see MAX_WORKERS_PER_FIRM)."""
    workers = expected_workers_per_firm(scenario)
    if workers <= MAX_WORKERS_PER_FIRM:
        return []
    key = "size.labour_force_ratio"
    return [
        ScenarioProblem(
            origin.get(key, source),
            key,
            scenario.size.labour_force_ratio,
            f"the economy would need about {workers:,.0f} people per firm (at most {MAX_WORKERS_PER_FIRM:,}); lower "
            "size.labour_force_ratio, size.reserve_labour_ratio or labour.worker_hours_per_machine_hour, raise "
            "labour.hours_per_worker_week, "
            "or make firms smaller (firms.min_machines, firms.max_machines, firms.size_tail_exponent)",
        )
    ]


def _unknown_key(source: str, key: str, part: str, known: list[str], where: str) -> ScenarioProblem:
    close = difflib.get_close_matches(part, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    section = f"in '{where}' " if where else ""
    return ScenarioProblem(source, key, _MISSING, f"unknown key {section}(known: {', '.join(sorted(known))}){hint}")


def explain_validation_error(
    error: ValidationError, origin: Mapping[str, str], source: str, root: type[BaseModel] = Scenario
) -> list[ScenarioProblem]:
    """One :class:`ScenarioProblem` per pydantic error: file, dotted key, value and what is allowed."""
    problems = []
    for item in error.errors():
        location = [str(part) for part in item["loc"]]
        key = ".".join(location)
        where = origin.get(key, source)
        if item["type"] == "extra_forbidden":
            model, _ = _resolve(location[:-1], root)
            known = sorted(model.model_fields) if model is not None else []
            close = difflib.get_close_matches(location[-1], known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            listing = f" (known here: {', '.join(known)})" if known else ""
            problems.append(ScenarioProblem(where, key, _MISSING, f"unknown key{listing}{hint}"))
            continue
        _, field = _resolve(location, root)
        allowed = item["msg"]
        if field is not None and not (isinstance(field.annotation, type) and issubclass(field.annotation, Section)):
            low, high = _bounds(field)
            unit = (field.json_schema_extra or {}).get("unit", "") if isinstance(field.json_schema_extra, dict) else ""
            kind = getattr(field.annotation, "__name__", str(field.annotation))
            if low is not None or high is not None:
                allowed = f"expected {kind} in [{low}, {high}]" + (f" ({unit})" if unit else "")
            if field.description:
                allowed += f" - {field.description}"
        elif field is not None:
            allowed = "expected a mapping of its keys"
        problems.append(ScenarioProblem(where, key, item.get("input", _MISSING), allowed))
    return problems


def _resolve(location: list[str], root: type[BaseModel]) -> tuple[type[BaseModel] | None, Any]:
    """The model reached by a validation error's location, and the field at its end (following lists)."""
    model: type[BaseModel] | None = root
    field = None
    for part in location:
        if model is None:
            return None, None
        if part.isdigit() and field is not None and get_origin(field.annotation) is list:
            (inner,) = get_args(field.annotation)
            model = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
            field = None
            continue
        if part not in model.model_fields:
            return None, None
        field = model.model_fields[part]
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return model, field


def _bounds(field) -> tuple[float | None, float | None]:
    low = high = None
    for constraint in field.metadata:
        low = getattr(constraint, "ge", low)
        high = getattr(constraint, "le", high)
    return low, high


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
