"""The interactive app: its model builds from the app's own defaults, and its page renders in a real browser."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from tests.browser import CHROMIUM, CHROMIUM_FLAGS, PLOTS_SHOWN, serve_app
from tests.helpers import REPO

solara = pytest.importorskip("solara", reason="the app needs the viz extra: pip install -e '.[viz]'")

ARTIFACTS = REPO / "test-artifacts"


def test_app_model_builds_and_steps_from_the_app_defaults():
    sys.path.insert(0, str(REPO))
    import app

    sliders = app.lever_sliders()
    economy = app.ClassroomEconomy(**{name: slider.value for name, slider in sliders.items() if name != "seed"})
    economy.run(3)
    assert economy.steps == 3 and economy.week_metrics["labour_force"] > 0
    for name, (key, _) in app.LEVERS.items():
        assert sliders[name].value == app.classroom_value(key)  # the scenario is the only source of defaults
    assert economy.params.platforms.commission_rate == app.classroom_value("platforms.commission_rate")


def test_the_market_map_shows_the_layers_of_the_economy_it_reads():
    """Every firm, platform and drawn trade of the week reaches the map's marks, and the legend counts the firms."""
    sys.path.insert(0, str(REPO))
    import app

    economy = app.ClassroomEconomy()
    economy.run(6)
    layers = app.market_layers(economy, max_trade_edges=300)
    assert 0 < len(layers.partner_trades) + len(layers.platform_trades) <= 300
    lines = app.map_lines(layers)
    for row, (name, *_) in enumerate(app.MAP_LINES):  # one path per layer, a gap (NaN) after each segment
        segments = getattr(layers, name)
        drawn = np.column_stack([lines["x"][row], lines["y"][row]])
        drawn = drawn[: 3 * len(segments)].reshape(-1, 3, 2)
        np.testing.assert_array_equal(drawn[:, :2], segments)
        assert np.isnan(drawn[:, 2]).all() and np.isnan(lines["x"][row][3 * len(segments) :]).all()
    firms, hubs = app.map_firms(layers), app.map_platforms(layers)
    business = economy.firms.active & (economy.firms.kind <= 2)
    assert len(firms["x"]) == business.sum() and len(hubs["x"]) == economy.platforms.in_market.sum() > 0
    np.testing.assert_array_equal(np.bincount(firms["color"], minlength=3), np.bincount(economy.firms.kind[business]))
    assert sorted(set(firms["size"])) == sorted(app.FIRM_DOTS[kind] for kind in ("large", "sme", "micro"))
    legend = app.map_legend(layers)
    for kind, count in zip(("large", "sme", "micro"), np.bincount(economy.firms.kind[business], minlength=3)):
        assert f"{kind} ({count:,})" in legend  # counted from the economy, not from the layers
    assert "partner trade" in legend and "platform trade" in legend
    assert layers.title.startswith("market in week 6")


def test_after_a_reset_the_previous_run_is_drawn_faintly_beside_the_new_one():
    sys.path.insert(0, str(REPO))
    import app

    earlier, now = app.ClassroomEconomy(commission_rate=0.2), app.ClassroomEconomy()
    earlier.run(4)
    now.run(2)
    assert now.run_number > earlier.run_number  # each economy knows it is a new run
    series = {"utilisation_mean": ("capacity used", "tab:blue"), "platform_hours": ("on platforms", "tab:red")}
    lines = app.series_lines(
        now.datacollector.get_model_vars_dataframe().iloc[1:],
        series,
        previous=earlier.datacollector.get_model_vars_dataframe().iloc[1:],
    )
    faint = [line for line in lines if line.get("opacities") == [app.FAINT]]
    assert [len(line["x"]) for line in faint] == [4, 4]  # the earlier run's four weeks, each series
    assert [len(line["x"]) for line in lines if line.get("opacities") != [app.FAINT]] == [2, 2]
    legend = [line["labels"][0] for line in lines if line["display_legend"]]
    assert legend == ["before the last Reset", "capacity used", "on platforms"]  # the earlier run named once


