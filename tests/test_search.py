"""The search bundle: built from the papers (one record each, with the date and citing count
that results show), deterministic, left out with --no-search, reused while its records are
as they were (from a signed cache only)."""

from __future__ import annotations

import json
import pickle
import tempfile
from pathlib import Path

import pytest

from citehub import search, urls
from citehub.incremental import search as search_cache

from conftest import Hub
from pages_helpers import soup


def write_hub(hub: Hub) -> None:
    hub.config("title: Search hub\nbase_url: https://example.org/hub/\n")
    hub.paper("a", "title: Attention Is All You Need\ndate: 2017-06-12", "Transformers.\n")
    hub.paper("b", "title: BERT\ndate: 2018-10-11\ncites:\n  - paper: a", "Encoders.\n")


def test_the_bundle_indexes_every_paper_and_nothing_else(hub: Hub) -> None:
    write_hub(hub)
    assert hub.build().exit_code == 0
    bundle = hub.site / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 2  # two papers; no list pages
    assert (bundle / "pagefind.js").is_file()
    assert not list(bundle.glob("pagefind-ui*"))  # Pagefind's own UIs are not shipped
    search_page = hub.page("search/")
    assert 'data-bundle="/hub/pagefind/pagefind.js"' in search_page
    assert "'wasm-unsafe-eval'" in search_page
    assert "'wasm-unsafe-eval'" not in hub.page("papers/a/")
    assert 'action="/hub/search/"' in hub.page("papers/a/")


def test_no_search_leaves_the_bundle_out_and_keeps_the_page(hub: Hub) -> None:
    write_hub(hub)
    assert hub.build("--no-search").exit_code == 0
    assert not (hub.site / "pagefind").exists()
    assert "search-results" in hub.page("search/")
    # Turning it back on adds the bundle (the option is part of what a rebuild compares).
    assert hub.build().exit_code == 0
    assert (hub.site / "pagefind" / "pagefind.js").is_file()


def bundle_bytes(hub: Hub) -> dict[str, bytes]:
    bundle = hub.site / "pagefind"
    return {path.relative_to(bundle).as_posix(): path.read_bytes()
            for path in sorted(bundle.rglob("*")) if path.is_file()}


