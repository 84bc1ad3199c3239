"""Search in Chromium: the box in the header leads to /search/, which runs Pagefind over the
demo hub's index (WebAssembly, allowed on that page only) and lists papers with their date
and citing count; following a result opens the paper's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import SiteServer, WatchedPage

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
    expect(first.locator(".search-facts")).to_have_text("1950-10-01 · 1000 citing papers")
    expect(page.locator(".search-status")).to_contain_text("match “Computing Machinery and")
    first.get_by_role("link").click()
    expect(page).to_have_url(demo_server.url("papers/10.1093-mind-lix.236.433/"))
    expect(page.locator("h1")).to_have_text(TURING)
    watched.assert_clean()
