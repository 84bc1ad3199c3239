"""A build that reuses the previous one (nothing changed: skipped) gives the same bytes as a
clean build, after any sequence of edits: papers added, changed, deleted, renamed, hub.yaml
and templates changed."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citehub.build import build
from citehub.diagnostics import ContentError


def digest(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def paper(title: str, cites: list[str], year: int) -> str:
    lines = [f"title: {title}", f"date: {year}"]
    if cites:
        lines.append("cites:")
        lines += [f"  - {{paper: {cited}, role: method}}" for cited in cites]
    return "---\n" + "\n".join(lines) + "\n---\nAbstract.\n"


def build_or_fail(hub: Path, out: Path) -> bool:
    try:
        build(hub, out, workers=1)
    except ContentError:
        return False
    return True


EDITS = st.lists(st.tuples(
    st.sampled_from(["add", "change", "delete", "rename", "hub", "template", "nothing"]),
    st.integers(0, 1000)), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_warm_build_after_any_edits_equals_a_clean_build(edits: list[tuple[str, int]]) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        hub, warm = root / "hub", root / "warm"
        ids = ["a", "b", "c"]
        for index, paper_id in enumerate(ids):
            write(hub, f"content/papers/{paper_id}.md",
                  paper(f"Paper {paper_id}", ids[:index], 2020 + index))
        write(hub, "content/hub.yaml", "title: Hub\nwarnings: {orphan: ignore}\n")
        assert build_or_fail(hub, warm)
        for step, (edit, number) in enumerate(edits):
            papers = sorted(path.stem for path in (hub / "content" / "papers").glob("*.md"))
            cited = {line.split("paper: ")[1].split(",")[0]
                     for name in papers
                     for line in (hub / "content" / "papers" / f"{name}.md").read_text()
                     .splitlines() if "paper: " in line}
            loose = [name for name in papers if name not in cited]
            if edit == "add":
                new = f"n{step}x{number}"
                write(hub, f"content/papers/{new}.md",
                      paper(f"New {number}", papers[: number % 3], 2015 + number % 10))
            elif edit == "change" and papers:
                name = papers[number % len(papers)]
                path = hub / "content" / "papers" / f"{name}.md"
                path.write_text(path.read_text().replace("title: ", f"title: {number} ", 1))
            elif edit == "delete" and loose:
                (hub / "content" / "papers" / f"{loose[number % len(loose)]}.md").unlink()
            elif edit == "rename" and loose:
                name = loose[number % len(loose)]
                (hub / "content" / "papers" / f"{name}.md").rename(
                    hub / "content" / "papers" / f"{name}-r{step}.md")
            elif edit == "hub":
                write(hub, "content/hub.yaml",
                      f"title: Hub {number}\nwarnings: {{orphan: ignore}}\n")
            elif edit == "template":
                write(hub, "templates/404.html",
                      '{% extends "base.html" %}{% block main %}<h1>Lost '
                      f"{number}</h1>{{% endblock %}}\n")
            before = digest(warm) if warm.exists() else {}
            clean = root / f"clean{step}"
            warm_ok = build_or_fail(hub, warm)
            clean_ok = build_or_fail(hub, clean)
            assert warm_ok == clean_ok
            if clean_ok:
                assert digest(warm) == digest(clean), f"after {edits[: step + 1]}"
                shutil.rmtree(clean)
            else:
                assert digest(warm) == before  # a failed build leaves the site as it was


def test_unchanged_inputs_skip_the_build_and_replay_its_warnings(tmp_path: Path) -> None:
    write(tmp_path, "content/papers/a.md", "---\ntitle: A\n---\n")
    first = build(tmp_path, tmp_path / "site")
    assert not first.unchanged
    assert [item.code for item in first.diagnostics.items] == ["no-abstract", "orphan"]
    stamp = (tmp_path / "site" / "index.html").stat().st_mtime_ns
    second = build(tmp_path, tmp_path / "site")
    assert second.unchanged
    assert second.diagnostics.items == first.diagnostics.items
    assert (second.papers, second.pages, second.stats) == (first.papers, first.pages, first.stats)
    assert (tmp_path / "site" / "index.html").stat().st_mtime_ns == stamp  # not rewritten
    # Any change to an input (here a template) makes the next build a real one.
    write(tmp_path, "templates/404.html", '{% extends "base.html" %}\n')
    assert not build(tmp_path, tmp_path / "site").unchanged
    # So does a different option, or a site folder that was replaced meanwhile.
    assert not build(tmp_path, tmp_path / "site", base_url="/x/").unchanged
    shutil.rmtree(tmp_path / "site")
    assert not build(tmp_path, tmp_path / "site", base_url="/x/").unchanged
