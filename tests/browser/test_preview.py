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
        # A save can be seen half-written (its error shows first): wait for the real one.
        expect(overlay).to_contain_text("unknown key 'titel'", timeout=20_000)
        expect(page.locator("h1")).to_have_text("Alpha, live")
        page.wait_for_load_state("load")  # the overlay's stylesheet too
        assert page.evaluate("() => getComputedStyle(document.querySelector("
                             "'.citehub-overlay')).position") == "fixed"
        hub.paper("a", "title: Alpha, fixed\ndate: 2024-01-02")
        expect(page.locator("h1")).to_have_text("Alpha, fixed", timeout=20_000)
        expect(overlay).to_have_count(0)
        assert served_before in served.output()
        watched.assert_clean()


def test_a_save_is_shown_ahead_of_the_build_and_reloads_the_page_once(
        hub: Hub, watched: WatchedPage) -> None:
    """The open paper's page is rendered from the patched model and reloaded before the build
    runs (the server marks such responses); the build then confirms it without a second
    reload. A save the model cannot take (a new paper) is shown by the build, and the hub is
    read again meanwhile, so the next save is shown ahead again."""
    hub.config("title: Preview hub\n")
    hub.paper("a", "title: Alpha\ndate: 2024-01-02", "The first abstract.\n")
    hub.paper("b", "title: Beta\ndate: 2024-02-02\ncites:\n  - paper: a\n    role: method",
              "The second abstract.\n")
    with serving(hub.root) as served:
        page = watched.page
        documents: list[str | None] = []
        page.on("response", lambda response: documents.append(
            response.headers.get("x-citehub-preview"))
            if response.request.resource_type == "document" else None)
        watched.goto(served.url("/papers/a/"))
        page.wait_for_function(CONNECTED)
        documents.clear()

        def save(paper: str, front_matter: str, shows: str, builds: int) -> None:
            hub.paper(paper, front_matter, "An abstract.\n")
            expect(page.locator("main")).to_contain_text(shows, timeout=20_000)
            page.wait_for_function(CONNECTED)
            watched.wait_until(lambda: served.output().count("rebuilt after") >= builds,
                               served.output)

        save("a", "title: Alpha, first save\ndate: 2024-01-02", "Alpha, first save", 1)
        save("b", "title: Beta, renamed\ndate: 2024-02-02\ncites:\n  - paper: a\n"
                  "    role: result", "Beta, renamed", 2)
        save("c", "title: Gamma\ndate: 2024-03-02\ncites:\n  - paper: a", "Gamma", 3)
        save("c", "title: Gamma, renamed\ndate: 2024-03-02\ncites:\n  - paper: a",
             "Gamma, renamed", 4)
        assert documents == ["ahead of the build", "ahead of the build", None,
                             "ahead of the build"]
        watched.assert_clean()
