"""Cost per agent-step of the full model, against Mesa's own simplest model, in the same run.

A script, not a test: it measures, prints and writes ``BENCHMARKS.md``; it asserts nothing.

Three variants at N = 2k, 10k and 100k agents (firms, for ours):

(a) Mesa's Boltzmann wealth model written idiomatically: each agent with money
    gives one unit to another picked from a cached list, ``agents.shuffle_do``;
(b) the full shared-manufacturing model: N firms, about 9 workers per firm, one
    platform (``scenarios/sharing.yaml``), after warm-up weeks;
(c) the Boltzmann model vectorised in NumPy, as the floor.

Each measurement runs in a fresh process (clean peak memory); variants are
interleaved and repeated, and medians are reported. Also measured: the share of
the model's time spent on data collection, a large run (100k firms, 1M workers,
52 weeks), the default size (2,000 firms) for 104 weeks and for ten years, the
import time of ``model``, and what compiling the kernels costs: a first run with
an empty Numba cache against one with a warm cache.

    python benchmarks/compare_mesa.py [--repeats 3] [--sizes 2000 10000 100000] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
variant, n, steps, warmup = {variant!r}, {n}, {steps}, {warmup}

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

spent = {{}}  # seconds per name, added up by the wrappers timed() makes

def timed(name, function):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
    return wrapper

if variant == "mesa":
    import mesa

    class MoneyAgent(mesa.Agent):
        def __init__(self, model):
            super().__init__(model)
            self.wealth = 1

        def step(self):
            if self.wealth > 0:
                other = self.random.choice(self.model.agent_list)
                other.wealth += 1
                self.wealth -= 1

    class BoltzmannWealth(mesa.Model):
        def __init__(self, n, seed=None):
            super().__init__(seed=seed)
            MoneyAgent.create_agents(self, n)
            self.agent_list = list(self.agents)

        def step(self):
            self.agents.shuffle_do("step")

    model = BoltzmannWealth(n, seed=1)
    for _ in range(warmup):
        model.step()
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    elapsed = time.perf_counter() - start
    print(json.dumps({{"us": elapsed / (steps * n) * 1e6, "rss": peak_mb()}}))

elif variant == "numpy":
    import numpy as np

    rng = np.random.default_rng(1)
    wealth = np.ones(n, np.int64)

    def step():
        givers = np.flatnonzero(wealth > 0)
        wealth[givers] -= 1
        np.add(wealth, np.bincount(rng.integers(0, n, givers.size), minlength=n), out=wealth)

    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    elapsed = time.perf_counter() - start
    print(json.dumps({{"us": elapsed / (steps * n) * 1e6, "rss": peak_mb()}}))

elif variant == "first_run":  # import, then build and play two weeks: compiles or loads the kernels
    start = time.perf_counter()
    from model import SharedManufacturingModel, load_scenario
    imported = time.perf_counter() - start
    economy = SharedManufacturingModel(load_scenario({scenario!r}, {{"size.firms": n}}), seed=1)
    economy.run(steps)
    print(json.dumps({{"import": imported, "first_run": time.perf_counter() - start - imported}}))

elif variant == "stages":  # where a week goes: each stage of model.step() timed on its own
    from model import SharedManufacturingModel, load_scenario
    import model.economy.model as model_module

    STAGES = {{
        "labour": ["work_the_week", "review_training", "review_participation", "workforce"],
        "trade": ["trade_week"],
        "demand": ["place_orders"],
        "production": ["plan_week", "deliver"],
        "accounts": ["settle"],
        "metrics": ["measure", "measure_by_kind"],
        "investment": ["retire_machines", "review_machines"],
        "platforms": ["spread_awareness", "update_size", "platform_reach", "charge_fees", "review_memberships"],
        "digital": ["age_readiness", "review_upgrading"],
        "open_data": ["update_access", "charge_for_access"],
        "public_labs": ["with_technicians", "pool_work", "balance_budgets"],
        "shocks": ["set_conditions"],
    }}
    for module_name, functions in STAGES.items():
        module = getattr(model_module, module_name)
        for function in functions:
            setattr(module, function, timed(f"{{module_name}}.{{function}}", getattr(module, function)))
    SharedManufacturingModel(load_scenario({scenario!r}, {{"size.firms": 60}}), seed=2).run(3)  # loads the kernels
    economy = SharedManufacturingModel(load_scenario({scenario!r}, {{"size.firms": n}}), seed=1)
    economy.run(warmup)
    spent.clear()
    for method in ("_entry_and_exit", "_platform_business", "_record_week"):
        setattr(economy, method, timed(f"model.{{method}}", getattr(economy, method)))
    economy.datacollector.collect = timed("DataCollector.collect", economy.datacollector.collect)
    start = time.perf_counter()
    economy.run(steps)
    spent["week"] = time.perf_counter() - start
    print(json.dumps({{name: seconds / steps for name, seconds in spent.items()}}))

else:
    from model import SharedManufacturingModel, load_scenario
    from model.economy import metrics
    import model.economy.model as model_module

    for name in ("measure", "measure_capital", "measure_population", "measure_labour"):
        setattr(model_module.metrics, name, timed("collecting", getattr(metrics, name)))
    scenario = load_scenario({scenario!r}, {{"size.firms": n}})
    SharedManufacturingModel(load_scenario({scenario!r}, {{"size.firms": 60}}), seed=2).run(3)  # loads the kernels
    setup_start = time.perf_counter()
    economy = SharedManufacturingModel(scenario, seed=1)
    setup = time.perf_counter() - setup_start
    economy.datacollector.collect = timed("collecting", economy.datacollector.collect)
    economy.run(warmup)
    spent.clear()
    start = time.perf_counter()
    economy.run(steps)
    elapsed = time.perf_counter() - start
    print(json.dumps({{"us": elapsed / (steps * n) * 1e6, "rss": peak_mb(), "setup": setup,
                       "collect_share": spent.get("collecting", 0.0) / elapsed, "total": setup + (time.perf_counter() - start)}}))
"""

