"""`citehub diff BASE HEAD`: what a pull request changes, as users think of it, between two
hub folders or two git revisions, in plain text and in Markdown."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
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
    assert "Papers removed (1):\n  c2019" in out  # it no longer reads as a paper


def test_the_same_hub_twice_changes_nothing(hubs: tuple[Path, Path]) -> None:
    base, head = hubs
    shutil.copytree(base, head)
    assert diff(str(base), str(head))[1] == "No change to papers, citations or hubs.\n"


def test_markdown_shows_content_as_written_never_as_links_or_html(
        hubs: tuple[Path, Path]) -> None:
    base, head = hubs
    write_hub(head, {**BASE, "x": 'title: "![pixel](https://evil.example/t.png) <img src=x> '
                                  '[click](javascript:alert(1))"\ncites: [{paper: t}]'})
    code, out, _ = diff(str(base), str(head), "--format", "markdown")
    assert code == 0
    assert out.startswith("## What this change does to the hub\n")
    assert "### Papers added (1)\n\n- x “" in out
    assert "\\!\\[pixel\\]\\(https://evil\\.example/t\\.png\\) \\<img src=x\\>" in out
    assert "](" not in out.replace("\\](", "").replace("\\]\\(", "")


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
    assert "content/papers/evil.md: error: is a link that leads out of the hub" in out
    code, _, err = diff("no-such-revision", "HEAD")
    assert code == 2 and "neither a hub folder nor a git revision" in err
