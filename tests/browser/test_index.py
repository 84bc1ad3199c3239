"""The index page's sort and year filter in Chromium, on the demo hub: every paper sorted
by title, newest or oldest, or kept to a range of years, from papers.json, with the state in
the URL; no static page per order or year."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import Site, SiteServer, WatchedPage

pytestmark = pytest.mark.browser
EN_DASH = "\u2013"


def years_of(watched: WatchedPage) -> list[int]:
    bylines = watched.page.locator("#index-results .byline").all_inner_texts()
    return [int(match.group(1)) for byline in bylines
            if (match := re.search(r"(\d{4})$", byline))]


def test_the_index_sorts_and_filters_every_paper(demo_server: SiteServer, demo_site: Site,
                                                 watched: WatchedPage) -> None:
    page = watched.page
    watched.goto(demo_server.url(""))
    papers = len(list((demo_site.root / "papers").glob("*/index.html")))
    status = page.locator("#index-status")
    expect(status).to_have_text(f"Showing 1{EN_DASH}100 of {papers} papers, most cited first.")
    page.get_by_label("Sort by").select_option("title")
    expect(status).to_have_text(f"Showing 1{EN_DASH}100 of {papers} papers, by title.")
    titles = page.locator("#index-results .entry-title a").all_inner_texts()
    assert len(titles) == 100
    # In the reader's collation (the browser's, for English), as a library catalogue sorts.
    assert page.evaluate("""titles => titles.every((title, index) => !index ||
        titles[index - 1].localeCompare(title, "en", {sensitivity: "base"}) <= 0)""", titles)
    assert "sort=title" in page.url
    # The next hundred, and the focus on the first of them.
    page.get_by_role("button", name="Show 100 more").click()
    expect(page.locator("#index-results .entry")).to_have_count(200)
    expect(page.locator("#index-results .entry-title a").nth(100)).to_be_focused()
    expect(status).to_have_text(f"Showing 1{EN_DASH}200 of {papers} papers, by title.")
    # The ACL papers of 2005 and 2006, oldest first.
    page.get_by_label("Sort by").select_option("oldest")
    for name, value in (("From", "2005"), ("To", "2006")):
        field = page.get_by_role("spinbutton", name=name)
        field.fill(value)
        field.press("Enter")
    expect(status).to_contain_text("papers of those years")
    shown = years_of(watched)
    assert shown and set(shown) <= {2005, 2006} and shown == sorted(shown)
    assert "from=2005&to=2006" in page.url
    # Back undoes the last filter; a shared link opens the same list.
    shared = page.url
    page.go_back()
    expect(page.get_by_role("spinbutton", name="To")).to_have_value("")
    fresh = page.context.new_page()
    fresh.goto(shared)
    expect(fresh.locator("#index-status")).to_contain_text("papers of those years")
    fresh.close()
    page.get_by_role("button", name="Clear").click()
    expect(status).to_have_text(f"Showing 1{EN_DASH}100 of {papers} papers, most cited first.")
    watched.assert_clean()
