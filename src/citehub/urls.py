"""The one place that knows the base path and every URL pattern of a hub site.

Every URL a page prints comes from here, already prefixed with the base path, so a project
site under /<repo>/ on GitHub Pages has no link that escapes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from citehub.config import HubConfig

FilterAxis = str  # "role", "year" or "polarity": the path segment of a per-paper filter page

# Papers per search bundle. Pagefind indexes a bundle whole, in memory: split, an edit
# re-indexes only the bundle holding the paper, and no Pagefind process holds the whole hub.
# The search page merges the bundles (Pagefind's mergeIndex).
SEARCH_BUNDLE_PAPERS = 2000


@dataclass(frozen=True)
class Urls:
    base_path: str  # "/" or "/repo/"
    origin: str  # "https://example.github.io", or "" when base_url is a bare path

    @classmethod
    def of(cls, config: HubConfig) -> Urls:
        return cls(config.base_path, config.origin)

    @staticmethod
    def paged(url: str, page: int) -> str:
        return url if page <= 1 else f"{url}page/{page}/"

    def home(self, page: int = 1) -> str:
        return self.paged(self.base_path, page)

    def paper(self, paper_id: str, page: int = 1) -> str:
        return self.paged(f"{self.base_path}papers/{paper_id}/", page)

    def papers_json(self) -> str:
        """Every paper, for the index page's sorting and year filter in the browser."""
        return f"{self.base_path}papers.json"

    def paper_json(self, paper_id: str) -> str:
        return f"{self.base_path}papers/{paper_id}/index.json"

    def paper_bibtex(self, paper_id: str) -> str:
        return f"{self.base_path}papers/{paper_id}/cite.bib"

    def paper_csv(self, paper_id: str) -> str:
        return f"{self.base_path}papers/{paper_id}/citing.csv"

    def paper_feed(self, paper_id: str) -> str:
        return f"{self.base_path}papers/{paper_id}/feed.xml"

    def paper_filter(self, paper_id: str, axis: FilterAxis, term: str | int, page: int = 1) -> str:
        return self.paged(f"{self.base_path}papers/{paper_id}/{axis}/{term}/", page)

    def paper_explorer(self, paper_id: str, axis: FilterAxis, term: str | int) -> str:
        """The hub's list filtered in the browser: what a filter link is on a hub without
        filter pages (without JavaScript it is the whole list, which that hub shows whole)."""
        return f"{self.paper(paper_id)}?{urlencode({axis: term})}#citing"

    def paper_explorer_range(self, paper_id: str, first: int, last: int) -> str:
        """The hub's list kept to a range of years by the explorer: what a bar of several
        years links to (no static page is written per range)."""
        return f"{self.paper(paper_id)}?{urlencode({'from': first, 'to': last})}#citing"

    def roles(self) -> str:
        return f"{self.base_path}roles/"

    def role(self, term: str, page: int = 1) -> str:
        return self.paged(f"{self.base_path}roles/{term}/", page)

    def polarities(self) -> str:
        return f"{self.base_path}polarities/"

    def polarity(self, term: str, page: int = 1) -> str:
        return self.paged(f"{self.base_path}polarities/{term}/", page)

    def years(self) -> str:
        return f"{self.base_path}years/"

    def year(self, year: int, page: int = 1) -> str:
        return self.paged(f"{self.base_path}years/{year}/", page)

    def asset(self, name: str) -> str:
        return f"{self.base_path}{name}"

    def search_bundle(self, paper_id: str, paper_count: int) -> str:
        """The folder of the search bundle that indexes this paper: by a hash of its id, so
        that a paper stays in its bundle while others come and go."""
        count = -(-paper_count // SEARCH_BUNDLE_PAPERS)
        digest = hashlib.blake2b(paper_id.encode(), digest_size=4).digest()
        shard = int.from_bytes(digest, "big") % count if count > 1 else 0
        return self.asset("pagefind/" if shard == 0 else f"pagefind/shards/{shard}/")

    def search_bundles(self, paper_ids: Iterable[str]) -> list[str]:
        """The folders of the bundles these papers are indexed in, the main one first (the
        search page loads its script); a bundle no paper falls in is not made."""
        ids = list(paper_ids)
        folders = {self.search_bundle(paper_id, len(ids)) for paper_id in ids}
        main = self.asset("pagefind/")
        return sorted(folders, key=lambda folder: (folder != main, len(folder), folder))

    def feed(self) -> str:
        return f"{self.base_path}feed.xml"

    def sitemap(self) -> str:
        return f"{self.base_path}sitemap.xml"

    def search(self) -> str:
        return f"{self.base_path}search/"

    def not_found(self) -> str:
        return f"{self.base_path}404.html"

    def absolute(self, url: str) -> str:
        """The full URL for feeds, sitemaps and canonical links."""
        return self.origin + url

    @staticmethod
    def paper_of(path: str) -> str | None:
        """The id of the paper whose pages include the output file `path` (papers/<id>/…)."""
        parts = path.split("/")
        return parts[1] if len(parts) > 2 and parts[0] == "papers" else None

    def output_path(self, url: str) -> str:
        """The file under the output folder that serves `url`, as a relative POSIX path."""
        if not url.startswith(self.base_path):
            raise ValueError(f"{url} is outside the base path {self.base_path}")
        relative = url[len(self.base_path):]
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        return relative


# A new paper file citing this one, as GitHub's "new file" page prefills it.
SUGGESTION = """\
---
title: Title of the citing paper
authors: []
date:  # YYYY-MM-DD
cites:
  - paper: "{paper_id}"
    role:  # {roles}
    polarity:  # {polarities}
    context: "The sentence that cites it."
---
The abstract of the citing paper.
"""


@dataclass(frozen=True)
class RepoUrls:
    """Links into the hub's GitHub repository, for editing content through pull requests."""

    repo_url: str  # https://github.com/owner/repo, no trailing slash
    branch: str

    def paper_file(self, paper_id: str) -> str:
        return f"content/papers/{paper_id}.md"

    def edit(self, paper_id: str) -> str:
        return f"{self.repo_url}/edit/{quote(self.branch)}/{self.paper_file(paper_id)}"

    def suggest_citation(self, paper_id: str, roles: list[str], polarities: list[str]) -> str:
        value = SUGGESTION.format(paper_id=paper_id, roles=", ".join(roles),
                                  polarities=", ".join(polarities))
        query = urlencode({"filename": "NEW-PAPER-ID.md", "value": value}, quote_via=quote)
        return f"{self.repo_url}/new/{quote(self.branch)}/content/papers?{query}"
