"""A build that reuses the previous one (nothing changed: skipped; papers from the content
cache; unchanged pages kept in place) gives the same bytes as a clean build, after any
sequence of edits: papers added, changed, reclassified, made drafts, deleted, renamed,
hub.yaml and templates changed."""

from __future__ import annotations

import hashlib
import os
import pickle
import shlex
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citehub import load
from citehub.build import BuildOptions, build
from citehub.diagnostics import ContentError
from citehub.incremental import content as content_cache
from citehub.incremental import search as search_cache


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


def as_a_new_process() -> None:
    """Forget the caches a process keeps in memory: the next build reads them from disk."""
    content_cache._OPEN.clear()
    search_cache._LAST.clear()


def build_or_fail(hub: Path, out: Path, *, cache: bool = True) -> bool:
    try:
        build(hub, out, BuildOptions(workers=1, cache=cache))
    except ContentError:
        return False
    return True


EDITS = st.lists(st.tuples(
    st.sampled_from(["add", "change", "reclassify", "draft", "delete", "rename", "hub",
                     "template", "nothing"]),
    st.integers(0, 1000)), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None,
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
        # Small pages and a low threshold: edits move items across pages and filter pages.
        settings = "paginate: 2\nfilter_pages_min_citing: 2\nwarnings: {orphan: ignore}\n"
        write(hub, "content/hub.yaml", "title: Hub\n" + settings)
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
            elif edit == "reclassify" and papers:
                path = hub / "content" / "papers" / f"{papers[number % len(papers)]}.md"
                old, new = ("method", "result") if number % 2 else ("result", "method")
                path.write_text(path.read_text().replace(f"role: {old}", f"role: {new}"))
            elif edit == "draft" and papers:
                path = hub / "content" / "papers" / f"{papers[number % len(papers)]}.md"
                text = path.read_text()
                path.write_text(text.replace("draft: true\n", "") if "draft: true" in text
                                else text.replace("---\n", "---\ndraft: true\n", 1))
            elif edit == "delete" and loose:
                (hub / "content" / "papers" / f"{loose[number % len(loose)]}.md").unlink()
            elif edit == "rename" and loose:
                name = loose[number % len(loose)]
                (hub / "content" / "papers" / f"{name}.md").rename(
                    hub / "content" / "papers" / f"{name}-r{step}.md")
            elif edit == "hub":
                write(hub, "content/hub.yaml", f"title: Hub {number}\n" + settings)
            elif edit == "template":
                write(hub, "templates/404.html",
                      '{% extends "base.html" %}{% block main %}<h1>Lost '
                      f"{number}</h1>{{% endblock %}}\n")
            before = digest(warm) if warm.exists() else {}
            clean = root / f"clean{step}"
            warm_ok = build_or_fail(hub, warm)
            clean_ok = build_or_fail(hub, clean, cache=False)
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
    assert not build(tmp_path, tmp_path / "site", BuildOptions(base_url="/x/")).unchanged
    shutil.rmtree(tmp_path / "site")
    assert not build(tmp_path, tmp_path / "site", BuildOptions(base_url="/x/")).unchanged


def small_hub(root: Path, count: int = 12) -> None:
    write(root, "content/hub.yaml", "title: Hub\npaginate: 3\nwarnings: {orphan: ignore}\n")
    for index in range(count):
        cites = [f"p{other}" for other in range(index) if other % 3 == index % 3][:4]
        write(root, f"content/papers/p{index}.md", paper(f"Paper {index}", cites, 2010 + index))


def test_an_edit_rewrites_only_the_pages_that_show_the_paper(tmp_path: Path) -> None:
    hub, site = tmp_path / "hub", tmp_path / "site"
    small_hub(hub)
    first = build(hub, site, BuildOptions(workers=1))
    assert first.written == first.stats.files
    kept = site / "papers" / "p1" / "index.html"
    stamp = kept.stat().st_mtime_ns
    edited = hub / "content" / "papers" / "p11.md"
    edited.write_text(edited.read_text().replace("title: Paper 11", "title: Paper eleven"))
    second = build(hub, site, BuildOptions(workers=1))
    # p11's own pages, the hubs it cites, the lists it is on; not p1, which it does not cite.
    assert 0 < second.written < second.stats.files / 2
    assert kept.stat().st_mtime_ns == stamp
    assert "Paper eleven" in (site / "papers" / "p2" / "index.html").read_text()
    assert (second.pages, second.stats.files) == (first.pages, first.stats.files)
    assert build_or_fail(hub, tmp_path / "clean", cache=False)
    assert digest(site) == digest(tmp_path / "clean")


def test_a_deleted_paper_takes_its_pages_with_it(tmp_path: Path) -> None:
    hub, site = tmp_path / "hub", tmp_path / "site"
    small_hub(hub)
    build(hub, site, BuildOptions(workers=1))
    (hub / "content" / "papers" / "p10.md").unlink()  # cited by nothing
    result = build(hub, site, BuildOptions(workers=1))
    assert result.written < result.stats.files
    assert not (site / "papers" / "p10").exists()
    assert build_or_fail(hub, tmp_path / "clean", cache=False)
    assert digest(site) == digest(tmp_path / "clean")


def test_caches_a_pull_request_could_plant_are_not_trusted(tmp_path: Path) -> None:
    """The content cache is a pickle: one committed to the repository could run code when
    read. Both caches are signed with a key outside the hub; anything else is ignored."""
    hub, site = tmp_path / "hub", tmp_path / "site"
    small_hub(hub, 4)
    build(hub, site, BuildOptions(workers=1))
    cache = hub / ".citehub-cache"
    planted = Path(tempfile.gettempdir()) / "boom"
    planted.unlink(missing_ok=True)
    payload = pickle.dumps(Boom())
    for path in cache.iterdir():
        if path.name != ".gitignore":
            path.write_bytes(b"\0" * 32 + payload)  # a forged signature
    edited = hub / "content" / "papers" / "p3.md"
    edited.write_text(edited.read_text().replace("Paper 3", "Paper three"))
    as_a_new_process()  # as a new process would: read the (planted) file
    result = build(hub, site, BuildOptions(workers=1))
    assert not planted.exists()
    assert result.written == result.stats.files  # nothing reused: a whole new site
    assert build_or_fail(hub, tmp_path / "clean", cache=False)
    assert digest(site) == digest(tmp_path / "clean")


class Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {shlex.quote(str(Path(tempfile.gettempdir())))}/boom",))


def test_a_cache_folder_linked_out_of_the_hub_is_not_used(tmp_path: Path) -> None:
    hub, elsewhere = tmp_path / "hub", tmp_path / "elsewhere"
    small_hub(hub, 3)
    elsewhere.mkdir()
    (hub / ".citehub-cache").symlink_to(elsewhere)
    build(hub, tmp_path / "site", BuildOptions(workers=1))
    assert list(elsewhere.iterdir()) == []


def test_a_same_size_edit_within_the_clock_tick_is_not_missed(tmp_path: Path) -> None:
    """Files count by their stat; one saved again with the same size and time (a second
    save within the file system's clock tick) must still be seen."""
    write(tmp_path, "content/papers/a.md", paper("Alpha", [], 2020))
    path = tmp_path / "content" / "papers" / "a.md"
    stat = path.stat()
    build(tmp_path, tmp_path / "site")
    path.write_text(paper("Omega", [], 2020))  # same length
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_size == stat.st_size
    result = build(tmp_path, tmp_path / "site")
    assert not result.unchanged
    assert "Omega" in (tmp_path / "site" / "papers" / "a" / "index.html").read_text()


def test_unchanged_paper_files_are_not_even_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub, site = tmp_path / "hub", tmp_path / "site"
    small_hub(hub, 6)
    long_ago = time.time_ns() - 3600 * 10**9  # older than the racy window
    for path in (hub / "content" / "papers").glob("*.md"):
        os.utime(path, ns=(long_ago, long_ago))
    build(hub, site, BuildOptions(workers=1))
    edited = hub / "content" / "papers" / "p4.md"
    edited.write_text(edited.read_text().replace("Paper 4", "Paper four"))
    os.utime(edited, ns=(long_ago + 10**9, long_ago + 10**9))
    read: list[str] = []
    original = load.read_text

    def reading(path: Path, *args: object) -> str | None:
        read.append(path.name)
        return original(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "read_text", reading)
    as_a_new_process()  # from the signed file on disk, as a new process would
    build(hub, site, BuildOptions(workers=1))
    assert sorted(read) == ["hub.yaml", "p4.md"]
    assert "Paper four" in (site / "papers" / "p4" / "index.html").read_text()
    assert build_or_fail(hub, tmp_path / "clean", cache=False)
    assert digest(site) == digest(tmp_path / "clean")


def test_links_planted_in_the_cache_folder_are_neither_followed_nor_read(
        tmp_path: Path) -> None:
    """A pull request can commit `.citehub-cache/build-….json -> ~/.bashrc`: the build
    writes its files beside such links and renames them over, and never reads a device."""
    hub, site = tmp_path / "hub", tmp_path / "site"
    small_hub(hub, 4)
    build(hub, site, BuildOptions(workers=1))
    cache = hub / ".citehub-cache"
    names = sorted(path.name for path in cache.iterdir())
    assert {".gitignore", "content.pickle", "search.pickle"} <= set(names) and len(names) == 5
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    for name in names:
        (cache / name).unlink()
        (cache / name).symlink_to(Path("/dev/zero") if name.endswith(".pickle") else victim)
    edited = hub / "content" / "papers" / "p3.md"
    edited.write_text(edited.read_text().replace("Paper 3", "Paper three"))
    as_a_new_process()  # as a new process would: read the (planted) files
    result = build(hub, site, BuildOptions(workers=1))
    assert victim.read_text() == "precious\n"
    assert result.written == result.stats.files  # nothing reused
    assert not any(path.is_symlink() for path in cache.iterdir())
    assert build_or_fail(hub, tmp_path / "clean", cache=False)
    assert digest(site) == digest(tmp_path / "clean")


def test_a_paper_moved_out_and_linked_back_is_refused_though_its_stat_is_unchanged(
        tmp_path: Path) -> None:
    hub, site = tmp_path / "hub", tmp_path / "site"
    small_hub(hub, 3)
    paper_file = hub / "content" / "papers" / "p2.md"
    long_ago = time.time_ns() - 3600 * 10**9
    os.utime(paper_file, ns=(long_ago, long_ago))
    build(hub, site, BuildOptions(workers=1))
    outside = tmp_path / "p2.md"
    paper_file.rename(outside)  # same inode, size and time
    paper_file.symlink_to(outside)
    assert not build_or_fail(hub, site)


# -- a preview's model, patched after each save ------------------------------------------------

ROLES = ["background", "method", "result", None]
POLARITIES = ["support", "contrast", None]


def paper_file(title: str, year: int | None, novelty: int | None,
               cites: list[tuple[str, str | None, str | None]], draft: bool = False) -> str:
    lines = [f"title: {title}"]
    if year is not None:
        lines.append(f"date: {year}-0{1 + len(title) % 9}")
    if novelty is not None:
        lines.append(f"novelty: {novelty}")
    if draft:
        lines.append("draft: true")
    if cites:
        lines.append("cites:")
        for cited, role, polarity in cites:
            terms = "".join(f", {key}: {value}" for key, value in
                            (("role", role), ("polarity", polarity)) if value)
            lines.append(f"  - {{paper: {cited}{terms}}}")
    return "---\n" + "\n".join(lines) + "\n---\nAbstract.\n"


PAPER_EDITS = st.lists(st.tuples(
    st.sampled_from(["title", "date", "novelty", "reclassify", "cite", "uncite", "draft",
                     "swap-file"]),
    st.integers(0, 10_000), st.integers(0, 10_000)), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(edits=PAPER_EDITS, batch=st.integers(1, 3))
def test_patched_model_equals_the_model_read_again(edits: list[tuple[str, int, int]],
                                                   batch: int) -> None:
    """What a preview patches after a save (only the saved papers read, only the hubs showing
    them made again) equals reading and aggregating the whole hub again."""
    from citehub.build import load_model, patch_model

    with tempfile.TemporaryDirectory() as temporary:
        hub = Path(temporary)
        write(hub, "content/hub.yaml", "title: Hub\nrepresentative: 2\n"
                                       "warnings: {orphan: ignore, undated: ignore}\n")
        ids = [f"p{index}" for index in range(12)]
        state: dict[str, dict] = {}
        for index, paper_id in enumerate(ids):
            cites = [(ids[(index * 7 + step) % index], ROLES[step % 4], POLARITIES[step % 3])
                     for step in range(min(index, 1 + index % 4))] if index else []
            state[paper_id] = {"title": f"Paper {paper_id}", "year": 2010 + index % 5,
                               "novelty": index % 4 or None,
                               "cites": list(dict.fromkeys(cites)), "draft": index == 11}
            write(hub, f"content/papers/{paper_id}.md", paper_file(**state[paper_id]))
        model = load_model(hub)
        for start in range(0, len(edits), batch):
            saved: set[Path] = set()
            for edit, number, other in edits[start:start + batch]:
                paper_id = ids[number % len(ids)]
                paper = state[paper_id]
                if edit == "title":
                    paper["title"] = f"Title {number}"
                elif edit == "date":
                    paper["year"] = None if other % 5 == 0 else 2005 + other % 12
                elif edit == "novelty":
                    paper["novelty"] = None if other % 3 == 0 else other % 11
                elif edit == "reclassify" and paper["cites"]:
                    at = other % len(paper["cites"])
                    cited, _, _ = paper["cites"][at]
                    paper["cites"][at] = (cited, ROLES[other % 4], POLARITIES[other % 3])
                elif edit == "cite":
                    cited = ids[other % len(ids)]
                    if cited != paper_id and cited not in [c for c, _, _ in paper["cites"]]:
                        paper["cites"].append((cited, ROLES[other % 4], POLARITIES[other % 3]))
                elif edit == "uncite" and paper["cites"]:
                    paper["cites"].pop(other % len(paper["cites"]))
                elif edit == "draft":
                    paper["draft"] = not paper["draft"]
                elif edit == "swap-file":
                    # What an editor leaves beside the file: skipped, like the loader does.
                    write(hub, f"content/papers/.{paper_id}.md.swp", "binary junk")
                    saved.add(hub / f"content/papers/.{paper_id}.md.swp")
                    continue
                write(hub, f"content/papers/{paper_id}.md", paper_file(**paper))
                saved.add(hub / f"content/papers/{paper_id}.md")
            patched = patch_model(model, hub, saved)
            fresh = load_model(hub)
            if patched is None:
                # Only a draft made or published takes the whole hub read again here.
                assert any(edit == "draft" for edit, _, _ in edits[start:start + batch])
            else:
                assert patched.corpus.papers == fresh.corpus.papers
                assert patched.site == fresh.site
            model = fresh


def test_pages_shown_ahead_are_the_pages_the_build_writes(tmp_path: Path) -> None:
    """A preview shows the open papers' pages from the patched model before the build is in
    place; they must be the bytes the build then writes, whatever the save changed."""
    from citehub.build import load_model, patch_model
    from citehub.serve.rebuild import Preview

    hub, out = tmp_path / "hub", tmp_path / "out"
    write(hub, "content/hub.yaml", "title: Hub\nbase_url: https://example.org/h/\npaginate: 2\n"
                                   "filter_pages_min_citing: 2\nrepresentative: 2\n"
                                   "warnings: {orphan: ignore}\n")
    ids = [f"p{index}" for index in range(9)]
    state = {paper_id: {"title": f"Paper {paper_id}", "year": 2015 + index % 4,
                        "novelty": index % 5 or None,
                        "cites": [(ids[cited], ROLES[cited % 4], POLARITIES[cited % 3])
                                  for cited in range(index) if (index + cited) % 3 == 0]}
             for index, paper_id in enumerate(ids)}
    for paper_id, fields in state.items():
        write(hub, f"content/papers/{paper_id}.md", paper_file(**fields))
    build(hub, out, BuildOptions(workers=1))
    preview = Preview(hub, out)
    model = load_model(hub)
    edits = [
        ("p3", "title", "A new title with <b>markup</b>"),
        ("p8", "year", 2026),  # the newest now: moves to the top of every list it is on
        ("p6", "novelty", 9),  # representative of the papers it cites
        ("p7", "cites", [("p0", "result", "contrast"), ("p1", None, None)]),
        ("p2", "cites", []),  # cites nothing any more
    ]
    pages = sorted(path.relative_to(out).as_posix()
                   for path in (out / "papers").rglob("index.html"))
    for save, (paper_id, key, value) in enumerate(edits, start=1):
        state[paper_id][key] = value
        path = hub / f"content/papers/{paper_id}.md"
        path.write_text(paper_file(**state[paper_id]))
        patched = patch_model(model, hub, {path})
        assert patched is not None
        model = patched
        shown = []
        for page in pages:  # one at a time, as one browser shows one page
            found, render = preview.render_ahead(model, [page], save)
            render()
            shown += found
        build(hub, out, BuildOptions(workers=1, cache=False))
        # Every page asked for that the site still has (a paper's year can change), and no other.
        assert sorted(shown) == [page for page in pages if (out / page).exists()]
        for page in shown:
            assert preview.ahead[page][0] == (out / page).read_bytes(), (key, page)


def test_what_is_published_depends_on_the_content_alone(tmp_path: Path) -> None:
    """The whole output folder goes to GitHub Pages, marker included: touching every file
    (a checkout does) or building a fresh copy of the hub publishes the very same bytes."""
    hub, site = tmp_path / "hub", tmp_path / "site"
    small_hub(hub, 6)
    build(hub, site, BuildOptions(workers=1))
    published = digest(site)
    later = time.time_ns() + 5 * 10**9
    for path in (hub / "content").rglob("*"):
        os.utime(path, ns=(later, later))
    touched = build(hub, site, BuildOptions(workers=1))
    assert not touched.unchanged and touched.written == 0
    assert digest(site) == published
    copy = tmp_path / "fresh-checkout"
    shutil.copytree(hub / "content", copy / "content", copy_function=shutil.copyfile)
    build(copy, copy / "site", BuildOptions(workers=1, cache=False))
    assert digest(copy / "site") == published
    assert build(hub, site, BuildOptions(workers=1)).unchanged  # and the skip still works
