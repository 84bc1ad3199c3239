"""`citehub check` refuses whatever `citehub build` would, rendering included, and writes
nothing: the pull request check is authoritative."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Hub


def hub_files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def problem_lines(stderr: str) -> list[str]:
    """The `path:line: severity: message` lines, without the summary line."""
    return [line for line in stderr.splitlines() if ": error: " in line or ": warning: " in line]


def two_papers(hub: Hub) -> None:
    hub.config("base_url: https://example.org/\n")  # feeds and a sitemap, and no warning
    hub.paper("a", "title: A\nvenue: NeurIPS\ndate: 2020-01-01", "About A.\n")
    hub.paper("b", "title: B\ndate: 2021-01-01\ncites: [{paper: a, role: method}]",
              "About B.\n")


def a_template_that_fails_on_one_paper(hub: Hub) -> None:
    # Paper b has no venue: the hub's own page template fails on b alone, while rendering.
    hub.file("templates/paper.html", """
        {% extends "base.html" %}
        {% block main %}<p>{{ hub.paper.venue.upper() }}</p>{% endblock %}
        """)


def a_template_syntax_error(hub: Hub) -> None:
    hub.file("templates/year.html", "{% if %}\n")


def a_broken_link_in_a_template(hub: Hub) -> None:
    hub.file("templates/paper.html", """
        {% extends "base.html" %}
        {% block main %}<a href="{{ site.base_path }}no/such/page/">gone</a>{% endblock %}
        """)


def a_static_file_over_a_generated_page(hub: Hub) -> None:
    hub.file("static/papers/a/index.html", "<p>mine</p>\n")


def a_site_over_the_pages_limit(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    from citehub import build as build_module

    monkeypatch.setattr(build_module, "MAX_SITE_BYTES", 20_000)  # as if it were 1 GB


REFUSED: dict[str, Callable[..., None]] = {
    "template fails on one paper": a_template_that_fails_on_one_paper,
    "template syntax": a_template_syntax_error,
    "broken link": a_broken_link_in_a_template,
    "static collision": a_static_file_over_a_generated_page,
    "site over the limit": a_site_over_the_pages_limit,
}


@pytest.mark.parametrize("defect", REFUSED, ids=list(REFUSED))
def test_check_refuses_what_build_refuses_with_the_same_errors_and_writes_nothing(
        hub: Hub, monkeypatch: pytest.MonkeyPatch, defect: str) -> None:
    two_papers(hub)
    assert hub.check().exit_code == 0
    make = REFUSED[defect]
    make(hub, monkeypatch) if defect == "site over the limit" else make(hub)
    before = hub_files(hub.root)
    checked = hub.check()
    assert checked.exit_code == 1, checked
    assert hub_files(hub.root) == before  # no site/, no cache, nothing
    assert checked.stderr.splitlines()[-1].startswith("check failed: ")
    built = hub.build("--no-search")
    assert built.exit_code == 1
    assert problem_lines(checked.stderr) == problem_lines(built.stderr) != []


def test_a_failing_template_is_named_with_its_line_by_check(hub: Hub) -> None:
    two_papers(hub)
    a_template_that_fails_on_one_paper(hub)
    lines = problem_lines(hub.check().stderr)
    assert len(lines) == 1
    where, message = lines[0].split(": error: ")
    assert where.endswith("templates/paper.html:2")
    assert message == "template error: 'None' has no attribute 'upper' (rendering /papers/b/)"


def test_a_site_near_the_pages_limit_is_a_warning_that_strict_refuses(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    from citehub import build as build_module

    two_papers(hub)
    monkeypatch.setattr(build_module, "LARGE_SITE_BYTES", 20_000)  # as if it were 800 MB
    checked = hub.check()
    assert checked.exit_code == 0
    assert "publishes sites of at most 1.0 GB [large-site]" in checked.stderr
    assert hub.check("--strict").exit_code == 1
    built = hub.build("--no-search")
    assert built.exit_code == 0
    assert problem_lines(built.stderr) == problem_lines(checked.stderr)
    hub.file("content/hub.yaml", "title: T\nbase_url: https://example.org/\n"
                                 "warnings: {large-site: ignore}\n")
    assert problem_lines(hub.check("--strict").stderr) == []


def test_check_counts_the_pages_it_rendered(hub: Hub) -> None:
    two_papers(hub)
    checked = hub.check()
    built = hub.build("--no-search")
    pages = built.stdout.split(": ")[1].split(" pages")[0]
    assert f"checked 2 papers and their {pages} pages (" in checked.stdout
