"""Search in Chromium: the box in the header leads to /search/, which runs Pagefind over the
demo hub's index (WebAssembly, allowed on that page only) and lists papers with their date
and citing count; following a result opens the paper's page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from citehub import urls

from .conftest import SiteServer, WatchedPage, build_site, serve
from conftest import Hub

pytestmark = pytest.mark.browser

TURING = "Computing Machinery and Intelligence"


def test_searching_a_demo_title_finds_it_and_follows_the_result(
        demo_server: SiteServer, watched: WatchedPage) -> None:
    watched.goto(demo_server.url(""))
    page = watched.page
    page.get_by_role("searchbox", name="Search papers").fill(TURING)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/kd-hub/search/\?q=Computing"))
    results = page.locator(".search-results li")
    expect(results.first).to_be_visible()
    first = results.first
    expect(first.get_by_role("link")).to_have_text(TURING)
    expect(first.locator(".search-facts")).to_have_text(
        "1950-10-01 · 1000 citing papers in this hub · cited by 10,059 outside the hub")
    expect(first.locator(".byline")).to_have_text(
        "A. Turing · Mind")
    expect(first.locator(".search-excerpt mark").first).to_be_visible()
    expect(page.locator(".search-status")).to_contain_text("match “Computing Machinery and")
    first.get_by_role("link").click()
    expect(page).to_have_url(demo_server.url("papers/10.1093-mind-lix.236.433/"))
    expect(page.locator("h1")).to_have_text(TURING)
    watched.assert_clean()


@pytest.fixture(scope="module")
def bundled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """Nine papers in search bundles of two (`urls.SEARCH_BUNDLE_PAPERS`), as a hub of
    tens of thousands is split: the search page merges them."""
    hub = Hub(tmp_path_factory.mktemp("bundled-hub"))
    hub.config("title: Bundled hub\nbase_url: https://example.org/bundled/\n")
    for number in range(9):
        hub.paper(f"p{number}", f"title: Zebrafish study {WORDS[number]}\ndate: 2020")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(urls, "SEARCH_BUNDLE_PAPERS", 2)
        site = build_site(hub.root, tmp_path_factory.mktemp("bundled-site") / "site")
    assert len(list(site.root.rglob("pagefind-entry.json"))) >= 3
    yield from serve(site)


WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]


def test_a_hub_indexed_in_several_bundles_is_searched_whole(
        bundled_server: SiteServer, watched: WatchedPage) -> None:
    page = watched.page
    watched.goto(bundled_server.url("search/?q=zebrafish"))
    expect(page.locator(".search-status")).to_have_text("9 papers match “zebrafish”.")
    titles = page.locator(".search-results li a").all_inner_texts()
    assert sorted(titles) == sorted(f"Zebrafish study {word}" for word in WORDS)
    for word in WORDS:  # each paper, whichever bundle holds it
        watched.goto(bundled_server.url(f"search/?q={word}"))
        expect(page.locator(".search-results li a")).to_have_text([f"Zebrafish study {word}"])
    watched.assert_clean()


def test_search_runs_as_you_type(bundled_server: SiteServer, watched: WatchedPage) -> None:
    page = watched.page
    watched.goto(bundled_server.url("search/"))
    box = page.get_by_role("searchbox", name="Search papers")
    box.fill("zebra")
    expect(page.locator(".search-status")).to_have_text("9 papers match “zebra”.")
    assert page.url.endswith("search/?q=zebra")
    box.fill("zebrafish charlie")
    expect(page.locator(".search-status")).to_contain_text("“zebrafish charlie”")
    assert page.url.endswith("search/?q=zebrafish%20charlie")
    expect(page.locator(".search-results li a").first).to_have_text("Zebrafish study charlie")
    watched.assert_clean()


def test_every_result_can_be_shown(demo_server: SiteServer, watched: WatchedPage) -> None:
    page = watched.page
    watched.goto(demo_server.url("search/?q=intelligence"))
    status = page.locator(".search-status")
    expect(status).to_contain_text(": 1\u201330 shown.")
    total = int(status.inner_text().split(" ")[0].replace(",", ""))
    more = page.get_by_role("button", name=re.compile(r"^Show \d+ more$"))
    for shown in range(30, total, 30):
        more.click()
        expect(page.locator(".search-results li")).to_have_count(min(shown + 30, total))
    expect(more).to_have_count(0)
    expect(status).to_have_text(re.compile(r" match “intelligence”\.$"))
    watched.assert_clean()
