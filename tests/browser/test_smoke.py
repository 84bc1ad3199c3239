"""The seed hub in Chromium, served at its base path as GitHub Pages serves a project site."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from .conftest import SCREENSHOTS, VIEWPORTS, SiteServer, WatchedPage, save_screenshots
from seed_hub import SURVEY_ID, SURVEY_TITLE

pytestmark = pytest.mark.browser

HUB = f"papers/{SURVEY_ID}/"

# Every stylesheet of the page, with its number of rules (-1 if it could not be read).
STYLESHEETS = """() => [...document.styleSheets].map(sheet => {
    let rules = -1;
    try { rules = sheet.cssRules.length; } catch (error) {}
    return {href: sheet.href, rules};
})"""


def assert_styled(watched: WatchedPage, server: SiteServer) -> None:
    sheets = watched.page.evaluate(STYLESHEETS)
    linked = [sheet for sheet in sheets if sheet["href"]]
    assert linked, "the page links no stylesheet"
    for sheet in linked:
        assert sheet["href"].startswith(server.base_url), sheet
        assert sheet["rules"] > 0, f"stylesheet not loaded: {sheet}"


def test_hub_page_loads_without_errors_and_every_asset_under_the_base_path(
        seed_server: SiteServer, watched: WatchedPage) -> None:
    response = watched.goto(seed_server.url(HUB))
    assert response.status == 200
    assert watched.page.locator("h1").inner_text().strip() == SURVEY_TITLE
    watched.assert_clean()
    assert_styled(watched, seed_server)
    outside = [url for url in watched.requests if not url.startswith(seed_server.base_url)]
    assert outside == [], f"requests outside {seed_server.base_url}: {outside}"


@pytest.mark.parametrize("path", ["/", "/kd-hub"])
def test_root_and_bare_base_path_redirect_to_the_base_path(
        seed_server: SiteServer, watched: WatchedPage, path: str) -> None:
    response = watched.goto(seed_server.origin + path)
    assert response.status == 200
    assert response.url == seed_server.base_url
    redirect = response.request.redirected_from
    assert redirect is not None and redirect.url == seed_server.origin + path
    watched.assert_clean()
    assert_styled(watched, seed_server)


@pytest.mark.parametrize("path", ["/kd-hub/no-such-page/", "/kd-hub/papers/no/such/page/",
                                  "/elsewhere/"])
def test_missing_page_gets_the_404_page_with_its_stylesheet(
        seed_server: SiteServer, watched: WatchedPage, path: str) -> None:
    url = seed_server.origin + path
    response = watched.goto(url)
    assert response.status == 404
    assert "not found" in watched.page.locator("h1").inner_text().lower()
    # The document's own 404 is expected (Chromium also logs it); nothing else may fail.
    watched.assert_clean(allow=[url, "status of 404"])
    assert [problem for problem in watched.problems if "HTTP 404" in problem] == [
        f"HTTP 404: GET {url}"]
    assert_styled(watched, seed_server)
    # Its links work from any depth: they lead back into the site.
    home = watched.page.locator("main a").first.get_attribute("href")
    assert home is not None and home.startswith(seed_server.site.base_path)


def test_favicon_is_requested_under_the_base_path(
        seed_server: SiteServer, watched: WatchedPage) -> None:
    start = len(seed_server.served)
    watched.goto(seed_server.url(HUB))
    icon = watched.page.locator("link[rel~=icon]").first.get_attribute("href")
    assert icon is not None and icon.startswith(seed_server.site.base_path), icon

    def icon_served() -> bool:
        return any(entry.path == icon and entry.status == 200
                   for entry in seed_server.served[start:])

    watched.wait_until(icon_served, lambda: f"a request for {icon}; server saw "
                       f"{[entry.path for entry in seed_server.served[start:]]}")
    watched.assert_clean()
    outside = [entry.path for entry in seed_server.served[start:]
               if not entry.path.startswith(seed_server.site.base_path)]
    assert outside == [], f"requests outside the base path (favicon.ico?): {outside}"


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_screenshots_of_the_hub_page(browser: Browser, seed_server: SiteServer) -> None:
    """Writes docs/screenshots/hub-{phone,desktop}-{light,dark}.png on every run."""
    written = save_screenshots(browser, seed_server.url(HUB), "hub")
    assert sorted(path.name for path in written) == [
        "hub-desktop-dark.png", "hub-desktop-light.png", "hub-phone-dark.png",
        "hub-phone-light.png"]
    for path in written:
        assert path.parent == SCREENSHOTS
        device = path.stem.split("-")[1]
        assert png_size(path) == VIEWPORTS[device]


def test_screenshots_of_the_demo_bleu_hub(browser: Browser, demo_server: SiteServer) -> None:
    """Writes docs/screenshots/bleu-{phone,desktop}-{light,dark}.png on every run: the demo's
    hub with real polarities and contexts, README's first picture."""
    written = save_screenshots(browser, demo_server.url("papers/P02-1040/"), "bleu")
    assert len(written) == 4 and all(png_size(path) == VIEWPORTS[path.stem.split("-")[1]]
                                     for path in written)
