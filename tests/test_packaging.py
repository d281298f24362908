"""The package installs from its wheel and works outside the repository: console command, scenarios by name."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pandas as pd

from tests.helpers import REPO


def test_the_wheel_runs_a_shipped_scenario_by_name_from_any_folder(tmp_path):
    wheels = tmp_path / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--quiet", "--wheel-dir", str(wheels)]
    subprocess.run(build, check=True, capture_output=True)
    [wheel] = wheels.glob("shared_manufacturing-*.whl")

    # A fresh environment with the wheel alone; its dependencies come from this one (no download).
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=True)
    python = fresh / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    fresh_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(fresh_site) / "dependencies.pth").write_text("\n".join(sorted(here)) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    command = [str(fresh / "bin" / "shared-mfg"), "run", "sharing", "--steps", "4", "--set", "size.firms=100"]
    result = subprocess.run([*command, "--quiet"], cwd=elsewhere, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert len(pd.read_parquet(elsewhere / "out" / "sharing" / "model.parquet")) == 5
    where = subprocess.run(
        [str(python), "-c", "import model; print(model.__file__)"], cwd=elsewhere, capture_output=True, text=True
    ).stdout
    assert str(fresh) in where  # the installed package ran, not the repository's

    policy = subprocess.run(
        [str(python), "-m", "model", "validate", "policies/training"], cwd=elsewhere, capture_output=True, text=True
    )
    assert policy.returncode == 0 and "scenario training" in policy.stdout, policy.stderr
