"""The search index: Pagefind's bundle (its script, WebAssembly and index fragments), made
from the model, one small page per paper, by the Pagefind binary that the `pagefind[bin]`
package ships (nothing is downloaded). The theme's /search/ page queries it in the browser;
results show a paper's title, date and how many papers cite it.

Indexing the papers rather than the built site keeps list pages (filters, years, roles) out
of the results, and the index independent of the theme. Pagefind runs beside the planning of
the pages, its temporary files on tmpfs where there is one, and a rebuild whose records are
all as they were reuses the last bundle (`incremental.search`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from markupsafe import escape
from pagefind_bin import get_executable  # type: ignore[import-untyped]

from citehub.aggregate import SiteAggregates
from citehub.hubfiles import HubLayout
from citehub.incremental.search import Bundle, recall_bundle, records_digest, remember_bundle
from citehub.pages import PlannedFile
from citehub.urls import Urls

BUNDLE = "pagefind"
MEMORY = "/dev/shm"
UNUSED = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight")


class SearchError(Exception):
    """Pagefind failed (its message)."""


class SearchIndex:
    """The search bundle in the making: Pagefind runs in its own process from `start` until
    `files` is asked for, so the build plans its pages meanwhile. With a cache (the hub),
    the hub's last bundle is taken when its records are all as they were."""

    def __init__(self, urls: Urls, cache: HubLayout | None, digest: str,
                 bundle: Bundle | None, run: PagefindRun | None) -> None:
        self.urls = urls
        self.cache = cache
        self.digest = digest
        self.bundle = bundle
        self.run = run

    @classmethod
    def start(cls, site: SiteAggregates, urls: Urls,
              cache: HubLayout | None = None) -> SearchIndex:
        # Relative to the base path: Pagefind puts the path it is served from in front.
        records = [
            (urls.output_path(urls.paper(hub.paper.id)),
             record_page(hub.paper.title, hub.paper.authors, hub.paper.abstract,
                         hub.paper.date.text if hub.paper.date else "", hub.citing_count))
            for hub in site.hubs.values()]
        digest = records_digest(records) if cache else ""
        bundle = recall_bundle(cache, digest) if cache else None
        run = PagefindRun.start(records) if bundle is None else None
        return cls(urls, cache, digest, bundle, run)

    def files(self) -> list[PlannedFile]:
        """The files of the bundle, under <base path>/pagefind/ (waiting for Pagefind)."""
        if self.bundle is None:
            assert self.run is not None
            self.bundle = self.run.bundle()
            if self.cache:
                remember_bundle(self.cache, self.digest, self.bundle)
        urls, files = self.urls, []
        for path, data in self.bundle:
            relative = f"{BUNDLE}/{path}"
            files.append(PlannedFile(urls.output_path(urls.asset(relative)),
                                     urls.asset(relative), data=data,
                                     fingerprint=hashlib.blake2b(data, digest_size=16)
                                     .hexdigest()))
        return files

    def cancel(self) -> None:
        """Stop Pagefind, when the build fails before it needs the bundle."""
        if self.run is not None:
            self.run.stop()


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
        (the theme's search.js shows the results)."""
        try:
            stdout, stderr = self.process.communicate()
            if self.process.returncode != 0:
                raise SearchError((stderr or stdout).strip() or f"exit {self.process.returncode}")
            bundle = self.folder / "bundle"
            return [(path.relative_to(bundle).as_posix(), path.read_bytes())
                    for path in sorted(bundle.rglob("*"))
                    if path.is_file() and not path.name.startswith(UNUSED)]
        finally:
            self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def memory_folder() -> str | None:
    """Where Pagefind's temporary files go: tmpfs where the machine has one (it writes and
    reads back a page per paper and its whole bundle: three times slower on a disk)."""
    return MEMORY if os.path.isdir(MEMORY) and os.access(MEMORY, os.W_OK | os.X_OK) else None


def record_page(title: str, authors: tuple[str, ...], abstract: str, date: str,
                citing_count: int) -> str:
    """What Pagefind indexes for one paper; its meta are what a result shows."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><main data-pagefind-body>"
        f"<h1>{escape(title)}</h1><p>{escape(', '.join(authors))}</p>"
        f"<div>{escape(abstract)}</div>"
        f'<span data-pagefind-meta="date:{escape(date)}"></span>'
        f'<span data-pagefind-meta="citing:{citing_count}"></span>'
        "</main></body></html>"
    )
