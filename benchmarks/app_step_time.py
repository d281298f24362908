"""How long one Step takes in the classroom app, as a student sees it in a real browser.

A script, not a test: it measures and prints, it asserts nothing.

    python benchmarks/app_step_time.py              # 20 steps, Debian's Chromium, 1280x720
    python benchmarks/app_step_time.py --steps 40

It serves ``app.py`` (``solara run``), opens the page in headless Chromium driven
by Playwright, presses Step and waits until the page shows the next week, then
until every plot has its new point, then until the market map is redrawn, each
time; it prints the median and the slowest of each, and beside them what the
model alone takes for the same weeks (the rest is drawing and sending the plots).
Needs the viz extra and Debian's ``chromium`` package.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser import CHROMIUM, CHROMIUM_FLAGS, PLOTS_SHOWN, serve_app


def model_step_seconds(steps: int) -> list[float]:
    """Seconds per week of the app's economy alone, outside the browser."""
    import app

    economy = app.ClassroomEconomy()
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        economy.step()
        times.append(time.perf_counter() - started)
    return times


LINES = (
    "Array.from(document.querySelectorAll('.bqplot.figure g.curve path.line')).map(p => p.getAttribute('d')).join('|')"
)
MAP = "document.querySelector('img') ? document.querySelector('img').getAttribute('src') : ''"


def browser_step_seconds(steps: int, width: int, height: int) -> dict[str, list[float]]:
    """Seconds from pressing Step until the page shows the next week, until every plot has its new point, and
    until the market map is the new week's, per step (after two untimed weeks, so the plots draw lines)."""
    from playwright.sync_api import sync_playwright

    times = {"week": [], "plots": [], "map": []}
    with serve_app() as url, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url, timeout=90_000)
        step = page.locator("button", has_text="Step")
        step.wait_for(timeout=90_000)
        page.wait_for_function(PLOTS_SHOWN, timeout=90_000)
        for week in range(1, steps + 3):
            lines, market_map = page.evaluate(LINES), page.evaluate(MAP)
            started = time.perf_counter()
            step.click()
            page.get_by_text(f"Week {week}", exact=True).wait_for(timeout=60_000)
            shown_week = time.perf_counter() - started
            page.wait_for_function(f"previous => ({LINES}) !== previous", arg=lines, timeout=60_000)
            shown_plots = time.perf_counter() - started
            page.wait_for_function(f"previous => ({MAP}) !== previous", arg=market_map, timeout=60_000)
            shown_map = time.perf_counter() - started
            if week > 2:
                for name, seconds in zip(times, (shown_week, shown_plots, shown_map)):
                    times[name].append(seconds)
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="steps to time (default 20)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()
    if CHROMIUM is None:
        print("error: needs Debian's chromium package (apt-get install chromium)", file=sys.stderr)
        return 2
    browser = browser_step_seconds(args.steps, args.width, args.height)
    model = model_step_seconds(args.steps)
    print(f"classroom app, {args.steps} steps, {args.width}x{args.height}, headless Chromium")
    for name, label in (("week", "the next week shown"), ("plots", "every plot updated"), ("map", "the new map")):
        seconds = browser[name]
        print(f"  in the browser, {label}: median {statistics.median(seconds):.3f} s, slowest {max(seconds):.3f} s")
    print(f"  the model alone: median {statistics.median(model) * 1000:.1f} ms a step")
    return 0


if __name__ == "__main__":
    sys.exit(main())
