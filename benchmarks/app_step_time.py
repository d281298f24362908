"""How long one Step takes in the classroom app, as a student sees it in a real browser.

A script, not a test: it measures and prints, it asserts nothing.

    python benchmarks/app_step_time.py              # 20 steps, Debian's Chromium, 1280x720
    python benchmarks/app_step_time.py --steps 40

It serves ``app.py`` (``solara run``), opens the page in headless Chromium driven
by Playwright, presses Step from inside the page and times, there, until the page
draws the next week, every plot's new point and the new market map; it prints the
median and the slowest of each, and beside them what the model alone takes for
the same weeks (the rest is sending and drawing the page).
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


# Run in the page: press Step, watch the page change, and note when the frame that shows each change is drawn
# (the first animation frame after it), in milliseconds from the click. Timing inside the page leaves out what a
# student never waits for: Playwright's own checks before a click (is the button visible, still, enabled?) and its
# polling for the result, which add about 50 ms to every step when timed from Python.
STEP_IN_THE_PAGE = r"""
(week) => new Promise(resolve => {
  const figures = () => Array.from(document.querySelectorAll('.bqplot.figure'));
  const lines = () => figures().slice(0, 4).flatMap(f => Array.from(f.querySelectorAll('g.curve path.line')))
    .map(p => p.getAttribute('d')).join('|');
  const mapShown = () => figures()[4].textContent.includes('market in week ' + week + ':');
  const weekShown = () => Array.from(document.querySelectorAll('h2'))
    .some(h => h.textContent.trim() === 'Week ' + week);
  const linesBefore = lines();
  const shown = {}, drawn = {};
  const drawnNextFrame = (name) => requestAnimationFrame(() => {
    drawn[name] = performance.now() - clicked;
    if (Object.keys(drawn).length === 3) { watcher.disconnect(); resolve(drawn); }
  });
  const watcher = new MutationObserver(() => {
    for (const [name, changed] of [['week', weekShown], ['plots', () => lines() !== linesBefore],
                                   ['map', mapShown]]) {
      if (!shown[name] && changed()) { shown[name] = true; drawnNextFrame(name); }
    }
  });
  watcher.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  const clicked = performance.now();
  Array.from(document.querySelectorAll('button')).find(b => b.textContent.includes('Step')).click();
})
"""


def browser_step_seconds(steps: int, width: int, height: int) -> dict[str, list[float]]:
    """Seconds from pressing Step until the page draws the next week, every plot's new point, and the new
    market map, per step (after two untimed weeks, so the plots draw lines)."""
    from playwright.sync_api import sync_playwright

    times = {"week": [], "plots": [], "map": []}
    with serve_app() as url, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url, timeout=90_000)
        page.locator("button", has_text="Step").wait_for(timeout=90_000)
        page.wait_for_function(PLOTS_SHOWN, timeout=90_000)
        for week in range(1, steps + 3):
            drawn = page.evaluate(STEP_IN_THE_PAGE, week)
            if week > 2:
                for name in times:
                    times[name].append(drawn[name] / 1000)
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
