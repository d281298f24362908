"""The README tells the truth: its Python example runs, its column table is complete, its command works."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd

from model import COLUMNS
from tests.helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs(monkeypatch):
    [example] = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    monkeypatch.chdir(REPO)
    namespace: dict = {}
    exec(compile(example.replace("m.run(52)", "m.run(3)"), "README.md", "exec"), namespace)
    assert len(namespace["df"]) == 4


def test_readme_lists_every_column():
    documented = set()
    for row in re.findall(r"^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \|", README, flags=re.M):  # a row may list several
        documented |= set(re.findall(r"`([a-z_]+)`", row))
    assert set(COLUMNS) <= documented


def test_run_writes_parquet_json_and_figure(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "run.py",
            "run",
            "scenarios/sharing.yaml",
            "--steps",
            "6",
            "--seed",
            "3",
            "--set",
            "size.firms=200",
            "--set",
            "platforms.count=2",
            "--out",
            str(tmp_path),
            "--quiet",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_parquet(tmp_path / "model.parquet")
    assert list(table.columns) == ["step", *COLUMNS, "seed"] and table["step"].tolist() == list(range(7))
    meta = json.loads((tmp_path / "run.json").read_text())
    assert meta["seed"] == 3 and meta["steps"] == 6 and meta["scenario"]["platforms"]["count"] == 2
    assert meta["wall_time_s"] > 0 and "mesa" in meta["versions"]
    assert (tmp_path / "headline.png").stat().st_size > 10_000
    assert "utilisation_mean" in result.stdout


def test_run_writes_the_ledger_and_the_firm_panel_when_asked(tmp_path):
    command = [sys.executable, "run.py", "run", "scenarios/sharing.yaml", "--steps", "60", "--set", "size.firms=150"]
    result = subprocess.run(
        [*command, "--ledger", "--firm-panel", "--out", str(tmp_path), "--quiet"], cwd=REPO, capture_output=True
    )
    assert result.returncode == 0, result.stderr
    ledger = pd.read_parquet(tmp_path / "ledger.parquet")
    assert sorted(set(ledger["year"])) == [1, 2] and {"wage", "order revenue", "commission"} <= set(ledger["kind"])
    sectors = ledger.columns.drop(["year", "kind"])
    assert (ledger[sectors].sum(axis=1).abs() < 1e-6).all()  # what one sector pays, another receives
    firms = pd.read_parquet(tmp_path / "firms.parquet")
    assert firms["step"].min() == 1 and firms["step"].max() == 60
    assert {"firm", "kind", "cash_yuan", "labour_hours_needed", "overtime_hours"} <= set(firms.columns)


def test_the_quick_start_prints_what_the_readme_shows_to_the_digit(tmp_path):
    [command] = re.findall(r"^pip install -e \. && python (run\.py run .*)$", README, flags=re.M)
    [shown] = re.findall(r"The first command prints.*?```\n(.*?)```", README, flags=re.S)
    result = subprocess.run(
        [sys.executable, *command.split(), "--quiet", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout[result.stdout.index(shown.splitlines()[0]) :]
    assert [line.rstrip() for line in printed.splitlines()] == shown.splitlines()
