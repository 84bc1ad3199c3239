"""Hostile pull requests: links out of the hub, huge or endless files, interrupted builds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from citehub.render import is_safe_link, render_markdown
from citehub.write import MARKER, retire

from conftest import Hub, temporary_folders
from limits import memory_cap
from problems_helpers import failed, only_error, passed

SECRET = "root:x:0:0:the secret"

@pytest.fixture(scope="module", autouse=True)
def capped_memory() -> Iterator[None]:
    """Every test of this module runs under a memory cap (see limits.py)."""
    with memory_cap():
        yield



@pytest.fixture
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file outside the hub that a pull request would like to publish."""
    path = tmp_path_factory.mktemp("outside") / "passwd"
    path.write_text(f"---\ntitle: {SECRET}\n---\n{SECRET}\n")
    return path


def test_paper_file_linking_outside_content_is_refused(hub: Hub, secret: Path) -> None:
    link = hub.root / "content" / "papers" / "passwd.md"
    link.symlink_to(secret)
    where, message = only_error(hub.build())
    assert where == "content/papers/passwd.md:1"
    assert "symbolic link" in message and "outside content/" in message
    assert not hub.site.exists()


def test_paper_file_linking_inside_content_is_read(hub: Hub) -> None:
    real = hub.paper("real", "title: Real")
    (real.parent / "alias.md").symlink_to(real)
    passed(hub.check())


def test_hub_yaml_linking_outside_is_refused(hub: Hub, secret: Path) -> None:
    (hub.root / "content" / "hub.yaml").symlink_to(secret)
    where, message = only_error(hub.check())
    assert where == "content/hub.yaml:1" and "symbolic link" in message


def test_content_folder_linking_outside_the_hub_is_refused(
    tmp_path: Path, secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (secret.parent / "papers").mkdir()
    (secret.parent / "papers" / "x.md").write_text("---\ntitle: X\n---\n")
    hub_dir = tmp_path / "hub"
    hub_dir.mkdir()
    (hub_dir / "content").symlink_to(secret.parent)
    monkeypatch.chdir(tmp_path)
    from click.testing import CliRunner

    from citehub.cli import main

    result = CliRunner().invoke(main, ["build", str(hub_dir)])
    assert result.exit_code == 1
    assert "hub/content:1: error: is a symbolic link" in result.stderr


def test_static_file_linking_outside_is_refused_and_not_published(
    hub: Hub, secret: Path
) -> None:
    hub.paper("p", "title: P")
    (hub.root / "static").mkdir()
    (hub.root / "static" / "passwd.txt").symlink_to(secret)
    where, message = only_error(hub.build())
    assert where == "static/passwd.txt:1" and "outside the hub folder" in message
    assert not hub.site.exists()


def test_static_folder_linking_outside_is_refused(hub: Hub, secret: Path) -> None:
    hub.paper("p", "title: P")
    (hub.root / "static").mkdir()
    (hub.root / "static" / "etc").symlink_to(secret.parent)
    where, _ = only_error(hub.build())
    assert where == "static/etc:1"


def test_template_linking_outside_is_refused(hub: Hub, secret: Path) -> None:
    hub.paper("p", "title: P")
    (hub.root / "templates").mkdir()
    (hub.root / "templates" / "404.html").symlink_to(secret)
    where, _ = only_error(hub.build())
    assert where == "templates/404.html:1"


def test_theme_links_that_stay_inside_the_hub_are_followed(hub: Hub) -> None:
    hub.paper("p", "title: P")
    hub.file("my-theme/static/extra.css", "p { color: green; }\n")
    (hub.root / "static").symlink_to(hub.root / "my-theme" / "static")
    passed(hub.build())
    assert (hub.site / "extra.css").read_text() == "p { color: green; }\n"


def test_a_fifo_is_refused_instead_of_blocking_forever(hub: Hub) -> None:
    os.mkfifo(hub.root / "content" / "papers" / "pipe.md")
    where, message = only_error(hub.check())
    assert where == "content/papers/pipe.md:1" and "not a regular file" in message


def test_a_build_refuses_a_fifo_or_a_device_without_reading_it(hub: Hub) -> None:
    # The build digests its inputs before loading them: that must not block or read forever.
    hub.paper("p", "title: P")
    os.mkfifo(hub.root / "content" / "papers" / "pipe.md")
    (hub.root / "content" / "papers" / "zero.md").symlink_to("/dev/zero")
    run = hub.build()
    assert run.exit_code == 1
    assert "content/papers/pipe.md:1: error: is not a regular file" in run.stderr
    assert "content/papers/zero.md:1: error: is a symbolic link to /dev/zero" in run.stderr


def test_oversized_paper_file_is_refused(hub: Hub) -> None:
    hub.paper("big", "title: Big", "word " * 300_000)
    where, message = only_error(hub.check())
    assert where == "content/papers/big.md:1"
    assert "1.4 MiB" in message and "at most 1 MiB" in message


def test_hundred_thousand_character_title_is_an_error(hub: Hub) -> None:
    hub.paper("long", "title: " + "A" * 100_000)
    where, message = only_error(hub.check())
    assert where == "content/papers/long.md:2"
    assert "100,000 characters" in message and "at most 2,000" in message


def test_billion_laughs_is_refused_quickly(hub: Hub) -> None:
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]"
               for i in range(9)]
    hub.paper("laughs", "title: Laughs\n" + "\n".join(levels))
    started = time.perf_counter()
    lines = failed(hub.check())
    assert time.perf_counter() - started < 5
    assert all("anchors and aliases" in line for line in lines)


