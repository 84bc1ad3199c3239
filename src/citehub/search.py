"""The search index: Pagefind's bundle (its script, WebAssembly and index fragments), made
from the model, one small page per paper, by the Pagefind binary that the `pagefind[bin]`
package ships (nothing is downloaded). The theme's /search/ page queries it in the browser;
results show a paper's title, date and how many papers cite it.

Indexing the papers rather than the built site keeps list pages (filters, years, roles) out
of the results, and the index independent of the theme. Pagefind's temporary files go on
tmpfs where there is one, and a rebuild whose records are all as they were reuses the last
bundle (`incremental.search`).
"""

from __future__ import annotations

import hashlib
import os
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


def search_files(site: SiteAggregates, urls: Urls,
                 cache: HubLayout | None = None) -> list[PlannedFile]:
    """The files of the search bundle, under <base path>/pagefind/; with `cache`, the
    hub's last bundle when its records are all as they were."""
    # Relative to the base path: Pagefind puts the path it is served from in front.
    records = [
        (urls.output_path(urls.paper(hub.paper.id)),
         record_page(hub.paper.title, hub.paper.authors, hub.paper.abstract,
                     hub.paper.date.text if hub.paper.date else "", hub.citing_count))
        for hub in site.hubs.values()]
    digest = records_digest(records) if cache else ""
    bundle = recall_bundle(cache, digest) if cache else None
    if bundle is None:
        bundle = index(records)
        if cache:
            remember_bundle(cache, digest, bundle)
    files = []
    for path, data in bundle:
        relative = f"{BUNDLE}/{path}"
        files.append(PlannedFile(urls.output_path(urls.asset(relative)), urls.asset(relative),
                                 data=data,
                                 fingerprint=hashlib.blake2b(data, digest_size=16).hexdigest()))
    return files


def index(records: list[tuple[str, str]]) -> Bundle:
    """Pagefind's bundle for these (page path, page) records, in path order."""
    with tempfile.TemporaryDirectory(prefix="citehub-search-", dir=memory_folder()) as temporary:
        root = Path(temporary)
        pages, bundle = root / "pages", root / "bundle"
        for path, text in records:
            page = pages / path
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(text, encoding="utf-8")
        try:
            run = subprocess.run(
                [str(get_executable()), "--site", str(pages), "--output-path", str(bundle),
                 "--force-language", "en", "--silent"],
                capture_output=True, text=True, check=False)
        except (OSError, FileNotFoundError) as error:
            raise SearchError(f"cannot run Pagefind: {error}") from None
        if run.returncode != 0:
            raise SearchError((run.stderr or run.stdout).strip() or f"exit {run.returncode}")
        # Pagefind's own UIs are not used: the theme's search.js shows the results.
        return [(path.relative_to(bundle).as_posix(), path.read_bytes())
                for path in sorted(bundle.rglob("*"))
                if path.is_file() and not path.name.startswith(UNUSED)]


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
