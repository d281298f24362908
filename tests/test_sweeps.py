"""Sweeps: specs checked like scenarios, stable seeds and run ids, the same results on every engine,
resume after a real kill, shards that add up, failures kept with their traceback, and SALib indices."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
import weakref

import numpy as np
import pandas as pd
import pytest
import yaml

from model import SharedManufacturingModel
from model.cli import main
from model.economy.scenario_files import ScenarioError
from model.experiments.comparison import replicate_seed
from model.experiments.engines import run_batch
from model.experiments.sensitivity import sensitivity_indices
from model.experiments.store import SweepStoreError, read_manifest
from model.experiments.sweeps import load_sweep_spec, plan_runs, run_sweep
from tests.helpers import REPO, SCENARIOS, interrupted_inside_a_kernel

CONTENT = ["run_id", "point", "replicate", "seed", "steps", "status", "utilisation_mean", "platform_share"]


def write_spec(tmp_path, name="spec.yaml", **fields) -> str:
    spec = {
        "scenario": str(SCENARIOS / "sharing.yaml"),
        "steps": 8,
        "replicates": 2,
        "seed": 7,
        "design": "grid",
        "parameters": {"platforms.commission_rate": [0.02, 0.2], "size.firms": [120, 160]},
        "metrics": ["utilisation_mean", "platform_share", "unemployment_rate"],
    }
    spec.update(fields)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec))
    return str(path)


def content(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[CONTENT].sort_values("run_id").reset_index(drop=True)


def test_replicate_seeds_are_common_across_design_points_and_follow_seed_sequence(tmp_path):
    runs = plan_runs(load_sweep_spec(write_spec(tmp_path)))
    by_replicate = {}
    for run in runs:
        by_replicate.setdefault(run.replicate, set()).add(run.seed)
    assert all(len(seeds) == 1 for seeds in by_replicate.values())
    assert by_replicate[0] != by_replicate[1]
    expected = int(np.random.SeedSequence(7, spawn_key=(1,)).generate_state(1, np.uint64)[0] >> np.uint64(1))
    assert by_replicate[1] == {expected} == {replicate_seed(7, 1)}


def test_run_ids_are_stable_and_unique(tmp_path):
    spec = load_sweep_spec(write_spec(tmp_path))
    first, second = plan_runs(spec), plan_runs(load_sweep_spec(write_spec(tmp_path, "again.yaml")))
    assert [r.run_id for r in first] == [r.run_id for r in second]
    assert len({r.run_id for r in first}) == len(first) == 8
    longer = plan_runs(load_sweep_spec(write_spec(tmp_path, "longer.yaml", steps=9)))
    assert not {r.run_id for r in longer} & {r.run_id for r in first}


def test_bad_specs_report_every_problem_with_status_2(tmp_path, capsys):
    path = write_spec(
        tmp_path,
        design="lhs",
        replicates=0,
        parameters={"platforms.comission_rate": {"low": 0, "high": 1}, "size.firms": [100, 200]},
        metrics=["utilisation_man"],
        scenario="nowhere.yaml",
    )
    assert main(["sweep", path, "--out", str(tmp_path / "out")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1 and "replicates" in errors[0]  # the schema check comes first
    path = write_spec(
        tmp_path,
        design="lhs",
        parameters={"platforms.comission_rate": {"low": 0, "high": 1}, "size.firms": [100, 200]},
        metrics=["utilisation_man"],
        scenario="nowhere.yaml",
    )
    with pytest.raises(ScenarioError) as caught:
        load_sweep_spec(path)
    messages = [str(problem) for problem in caught.value.problems]
    assert any("did you mean 'platforms.commission_rate'" in m for m in messages)
    assert any("size.firms" in m and "needs a range" in m for m in messages)
    assert any("did you mean 'utilisation_mean'" in m for m in messages)
    assert any("scenario" in m and "file not found" in m for m in messages)
    out_of_range = write_spec(tmp_path, "range.yaml", parameters={"platforms.commission_rate": [0.1, 1.5]})
    with pytest.raises(ScenarioError, match=r"parameters.platforms.commission_rate: 1.5 is not allowed"):
        load_sweep_spec(out_of_range)


def test_in_process_pool_and_dask_give_the_same_runs(tmp_path):
    from distributed import LocalCluster

    spec = load_sweep_spec(write_spec(tmp_path))
    alone = run_sweep(spec, tmp_path / "alone")
    pooled = run_sweep(spec, tmp_path / "pool", workers=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = run_sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert len(alone) == 8 and (alone["status"] == "ok").all()
    pd.testing.assert_frame_equal(content(alone), content(pooled))
    pd.testing.assert_frame_equal(content(alone), content(dask))
    on_disk = pd.read_parquet(tmp_path / "pool" / "runs.parquet")
    pd.testing.assert_frame_equal(content(on_disk), content(alone))


def test_a_killed_sweep_resumes_without_losing_or_repeating_runs(tmp_path):
    spec_path = write_spec(tmp_path, replicates=3, steps=12)
    reference = run_sweep(load_sweep_spec(spec_path), tmp_path / "reference")
    out = tmp_path / "killed"
    command = [sys.executable, "run.py", "sweep", spec_path, "--out", str(out), "--chunk-runs", "1", "--quiet"]
    process = subprocess.Popen(command, cwd=REPO, start_new_session=True)
    manifest = out / "manifest.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if manifest.exists() and len(manifest.read_text().splitlines()) >= 3:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    committed = len(manifest.read_text().splitlines())
    assert 3 <= committed < 12, "the kill must land mid-sweep"

    resumed = subprocess.run([*command, "--resume"], cwd=REPO, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    final = pd.read_parquet(out / "runs.parquet")
    assert final["run_id"].is_unique and len(final) == len(reference) == 12
    pd.testing.assert_frame_equal(content(final), content(reference))
    steps = pd.concat(pd.read_parquet(p) for p in (out / "steps").glob("*.parquet"))
    assert steps.groupby("run_id").size().eq(13).all() and steps["run_id"].nunique() == 12
    entries = [json.loads(line) for line in manifest.read_text().splitlines()]
    assert sum(len(entry["status"]) for entry in entries) == 12  # no run committed twice


def test_the_union_of_all_shards_is_the_full_sweep(tmp_path):
    spec = load_sweep_spec(write_spec(tmp_path))
    full = run_sweep(spec, tmp_path / "full")
    for index in range(3):
        run_sweep(spec, tmp_path / "shared", shard=(index, 3))
    shared = pd.read_parquet(tmp_path / "shared" / "runs.parquet")
    pd.testing.assert_frame_equal(content(shared), content(full))
    sizes = [len(plan_runs(spec, shard=(index, 3))) for index in range(3)]
    assert sum(sizes) == len(full) and min(sizes) >= 2


def test_a_failed_run_is_kept_with_its_traceback_and_can_be_retried(tmp_path, monkeypatch):
    from model.experiments import engines

    spec = load_sweep_spec(write_spec(tmp_path))
    real_run = engines.run_scenario
    unlucky = plan_runs(spec)[3].seed

    def flaky(scenario, seed, steps=None, **kwargs):
        if seed == unlucky and scenario.platforms.commission_rate == 0.02:
            raise RuntimeError("machine on fire")
        return real_run(scenario, seed, steps, **kwargs)

    monkeypatch.setattr(engines, "run_scenario", flaky)
    runs = run_sweep(spec, tmp_path / "out")
    failed = runs[runs["status"] == "failed"]
    assert len(failed) == 2 and failed["error"].str.contains("machine on fire").all()
    assert failed["error"].str.contains("Traceback").all()

    monkeypatch.setattr(engines, "run_scenario", real_run)
    again = run_sweep(spec, tmp_path / "out", resume=True)
    assert (again["status"] == "failed").sum() == 2  # resume alone keeps them
    retried = run_sweep(spec, tmp_path / "out", resume=True, retry_failed=True)
    assert (retried["status"] == "ok").all() and retried["run_id"].is_unique and len(retried) == 8


def test_memory_stays_flat_models_are_freed_after_each_run(tmp_path):
    spec = load_sweep_spec(write_spec(tmp_path, steps=3, replicates=10))
    alive = weakref.WeakSet()
    original_init = SharedManufacturingModel.__init__

    def tracking_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        alive.add(self)

    SharedManufacturingModel.__init__ = tracking_init
    try:
        outcomes = run_batch(plan_runs(spec))
    finally:
        SharedManufacturingModel.__init__ = original_init
    gc.collect()
    assert len(outcomes) == 40 and len(alive) == 0


def test_sobol_indices_find_the_commission_behind_platform_volume(tmp_path):
    spec_path = write_spec(
        tmp_path,
        design="sobol",
        samples=16,
        replicates=1,
        steps=20,
        parameters={
            "platforms.commission_rate": {"low": 0.0, "high": 0.6},
            "network.trust_loss": {"low": 0.4, "high": 0.6},
        },
        metrics=["platform_share"],
    )
    spec = load_sweep_spec(spec_path)
    runs = run_sweep(spec, tmp_path / "sens", workers=2)
    indices = sensitivity_indices(spec, runs).set_index("parameter")
    assert indices.loc["platforms.commission_rate", "ST"] > indices.loc["network.trust_loss", "ST"] + 0.3
    assert main(["sensitivity", spec_path, "--out", str(tmp_path / "sens"), "--quiet"]) == 0
    assert (tmp_path / "sens" / "sensitivity.csv").exists() and (tmp_path / "sens" / "sensitivity.png").exists()


def test_a_sweep_can_be_tried_small_with_set_and_steps_and_resume_knows_the_difference(tmp_path, capsys):
    spec = REPO / "scenarios" / "sweeps" / "commission.yaml"
    out = tmp_path / "small"
    small = ["sweep", str(spec), "--out", str(out), "--set", "demand.load_factor=0.9", "--steps", "3", "--quiet"]
    assert main(small) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 12 and (runs["steps"] == 3).all()
    assert (out / "sweep.png").stat().st_size > 10_000  # a grid over one parameter gets its picture
    assert main([*small, "--resume"]) == 0  # the same small sweep: nothing to run again
    capsys.readouterr()
    assert main([*small[:-3], "--steps", "4", "--quiet", "--resume"]) == 2  # a different sweep in the same folder
    assert "holds a different sweep" in capsys.readouterr().err


def test_a_bad_set_on_a_sweep_exits_2_naming_the_key(tmp_path, capsys):
    spec = REPO / "scenarios" / "sweeps" / "commission.yaml"
    assert main(["sweep", str(spec), "--out", str(tmp_path), "--set", "demand.lod_factor=0.9"]) == 2
    assert "lod_factor" in capsys.readouterr().err


def test_ctrl_c_on_a_sweep_says_how_many_runs_were_kept_and_how_to_resume(tmp_path):
    # Many more runs than finish before the signal: on a loaded machine a short sweep once finished first.
    spec_path = write_spec(tmp_path, replicates=12, steps=300)
    out = tmp_path / "interrupted"
    command = [sys.executable, "run.py", "sweep", spec_path, "--out", str(out), "--chunk-runs", "1", "--quiet"]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        start_new_session=True,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as from a terminal (see terminal_ctrl_c)
    )
    manifest = out / "manifest.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (manifest.exists() and len(manifest.read_text().splitlines()) >= 2):
        time.sleep(0.05)
    lines_at_signal = len(manifest.read_text().splitlines()) if manifest.exists() else 0
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
    _, errors = process.communicate(timeout=120)
    kept = len({run for line in manifest.read_text().splitlines() for run in json.loads(line)["status"]})
    assert process.returncode == 130, f"{lines_at_signal} chunks committed at the signal, {kept} runs kept; {errors}"
    assert f"interrupted: {kept} finished runs kept in {out}" in errors and "Traceback" not in errors
    assert "--resume" in errors.splitlines()[-1]


@pytest.fixture
def terminal_ctrl_c():
    """Ctrl-C raises KeyboardInterrupt, as in a terminal. A test run started in the background (as CI may be)
    inherits SIGINT ignored, and Python then leaves it ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("terminal_ctrl_c")