def test_absurd_nesting_is_an_error_not_a_crash(hub: Hub) -> None:
    hub.paper("deep", "title: Deep\ncategories: " + "[" * 5000 + "]" * 5000)
    where, message = only_error(hub.check())
    assert where.startswith("content/papers/deep.md:3")
    assert "nesting" in message or "nested" in message


def test_deep_but_legal_nesting_is_refused_before_it_is_walked(hub: Hub) -> None:
    hub.paper("deep", "title: Deep\ncategories: " + "[" * 30 + "x" + "]" * 30)
    _, message = only_error(hub.check())
    assert "nested deeper than" in message


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "java\tscript:alert(1)", " javascript:x",
    "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
    "ftp://example.org/x", "jar:http://x!/", "\x01javascript:x",
])
def test_unsafe_markdown_link_schemes_are_refused(url: str) -> None:
    assert not is_safe_link(url)


@pytest.mark.parametrize("url", [
    "https://example.org", "http://example.org/a?b#c", "mailto:someone@example.org",
    "data:image/png;base64,iVBOR",
])
def test_ordinary_markdown_links_are_kept(url: str) -> None:
    assert is_safe_link(url)


@pytest.mark.parametrize("url", ["#section", "/relative/path", "other-page.html", "//host/x"])
def test_relative_links_in_abstracts_are_not_links(url: str) -> None:
    # An abstract has no neighbours on the hub: a relative link could only break.
    assert not is_safe_link(url)


def test_data_image_is_an_image_never_a_link() -> None:
    html = str(render_markdown("![i](data:image/png;base64,iVBOR) [l](data:image/png;base64,x)"))
    assert '<img src="data:image/png;base64,iVBOR"' in html
    assert 'href="data:' not in html


def test_entity_encoded_javascript_link_in_an_abstract_is_not_a_link() -> None:
    html = str(render_markdown("[x](&#106;avascript:alert(1)) [y](JaVa&#x09;Script:alert(1))"))
    assert "<a" not in html


# -- interrupted builds ------------------------------------------------------------------------


