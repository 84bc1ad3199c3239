"""The site map: every output file, the template that renders it, and how its view is made.

Every planned file carries a fingerprint: the same fingerprint, the same bytes. It is made
from the layout digest (templates, static files, hub.yaml, citehub itself, the build
options) and the digests of what the page shows (see views), without making the page's
view, so a rebuild can tell the pages an edit touched from the thousands it did not. A
page's view is made only when it is rendered (`PlannedFile.more`, called in the worker).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from citehub.aggregate import Hub, SiteAggregates
from citehub.config import HubConfig
from citehub.exports import hub_csv, hub_json, paper_bibtex, papers_json
from citehub.urls import Urls
from citehub.views import Views, by_filter


@dataclass(frozen=True)
class PlannedFile:
    """One output file: rendered from a template with a context, or given as bytes (or made
    by `produce` when it is written, so that the work happens in the rendering workers)."""

    path: str  # relative to the output folder, "/"-separated
    url: str
    template: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None
    in_sitemap: bool = False
    produce: Callable[[], bytes] | None = None
    more: Callable[[], dict[str, Any]] | None = None  # the rest of the context, made late
    fingerprint: str = ""


class PlanError(Exception):
    """Two inputs would write the same output file."""


class Planner:
    def __init__(self, config: HubConfig, site: SiteAggregates, layout: str = "") -> None:
        self.config = config
        self.layout = layout  # digest of what every page depends on
        self.site = site
        self.urls = Urls.of(config)
        self.views = Views(config, site)
        self.paginator = self.views.paginator

    def plan(self) -> list[PlannedFile]:
        files: list[PlannedFile] = []
        files.extend(self.index_pages())
        for hub in self.site.hubs.values():
            files.extend(self.hub_files(hub))
        files.extend(self.role_pages())
        files.extend(self.polarity_pages())
        files.extend(self.year_pages())
        files.append(self.page(self.urls.not_found(), "404.html", title="Page not found",
                               in_sitemap=False))
        bundles = self.urls.search_bundles(self.site.hubs)
        files.append(self.page(self.urls.search(), "search.html", title="Search",
                               in_sitemap=False, parts=bundles, bundles=bundles))
        files.extend(self.feed_files())
        files.append(PlannedFile(".nojekyll", self.urls.asset(".nojekyll"),
                                 data=b"", fingerprint="empty"))
        return files

    def fingerprint(self, url: str, *parts: str) -> str:
        digest = hashlib.blake2b(self.layout.encode(), digest_size=16)
        for part in (url, *parts):
            digest.update(b"\0" + part.encode())
        return digest.hexdigest()

    def page(self, url: str, template: str, *, title: str, in_sitemap: bool = True,
             parts: Sequence[str] = (), more: Callable[[], dict[str, Any]] | None = None,
             **context: Any) -> PlannedFile:
        """A page; `parts` are digests of everything its view shows."""
        return PlannedFile(
            self.urls.output_path(url), url, template,
            {"title": title, "url": url, "canonical": self.urls.absolute(url), **context},
            in_sitemap=in_sitemap, more=more,
            fingerprint=self.fingerprint(url, template, title, *parts),
        )

    def list_pages(
        self,
        digests: Sequence[str],
        url_of: Callable[[int], str],
        template: str,
        *,
        title: str,
        shared: Sequence[str] = (),
        more: Callable[[int], dict[str, Any]],
    ) -> Iterator[PlannedFile]:
        """The pages of a list whose items have these `digests`: page `number` shows what
        `shared` digests and its own items, and `more(number)` makes its view."""
        count = self.paginator.count(len(digests))
        for number in range(1, count + 1):
            yield self.page(url_of(number), template,
                            title=self.paginator.title(title, number, count),
                            parts=(*shared, *self.paginator.chunk(digests, number),
                                   str(len(digests)), str(count)),
                            more=partial(more, number))

    def index_pages(self) -> Iterator[PlannedFile]:
        cards = self.views.card_digests
        ranked = [cards[paper_id] for paper_id in self.site.ranking]
        yield from self.list_pages(
            ranked, self.urls.home, "index.html",
            title=self.config.title, shared=[repr(self.views.totals()), self.year_span()],
            more=self.views.index_page)
        json_url = self.urls.papers_json()
        yield PlannedFile(self.urls.output_path(json_url), json_url,
                          produce=partial(papers_json, self.site),
                          fingerprint=self.fingerprint(json_url, *ranked))

    def year_span(self) -> str:
        """The first and last year of the site's papers: the bounds of the index's year filter."""
        years = list(self.site.papers_by_year)
        return f"{years[-1]}-{years[0]}" if years else ""

    def hub_files(self, hub: Hub) -> Iterator[PlannedFile]:
        """A paper's pages and exports."""
        paper_id = hub.paper.id
        views = self.views
        view_digest = views.hub_view_digest(hub)
        citing = views.citing_digests(hub.citing)
        own = views.card_digests[paper_id]
        yield from self.list_pages(
            citing, partial(self.urls.paper, paper_id), "paper.html", title=hub.paper.title,
            shared=[view_digest], more=partial(views.hub_page, hub))
        json_url = self.urls.paper_json(paper_id)
        yield PlannedFile(
            self.urls.output_path(json_url), json_url, produce=partial(hub_json, hub, self.urls),
            fingerprint=self.fingerprint(json_url, view_digest, *citing),
        )
        bibtex_url = self.urls.paper_bibtex(paper_id)
        yield PlannedFile(
            self.urls.output_path(bibtex_url), bibtex_url,
            produce=partial(paper_bibtex, hub.paper, self.urls),
            fingerprint=self.fingerprint(bibtex_url, own),
        )
        if hub.citing:  # a CSV and a feed of its citing papers, when it has some
            csv_url = self.urls.paper_csv(paper_id)
            yield PlannedFile(
                self.urls.output_path(csv_url), csv_url, produce=partial(hub_csv, hub, self.urls),
                fingerprint=self.fingerprint(csv_url, *citing),
            )
        if hub.citing and self.urls.origin:  # Atom wants absolute URLs
            feed_url = self.urls.paper_feed(paper_id)
            yield PlannedFile(
                self.urls.output_path(feed_url), feed_url, "feed.xml",
                more=partial(views.hub_feed, hub),
                fingerprint=self.fingerprint(
                    feed_url, own, *(self.views.card_digests[paper.id]
                                     for paper in views.hub_feed_papers(hub))),
            )
        if views.has_filter_pages(hub):
            yield from self.filter_pages(hub, view_digest)

    def paper_file(self, path: str) -> PlannedFile | None:
        """The planned file at `path` when it is one of a paper's files, planned without the
        rest of the site (a preview renders the page being viewed first)."""
        paper_id = self.urls.paper_of(path)
        hub = self.site.hubs.get(paper_id) if paper_id is not None else None
        if hub is None:
            return None
        return next((file for file in self.hub_files(hub) if file.path == path), None)

    def filter_pages(self, hub: Hub, view_digest: str) -> Iterator[PlannedFile]:
        paper_id = hub.paper.id
        title = hub.paper.title
        views = self.views
        shown = by_filter(hub)
        pages = [(axis, term, f"as {labels[term].lower()}")
                 for axis, counts, labels in (("role", hub.roles, views.roles),
                                              ("polarity", hub.polarities, views.polarities))
                 for term in counts]
        pages += [("year", str(year), f"in {year}") for year in hub.years]
        for axis, term, how in pages:
            entries = shown[axis, term]
            yield from self.list_pages(
                views.citing_digests(entries),
                partial(self.urls.paper_filter, paper_id, axis, term), "filter.html",
                title=f"Citing “{title}” {how}", shared=[view_digest],
                more=partial(views.filter_page, hub, axis, term, entries))

    def role_pages(self) -> Iterator[PlannedFile]:
        summary = self.views.role_rows()
        yield self.page(self.urls.roles(), "roles.html", title="Citations by role",
                        parts=[repr(summary)], rows=summary)
        for role, entries in self.site.role_citations.items():
            yield from self.list_pages(
                self.views.site_wide_entry_digests(entries), partial(self.urls.role, role),
                "role.html", title=f"{self.views.roles[role]} citations",
                more=partial(self.views.role_page, role))

    def polarity_pages(self) -> Iterator[PlannedFile]:
        summary = self.views.polarity_rows()
        yield self.page(self.urls.polarities(), "polarities.html", title="Citations by polarity",
                        parts=[repr(summary)], rows=summary)
        for polarity, entries in self.site.polarity_citations.items():
            yield from self.list_pages(
                self.views.site_wide_entry_digests(entries), partial(self.urls.polarity, polarity),
                "polarity.html", title=self.views.polarity_title(polarity),
                more=partial(self.views.polarity_page, polarity))

    def year_pages(self) -> Iterator[PlannedFile]:
        summary = self.views.year_rows()
        yield self.page(self.urls.years(), "years.html", title="Papers by year",
                        parts=[repr(summary)], rows=summary)
        cards = self.views.card_digests
        for year, papers in self.site.papers_by_year.items():
            yield from self.list_pages(
                [cards[paper.id] for paper in papers], partial(self.urls.year, year),
                "year.html", title=f"Papers of {year}",
                more=partial(self.views.year_page, year))

    def feed_files(self) -> Iterator[PlannedFile]:
        cards = self.views.card_digests
        if self.urls.origin:  # Atom wants absolute URLs (and so does a sitemap)
            newest = [cards[paper.id] for paper in self.views.site_feed_papers()]
            yield PlannedFile(self.urls.output_path(self.urls.feed()), self.urls.feed(),
                              "feed.xml", more=self.views.site_feed,
                              fingerprint=self.fingerprint(self.urls.feed(), *newest))
        yield PlannedFile("robots.txt", self.urls.asset("robots.txt"),
                          "robots.txt", {},
                          fingerprint=self.fingerprint(self.urls.asset("robots.txt")))