@pytest.fixture(scope="module")
def app_server():
    try:
        with serve_app() as url:
            yield url
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium package (apt-get install chromium)")
def test_each_browser_session_steps_its_own_economy(app_server):
    playwright = pytest.importorskip("playwright.sync_api", reason="needs playwright (the viz extra)")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        first = browser.new_context().new_page()
        first.goto(app_server, timeout=90_000)
        step = first.locator("button", has_text="Step")
        step.wait_for(timeout=90_000)
        for week in (1, 2, 3):
            step.click()
            first.get_by_text(f"Week {week}", exact=True).wait_for(timeout=60_000)
        # A second student opening the page now starts from week 0, not where the first left off.
        second = browser.new_context().new_page()
        second.goto(app_server, timeout=90_000)
        second.locator("button", has_text="Step").wait_for(timeout=90_000)
        second.get_by_text("Week 0", exact=True).wait_for(timeout=60_000)
        second.locator("button", has_text="Step").click()
        second.get_by_text("Week 1", exact=True).wait_for(timeout=60_000)
        first.wait_for_timeout(1_000)
        still = first.get_by_text("Week 3", exact=True).count()
        browser.close()
    assert still == 1, "stepping the second session moved the first"


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium package (apt-get install chromium)")
def test_app_page_renders_its_plots_in_headless_chromium(app_server):
    playwright = pytest.importorskip("playwright.sync_api", reason="needs playwright (the viz extra)")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(app_server, timeout=90_000)
        step = page.locator("button", has_text="Step")
        step.wait_for(timeout=90_000)
        page.wait_for_function(PLOTS_SHOWN, timeout=90_000)
        plots = page.locator(".bqplot.figure")
        drawn = "Array.from(document.querySelectorAll('.bqplot.figure')).slice(0, 4)"  # the four plots
        drawn += ".flatMap(f => Array.from(f.querySelectorAll('g.curve path.line'))).map(p => p.getAttribute('d'))"
        # The market map is the fifth figure; its firms are the circles of its scatter marks.
        market_map = "Array.from(document.querySelectorAll('.bqplot.figure')[4].querySelectorAll('path.dot'))"
        market_map += ".map(p => p.getAttribute('transform')).join('|')"
        step.click()  # week 0 has no lines yet (flows start in week 1)
        page.get_by_text("Week 1", exact=True).wait_for(timeout=60_000)
        page.wait_for_timeout(1_000)
        before, map_before = page.evaluate(drawn), page.evaluate(market_map)
        for _ in range(5):
            step.click()
            page.wait_for_timeout(500)
        page.get_by_text("Week 6", exact=True).wait_for(timeout=60_000)
        page.wait_for_timeout(2_000)  # the last redraw
        after, map_after = page.evaluate(drawn), page.evaluate(market_map)
        sizes = [plots.nth(i).bounding_box() for i in range(plots.count())]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "app.png"), full_page=True)
        # The page explains itself: what a step is, that levers apply on Reset, units on the sliders, plot titles.
        explained = {
            text: page.get_by_text(text).count()
            for text in ("One step is one week.", "Commission (share of trade value)", "press")
        }
        page_text = page.inner_text("body")
        browser.close()
    assert all(explained.values()), explained
    assert "Reset" in page_text and "Large-firm openness (share)" in page_text
    assert "partner trade" in page_text and "platform trade" in page_text  # the map's legend, below it
    assert "Commission: 0.05 share of trade value" in page_text  # the values the next Reset uses, with units
    hidden = [text for text in ("Render Interval", "Use Threads", "Play Interval", "PAGE 0") if text in page_text]
    assert not hidden, f"Mesa controls a class does not need are shown: {hidden}"
    rendered = [box for box in sizes if box and box["width"] > 200 and box["height"] > 200]
    assert len(rendered) == 5, f"expected four plots and the market map, found {sizes}"
    redrawn = sum(old != new for old, new in zip(before, after))
    assert len(after) >= 8 and redrawn == len(after), "every line of every plot must move as the economy steps"
    assert map_after != map_before, "the market map must be redrawn as the economy steps"
    assert Path(ARTIFACTS / "app.png").stat().st_size > 20_000


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium package (apt-get install chromium)")
@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_the_week_is_in_view_at_classroom_screen_sizes(app_server, width, height):
    playwright = pytest.importorskip("playwright.sync_api", reason="needs playwright (the viz extra)")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(app_server, timeout=90_000)
        page.locator("button", has_text="Step").wait_for(timeout=90_000)
        page.locator("button", has_text="Step").click()
        week = page.get_by_text("Week 1", exact=True)
        week.wait_for(timeout=60_000)
        box = week.bounding_box()
        page.wait_for_timeout(1_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"app_{width}x{height}.png"))
        browser.close()
    assert box is not None and box["y"] + box["height"] <= height, f"the week counter is below the fold: {box}"
    assert (ARTIFACTS / f"app_{width}x{height}.png").stat().st_size > 20_000