def big_hub(hub: Hub, papers: int = 1500) -> None:
    hub.paper("target", "title: Target")
    for index in range(papers):
        hub.paper(f"p{index:05d}", f"title: Paper {index}\ndate: 2024-01-01\n"
                                   "cites: [{paper: target, role: method}]", "Abstract. " * 50)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(("stop", "whole_group"), [
    (signal.SIGINT, False), (signal.SIGTERM, False),
    # Ctrl-C in a terminal reaches the render workers too, not only the main process.
    (signal.SIGINT, True),
])
def test_build_stopped_midway_leaves_the_previous_site_and_no_temporary_folder(
    hub: Hub, stop: signal.Signals, whole_group: bool
) -> None:
    hub.paper("old", "title: The previous site")
    assert hub.build().exit_code == 0
    before = tree(hub.site)
    big_hub(hub)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "citehub"), "build", str(hub.root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=whole_group,
        # A shell starts background jobs with SIGINT ignored, and children inherit that
        # (`make test &`): give the build the Ctrl-C a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Wait until it is writing: its temporary folder exists and has pages in it.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        writing = list(hub.root.glob(".site.citehub-new-*/papers"))
        if writing and any(writing[0].iterdir()):
            break
        time.sleep(0.01)
    assert process.poll() is None, "the build ended before it could be stopped"
    if whole_group:
        os.killpg(process.pid, stop)
    else:
        process.send_signal(stop)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert b"Traceback" not in stderr
    assert tree(hub.site) == before
    assert temporary_folders(hub.root) == []


def test_folder_left_by_a_killed_build_is_cleaned_up_next_time(hub: Hub) -> None:
    hub.paper("p", "title: P")
    assert hub.build().exit_code == 0
    leftover = hub.root / ".site.citehub-new-999999999"
    leftover.mkdir()
    (leftover / "half.html").write_text("<p>half")
    assert hub.build().exit_code == 0
    assert not leftover.exists()


def test_site_moved_aside_by_a_killed_build_is_put_back(hub: Hub) -> None:
    hub.paper("p", "title: P")
    assert hub.build().exit_code == 0
    before = tree(hub.site)
    # Killed between the two renames of the swap: the old site moved aside, no new one yet.
    retire(hub.site, hub.root / ".site.citehub-old-999999999")
    hub.file("content/hub.yaml", "title: [unclosed\n")
    assert hub.build().exit_code == 1
    assert tree(hub.site) == before
    assert (hub.site / MARKER).is_file()


# -- round two: full matches, bounded suggestions -----------------------------------------------


def test_a_file_name_with_a_trailing_newline_is_no_paper_id(hub: Hub) -> None:
    """`re.match(…$)` accepts 'evil\\n': beside evil.md it would build a folder with a newline
    in its name."""
    hub.paper("evil", "title: Evil")
    hub.raw("evil\n.md", "---\ntitle: Twin\n---\nAbstract.\n")
    lines = failed(hub.check())
    assert any("is not a valid paper id" in line for line in lines), lines


def test_a_vocabulary_term_with_a_trailing_newline_is_refused(hub: Hub) -> None:
    hub.config('vocabulary:\n  roles: {"method\\n": Method}\n')
    hub.paper("p", "title: P")
    assert any("is not a valid id" in line for line in failed(hub.check()))


def test_did_you_mean_is_bounded_however_many_ids_are_unknown(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every unknown id was compared with every known one: 10,000 of each took 34 s."""
    from citehub import diagnostics

    for index in range(300):
        hub.paper(f"known-{index:04d}", "title: K")
    unknown = ", ".join(f"{{paper: unknown-{index:05d}}}" for index in range(3000))
    hub.paper("citing", f"title: C\ncites: [{unknown}, {{paper: knwn-0001}}]")
    compared = []
    original = diagnostics.suggestion

    def counting(word: str, choices: list[str]) -> str:
        compared.append(len(choices))
        return original(word, choices)

    monkeypatch.setattr(diagnostics, "suggestion", counting)
    lines = failed(hub.check())
    assert sum(compared) <= diagnostics.Suggester([]).budget
    assert sum("cites unknown paper" in line for line in lines) == 3001  # every one said
    assert any("did you mean 'known-0000'" in line for line in lines)  # the first few helped


def test_a_static_link_to_a_hidden_file_of_the_hub_is_not_published(hub: Hub) -> None:
    hub.paper("p", "title: P")
    (hub.root / ".env").write_text("TOKEN=secret\n")
    (hub.root / "static").mkdir()
    (hub.root / "static" / "env.txt").symlink_to(hub.root / ".env")
    _, message = only_error(hub.build())
    assert "a hidden file of the hub; refusing to publish it" in message
    assert not (hub.site / "env.txt").exists()


@pytest.mark.parametrize("base_url", ["/a/../b/", "/./", "https://example.org/x/../y/"])
def test_base_url_with_dot_segments_is_refused(hub: Hub, base_url: str) -> None:
    hub.paper("p", "title: P")
    assert hub.build("--base-url", base_url).exit_code == 2


def test_new_never_writes_through_a_linked_papers_folder(hub: Hub, tmp_path: Path) -> None:
    elsewhere = tmp_path.parent / f"{tmp_path.name}-papers"
    elsewhere.mkdir()
    (hub.root / "content" / "papers").rmdir()
    (hub.root / "content" / "papers").symlink_to(elsewhere)
    run = hub.cli("new", "x", "--title", "X", "--dir", str(hub.root))
    assert run.exit_code == 1 and "refusing to write there" in run.stderr
    assert list(elsewhere.iterdir()) == []


def test_csv_cells_are_no_formulas_in_any_separator_locale(hub: Hub) -> None:
    import csv
    import io

    hub.paper("t", "title: T")
    hub.paper("c", 'title: "x;=HYPERLINK(1)\\t+2"\nauthors: ["-Ada", "Bo;@SUM(1)"]\n'
                   "cites: [{paper: t}]")
    assert hub.build().exit_code == 0
    text = hub.page("papers/t/citing.csv")
    for delimiter in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            assert not [cell for cell in row if cell.lstrip().startswith(("=", "+", "-", "@"))], (
                delimiter, row)


def test_bidi_controls_are_refused_and_shown_not_obeyed_in_messages(hub: Hub) -> None:
    """U+202E in a title reverses the text around it on every page and in every terminal."""
    hub.paper("t", "title: T")
    hub.paper("p", 'title: "P\u202eevil"\ncites: [{paper: "x\u2066z"}]')
    lines = failed(hub.check())
    assert any("'title' contains the control character U+202E" in line for line in lines)
    assert any("'paper' contains the control character U+2066" in line for line in lines)
    assert not [line for line in lines if "\u202e" in line or "\u2066" in line]


@pytest.mark.parametrize("date", ["0001-01-01", "0999", "9999-12-31"])
def test_dates_outside_a_sane_range_are_refused(hub: Hub, date: str) -> None:
    """0001 and 9999 made every cited page's year chart 9,999 bars wide (a 228 MB site)."""
    hub.paper("t", "title: T")
    hub.paper("c", f"title: C\ndate: {date}\ncites: [{{paper: t}}]")
    _, message = only_error(hub.check())
    assert f"'date' {date} is out of range: the year must be from 1000 to" in message


def test_dates_at_the_ends_of_the_range_are_fine(hub: Hub) -> None:
    hub.paper("t", "title: T\ndate: 1000")
    hub.paper("c", f"title: C\ndate: {time.localtime().tm_year + 1}\ncites: [{{paper: t}}]")
    passed(hub.check())


def test_lists_longer_than_any_paper_has_are_refused(hub: Hub) -> None:
    """100,000 one-letter authors on a paper citing 40 others were copied into every cited
    paper's feed, JSON and CSV (173 MB)."""
    authors = ", ".join("a" for _ in range(6000))
    hub.paper("c", f"title: C\nauthors: [{authors}]")
    _, message = only_error(hub.check())
    assert "'authors' has 6,000 entries; a paper may have at most 5,000" in message


def test_deeply_nested_tex_stays_tex_instead_of_recursing(hub: Hub) -> None:
    nested = "$" + "\\frac{1}{" * 200 + "x" + "}" * 200 + "$"
    hub.paper("p", "title: P", nested + "\n")
    result = hub.build()
    assert result.exit_code == 0, result.stderr
    page = hub.page("papers/p/")
    assert "<math" not in page and "\\frac{1}{\\frac{1}{" in page


def test_mathml_lengths_are_bounded() -> None:
    assert "<math" not in render_markdown("$\\hspace{99999cm}x$")
    assert 'width="1cm"' in render_markdown("$a\\hspace{1cm}b$")


def test_an_old_arxiv_id_needs_an_archive_name() -> None:
    """`-/1234567` became the file `--1234567.md`, which check then refused."""
    from citehub.importers.records import arxiv_id

    assert arxiv_id("-/1234567") is None and arxiv_id("arXiv:-/1234567") is None
    assert arxiv_id("hep-th/9901001v2") == "hep-th/9901001"


def test_an_import_never_writes_a_file_check_would_refuse(hub: Hub, tmp_path: Path) -> None:
    source = tmp_path / "huge.json"
    source.write_text('{"paperId": "abc", "title": "Huge", "abstract": "' + "x" * (2 * 2**20)
                      + '"}')
    result = hub.cli("import", "s2", str(source), "--dir", str(hub.root))
    assert "the paper file would be over 1 MiB" in result.stderr
    assert list((hub.root / "content" / "papers").iterdir()) == []


def test_tables_that_would_render_millions_of_cells_are_refused_by_check(hub: Hub) -> None:
    """12 kB of '|a|…' header, '|-|…' delimiter and short lines took 4 s to render (100 kB:
    48 s and 5.3 GB)."""
    table = "|" + "a|" * 2000 + "\n|" + "-|" * 2000 + "\n" + "x\n" * 2000
    hub.paper("p", "title: P", "An abstract.\n\n" + table)
    started = time.perf_counter()
    _, message = only_error(hub.check())
    assert time.perf_counter() - started < 5
    assert "the abstract's tables have 4,002,000 cells (columns times rows); an abstract may " \
           "have at most 5,000" in message


def test_a_real_table_in_an_abstract_is_fine(hub: Hub) -> None:
    hub.paper("p", "title: P", "| model | score |\n|---|---:|\n| a | 1 |\n| b | 2 |\n")
    passed(hub.check())
    assert hub.build().exit_code == 0
    assert "<table>" in hub.page("papers/p/")


@pytest.mark.parametrize("kind", ["folder", "link"])
def test_a_committed_side_folder_is_never_adopted_as_the_site(
        hub: Hub, tmp_path: Path, kind: str) -> None:
    """A fresh checkout has no site/: a `.site.citehub-old-<pid>` the pull request committed
    (a folder with a marker, or a link to one) must not become it."""
    hub.paper("p", "title: P")
    planted = hub.root / ".site.citehub-old-999999998"  # a pid no process has
    if kind == "folder":
        planted.mkdir()
        (planted / MARKER).write_text("This folder is generated by citehub.\n")
        (planted / "index.html").write_text("<script>evil()</script>")
    else:
        elsewhere = tmp_path.parent / f"{tmp_path.name}-planted"
        elsewhere.mkdir()
        (elsewhere / "index.html").write_text("<script>evil()</script>")
        planted.symlink_to(elsewhere)
    hub.file("content/hub.yaml", "title: [unclosed\n")
    assert hub.build().exit_code == 1
    assert not hub.site.exists()
    hub.file("content/hub.yaml", "title: Fixed\n")
    assert hub.build().exit_code == 0
    assert "evil()" not in (hub.site / "index.html").read_text()


def test_a_site_over_the_pages_limit_fails_naming_the_costliest_papers(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    from citehub import build as build_module

    hub.paper("small", "title: Small")
    assert hub.build().exit_code == 0
    before = tree(hub.site)
    hub.paper("big", "title: Big", "Words. " * 20_000 + "\n")
    hub.paper("c", "title: C\ncites: [{paper: small}, {paper: big}]")
    monkeypatch.setattr(build_module, "MAX_SITE_BYTES", 150_000)  # as if it were 1 GB
    result = hub.build("--no-search")
    assert result.exit_code == 1
    assert "over GitHub Pages' limit of 150.0 kB; the papers whose pages cost most: big (" \
        in result.stderr
    assert tree(hub.site) == before
    assert temporary_folders(hub.root) == []


def test_a_link_planted_in_the_site_is_never_written_through(hub: Hub, tmp_path: Path) -> None:
    """An edit that would update the site in place, through a folder of site/ that someone
    made a link to elsewhere: the build writes a whole new site instead, and elsewhere is
    untouched."""
    for paper_id in ("a", "b", "c"):
        hub.paper(paper_id, f"title: {paper_id.upper()}\ndate: 2020", "Abstract.\n")
    hub.paper("d", "title: D\ndate: 2021\ncites: [{paper: a}, {paper: b}, {paper: c}]",
              "Abstract.\n")
    assert hub.build("--no-search").exit_code == 0
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    (hub.site / "papers" / "a").rename(elsewhere)
    (hub.site / "papers" / "a").symlink_to(elsewhere)
    before = tree(elsewhere)
    hub.paper("a", "title: A, edited\ndate: 2020", "Abstract.\n")
    built = hub.build("--no-search")
    assert built.exit_code == 0, built.stderr
    assert tree(elsewhere) == before
    page = hub.site / "papers" / "a"
    assert not page.is_symlink() and "A, edited" in (page / "index.html").read_text()
    assert temporary_folders(hub.root) == []
