"""The year chart in Chromium, on hubs cited over 1, 12 and 80 years, at a desktop's and a
phone's width: year labels are 11 px or larger and never overlap, every year with papers is
a bar that can be focused and says its count, and links to that year's papers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from .conftest import SiteServer, build_site, serve
from conftest import Hub

pytestmark = pytest.mark.browser

POLARITIES = ("support", "contrast", "background", None)
HISTORIES = {"one-year": range(2024, 2025), "twelve-years": range(2013, 2025),
             "eighty-years": range(1945, 2025)}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def years_with_papers(history: range) -> list[int]:
    # Every seventh year of a long history has no citing paper: a gap the chart must show.
    return [year for year in history if len(history) < 20 or year % 7 != 3]


@pytest.fixture(scope="module")
def chart_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    hub = Hub(tmp_path_factory.mktemp("chart-hub"))
    hub.config("title: Charts\nbase_url: https://example.org/charts/\n")
    for name, history in HISTORIES.items():
        hub.paper(name, f"title: Cited over {name}")
        for year in years_with_papers(history):
            for copy in range(2 + year % 4):
                polarity = POLARITIES[(year + copy) % len(POLARITIES)]
                extra = f"\n    polarity: {polarity}" if polarity else ""
                hub.paper(f"{name}-{year}-{copy}", f"title: Paper {year} {copy}\ndate: {year}\n"
                                                   f"cites:\n  - paper: {name}{extra}")
    site = build_site(hub.root, tmp_path_factory.mktemp("chart-site") / "site")
    yield from serve(site)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
@pytest.mark.parametrize("name", HISTORIES.keys())
def test_the_year_chart_reads_at_any_length(chart_server: SiteServer, browser: Browser,
                                             name: str, viewport: dict[str, int]) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(chart_server.url(f"papers/{name}/"))
    chart = page.locator(".year-chart")
    expect(chart).to_be_visible()
    history = HISTORIES[name]
    assert chart.locator(".year-bars > li").count() == len(history)  # gaps included
    labels = page.evaluate("""() => [...document.querySelectorAll('.year-label')]
        .filter(label => getComputedStyle(label).display !== 'none')
        .map(label => {
            const box = label.getBoundingClientRect();
            return {size: parseFloat(getComputedStyle(label).fontSize), left: box.left,
                    right: box.right, text: label.textContent};
        })""")
    assert labels, "no year is labelled"
    assert all(label["size"] >= 11 for label in labels), labels
    assert all(int(label["text"]) in history for label in labels)
    for before, after in itertools.pairwise(labels):
        assert before["right"] + 4 <= after["left"], (before, after)
    chart_box = chart.bounding_box()
    assert chart_box is not None and chart_box["x"] + chart_box["width"] <= viewport["width"]
    bars = chart.locator("a.year-bar")
    assert bars.count() == len(years_with_papers(history))
    # The keyboard reaches the bars, and a focused bar says its year and count.
    middle = bars.nth(bars.count() // 2)
    middle.focus()
    expect(middle).to_be_focused()
    tip = middle.evaluate("bar => getComputedStyle(bar, '::after').content")
    year = years_with_papers(history)[bars.count() // 2]
    count = 2 + year % 4
    assert tip.startswith(f'"{year}: {count} citing paper'), tip
    box = middle.bounding_box()
    assert box is not None and box["width"] >= 2 and box["height"] > 0
    # To the year's papers: its filter page where the hub has them, else its list filtered.
    has_filter_pages = "/year/" in (middle.get_attribute("href") or "")
    middle.click()
    hub_url = chart_server.url(f"papers/{name}/")
    if has_filter_pages:
        expect(page).to_have_url(f"{hub_url}year/{year}/")
        expect(page.locator(".entry")).to_have_count(count)
    else:
        expect(page).to_have_url(f"{hub_url}?year={year}#citing")
        expect(page.locator("#explorer-status")).to_contain_text(f"of {count}")
    context.close()


def test_the_year_chart_stacks_polarities_with_a_legend_in_words(
        chart_server: SiteServer, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(chart_server.url("papers/twelve-years/"))
    legend = page.locator(".year-chart .legend").inner_text()
    for words in ("supports", "contrasts", "cited as background", "not classified by polarity"):
        assert words in legend
    support_fill = page.locator(".year-chart rect.segment-support").first.evaluate(
        "rect => getComputedStyle(rect).fill")
    contrast_fill = page.locator(".year-chart rect.segment-contrast").first.evaluate(
        "rect => getComputedStyle(rect).fill")
    assert support_fill != contrast_fill
    page.close()