def test_ctrl_c_that_a_run_swallows_still_stops_the_sweep_and_keeps_finished_runs(tmp_path, monkeypatch):
    """An interrupt landing as a Numba kernel returns can come back as another error, or not at all."""
    import model.experiments.engines as engines

    real_run, calls = engines.run_scenario, []

    def run_then_swallow_ctrl_c(*args, **kwargs):
        calls.append(1)
        result = real_run(*args, **kwargs)
        if len(calls) == 2:
            try:
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, in this (the main) thread
                time.sleep(1.0)  # the handler runs here
            except BaseException:  # what a kernel's return path can do to an interrupt
                pass
        return result

    monkeypatch.setattr(engines, "run_scenario", run_then_swallow_ctrl_c)
    spec = load_sweep_spec(write_spec(tmp_path))
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, tmp_path / "out", chunk_runs=1)
    assert len(calls) == 2  # stopped after the run that swallowed it, not at the end of the sweep
    kept = {run: status for entry in read_manifest(tmp_path / "out") for run, status in entry["status"].items()}
    assert list(kept.values()) == ["ok", "ok"]  # both finished runs committed, neither marked failed


def test_ctrl_c_wrapped_in_another_error_is_an_interrupt_not_a_failed_run(tmp_path, monkeypatch):
    import model.experiments.engines as engines

    monkeypatch.setattr(engines, "run_scenario", interrupted_inside_a_kernel)
    with pytest.raises(KeyboardInterrupt):
        run_batch(plan_runs(load_sweep_spec(write_spec(tmp_path)))[:1])
    monkeypatch.setattr(engines, "run_scenario", lambda *args, **kwargs: 1 / 0)  # a real failure is still data
    (outcome,) = run_batch(plan_runs(load_sweep_spec(write_spec(tmp_path)))[:1])
    assert outcome.row["status"] == "failed" and "ZeroDivisionError" in outcome.row["error"]