def plan_sitemap(files: list[PlannedFile], urls: Urls, layout: str) -> PlannedFile:
    locations = sorted(urls.absolute(file.url) for file in files if file.in_sitemap)
    digest = hashlib.blake2b(layout.encode(), digest_size=16)
    digest.update("\n".join(locations).encode())
    return PlannedFile(urls.output_path(urls.sitemap()), urls.sitemap(), "sitemap.xml",
                       {"locations": locations}, fingerprint=digest.hexdigest())


def check_collisions(files: list[PlannedFile]) -> None:
    seen: dict[str, str] = {}
    for file in files:
        # Case-folded: a checkout on macOS or Windows would merge the two files.
        key = file.path.casefold()
        if key in seen:
            raise PlanError(f"{file.url} and {seen[key]} would both be written to {file.path}")
        seen[key] = file.url


def plan_site(config: HubConfig, site: SiteAggregates, layout: str = "") -> list[PlannedFile]:
    """Every output file; two that would write the same path are a PlanError.

    `layout`: the digest of the templates, static files, hub.yaml, citehub and the build
    options, the inputs every page depends on; it goes into every fingerprint.
    """
    files = Planner(config, site, layout).plan()
    if config.origin:  # a sitemap's locations are absolute URLs
        files.append(plan_sitemap(files, Urls.of(config), layout))
    check_collisions(files)
    return files
