"""The search index: Pagefind's bundle (its script, WebAssembly and index fragments), made
from the model, one small page per paper, by the Pagefind binary that the `pagefind[bin]`
package ships (nothing is downloaded). The theme's /search/ page queries it in the browser;
results show a paper's title, date and how many papers cite it.

Indexing the papers rather than the built site keeps list pages (filters, years, roles) out
of the results, and the index independent of the theme.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path

from markupsafe import escape
from pagefind_bin import get_executable  # type: ignore[import-untyped]

from citehub.aggregate import SiteAggregates
from citehub.pages import PlannedFile
from citehub.urls import Urls

BUNDLE = "pagefind"
UNUSED = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight")


class SearchError(Exception):
    """Pagefind failed (its message)."""


def search_files(site: SiteAggregates, urls: Urls) -> list[PlannedFile]:
    """The files of the search bundle, under <base path>/pagefind/."""
    with tempfile.TemporaryDirectory(prefix="citehub-search-") as temporary:
        root = Path(temporary)
        pages, bundle = root / "pages", root / "bundle"
        for hub in site.hubs.values():
            # Relative to the base path: Pagefind puts the path it is served from in front.
            page = pages / urls.output_path(urls.paper(hub.paper.id))
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(record_page(hub.paper.title, hub.paper.authors, hub.paper.abstract,
                                        hub.paper.date.text if hub.paper.date else "",
                                        hub.citing_count), encoding="utf-8")
        try:
            run = subprocess.run(
                [str(get_executable()), "--site", str(pages), "--output-path", str(bundle),
                 "--force-language", "en", "--silent"],
                capture_output=True, text=True, check=False)
        except (OSError, FileNotFoundError) as error:
            raise SearchError(f"cannot run Pagefind: {error}") from None
        if run.returncode != 0:
            raise SearchError((run.stderr or run.stdout).strip() or f"exit {run.returncode}")
        files = []
        for path in sorted(bundle.rglob("*")):
            # Pagefind's own UIs are not used: the theme's search.js shows the results.
            if path.is_file() and not path.name.startswith(UNUSED):
                relative = f"{BUNDLE}/{path.relative_to(bundle).as_posix()}"
                data = path.read_bytes()
                files.append(PlannedFile(urls.output_path(urls.asset(relative)),
                                         urls.asset(relative), data=data,
                                         fingerprint=hashlib.blake2b(data, digest_size=16)
                                         .hexdigest()))
        return files


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
