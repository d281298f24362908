"""Cost per agent-step of the full model, against Mesa's own simplest model, in the same run.

A script, not a test: it measures, prints and writes ``BENCHMARKS.md``; it asserts nothing.

Three variants at N = 1k, 10k and 100k agents (firms, for ours):

(a) Mesa's Boltzmann wealth model written idiomatically: each agent with money
    gives one unit to another picked from a cached list, ``agents.shuffle_do``;
(b) the full shared-manufacturing model: N firms, about 9 workers per firm, one
    platform (``scenarios/sharing.yaml``), after warm-up weeks;
(c) the Boltzmann model vectorised in NumPy, as the floor.

Each measurement runs in a fresh process (clean peak memory); variants are
interleaved and repeated, and medians are reported. Also measured: the share of
the model's time spent on data collection, a large run (100k firms, 1M workers,
52 weeks) and the default scenario (104 weeks).

    python benchmarks/compare_mesa.py [--repeats 3] [--sizes 1000 10000 100000] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
variant, n, steps, warmup = {variant!r}, {n}, {steps}, {warmup}

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

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

else:
    from model import SharedManufacturingModel, load_scenario
    from model.economy import metrics
    import model.economy.model as model_module

    collecting = [0.0]

    def timed(function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                collecting[0] += time.perf_counter() - start
        return wrapper

    for name in ("measure", "measure_capital", "measure_population", "measure_labour"):
        setattr(model_module.metrics, name, timed(getattr(metrics, name)))
    scenario = load_scenario({scenario!r}, {{"size.firms": n}})
    setup_start = time.perf_counter()
    economy = SharedManufacturingModel(scenario, seed=1)
    setup = time.perf_counter() - setup_start
    economy.datacollector.collect = timed(economy.datacollector.collect)
    economy.run(warmup)
    collecting[0] = 0.0
    start = time.perf_counter()
    economy.run(steps)
    elapsed = time.perf_counter() - start
    print(json.dumps({{"us": elapsed / (steps * n) * 1e6, "rss": peak_mb(), "setup": setup,
                       "collect_share": collecting[0] / elapsed, "total": setup + (time.perf_counter() - start)}}))
"""

STEPS = {  # (timed steps, warm-up steps) per variant and size, so that each measurement takes about a second
    "mesa": {1_000: (400, 5), 10_000: (40, 2), 100_000: (5, 1)},
    "numpy": {1_000: (20_000, 100), 10_000: (5_000, 50), 100_000: (1_000, 10)},
    "ours": {1_000: (60, 8), 10_000: (20, 8), 100_000: (8, 8)},
}


def measure(variant: str, n: int, steps: int, warmup: int, scenario: Path) -> dict:
    code = CHILD.format(root=str(ROOT), variant=variant, n=n, steps=steps, warmup=warmup, scenario=str(scenario))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


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
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
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
    default_run = measure("ours", 2_000, 104, 0, args.scenario)

    rows = []
    for n in args.sizes:
        mesa_us, ours_us, numpy_us = (median(v, n, "us") for v in ("mesa", "ours", "numpy"))
        rows.append(
            f"| {n:,} | {mesa_us:.3f} | {ours_us:.3f} | {numpy_us:.4f} | {ours_us / mesa_us:.2f} | "
            f"{ours_us / numpy_us:.0f} | {median('ours', n, 'collect_share') * 100:.1f}% | "
            f"{median('mesa', n, 'rss'):.0f} / {median('ours', n, 'rss'):.0f} / {median('numpy', n, 'rss'):.0f} |"
        )
    per_10k = median("ours", 10_000, "us") if 10_000 in args.sizes else float("nan")
    per_100k = median("ours", 100_000, "us") if 100_000 in args.sizes else float("nan")
    mesa_10k = median("mesa", 10_000, "us") if 10_000 in args.sizes else float("nan")
    mesa_100k = median("mesa", 100_000, "us") if 100_000 in args.sizes else float("nan")
    collect = max(median("ours", n, "collect_share") for n in args.sizes)
    default_seconds = default_run["total"] - default_run["setup"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "missed"

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
| per firm-step <= 1.0x Mesa Boltzmann per agent-step, at 10k | {per_10k / mesa_10k:.2f}x ({per_10k:.2f} vs {mesa_10k:.2f} us) | {verdict(per_10k <= mesa_10k)} |
| the same at 100k | {per_100k / mesa_100k:.2f}x ({per_100k:.2f} vs {mesa_100k:.2f} us) | {verdict(per_100k <= mesa_100k)} |
| 100k firms, 1M workers, 52 weeks in < 30 s | {large["total"]:.1f} s (set-up {large["setup"]:.1f} s) | {verdict(large["total"] < 30)} |
| ... with < 2 GB peak RSS | {large["rss"]:.0f} MB | {verdict(large["rss"] < 2048)} |
| us per firm-step at 100k <= 1.2x that at 10k | {per_100k / per_10k:.2f}x | {verdict(per_100k <= 1.2 * per_10k)} |
| default scenario, 104 weeks, < 1 s (without imports) | {default_seconds:.2f} s (+ {default_run["setup"]:.2f} s set-up) | {verdict(default_seconds + default_run["setup"] < 1.0)} |
| data collection < 10% of run time | {collect * 100:.1f}% at most | {verdict(collect < 0.10)} |
"""
    # Hand-written notes below the marker survive a re-run.
    marker = "<!-- notes: kept when the benchmark is re-run -->"
    previous = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    notes = previous[previous.index(marker) :] if marker in previous else f"{marker}\n"
    args.out.write_text(f"{text}\n{notes}", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
