"""Every internal link of a build must resolve, inside the base path, before the site is used.

Links are read from the rendered HTML with a regular expression, not an HTML parser: every
attribute in our output is double-quoted (Jinja's autoescape and markdown-it both write it
so), and a regular expression keeps this check cheap on sites of tens of thousands of pages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

LINK = re.compile(rb'\s(?:href|src)="([^"]*)"')
ID = re.compile(rb'\sid="([^"]*)"')
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _text(attribute: bytes) -> str:
    text = attribute.decode()
    return html.unescape(text) if "&" in text else text


@dataclass(frozen=True)
class PageLinks:
    """What the link check needs of one rendered page: its links (with their line) and ids."""

    links: list[tuple[str, int]]
    ids: set[str]


def extract(data: bytes) -> PageLinks:
    links = []
    line, counted = 1, 0
    for match in LINK.finditer(data):
        # Lines counted from the previous link on: one pass over the page, not one per link.
        line += data.count(b"\n", counted, match.start())
        counted = match.start()
        links.append((_text(match.group(1)), line))
    return PageLinks(links, {_text(match.group(1)) for match in ID.finditer(data)})


def ids_in_file(root: Path, path: str) -> set[str]:
    """The ids of a page already written below `root` (a kept page of an in-place update)."""
    try:
        return extract((root / path).read_bytes()).ids
    except OSError:
        return set()


@dataclass(frozen=True)
class BrokenLink:
    page: str  # the URL of the page that has the link
    template: str | None  # the template that rendered the page
    target: str  # the link as written
    line: int  # in the rendered page
    reason: str


@dataclass
class LinkChecker:
    base_path: str
    files: set[str] = field(default_factory=set)  # every output path, relative to the site
    pages: dict[str, tuple[str, str | None, list[tuple[str, int]]]] = field(default_factory=dict)
    ids: dict[str, set[str]] = field(default_factory=dict)
    # Most links are absolute and repeat on every page (navigation, tags): judge each once.
    _absolute: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    # The ids of a page this build did not render (it kept the one in place), when asked.
    ids_of: Callable[[str], set[str]] | None = None

    def add_file(self, path: str) -> None:
        self.files.add(path)

    def add_page(self, path: str, url: str, template: str | None, found: PageLinks) -> None:
        self.add_file(path)
        self.pages[path] = (url, template, found.links)
        self.ids[path] = found.ids

    def broken(self) -> list[BrokenLink]:
        found: list[BrokenLink] = []
        for path, (url, template, links) in sorted(self.pages.items()):
            for target, line in links:
                reason = self.problem(path, url, target)
                if reason:
                    found.append(BrokenLink(url, template, target, line, reason))
        return found

    def problem(self, path: str, page_url: str, target: str) -> str | None:
        """Why `target`, linked from the page at `path`, is broken; None when it is fine."""
        if SCHEME.match(target) or target.startswith("//"):
            return None  # another site: not ours to check here
        if target.startswith("#"):
            return self._missing_anchor(path, target[1:])
        if target.startswith("/"):
            if target not in self._absolute:
                self._absolute[target] = self._resolve(target)
            existing, anchor = self._absolute[target]
        else:
            existing, anchor = self._resolve(urljoin(page_url, target))
        if existing is None:
            return anchor  # the reason it failed
        return self._missing_anchor(existing, anchor) if anchor else None

    def _resolve(self, url: str) -> tuple[str | None, str | None]:
        """(the file a root-relative URL serves, its fragment), or (None, why not)."""
        parts = urlsplit(url)
        location = unquote(parts.path)
        if not location.startswith(self.base_path):
            return None, f"leaves the site's base path {self.base_path}"
        relative = location[len(self.base_path):]
        candidates = [relative + "index.html"] if relative.endswith("/") or not relative else [
            relative, relative + "/index.html"]
        existing = next((candidate for candidate in candidates if candidate in self.files), None)
        if existing is None:
            return None, "points to no page or file of the site"
        return existing, parts.fragment or None

    def _missing_anchor(self, path: str, anchor: str) -> str | None:
        if not anchor:
            return None
        if path not in self.ids and self.ids_of is not None:
            self.ids[path] = self.ids_of(path)
        if anchor in self.ids.get(path, set()):
            return None
        return f"points to #{anchor}, which is not on that page"