STEPS = {  # (timed steps, warm-up steps) per variant and size, so that each measurement takes about a second
    "mesa": {1_000: (400, 5), 2_000: (200, 5), 10_000: (40, 2), 100_000: (5, 1)},
    "numpy": {1_000: (20_000, 100), 2_000: (10_000, 100), 10_000: (5_000, 50), 100_000: (1_000, 10)},
    "ours": {1_000: (60, 8), 2_000: (40, 8), 10_000: (20, 8), 100_000: (8, 8)},
}
DEFAULT_FIRMS = 2_000
STAGE_WEEKS = {DEFAULT_FIRMS: (40, 8), 100_000: (6, 4)}  # (timed weeks, warm-up weeks) of the stage breakdown


def stage_table(stages: dict[int, dict[str, float]]) -> str:
    """Milliseconds per week and share of the week, per stage of ``model.step()``, largest first."""
    sizes = sorted(stages)
    names = sorted(
        {name for spent in stages.values() for name in spent} - {"week"},
        key=lambda name: -stages[sizes[0]].get(name, 0.0),
    )
    header = "| stage | " + " | ".join(f"{n:,} firms: ms/week (share)" for n in sizes) + " |"
    lines = [header, "|---|" + "---|" * len(sizes)]
    for name in [*names, "rest of the step", "week"]:
        cells = []
        for n in sizes:
            week = stages[n]["week"]
            seconds = (
                week - sum(v for k, v in stages[n].items() if k != "week")
                if name == "rest of the step"
                else stages[n].get(name, 0.0)
            )
            cells.append(f"{seconds * 1e3:.2f} ({seconds / week:.0%})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def measure(variant: str, n: int, steps: int, warmup: int, scenario: Path, cache_dir: str | None = None) -> dict:
    code = CHILD.format(root=str(ROOT), variant=variant, n=n, steps=steps, warmup=warmup, scenario=str(scenario))
    env = dict(os.environ, **({"NUMBA_CACHE_DIR": cache_dir} if cache_dir else {}))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def first_runs(scenario: Path, repeats: int) -> dict[str, float]:
    """Import time, and two weeks at the default size with an empty and with a warm kernel cache (medians)."""
    empty, warm, imports = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache_dir:
            cold = measure("first_run", DEFAULT_FIRMS, 2, 0, scenario, cache_dir)
            hot = measure("first_run", DEFAULT_FIRMS, 2, 0, scenario, cache_dir)
        empty.append(cold["first_run"])
        warm.append(hot["first_run"])
        imports.append(hot["import"])
    return {"empty": statistics.median(empty), "warm": statistics.median(warm), "import": statistics.median(imports)}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import mesa
    import numpy

    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NumPy {numpy.__version__}, Mesa {mesa.__version__}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[DEFAULT_FIRMS, 10_000, 100_000])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "sharing.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()

    samples: dict[tuple[str, int], list[dict]] = {}
    for repeat in range(args.repeats):  # interleaved: each repeat measures every variant and size once
        for n in args.sizes:
            for variant in ("mesa", "ours", "numpy"):
                steps, warmup = STEPS[variant].get(n, (10, 2))
                samples.setdefault((variant, n), []).append(measure(variant, n, steps, warmup, args.scenario))
                print(
                    f"repeat {repeat + 1}/{args.repeats}: {variant:<5} n={n:>7}: "
                    f"{samples[(variant, n)][-1]['us']:.3f} us/agent-step",
                    flush=True,
                )

    def median(variant: str, n: int, key: str) -> float:
        return statistics.median(sample[key] for sample in samples[(variant, n)])

    large = measure("ours", 100_000, 52, 0, args.scenario)
    two_years = measure("ours", DEFAULT_FIRMS, 104, 0, args.scenario)
    ten_years = measure("ours", DEFAULT_FIRMS, 520, 0, args.scenario)
    compiling = first_runs(args.scenario, args.repeats)
    stages = {n: measure("stages", n, *STAGE_WEEKS[n], args.scenario) for n in (DEFAULT_FIRMS, 100_000)}

    rows = []
    for n in args.sizes:
        mesa_us, ours_us, numpy_us = (median(v, n, "us") for v in ("mesa", "ours", "numpy"))
        rows.append(
            f"| {n:,} | {mesa_us:.3f} | {ours_us:.3f} | {numpy_us:.4f} | {ours_us / mesa_us:.2f} | "
            f"{ours_us / numpy_us:.0f} | {median('ours', n, 'collect_share') * 100:.1f}% | "
            f"{median('mesa', n, 'rss'):.0f} / {median('ours', n, 'rss'):.0f} / {median('numpy', n, 'rss'):.0f} |"
        )
    collect = max(median("ours", n, "collect_share") for n in args.sizes)

    def verdict(ok: bool) -> str:
        return "met" if ok else "missed"

    def against_mesa(n: int) -> str:
        if n not in args.sizes:
            return f"| per firm-step <= 1.0x Mesa Boltzmann per agent-step, at {n:,} | not measured | - |"
        ours, mesa = median("ours", n, "us"), median("mesa", n, "us")
        return (
            f"| per firm-step <= 1.0x Mesa Boltzmann per agent-step, at {n:,} | {ours / mesa:.2f}x "
            f"({ours:.2f} vs {mesa:.2f} us) | {verdict(ours <= mesa)} |"
        )

    def run_seconds(run: dict) -> float:
        return run["total"] - run["setup"]

    text = f"""# Benchmarks

Produced by `python benchmarks/compare_mesa.py` on {date.today().isoformat()}.
Machine: {machine()}.
Each figure is the median of {args.repeats} measurements, each in a fresh process, variants interleaved.

## Cost per agent-step

Microseconds per agent-step (per firm-step for the shared-manufacturing model: N firms,
about 9 workers per firm, one platform, after warm-up weeks).

| N | Mesa Boltzmann (us) | ours (us/firm) | NumPy Boltzmann (us) | ours / Mesa | ours / NumPy | data collection | peak RSS MB (Mesa / ours / NumPy) |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

## Targets

| target | measured | verdict |
|---|---|---|
{chr(10).join(against_mesa(n) for n in (DEFAULT_FIRMS, 10_000, 100_000))}
| {DEFAULT_FIRMS:,} firms, 104 weeks, < 0.3 s (without imports and compile) | {run_seconds(two_years):.2f} s (+ {two_years["setup"]:.2f} s set-up) | {verdict(run_seconds(two_years) < 0.3)} |
| {DEFAULT_FIRMS:,} firms, ten years (520 weeks), < 1.5 s | {run_seconds(ten_years):.2f} s (+ {ten_years["setup"]:.2f} s set-up) | {verdict(run_seconds(ten_years) < 1.5)} |
| 100k firms, 1M workers, 52 weeks in < 12 s | {large["total"]:.1f} s (set-up {large["setup"]:.1f} s) | {verdict(large["total"] < 12)} |
| ... with < 1.5 GB peak RSS | {large["rss"]:.0f} MB | {verdict(large["rss"] < 1536)} |
| data collection < 5% of run time | {collect * 100:.1f}% at most | {verdict(collect < 0.05)} |

## Start-up and compiling

| what | seconds |
|---|---|
| `import model` (kernels loaded lazily, at first use) | {compiling["import"]:.2f} |
| first run on a machine: build {DEFAULT_FIRMS:,} firms and play 2 weeks, empty kernel cache (compiles) | {compiling["empty"]:.2f} |
| the same, warm cache (a later run, a new process, a sweep worker) | {compiling["warm"]:.2f} |
| one-time compile (the difference) | {compiling["empty"] - compiling["warm"]:.2f} |

## Where a week goes

Each stage of `model.step()` timed on its own (one run, after warm-up weeks); "rest
of the step" is what lies between the stages.

{stage_table(stages)}
"""
    # Hand-written notes below the marker survive a re-run.
    marker = "<!-- notes: kept when the benchmark is re-run -->"
    previous = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    notes = previous[previous.index(marker) :] if marker in previous else f"{marker}\n"
    args.out.write_text(f"{text}\n{notes}", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
