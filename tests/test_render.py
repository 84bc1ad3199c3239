"""The render stage on its own: planned files into bytes, with the hub's templates and
static files before the theme's, template problems located, and the same files written
whether one process renders or several."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linkify_it import LinkifyIt

from citehub import render
from citehub.config import HubConfig
from citehub.diagnostics import Diagnostics
from citehub.hubfiles import HubLayout
from citehub.pages import PlannedFile
from citehub.render import (
    TemplateProblem,
    check_templates,
    make_environment,
    render_files,
    render_site,
    static_files,
)

CONFIG = HubConfig(title="Render hub")


def hub_with(tmp_path: Path, files: dict[str, str]) -> HubLayout:
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return HubLayout(tmp_path)


def rendered(hub: HubLayout, files: list[PlannedFile]) -> dict[str, bytes]:
    return {output.path: output.data
            for output in render_files(files, make_environment(hub, CONFIG))}


def test_each_kind_of_planned_file_becomes_its_bytes(tmp_path: Path) -> None:
    hub = HubLayout(tmp_path)
    files = [
        PlannedFile(".nojekyll", "/.nojekyll", data=b""),
        PlannedFile("index.json", "/index.json", produce=lambda: b'{"made": "late"}'),
        PlannedFile("robots.txt", "/robots.txt", "robots.txt", {}),
    ]
    assert rendered(hub, files) == {
        ".nojekyll": b"", "index.json": b'{"made": "late"}',
        "robots.txt": b"User-agent: *\nAllow: /\n"}  # no origin: no sitemap line


def test_a_hub_template_overrides_the_theme_file_by_file(tmp_path: Path) -> None:
    hub = hub_with(tmp_path, {"templates/robots.txt": "{{ site.title }}: {{ who }}\n"})
    page = PlannedFile("robots.txt", "/robots.txt", "robots.txt", {"who": "a"},
                       more=lambda: {"who": "made late"})
    assert rendered(hub, [page]) == {"robots.txt": b"Render hub: made late\n"}
    # The theme's other templates are still there for it to extend or import.
    assert "macros.html" in make_environment(hub, CONFIG).list_templates()


def test_content_is_escaped_and_never_evaluated(tmp_path: Path) -> None:
    hub = hub_with(tmp_path, {"templates/t.html": "<p>{{ value }}</p>{{ text | markdown }}"})
    page = PlannedFile("t.html", "/t.html", "t.html",
                       {"value": "<script>{{ 7 * 7 }}</script>", "text": "<b>x</b>"})
    html = rendered(hub, [page])["t.html"].decode()
    assert "<script>" not in html and "49" not in html
    assert "&lt;script&gt;{{ 7 * 7 }}&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.parametrize(("template", "line", "words"), [
    ("first line\n{% if %}\n", 2, "template syntax error"),
    ("fine\nfine\n{{ missing.attribute }}\n", 3, "template error"),
])
def test_a_template_problem_names_the_template_and_its_line(
        tmp_path: Path, template: str, line: int, words: str) -> None:
    hub = hub_with(tmp_path, {"templates/broken.html": template})
    with pytest.raises(TemplateProblem) as problem:
        rendered(hub, [PlannedFile("b.html", "/b.html", "broken.html", {})])
    assert problem.value.path.endswith("templates/broken.html")
    assert problem.value.line == line
    assert words in problem.value.message


def test_hub_static_files_override_the_theme_and_hidden_files_stay_out(tmp_path: Path) -> None:
    hub = hub_with(tmp_path, {"static/style.css": "body {}", "static/extra/logo.svg": "<svg/>",
                              "static/.env": "SECRET=1", "static/.git/config": "x"})
    found = static_files(hub, Diagnostics())
    assert found[PurePosixPath("style.css")] == tmp_path / "static" / "style.css"
    names = sorted(path.as_posix() for path in found)
    assert "extra/logo.svg" in names and "explorer.js" in names  # the theme's, kept
    assert not [name for name in names if name.startswith(".") or "/." in name]


def test_a_template_linked_out_of_the_hub_is_refused(tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.html"
    outside.write_text("stolen")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "paper.html").symlink_to(outside)
    diagnostics = Diagnostics()
    check_templates(HubLayout(tmp_path), diagnostics)
    assert [item.message for item in diagnostics.errors] == [
        f"is a symbolic link to {outside}, outside the hub folder; refusing to read it"]


def test_several_processes_write_what_one_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub = hub_with(tmp_path / "hub", {"templates/n.html": '<a href="/{{ n }}/">{{ n }}</a>'})
    files = [PlannedFile(f"{number}/index.html", f"/{number}/", "n.html", {"n": number})
             for number in range(40)]
    monkeypatch.setattr(render, "PARALLEL_MIN_FILES", 0)
    results = {}
    for workers in (1, 2):
        root = tmp_path / f"out-{workers}"
        root.mkdir()
        stats, written = render_site(root, files, make_environment(hub, CONFIG), workers,
                                     lambda results, _count: results)
        assert stats.files == len(files)
        results[workers] = {path: (size, found.links if found else None)
                            for path, size, found in written}
        assert (root / "7" / "index.html").read_text() == '<a href="/7/">7</a>'
    assert results[1] == results[2]
    assert results[2]["7/index.html"] == (len('<a href="/7/">7</a>'), [("/7/", 1)])


LINK_PIECES = ["www", "example", "com", "org", "рф", "пример", "xn--p1ai", "http", "https",
               "mailto", "ftp", "localhost", "1", "192", ".", "\u3002", "\uff0e", ":", "@",
               "/", "//", "-", "_", "~", "(", ")", "[", "]", "<", ">", "*", " ", "\n", "\n\n",
               "é", "a"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LINK_PIECES), max_size=14).map("".join))
def test_the_quick_linkify_answers_as_linkify_does(text: str) -> None:
    """Markdown asks linkify-it only where `MAY_LINKIFY` finds something: it must find every
    text in which linkify-it would make a link, so the page is the same either way."""
    quick, full = render.QuickLinkify(), LinkifyIt()
    assert quick.test(text) == full.test(text)
    assert quick.pretest(text) or not full.test(text)


@pytest.mark.parametrize("text", [
    "See example.org for code.", "Mail a@b.co now", "At http://x.y/z and //localhost.",
    "пример.рф", "(www.example.com)", "http://192.168.0.1",
])
def test_bare_links_are_still_linked(text: str) -> None:
    assert "<a href=" in render.render_markdown(text)
