"""Scenario files load into the typed schema; every user mistake is a clear error, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from model import Scenario, ScenarioError, load_scenario
from model.economy.scenario_files import parse_assignment
from tests.helpers import REPO, SCENARIOS


def test_shipped_scenarios_load_with_defaults_filled_in():
    sharing, baseline = load_scenario(SCENARIOS / "sharing.yaml"), load_scenario(SCENARIOS / "baseline.yaml")
    assert sharing.platforms.count >= 1 and baseline.platforms.count == 0
    assert sharing.size.firms == Scenario().size.firms
    assert sharing.name == "sharing" and baseline.name == "baseline"


def test_baseline_is_the_sharing_economy_without_platforms():
    sharing = load_scenario(SCENARIOS / "sharing.yaml").model_dump(exclude={"name", "description"})
    baseline = load_scenario(SCENARIOS / "baseline.yaml").model_dump(exclude={"name", "description"})
    sharing["platforms"].pop("count")
    baseline["platforms"].pop("count")
    assert sharing == baseline


def test_dotted_overrides_reach_nested_keys_and_keep_sibling_defaults():
    scenario = load_scenario(SCENARIOS / "sharing.yaml", {"size.firms": 10000, "firms.large.openness": 0.2})
    assert scenario.size.firms == 10000
    assert scenario.firms.large.openness == 0.2
    assert scenario.firms.large.digital_readiness == Scenario().firms.large.digital_readiness


def problems_of(path=None, overrides=None) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return [str(problem) for problem in caught.value.problems]


def test_unknown_key_suggests_the_closest_name(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("platforms:\n  comission_rate: 0.1\n")
    [message] = problems_of(path)
    assert str(path) in message and "platforms.comission_rate" in message
    assert "did you mean 'commission_rate'" in message


def test_wrong_type_and_out_of_range_are_reported_together(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("size:\n  firms: many\nplatforms:\n  commission_rate: 1.5\n")
    messages = problems_of(path)
    assert len(messages) == 2
    assert any("size.firms" in m and "'many'" in m and "int" in m for m in messages)
    assert any("platforms.commission_rate" in m and "1.5" in m and "[0.0, 1.0]" in m for m in messages)


def test_missing_file_and_invalid_yaml_name_the_file(tmp_path):
    assert "file not found" in problems_of(tmp_path / "absent.yaml")[0]
    broken = tmp_path / "broken.yaml"
    broken.write_text("platforms:\n  count: [1\n")
    [message] = problems_of(broken)
    assert str(broken) in message and "line" in message and "invalid YAML" in message


def test_bad_override_names_the_key(tmp_path):
    messages = problems_of(SCENARIOS / "sharing.yaml", {"platforms.count": -1, "size.firmz": 5})
    assert any(m.startswith("--set: platforms.count: -1") for m in messages)
    assert any("size.firmz" in m and "did you mean 'firms'" in m for m in messages)


@pytest.mark.parametrize(
    "text, expected",
    [("size.firms=500", ("size.firms", 500)), ("platforms.commission_rate=0.1", ("platforms.commission_rate", 0.1))],
)
def test_set_values_are_read_as_yaml(text, expected):
    assert parse_assignment(text) == expected


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run.py", *args], cwd=REPO, capture_output=True, text=True)


def test_command_line_reports_bad_input_with_status_2_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("platform:\n  count: 2\n")
    result = cli("run", str(bad), "scenarios/missing.yaml", "--set", "platforms.commission_rate=2", "--set", "oops")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4, result.stderr
    assert any("did you mean 'platforms'" in line for line in lines)
    assert any("missing.yaml: file not found" in line for line in lines)