def test_resume_refuses_runs_made_by_other_code(tmp_path, monkeypatch):
    import model.experiments.sweeps as sweeps

    spec = load_sweep_spec(write_spec(tmp_path, steps=2))
    first = run_sweep(spec, tmp_path / "out")
    monkeypatch.setattr(sweeps, "code_digest", lambda: "changedcode1")
    assert {task.run_id for task in plan_runs(spec)}.isdisjoint(first["run_id"])
    with pytest.raises(SweepStoreError, match=r"another version of the model.s code.*--rerun-changed"):
        run_sweep(spec, tmp_path / "out", resume=True)


def test_rerun_changed_sets_old_runs_aside_and_runs_the_sweep_again(tmp_path, monkeypatch):
    import model.experiments.sweeps as sweeps

    spec = load_sweep_spec(write_spec(tmp_path, steps=2))
    first = run_sweep(spec, tmp_path / "out")
    old_code = sweeps.code_digest()
    monkeypatch.setattr(sweeps, "code_digest", lambda: "changedcode1")
    again = run_sweep(spec, tmp_path / "out", resume=True, rerun_changed=True)
    assert len(again) == len(first) and set(again["run_id"]).isdisjoint(first["run_id"])
    kept = tmp_path / "out" / f"superseded-{old_code}"
    assert sorted(pd.read_parquet(kept / "runs.parquet")["run_id"]) == sorted(first["run_id"])  # nothing lost
    # A different sweep in the same folder is still refused, even with --rerun-changed.
    other = load_sweep_spec(write_spec(tmp_path, steps=3))
    monkeypatch.setattr(sweeps, "code_digest", lambda: "changedcode2")
    with pytest.raises(SweepStoreError, match="choose another --out"):
        run_sweep(other, tmp_path / "out", resume=True, rerun_changed=True)


def test_observers_come_only_from_this_model_a_file_beside_the_spec_or_an_entry_point(tmp_path):
    (tmp_path / "counter.py").write_text(
        "class Counter:\n"
        "    def __init__(self):\n"
        "        self.weeks = 0\n"
        "    def __call__(self, model):\n"
        "        self.weeks += 1\n"
        "    def result(self):\n"
        "        return {'weeks_watched': self.weeks}\n"
    )
    spec = load_sweep_spec(write_spec(tmp_path, steps=3, replicates=1, observer="counter.py:Counter"))
    runs = run_sweep(spec, tmp_path / "out")
    assert (runs["weeks_watched"] == 4).all()  # the start and three weeks

    (tmp_path.parent / "outside.py").write_text("class Spy:\n    pass\n")
    for observer, reason in [
        ("os:getcwd", "only classes of this model"),
        ("../outside.py:Spy", "outside the spec's folder"),
        ("no_such_entry_point", "entry point"),
        ("missing.py:Counter", "file not found"),
    ]:
        with pytest.raises(ScenarioError, match=reason):
            load_sweep_spec(write_spec(tmp_path, observer=observer))
