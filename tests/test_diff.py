"""`citehub diff BASE HEAD`: what a pull request changes, as users think of it, between two
hub folders or two git revisions, in plain text and in Markdown."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from citehub.cli import main


def write_hub(root: Path, papers: dict[str, str]) -> Path:
    (root / "content" / "papers").mkdir(parents=True)
    (root / "content" / "hub.yaml").write_text("title: Diff hub\n")
    for paper_id, front_matter in papers.items():
        text = "---\n" + textwrap.dedent(front_matter).strip() + "\n---\nAbstract.\n"
        (root / "content" / "papers" / f"{paper_id}.md").write_text(text)
    return root


def citing(year: int, polarity: str, role: str = "background") -> str:
    return f"title: Citing {year}\ndate: {year}\ncites: [{{paper: t, role: {role}, " \
           f"polarity: {polarity}}}]"


BASE = {
    "t": "title: The cited paper\ndate: 2017",
    **{f"c{year}": citing(year, "background") for year in (2018, 2019, 2020, 2021)},
}


def diff(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["diff", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def hubs(tmp_path: Path) -> tuple[Path, Path]:
    return write_hub(tmp_path / "base", BASE), tmp_path / "head"


def test_an_added_paper_and_its_citation(hubs: tuple[Path, Path]) -> None:
    base, head = hubs
    write_hub(head, {**BASE, "c2022": citing(2022, "support", "method")})
    code, out, _ = diff(str(base), str(head))
    assert code == 0
    assert "Papers added (1):\n  c2022 “Citing 2022”" in out
    assert "Citations added (1):\n  c2022 → t (method, support)" in out
    assert "t “The cited paper”: citing papers 4 → 5; role background 100% → 80%" in out
    assert "Papers removed" not in out and "New problems" not in out


def test_a_reclassified_citation_that_flips_the_kind(hubs: tuple[Path, Path]) -> None:
    base, head = hubs
    write_hub(head, {**BASE, "c2021": citing(2021, "contrast")})
    code, out, _ = diff(str(base), str(head))
    assert code == 0
    assert "Citations reclassified (1):\n  c2021 → t: background, background → " \
           "background, contrast" in out
    assert "Canonical reference → Contested" in out
    assert "polarity contrast 0% → 25%" in out
    assert "Papers edited (1):\n  c2021 “Citing 2021”: cites" not in out  # said as citations
    assert "Papers edited (1):\n  c2021" not in out


def test_edited_fields_and_removed_papers_are_named(hubs: tuple[Path, Path]) -> None:
    base, head = hubs
    edited = {**BASE, "t": "title: A better title\ndate: 2017-05\nauthors: [Ada Lovelace]"}
    del edited["c2018"]
    write_hub(head, edited)
    _, out, _ = diff(str(base), str(head))
    assert "Papers edited (1):\n  t “A better title”: title, authors, date" in out
    assert "Papers removed (1):\n  c2018 “Citing 2018”" in out
    assert "Citations removed (1):\n  c2018 → t (background, background)" in out


def test_a_broken_file_is_a_new_problem_not_a_traceback(hubs: tuple[Path, Path]) -> None:
    base, head = hubs
    write_hub(head, BASE)
    (head / "content" / "papers" / "c2019.md").write_text("---\ntitle: [unclosed\n---\n")
    code, out, _ = diff(str(base), str(head))
    assert code == 0
    assert "New problems (1):\n  content/papers/c2019.md: error: invalid YAML" in out
    assert "Papers that no longer read (see the problems) (1):\n  c2019" in out
    assert "Papers removed" not in out  # its file is still there


def test_the_same_hub_twice_changes_nothing(hubs: tuple[Path, Path]) -> None:
    base, head = hubs
    shutil.copytree(base, head)
    assert diff(str(base), str(head))[1] == "No change to papers, citations or hubs.\n"


def test_markdown_shows_content_as_written_never_as_links_or_html(
        hubs: tuple[Path, Path]) -> None:
    """Every content value is a code span: GitHub links bare URLs and e-mail addresses
    whatever is escaped, and renders math, HTML and images."""
    base, head = hubs
    title = ("![pixel](https://evil.example/t.png) <img src=x> http://1249767218/login "
             "admin@evil.example ``tick`` $\\Huge x$")
    write_hub(head, {**BASE, "x": f"title: {json.dumps(title)}\ndate: 2020\n"
                                  "cites: [{paper: t}]"})
    code, out, _ = diff(str(base), str(head), "--format", "markdown")
    assert code == 0
    assert out.startswith("## What this change does to the hub\n")
    added = out.split("### Papers added (1)\n\n", 1)[1].splitlines()[0]
    assert added == f"- ``` x “{title}” ```"
    for line in out.splitlines():
        assert line.startswith(("#", "- `", "No change")) or not line.strip() or \
            line.endswith(" fixed."), line


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@e.x",
                    *args], check=True, capture_output=True)


def test_two_git_revisions_of_the_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As the pull request check runs it: the base commit against HEAD, in the checkout."""
    repo = tmp_path / "repo"
    hub = write_hub(repo / "hub", BASE)  # a hub in a folder of its repository
    git(repo, "init", "--quiet")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "base")
    (hub / "content" / "papers" / "c2020.md").write_text(
        "---\n" + citing(2020, "support") + "\n---\nAbstract.\n")
    (hub / "content" / "papers" / "evil.md").symlink_to("/etc/passwd")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "head")
    monkeypatch.chdir(hub)
    code, out, err = diff("HEAD~1", "HEAD")
    assert code == 0, err
    assert "c2020 → t: background, background → background, support" in out
    assert "content/papers/evil.md: error: is a symbolic link; left out of the diff" in out
    code, _, err = diff("no-such-revision", "HEAD")
    assert code == 2 and "neither a git revision of" in err
    for arguments in (["--", "--output=/tmp/x", "HEAD"], ["--", "-h", "HEAD"], ["", "HEAD"]):
        code, _, err = diff(*arguments)
        assert code == 2 and "error:" in err, arguments
    assert not Path("/tmp/x").exists() or Path("/tmp/x").stat().st_mtime < time.time() - 60


