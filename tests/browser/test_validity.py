"""Every page is valid HTML (Nu HTML Checker) and has no axe-core WCAG 2.1 A/AA violations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import Site, SiteServer, WatchedPage, axe, vnu
from seed_hub import SURVEY_ID

pytestmark = pytest.mark.browser


def assert_valid(pages: list[Path]) -> None:
    assert len(pages) > 10, f"only {len(pages)} pages were built"
    root = Path(os.path.commonpath(pages))
    messages = vnu(pages, root)
    assert not messages, (f"the Nu HTML Checker found {len(messages)} errors in {root}:\n"
                          + "\n".join(map(str, messages)))


def test_every_demo_page_is_valid_html(demo_site: Site) -> None:
    assert_valid(demo_site.html_pages())


def test_every_seed_page_is_valid_html(seed_site: Site, paged_site: Site) -> None:
    # One run for both: the seed hub as is and paginated by 10.
    assert_valid(seed_site.html_pages() + paged_site.html_pages())


# (name, server fixture, path under the base path): one page of each page type.
PAGE_TYPES = [
    ("index", "seed_server", ""),
    ("hub", "seed_server", f"papers/{SURVEY_ID}/"),
    ("citing-paper", "seed_server", "papers/2605.44444/"),
    ("filter-role", "seed_server", f"papers/{SURVEY_ID}/role/background/"),
    ("filter-year", "seed_server", f"papers/{SURVEY_ID}/year/2025/"),
    ("index-page-2", "paged_server", "page/2/"),
    ("hub-page-2", "paged_server", f"papers/{SURVEY_ID}/page/2/"),
    ("roles", "seed_server", "roles/"),
    ("role", "seed_server", "roles/background/"),
    ("years", "seed_server", "years/"),
    ("year", "seed_server", "years/2026/"),
    ("404", "seed_server", "no/such/page/"),
    ("demo-hub", "demo_server", f"papers/{SURVEY_ID}/"),
    ("filter-polarity", "seed_server", f"papers/{SURVEY_ID}/polarity/support/"),
    ("polarities", "seed_server", "polarities/"),
    ("polarity", "seed_server", "polarities/support/"),
    ("demo-bleu-hub", "demo_server", "papers/P02-1040/"),  # real polarities, stacked years
    ("demo-index-by-title", "demo_server", "?sort=title&from=2005&to=2006"),
]

# Known violations of the current theme, by (page type, scheme): strict, so a fix shows up as
# XPASS and the entry must go.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}


def _cases() -> list[object]:
    cases: list[object] = []
    for name, server, path in PAGE_TYPES:
        for scheme in ("light", "dark"):
            reason = KNOWN_VIOLATIONS.get((name, scheme))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(server, path, scheme, id=f"{name}-{scheme}", marks=marks))
    return cases


@pytest.mark.parametrize(("server_fixture", "path", "scheme"), _cases())
def test_no_axe_violations(request: pytest.FixtureRequest, axe_page: WatchedPage,
                           server_fixture: str, path: str, scheme: str) -> None:
    server: SiteServer = request.getfixturevalue(server_fixture)
    response = axe_page.goto(server.url(path))
    assert response.status == (404 if path.startswith("no/") else 200), response.url
    violations = axe(axe_page.page, dark=scheme == "dark")
    assert not violations, (f"axe-core found {len(violations)} violations on {response.url} "
                            f"({scheme}):\n" + "\n".join(violations))
