"""The link check of every build: internal links resolve, anchors exist, nothing leaves the base
path; a broken link fails the build with the template and line that wrote it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import citehub
from citehub import render
from citehub.hubfiles import HubLayout
from citehub.linkcheck import LinkChecker, extract
from citehub.render import hub_written_templates

from conftest import REPO, Hub
from pages_helpers import links_of, soup
from problems_helpers import failed

BASE = "/kd-hub/"


@pytest.fixture
def site(hub: Hub) -> Hub:
    hub.config("base_url: https://example.github.io/kd-hub/\n"
               "warnings: {orphan: ignore, no-abstract: ignore}")
    hub.paper("p", "title: P")
    return hub


def broken_template(hub: Hub, body: str) -> None:
    hub.file("templates/404.html", '{% extends "base.html" %}\n{% block main %}\n'
             f"<h1>Lost</h1>\n{body}\n{{% endblock %}}\n")


def test_broken_template_link_fails_the_build_naming_template_and_line(site: Hub) -> None:
    assert site.build().exit_code == 0
    before = (site.site / "index.html").read_bytes()
    broken_template(site, '<p><a href="/kd-hub/no-such-page/">gone</a></p>')
    lines = failed(site.build())
    assert len(lines) == 1
    assert re.fullmatch(
        r"templates/404\.html:4: error: the link '/kd-hub/no-such-page/' on /kd-hub/404\.html "
        r"points to no page or file of the site \(line \d+ of the page\)", lines[0]), lines[0]
    assert (site.site / "index.html").read_bytes() == before


def test_link_built_by_an_expression_is_caught_too(site: Hub) -> None:
    broken_template(site, "<p><a href=\"{{ urls.paper('nobody') }}\">x</a></p>")
    lines = failed(site.build())
    assert len(lines) == 1
    assert lines[0].startswith("templates/404.html:1: error: the link '/kd-hub/papers/nobody/'")


def test_link_that_leaves_the_base_path_is_an_error(site: Hub) -> None:
    broken_template(site, '<a href="/papers/p/">forgot the base path</a>')
    lines = failed(site.build())
    assert "leaves the site's base path /kd-hub/" in lines[0]


def test_missing_anchor_is_an_error(site: Hub) -> None:
    broken_template(site, '<a href="#nowhere">x</a> <a href="/kd-hub/papers/p/#citing">ok</a>')
    lines = failed(site.build())
    assert len(lines) == 1
    assert "points to #nowhere, which is not on that page" in lines[0]


def test_relative_and_external_links_are_resolved_or_left_alone(site: Hub) -> None:
    broken_template(site, '<a href="roles/">roles</a> <a href="https://example.org/x">ext</a> '
                          '<a href="mailto:a@example.org">mail</a> <a href="papers/p">no slash</a>')
    assert site.build().exit_code == 0


def test_not_found_page_uses_absolute_links_that_work_at_any_depth(site: Hub) -> None:
    assert site.build().exit_code == 0
    for link in links_of(soup(site.page("404.html"))):
        assert link.startswith((BASE, "https://", "#")), link


@pytest.mark.parametrize(("target", "reason"), [
    ("/kd-hub/papers/a/", None),
    ("/kd-hub/papers/a", None),
    ("/kd-hub/style.css", None),
    ("/kd-hub/papers/a/#refs", None),
    ("/kd-hub/papers/a/#nope", "points to #nope"),
    ("../../", None),
    ("../../../", "leaves the site's base path"),
    ("/kd-hub/papers/b/", "points to no page"),
    ("/kd-hub/papers/%61/", None),
    ("&#47;kd-hub/papers/a/", None),
    ("//cdn.example.org/x.js", None),
])
def test_link_resolution(target: str, reason: str | None) -> None:
    checker = LinkChecker(BASE)
    checker.add_file("style.css")
    checker.add_page("papers/a/index.html", "/kd-hub/papers/a/", "paper.html",
                     extract(b'<h2 id="refs">R</h2>'))
    checker.add_page("index.html", "/kd-hub/", "index.html", extract(b""))
    problem = checker.problem("papers/a/index.html", "/kd-hub/papers/a/",
                              target.replace("&#47;", "/"))
    if reason is None:
        assert problem is None
    else:
        assert problem is not None and reason in problem


def test_only_the_hubs_own_templates_have_their_pages_read_back(hub: Hub) -> None:
    """The theme links through the plan; a hub's template (not a copy of the theme's) may link
    anywhere, so its build reads every page's links."""
    hub.file("templates/notes.txt", "not a template any page uses\n")
    theme = Path(citehub.__file__).parent / "theme" / "templates"
    hub.file("templates/404.html", (theme / "404.html").read_text())
    assert hub_written_templates(HubLayout(hub.root)) == ["notes.txt"]
    hub.file("templates/404.html", (theme / "404.html").read_text() + "\n")
    assert hub_written_templates(HubLayout(hub.root)) == ["404.html", "notes.txt"]
    assert hub_written_templates(HubLayout(REPO)) == []  # its templates/ links to the theme's


def test_a_build_with_the_themes_templates_does_not_read_its_pages_back(
        site: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []
    monkeypatch.setattr(render, "extract", lambda data: read.append(len(data)) or extract(data))
    assert site.build().exit_code == 0
    assert read == []
    broken_template(site, '<p><a href="/kd-hub/">home</a></p>')
    assert site.build().exit_code == 0
    assert len(read) >= 3  # the home page, the paper's page, the 404 page, …