def test_a_committed_folder_never_stands_in_for_a_revision(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check runs `citehub diff BASE HEAD` in the pull request's checkout: a folder the
    pull request adds named HEAD (or after the base commit) must not be what is compared,
    nor may .gitattributes hide files from it."""
    repo = write_hub(tmp_path / "repo", BASE)
    git(repo, "init", "--quiet")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "base")
    shutil.copytree(repo / "content", repo / "HEAD" / "content")  # the base, as a decoy
    (repo / "content" / "papers" / "hidden.md").write_text(
        "---\n" + citing(2022, "contrast") + "\n---\nAbstract.\n")
    (repo / ".gitattributes").write_text("content/papers/hidden.md export-ignore\n"
                                         ".gitattributes export-ignore\n")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "head")
    monkeypatch.chdir(repo)
    _, out, _ = diff("HEAD~1", "HEAD")
    assert "Papers added (1):\n  hidden “Citing 2022”" in out


def test_settings_theme_files_and_citation_contexts_are_changes(
        hubs: tuple[Path, Path]) -> None:
    base, head = hubs
    write_hub(head, {**BASE, "c2020": "title: Citing 2020\ndate: 2020\ncites: [{paper: t, "
                                      "role: background, polarity: background, refs: 3, "
                                      "context: A new sentence.}]"})
    (head / "content" / "hub.yaml").write_text("title: Another title\npaginate: 7\n")
    (head / "templates").mkdir()
    (head / "templates" / "base.html").write_text("<script>steal()</script>")
    _, out, _ = diff(str(base), str(head))
    assert "Citations whose refs or contexts change (1):\n  c2020 → t" in out
    assert "Settings changed (content/hub.yaml) (2):\n  title\n  paginate" in out
    assert "Theme files changed (code: review them as code) (1):\n  templates/base.html " \
           "(added)" in out


def test_a_loop_of_links_is_a_problem_not_a_traceback(hubs: tuple[Path, Path]) -> None:
    base, head = hubs
    write_hub(head, BASE)
    papers = head / "content" / "papers"
    (papers / "a.md").symlink_to("b.md")
    (papers / "b.md").symlink_to("a.md")
    code, out, _ = diff(str(base), str(head))
    assert code == 0
    assert "content/papers/a.md: error: is a loop of symbolic links" in out
