"""The scenario language: composition, interventions, shocks, policies, commands, and errors that never crash."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import SharedManufacturingModel, load_scenario
from model.cli import main
from model.economy.scenario import PARAMETER_KEYS, SETUP_ONLY_KEYS, parameters, scenario_json_schema
from model.economy.scenario_files import ScenarioError, parse_assignment
from model.experiments.comparison import compare_scenarios
from tests.helpers import REPO, SCENARIOS, interrupted_inside_a_kernel

SHIPPED = sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS / "policies").glob("*.yaml"))
POLICIES = sorted((SCENARIOS / "policies").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_validates_and_runs_four_weeks(path):
    economy = SharedManufacturingModel(load_scenario(path, {"size.firms": 150}), seed=2)
    economy.run(4)
    assert len(economy.datacollector.get_model_vars_dataframe()) == 5


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_each_policy_says_what_real_measure_it_stands_for_and_builds_on_sharing(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#") and len(text.splitlines()[0]) > 20
    assert "extends" in yaml.safe_load(text)
    if path.stem != "package":
        assert load_scenario(path).platforms.count == load_scenario(SCENARIOS / "sharing.yaml").platforms.count


def test_package_combines_every_lever_without_a_shared_parent_undoing_them():
    package = load_scenario(SCENARIOS / "policies" / "package.yaml")
    for path in POLICIES:
        own = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.stem == "package" or own["extends"] != "../sharing.yaml":
            continue  # platform_supervision acts on another economy: an owner-run platform
        for section, values in own.items():
            if section in ("extends", "description"):
                continue
            for key, value in values.items():
                if isinstance(value, dict):
                    for inner, inner_value in value.items():
                        assert getattr(getattr(getattr(package, section), key), inner) == inner_value
                else:
                    assert getattr(getattr(package, section), key) == value, f"{section}.{key} from {path.name}"


def test_extends_resolves_relative_to_the_file_and_child_wins(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "base.yaml").write_text("platforms:\n  count: 2\n  commission_rate: 0.1\n")
    (tmp_path / "sub" / "child.yaml").write_text("extends: ../base.yaml\nplatforms:\n  commission_rate: 0.2\n")
    scenario = load_scenario(tmp_path / "sub" / "child.yaml")
    assert scenario.platforms.count == 2 and scenario.platforms.commission_rate == 0.2
    assert scenario.name == "child"


def test_cyclic_extends_is_an_error_naming_the_cycle(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "a.yaml")
    assert "cyclic extends" in str(caught.value) and "a.yaml" in str(caught.value)


def test_an_error_in_a_parent_names_the_parent_file(tmp_path):
    (tmp_path / "base.yaml").write_text("platforms:\n  commission_rate: 7\n")
    (tmp_path / "child.yaml").write_text("extends: base.yaml\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "child.yaml")
    assert str(caught.value).startswith(str(tmp_path / "base.yaml"))


def test_interventions_are_checked_at_load_time(tmp_path):
    path = tmp_path / "bad_interventions.yaml"
    path.write_text(
        "interventions:\n"
        "  - {at: 10, set: {platforms.comission_rate: 0.1}}\n"
        "  - {at: 20, set: {size.firms: 50}}\n"
        "  - {at: 30, set: {platforms.commission_rate: 3}}\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    messages = [str(problem) for problem in caught.value.problems]
    assert len(messages) == 3
    assert "did you mean 'platforms.commission_rate'" in messages[0]
    assert "cannot change in a run" in messages[1]
    assert "interventions[2].set.platforms.commission_rate" in messages[2] and "[0.0, 1.0]" in messages[2]


def test_an_intervention_leaves_every_earlier_week_untouched(tmp_path):
    at = 12
    change = {"platforms.commission_rate": 0.3, "firms.large.openness": 1.0, "labour.wage_yuan_per_week": 1800.0}
    path = tmp_path / "with_intervention.yaml"
    path.write_text(
        yaml.safe_dump({"extends": str(SCENARIOS / "sharing.yaml"), "interventions": [{"at": at, "set": change}]})
    )
    plain = load_scenario(SCENARIOS / "sharing.yaml", {"size.firms": 300})
    changed = load_scenario(path, {"size.firms": 300})
    assert len(changed.interventions) == 1
    tables = []
    for scenario in (plain, changed):
        economy = SharedManufacturingModel(scenario, seed=4)
        economy.run(30)
        tables.append(economy.datacollector.get_model_vars_dataframe())
    pd.testing.assert_frame_equal(tables[0].iloc[:at], tables[1].iloc[:at], check_exact=True)
    assert not tables[0].iloc[at:].equals(tables[1].iloc[at:])


def test_an_intervention_changes_platform_terms_from_its_week():
    scenario = load_scenario(SCENARIOS / "sharing.yaml", {"size.firms": 200})
    scenario = type(scenario).model_validate(
        {**scenario.model_dump(), "interventions": [{"at": 5, "set": {"platforms.commission_rate": 0.2}}]}
    )
    economy = SharedManufacturingModel(scenario, seed=1)
    economy.run(4)
    assert economy.platforms.commission_rate[0] == 0.05
    economy.step()
    assert economy.platforms.commission_rate[0] == 0.2 and economy.params.platforms.commission_rate == 0.2


def test_comparing_a_scenario_with_itself_gives_exactly_zero_differences():
    sharing = load_scenario(SCENARIOS / "sharing.yaml", {"size.firms": 200})
    comparison = compare_scenarios([sharing, sharing], seeds=3, steps=20)
    summary = comparison.summary(list(comparison.tables[comparison.labels[0]][0].columns[1:]))
    second = summary[summary["scenario"] == comparison.labels[1]]
    assert (second[["diff_mean", "diff_low", "diff_high"]].to_numpy() == 0.0).all()
    assert len(set(comparison.seeds)) == 3


def test_effects_per_million_yuan_of_public_cost_are_reported_only_where_a_policy_clearly_costs_more():
    from model.experiments.comparison import Comparison, cost_effectiveness

    rng = np.random.default_rng(0)

    def runs(extra_cost: float, extra_welfare: float) -> list[pd.DataFrame]:
        return [
            pd.DataFrame(
                {
                    "public_cost_yuan": np.full(13, 1e6 + extra_cost + noise),
                    "welfare_yuan": np.full(13, 5e7 + extra_welfare + 1e3 * noise / 1e4),
                }
            )
            for noise in rng.normal(0.0, 1e4, 5)
        ]

    comparison = Comparison(
        ["sharing", "cheap", "dear", "free"],
        list(range(5)),
        {"sharing": runs(0, 0), "cheap": runs(5e5, 2e6), "dear": runs(2e6, 1e6), "free": runs(0, 3e6)},
    )
    summary = comparison.summary(["public_cost_yuan", "welfare_yuan"])
    ranking = cost_effectiveness(summary, "welfare_yuan")
    assert ranking["scenario"].tolist() == ["cheap", "dear", "free"]
    assert ranking["per_million_yuan"].iloc[:2].to_numpy() == pytest.approx([4e6, 5e5], rel=0.05)
    assert np.isnan(ranking["per_million_yuan"].iloc[2])  # no extra cost: its effect is not bought
    assert summary.loc[summary["scenario"] == "sharing", "per_million_yuan"].isna().all()


def test_demand_shock_cuts_orders_only_while_it_lasts():
    base = load_scenario(SCENARIOS / "sharing.yaml", {"size.firms": 200})
    shocked = load_scenario(
        SCENARIOS / "sharing.yaml",
        {"size.firms": 200, "shocks.demand.depth": 0.5, "shocks.demand.start_week": 5, "shocks.demand.weeks": 3},
    )
    orders = []
    for scenario in (base, shocked):
        economy = SharedManufacturingModel(scenario, seed=1)
        weekly = []
        for _ in range(7):
            economy.step()
            weekly.append(economy.firms.orders_hours.sum())
        orders.append(np.array(weekly))
    assert np.array_equal(orders[0][:4], orders[1][:4])
    assert (orders[1][4:7] < 0.8 * orders[0][4:7]).all()


def test_platform_outage_stops_platform_trade_and_supply_disruption_cuts_capacity():
    scenario = load_scenario(
        SCENARIOS / "sharing.yaml",
        {
            "size.firms": 300,
            "shocks.platform_outage.start_week": 15,
            "shocks.platform_outage.weeks": 4,
            "shocks.supply_disruption.process_type": 2,
            "shocks.supply_disruption.depth": 0.5,
            "shocks.supply_disruption.start_week": 15,
            "shocks.supply_disruption.weeks": 4,
        },
    )
    economy = SharedManufacturingModel(scenario, seed=3)
    economy.run(14)
    assert economy.week_metrics["platform_share"] > 0
    machines = economy.firms.machines[:, 2].copy()  # machines wear out and change hands after the week
    economy.step()
    assert economy.week_metrics["platform_share"] == 0.0 and economy.week_metrics["n_platforms"] == 0
    firms = economy.firms
    used = (firms.own_hours + firms.sold_hours)[: machines.size]
    assert np.all(used[:, 2] <= 0.5 * machines * firms.machine_hours_per_week + 1e-9)
    economy.run(4)
    assert economy.week_metrics["n_platforms"] == 1


def test_params_json_lists_every_parameter_with_its_declaration(capsys):
    assert main(["params", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["key"] for row in rows} == PARAMETER_KEYS
    assert all(set(row) == {"key", "default", "min", "max", "unit", "doc"} for row in rows)
    commission = next(row for row in rows if row["key"] == "platforms.commission_rate")
    assert (commission["min"], commission["max"], commission["default"]) == (0.0, 1.0, 0.05)
    assert SETUP_ONLY_KEYS < PARAMETER_KEYS and "size.firms" in SETUP_ONLY_KEYS


def test_committed_json_schema_is_up_to_date():
    committed = json.loads((SCENARIOS / "scenario.schema.json").read_text(encoding="utf-8"))
    assert committed == scenario_json_schema()
    assert {"extends", "interventions", "shocks", "platforms"} <= set(committed["properties"])


def test_every_parameter_has_a_unit_or_is_dimensionless_and_a_meaning():
    assert all(row["doc"] for row in parameters())


def test_validate_reports_every_problem_with_status_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("platform:\n  count: 1\nsize:\n  firms: many\n")
    good = SCENARIOS / "sharing.yaml"
    assert main(["validate", str(good), str(bad), str(tmp_path / "missing.yaml")]) == 2
    captured = capsys.readouterr()
    assert "ok: " in captured.out
    errors = captured.err.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("error: ") for line in errors)


# --- Fuzzing: malformed files never produce a traceback ---------------------------------

leaf_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
)
known_keys = st.sampled_from([*sorted(PARAMETER_KEYS), "extends", "interventions", "name", "shocks", "platforms"])
random_keys = st.one_of(known_keys, st.text(min_size=1, max_size=10), st.integers(0, 5))


def nest(dotted: dict) -> dict:
    data: dict = {}
    for key, value in dotted.items():
        if not isinstance(key, str):
            data[key] = value
            continue
        node, parts = data, key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {}) if isinstance(node.get(part, {}), dict) else {}
        node[parts[-1]] = value
    return data


scenario_documents = st.one_of(
    st.dictionaries(random_keys, leaf_values, max_size=6).map(nest),
    st.dictionaries(
        random_keys,
        st.recursive(leaf_values, lambda inner: st.dictionaries(random_keys, inner, max_size=3), max_leaves=8),
        max_size=4,
    ),
    st.builds(
        lambda at, key, value: {"interventions": [{"at": at, "set": {key: value}}]},
        st.one_of(st.integers(-3, 300), st.text(max_size=3)),
        random_keys,
        leaf_values,
    ),
    leaf_values,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=scenario_documents)
def test_malformed_scenario_documents_never_raise_a_traceback(tmp_path, capsys, document):
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    assert main(["validate", str(path)]) in (0, 2)
    capsys.readouterr()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_arbitrary_text_as_a_scenario_file_never_raises_a_traceback(tmp_path, capsys, text):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) in (0, 2)
    capsys.readouterr()


def test_cli_errors_exit_2_without_traceback(tmp_path):
    import subprocess
    import sys

    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    (tmp_path / "broken.yaml").write_text("size: {firms: [1\n")
    result = subprocess.run(
        [sys.executable, "run.py", "compare", str(tmp_path / "a.yaml"), str(tmp_path / "broken.yaml"), "--seeds", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cyclic extends" in result.stderr and "invalid YAML" in result.stderr
    assert Path(tmp_path / "broken.yaml").exists()


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["run", "SHARING", "--seed", "-3"], "is negative"),
        (["run", "SHARING", "--seed", "abc"], "not a whole number"),
        (["compare", "SHARING", "SHARING", "--seed", "-1"], "is negative"),
        (["compare", "SHARING", "SHARING", "--seeds", "1"], "at least 2 seeds"),
    ],
)
def test_bad_seeds_exit_2_with_one_line_naming_the_flag(capsys, argv, expected):
    argv = [str(SCENARIOS / "sharing.yaml") if arg == "SHARING" else arg for arg in argv]
    with pytest.raises(SystemExit) as stop:
        main(argv)
    error = capsys.readouterr().err
    assert stop.value.code == 2 and expected in error and "--seed" in error


@pytest.mark.parametrize("command", ["run", "compare"])
def test_an_unwritable_out_is_refused_before_any_week_is_run(tmp_path, capsys, monkeypatch, command):
    import model.cli as cli

    def no_compute(*args, **kwargs):
        raise AssertionError("computed before checking --out")

    monkeypatch.setattr(cli, "run_scenario", no_compute)
    monkeypatch.setattr(cli, "compare_scenarios", no_compute)
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    out = blocker / "results"  # a folder inside a file cannot be made
    scenarios = ["baseline.yaml", "sharing.yaml"] if command == "compare" else ["sharing.yaml"]
    argv = [command, *(str(SCENARIOS / name) for name in scenarios)]
    assert main([*argv, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "--out" in error and str(out) in error and "Traceback" not in error


def test_ctrl_c_wrapped_by_a_compiled_kernel_exits_130_without_a_traceback(tmp_path, capsys, monkeypatch):
    import model.cli as cli

    monkeypatch.setattr(cli, "run_scenario", interrupted_inside_a_kernel)
    assert main(["run", str(SCENARIOS / "sharing.yaml"), "--out", str(tmp_path / "out")]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"
    monkeypatch.setattr(cli, "run_scenario", lambda *args, **kwargs: 1 / 0)
    with pytest.raises(ZeroDivisionError):  # any other error is still raised, not called an interrupt
        main(["run", str(SCENARIOS / "sharing.yaml"), "--out", str(tmp_path / "out")])


def test_numbers_in_e_notation_are_numbers_and_whole_ones_are_ints():
    assert parse_assignment("size.firms=1e3") == ("size.firms", 1000)
    assert parse_assignment("platforms.commission_rate=2.5E-2") == ("platforms.commission_rate", 0.025)
    assert parse_assignment("labour.matching_model=urn_ball") == ("labour.matching_model", "urn_ball")
    assert parse_assignment("size.firms=nan") == ("size.firms", "nan")
    assert load_scenario(SCENARIOS / "sharing.yaml", dict([parse_assignment("size.firms=1e3")])).size.firms == 1000


def test_the_footer_states_the_window_actually_averaged(tmp_path, capsys):
    code = main(
        [
            "compare",
            str(SCENARIOS / "baseline.yaml"),
            str(SCENARIOS / "sharing.yaml"),
            "--seeds", "2", "--steps", "4", "--set", "size.firms=60", "--out", str(tmp_path), "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "means of the last 4 weeks" in printed and "13 weeks" not in printed
    assert "Welfare per million yuan" in printed and (tmp_path / "compare_costs.png").stat().st_size > 0
    assert "per_million_yuan" in pd.read_csv(tmp_path / "compare.csv").columns


def test_validate_checks_sweep_and_calibration_specs_and_whole_folders(tmp_path, capsys):
    assert main(["validate", str(SCENARIOS)]) == 0
    printed = capsys.readouterr().out
    assert "commission.yaml (sweep spec" in printed and "calibration.yaml (calibration spec" in printed
    assert "sharing.yaml (scenario sharing" in printed

    (tmp_path / "sweep.yaml").write_text(
        f"scenario: {SCENARIOS / 'sharing.yaml'}\nparameters:\n  platforms.commision_rate: [0.1]\n"
    )
    (tmp_path / "empty").mkdir()
    assert main(["validate", str(tmp_path), str(tmp_path / "empty")]) == 2
    errors = capsys.readouterr().err
    assert "sweep.yaml" in errors and "commision_rate" in errors
    assert "empty" in errors and "file not found" in errors


def test_intervals_of_levels_stay_within_what_each_metric_can_take():
    from model.experiments.comparison import Comparison

    weeks = pd.DataFrame({"unemployment_rate": [0.0, 0.0], "platform_share": [1.0, 1.0], "shared_hours": [0.0, 0.0]})
    near_edges = pd.DataFrame({"unemployment_rate": [0.0, 0.03], "platform_share": [1.0, 0.96], "shared_hours": [0, 9]})
    comparison = Comparison(labels=["a"], seeds=[1, 2], tables={"a": [weeks, near_edges]})
    summary = comparison.summary(["unemployment_rate", "platform_share", "shared_hours"], weeks=1).set_index("metric")
    # An unclipped t-interval with 2 seeds reaches far outside: mean 0.015 +- 12.7 x 0.015.
    assert summary.loc["unemployment_rate", "low"] == 0.0 and summary.loc["unemployment_rate", "high"] > 0.1
    assert summary.loc["platform_share", "high"] == 1.0 and summary.loc["platform_share", "low"] < 0.9
    assert summary.loc["shared_hours", "low"] == 0.0


def test_a_scenario_error_survives_the_trip_to_a_worker_process_whole():
    import pickle

    with pytest.raises(ScenarioError) as caught:
        load_scenario(SCENARIOS / "sharing.yaml", overrides={"firms.min_machines": 2.5, "size.firms": -1})
    returned = pickle.loads(pickle.dumps(caught.value))  # how a sweep worker's error reaches the parent
    assert str(returned) == str(caught.value) and len(returned.problems) == 2
