"""`citehub serve` in Chromium: the page reloads by itself after an edit, under the pages'
strict Content-Security-Policy (the reload hook and the error overlay are same-origin files)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from serve_helpers import serving

from .conftest import WatchedPage
from conftest import Hub

pytestmark = pytest.mark.browser

CONNECTED = "() => window.LiveReload !== undefined && window.LiveReload.connector.protocol > 0"


def test_the_page_reloads_itself_after_an_edit_and_shows_build_errors(
        hub: Hub, watched: WatchedPage) -> None:
    hub.config("title: Preview hub\nbase_url: https://example.github.io/preview/\n")
    hub.paper("a", "title: Alpha\ndate: 2024-01-02", "The first abstract.\n")
    with serving(hub.root) as served:
        watched.goto(served.url("/preview/papers/a/"))
        page = watched.page
        # The hook is live once livereload's handshake is done (an edit before that would
        # reload nothing).
        page.wait_for_function(CONNECTED)
        served_before = served.output()
        page.evaluate("() => { window.notReloaded = true; }")
        expect(page.locator("h1")).to_have_text("Alpha")
        hub.paper("a", "title: Alpha, live\ndate: 2024-01-02", "The first abstract.\n")
        expect(page.locator("h1")).to_have_text("Alpha, live", timeout=20_000)
        assert page.evaluate("() => window.notReloaded === undefined"), "not a fresh page"
        # A broken edit: the overlay comes, over the last good page.
        hub.paper("a", "titel: Broken\ndate: 2024-01-02")
        overlay = page.locator(".citehub-overlay")
        expect(overlay).to_be_visible(timeout=20_000)
        expect(overlay).to_contain_text("unknown key 'titel'")
        expect(page.locator("h1")).to_have_text("Alpha, live")
        assert page.evaluate("() => getComputedStyle(document.querySelector("
                             "'.citehub-overlay')).position") == "fixed"
        hub.paper("a", "title: Alpha, fixed\ndate: 2024-01-02")
        expect(page.locator("h1")).to_have_text("Alpha, fixed", timeout=20_000)
        expect(overlay).to_have_count(0)
        assert served_before in served.output()
        watched.assert_clean()
