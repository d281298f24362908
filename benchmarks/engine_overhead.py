"""Engine overhead of sweeps: 200 short runs on 2 workers, in-process, local pool and Dask.

A script, not a test: it measures and prints. For each engine it reports the
wall time, the time spent inside runs (summed over runs), and the overhead: the
share of the workers' time not spent running the model,
``1 - sum(run time) / (workers x wall time)``. Start-up (spawning processes and
importing the model in them) is reported apart, and the overhead after start-up
is what several-runs-per-task batching keeps small.

    python benchmarks/engine_overhead.py [--runs 200] [--workers 2] [--firms 400] [--steps 26] [--memory-runs 1000]

It ends by running ``--memory-runs`` small runs one after another in this
process and printing the resident memory as it goes: it should stay flat.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model.experiments.engines import executor, run_batch
from model.experiments.sweeps import load_sweep_spec, run_sweep

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "sharing.yaml"


def spec_file(directory: Path, runs: int, firms: int, steps: int) -> Path:
    path = directory / "overhead.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "scenario": str(SCENARIO),
                "steps": steps,
                "replicates": runs,
                "seed": 1,
                "design": "grid",
                "parameters": {"size.firms": [firms]},
                "metrics": ["utilisation_mean", "platform_share"],
            }
        )
    )
    return path


def start_up_seconds(workers: int, scheduler: str | None) -> float:
    """Time to start the engine and run one trivial task in each worker."""
    start = time.perf_counter()
    with executor(workers, scheduler) as (pool, slots):
        for future in [pool.submit(run_batch, []) for _ in range(slots)]:
            future.result()
    return time.perf_counter() - start


def measure(label: str, spec_path: Path, workers: int, scheduler: str | None = None) -> None:
    spec = load_sweep_spec(spec_path)
    # A local pool starts inside the sweep; a Dask cluster is already up, and its workers
    # import the model on their first task, so that is what its start-up measures.
    startup = start_up_seconds(workers, scheduler) if workers > 1 or scheduler else 0.0
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        runs = run_sweep(spec, out, workers=workers, scheduler=scheduler)
        wall = time.perf_counter() - start
    inside = float(runs["wall_time_s"].sum())
    if scheduler:
        wall += startup  # count the cluster's start-up like the pool's
    overhead = 1.0 - inside / (workers * wall)
    after_startup = 1.0 - inside / (workers * max(wall - startup, 1e-9))
    print(
        f"{label:<22} {workers:>7} {len(runs):>5} {wall:>8.1f} {inside:>9.1f} {startup:>8.1f} "
        f"{100 * overhead:>9.1f} {100 * after_startup:>13.1f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--firms", type=int, default=400)
    parser.add_argument("--steps", type=int, default=26)
    parser.add_argument("--memory-runs", type=int, default=1000, help="small runs for the memory check (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        spec_path = spec_file(Path(directory), args.runs, args.firms, args.steps)
        print(f"# {args.runs} runs of {args.firms} firms x {args.steps} weeks")
        print(
            f"{'engine':<22} {'workers':>7} {'runs':>5} {'wall_s':>8} {'in_runs_s':>9} {'start_s':>8} "
            f"{'overhead%':>9} {'after_start%':>13}"
        )
        measure("in-process", spec_path, 1)
        measure("process pool", spec_path, args.workers)
        from distributed import LocalCluster

        with LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None) as cluster:
            measure("dask LocalCluster", spec_path, args.workers, cluster.scheduler_address)
    print(f"# peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.memory_runs:
        memory_check(args.memory_runs)


def current_rss_mb() -> float:
    """Resident memory now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def memory_check(runs: int) -> None:
    """Many small runs in one process, one batch each as a worker would get them: memory must not grow."""
    with tempfile.TemporaryDirectory() as directory:
        spec = load_sweep_spec(spec_file(Path(directory), runs, 100, 4))
    from model.experiments.sweeps import plan_runs

    tasks = plan_runs(spec)
    print(f"# memory over {runs} runs of 100 firms x 4 weeks in one process")
    print(f"{'runs':>6} {'rss_mb':>8}")
    step = max(runs // 5, 1)
    for start in range(0, runs, step):
        run_batch(tasks[start : start + step])
        print(f"{start + step:>6} {current_rss_mb():>8.0f}", flush=True)


if __name__ == "__main__":
    main()
