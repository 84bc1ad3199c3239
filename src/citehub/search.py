"""The search index: Pagefind's bundle (its script, WebAssembly and index fragments), made
from the model, one small page per paper, by the Pagefind binary that the `pagefind[bin]`
package ships (nothing is downloaded). The theme's /search/ page queries it in the browser;
results show a paper's title, date and how many papers cite it.

Indexing the papers rather than the built site keeps list pages (filters, years, roles) out
of the results, and the index independent of the theme. A large hub is indexed in bundles of
about `urls.SEARCH_BUNDLE_PAPERS` papers, which the search page merges: Pagefind has no
incremental mode, so a bundle whose records are all as they were is the last build's
(`incremental.search`), and only the bundles an edit touched are indexed again. Pagefind
runs beside the planning of the pages, its temporary files on tmpfs where there is one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from markupsafe import escape
from pagefind_bin import get_executable  # type: ignore[import-untyped]

from citehub.aggregate import SiteAggregates, outside_citations
from citehub.authors import byline
from citehub.hubfiles import HubLayout
from citehub.incremental.search import Bundle, recall_bundle, records_digest, remember_bundles
from citehub.model import Paper
from citehub.pages import PlannedFile
from citehub.urls import Urls

# Pagefind processes at once: each uses every core, and each holds its bundle in memory.
PARALLEL_RUNS = 2
MEMORY = "/dev/shm"
UNUSED = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight")


class SearchError(Exception):
    """Pagefind failed (its message)."""


class SearchIndex:
    """The search bundles in the making: Pagefind indexes each bundle whose records changed,
    in processes of its own, from `start` until `files` is asked for, so the build plans its
    pages meanwhile. With a cache (the hub), a bundle whose records are all as they were is
    the last build's."""

    def __init__(self, urls: Urls, cache: HubLayout | None) -> None:
        self.urls = urls
        self.cache = cache
        self.digests: dict[str, str] = {}  # bundle folder → digest of its records, in order
        self.kept: dict[str, Bundle] = {}  # folder → the last build's bundle
        self.made: dict[str, Future[Bundle]] = {}  # folder → its indexing
        self.runs: list[PagefindRun] = []
        self.lock = threading.Lock()
        self.cancelled = threading.Event()
        self.pool = ThreadPoolExecutor(PARALLEL_RUNS, thread_name_prefix="citehub-search")

    @classmethod
    def start(cls, site: SiteAggregates, urls: Urls,
              cache: HubLayout | None = None) -> SearchIndex:
        index = cls(urls, cache)
        records: dict[str, list[tuple[str, str]]] = {
            folder: [] for folder in urls.search_bundles(site.hubs)}
        for hub in site.hubs.values():
            # Relative to the base path: Pagefind puts the path it is served from in front.
            records[urls.search_bundle(hub.paper.id, len(site.hubs))].append(
                (urls.output_path(urls.paper(hub.paper.id)),
                 record_page(hub.paper, hub.citing_count)))
        for folder, bundle_records in records.items():
            digest = index.digests[folder] = records_digest(bundle_records) if cache else ""
            kept = recall_bundle(cache, folder, digest) if cache else None
            if kept is not None:
                index.kept[folder] = kept
            else:
                index.made[folder] = index.pool.submit(index.index, bundle_records)
        return index

    def index(self, records: list[tuple[str, str]]) -> Bundle:
        """One bundle, in a worker thread (which only waits for Pagefind)."""
        if self.cancelled.is_set():
            raise SearchError("cancelled")
        run = PagefindRun.start(records)
        with self.lock:
            self.runs.append(run)
        if self.cancelled.is_set():
            run.kill()
        return run.bundle()

    def files(self) -> list[PlannedFile]:
        """The files of every bundle, each under its folder (waiting for Pagefind)."""
        bundles = {**self.kept, **{folder: indexing.result()
                                   for folder, indexing in self.made.items()}}
        if self.cache and self.made:
            remember_bundles(self.cache, {folder: (digest, bundles[folder])
                                          for folder, digest in self.digests.items()})
        files = []
        for folder in self.digests:
            for path, data in bundles[folder]:
                url = folder + path
                files.append(PlannedFile(self.urls.output_path(url), url, data=data,
                                         fingerprint=hashlib.blake2b(data, digest_size=16)
                                         .hexdigest()))
        return files

    def cancel(self) -> None:
        """Stop Pagefind, when the build fails before it needs the bundles (and once they
        are made: then there is nothing left to stop)."""
        self.cancelled.set()
        with self.lock:
            runs = list(self.runs)
        for run in runs:
            run.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)


class PagefindRun:
    """Pagefind indexing (page path, page) records, in a folder of its own on tmpfs."""

    def __init__(self, folder: Path, process: subprocess.Popen[str]) -> None:
        self.folder = folder
        self.process = process

    @classmethod
    def start(cls, records: list[tuple[str, str]]) -> PagefindRun:
        folder = Path(tempfile.mkdtemp(prefix="citehub-search-", dir=memory_folder()))
        try:
            for path, text in records:
                page = folder / "pages" / path
                page.parent.mkdir(parents=True, exist_ok=True)
                page.write_text(text, encoding="utf-8")
            command = [str(get_executable()), "--site", str(folder / "pages"),
                       "--output-path", str(folder / "bundle"), "--force-language", "en",
                       "--silent"]
            process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
        except OSError as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise SearchError(f"cannot run Pagefind: {error}") from None
        return cls(folder, process)

    def bundle(self) -> Bundle:
        """The bundle, in path order, once Pagefind is done; Pagefind's own UIs are left out
        (the theme's search.js shows the results). The folder goes in any case."""
        try:
            stdout, stderr = self.process.communicate()
            if self.process.returncode != 0:
                raise SearchError((stderr or stdout).strip() or f"exit {self.process.returncode}")
            bundle = self.folder / "bundle"
            return [(path.relative_to(bundle).as_posix(), path.read_bytes())
                    for path in sorted(bundle.rglob("*"))
                    if path.is_file() and not path.name.startswith(UNUSED)]
        finally:
            self.process.wait()
            shutil.rmtree(self.folder, ignore_errors=True)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()


def memory_folder() -> str | None:
    """Where Pagefind's temporary files go: tmpfs where the machine has one (it writes and
    reads back a page per paper and its whole bundle: three times slower on a disk)."""
    return MEMORY if os.path.isdir(MEMORY) and os.access(MEMORY, os.W_OK | os.X_OK) else None


def record_page(paper: Paper, citing_count: int) -> str:
    """What Pagefind indexes for one paper; its meta are what a result shows."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(paper.title)}</title></head><body><main data-pagefind-body>"
        f"<h1>{escape(paper.title)}</h1><p>{escape(', '.join(paper.authors))}</p>"
        f"<div>{escape(paper.abstract)}</div>"
        # Meta taken from an element's text, not from "key:value" in the attribute, where
        # a comma would start another key.
        f'<p data-pagefind-meta="byline">{escape(byline(paper))}</p>'
        f'<span data-pagefind-meta="date:{escape(paper.date.text if paper.date else "")}"></span>'
        f'<span data-pagefind-meta="citing:{citing_count}"></span>'
        f'<span data-pagefind-meta="outside:{outside_citations(paper) or 0}"></span>'
        "</main></body></html>"
    )