def counting_index(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count Pagefind runs (each still runs: the bundle must be the real one)."""
    runs: list[int] = []
    original = search.PagefindRun.start

    def start(records: list[tuple[str, str]]) -> search.PagefindRun:
        runs.append(len(records))
        return original(records)

    monkeypatch.setattr(search.PagefindRun, "start", start)
    return runs


def test_a_rebuild_whose_records_are_as_they_were_reuses_the_bundle(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    write_hub(hub)
    runs = counting_index(monkeypatch)
    assert hub.build().exit_code == 0
    first = bundle_bytes(hub)
    # A summary is not indexed: the same records, the same bundle, no Pagefind run.
    hub.paper("b", "title: BERT\ndate: 2018-10-11\nsummary: Pretrained.\ncites:\n  - paper: a",
              "Encoders.\n")
    assert hub.build().exit_code == 0
    assert "Pretrained." in hub.page("papers/b/")
    assert runs == [2] and bundle_bytes(hub) == first
    # A title is: Pagefind runs again, and the bundle is what a build without cache makes.
    hub.paper("b", "title: BERT again\ndate: 2018-10-11\ncites:\n  - paper: a", "Encoders.\n")
    assert hub.build().exit_code == 0
    assert runs == [2, 2]
    changed = bundle_bytes(hub)
    assert changed != first
    search_cache._LAST.clear()
    assert hub.build("--no-cache").exit_code == 0
    assert bundle_bytes(hub) == changed


def test_a_search_cache_a_pull_request_planted_is_not_used(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """A committed .citehub-cache/search.pickle could put any script into the site's
    bundle (or run code when unpickled): it is read only with this user's signature."""
    write_hub(hub)
    assert hub.build().exit_code == 0
    first = bundle_bytes(hub)
    planted = hub.root / ".citehub-cache" / search_cache.SEARCH_CACHE
    kept = pickle.loads(planted.read_bytes()[32:])
    forged = {folder: (digest, [(path, b"alert(1)" if path == "pagefind.js" else data)
                                for path, data in bundle])
              for folder, (digest, bundle) in kept.items()}
    planted.write_bytes(b"\0" * 32 + pickle.dumps(forged))
    search_cache._LAST.clear()  # as a new process would: read the planted file
    runs = counting_index(monkeypatch)
    hub.paper("b", "title: BERT\ndate: 2018-10-11\nsummary: Pretrained.\ncites:\n  - paper: a",
              "Encoders.\n")
    assert hub.build().exit_code == 0
    assert runs == [2]
    assert bundle_bytes(hub) == first


def test_a_failing_pagefind_fails_the_build_and_leaves_the_site_and_no_files(
        hub: Hub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_hub(hub)
    assert hub.build().exit_code == 0
    before = bundle_bytes(hub)
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: out of cheese' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(search, "get_executable", lambda: broken)
    temporary = Path(search.memory_folder() or tempfile.gettempdir())
    left_before = set(temporary.glob("citehub-search-*"))
    hub.paper("a", "title: Attention Is All You Need, again\ndate: 2017-06-12", "Transformers.\n")
    run = hub.build()
    assert run.exit_code == 1
    assert "the search index failed: Error: out of cheese (--no-search skips it)" in run.stderr
    assert bundle_bytes(hub) == before  # the previous site, as it was
    assert set(temporary.glob("citehub-search-*")) == left_before


def write_papers(hub: Hub, count: int, title: str = "Paper") -> None:
    hub.config("title: Search hub\nbase_url: https://example.org/hub/\n")
    for number in range(count):
        hub.paper(f"p{number}", f"title: {title} {number} zebrafish\ndate: 2020")


def bundle_pages(hub: Hub) -> dict[str, int]:
    """Each bundle's folder (relative to the site) and how many pages it indexes."""
    return {entry.parent.relative_to(hub.site).as_posix():
            json.loads(entry.read_text())["languages"]["en"]["page_count"]
            for entry in sorted(hub.site.rglob("pagefind-entry.json"))}


def test_a_large_hub_is_indexed_in_bundles_and_an_edit_reindexes_one(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind indexes a bundle whole and in memory: a hub of more than
    SEARCH_BUNDLE_PAPERS papers is split by a hash of each id, the search page merges the
    bundles, and an edit re-indexes the bundle holding the paper alone."""
    monkeypatch.setattr(urls, "SEARCH_BUNDLE_PAPERS", 4)
    write_papers(hub, 12)
    runs = counting_index(monkeypatch)
    assert hub.build().exit_code == 0
    bundles = bundle_pages(hub)
    assert len(bundles) >= 2 and "pagefind" in bundles
    assert sum(bundles.values()) == 12 and sorted(runs) == sorted(bundles.values())
    page = soup(hub.page("search/")).select_one(".search-page")
    merged = page["data-merge"].split()
    assert page["data-bundle"] == "/hub/pagefind/pagefind.js"
    assert sorted(merged) == sorted(f"/hub/{folder}/" for folder in bundles if folder != "pagefind")
    for folder in merged:
        assert (hub.site / folder.removeprefix("/hub/") / "pagefind.js").is_file()
    # One title edited: its bundle alone is indexed again.
    runs.clear()
    hub.paper("p5", "title: Paper 5 edited zebrafish\ndate: 2020")
    assert hub.build().exit_code == 0
    assert len(runs) == 1 and bundle_pages(hub) == bundles
    edited = bundle_bytes(hub)
    search_cache._LAST.clear()
    assert hub.build("--no-cache").exit_code == 0
    assert bundle_bytes(hub) == edited  # what a build from scratch makes


def test_a_bundle_no_paper_falls_in_is_not_made_nor_merged(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids are a pull request's to choose, so a bundle can end up empty (Pagefind refuses
    to index nothing): it is left out rather than failing the build."""
    monkeypatch.setattr(urls, "SEARCH_BUNDLE_PAPERS", 1)
    write_papers(hub, 3)  # three bundles by count; the hash decides how many get papers
    folders = urls.Urls("/hub/", "").search_bundles(["p0", "p1", "p2"])
    assert len(folders) < 3  # these ids share bundles (the main one is not among them)
    assert hub.build().exit_code == 0
    assert sorted(f"/hub/{folder}/" for folder in bundle_pages(hub)) == sorted(folders)
    page = soup(hub.page("search/")).select_one(".search-page")
    assert [page["data-bundle"].removesuffix("pagefind.js"),
            *page.get("data-merge", "").split()] == folders
