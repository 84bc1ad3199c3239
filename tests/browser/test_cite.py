"""The Copy BibTeX button puts the paper's cite.bib on the clipboard; without a clipboard
the button stays hidden and the BibTeX link does the job."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from .conftest import SiteServer, WatchedPage, _watched
from seed_hub import SURVEY_ID

pytestmark = pytest.mark.browser


@pytest.fixture
def clipboard_page(browser: Browser) -> Iterator[WatchedPage]:
    yield from _watched(browser, viewport={"width": 1280, "height": 900},
                        permissions=["clipboard-read", "clipboard-write"])


def test_copy_bibtex_puts_the_entry_on_the_clipboard(
        clipboard_page: WatchedPage, seed_server: SiteServer) -> None:
    clipboard_page.goto(seed_server.url(f"papers/{SURVEY_ID}/"))
    page = clipboard_page.page
    button = page.get_by_role("button", name="Copy BibTeX")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".cite-status")).to_have_text("BibTeX copied.")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    expected = (seed_server.site.root / "papers" / SURVEY_ID / "cite.bib").read_text()
    assert copied == expected and copied.startswith(f"@misc{{{SURVEY_ID},")
    clipboard_page.assert_clean()


def test_the_bibtex_link_is_there_without_a_clipboard(
        watched: WatchedPage, seed_server: SiteServer) -> None:
    watched.goto(seed_server.url(f"papers/{SURVEY_ID}/"))
    page = watched.page
    link = page.get_by_role("link", name="BibTeX", exact=True)
    assert link.get_attribute("href") == f"/kd-hub/papers/{SURVEY_ID}/cite.bib"
    watched.assert_clean()
