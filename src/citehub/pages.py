"""The page plan: every output file, the template that renders it and the view it gets.

Views are small frozen records prepared here, so templates never query the corpus and no
template loops over all papers inside a per-paper page. Lists longer than `paginate`
continue on …/page/N/, so no page grows with the size of the hub.

Every planned file carries a fingerprint: the same fingerprint, the same bytes. It is made
from digests of what the page shows (each paper's file and what its hub adds, and the
layout: templates, static files, hub.yaml, citehub itself), without making the page's view,
so a rebuild can tell the pages an edit touched from the thousands it did not. The views of
a hub's pages are made only when one of them is rendered.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

from citehub.aggregate import CitingEntry, Hub, SiteAggregates, newest_first
from citehub.charts import Distribution, YearChart, distribution, year_chart
from citehub.config import Axis, HubConfig
from citehub.exports import hub_csv, paper_bibtex, venue_kind
from citehub.model import Citation, Paper
from citehub.urls import RepoUrls, Urls

T = TypeVar("T")
FEED_ENTRIES = 50


# -- views ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkView:
    kind: str
    label: str
    url: str
    text: str


@dataclass(frozen=True)
class PaperCard:
    """A paper as it appears in any list, and at the top of its own page."""

    id: str
    title: str
    url: str
    authors: tuple[str, ...]
    date: str | None
    year: int | None
    categories: tuple[str, ...]
    venue: str | None
    verdict: str | None
    novelty: str | None  # "7.0"
    summary: str | None
    citing_count: int
    kind: str | None
    facts: str  # "cs.LG · 2026-06-08 · unverdicted · novelty 7.0", as lists show it
    listing_facts: str  # the same with the venue, for lists of papers (index, years)


@dataclass(frozen=True)
class TermView:
    term: str
    label: str
    url: str | None  # its filter page, when there is one


@dataclass(frozen=True)
class CitationItem:
    """One citation in a list: the paper on the other end, and how it cites."""

    paper: PaperCard
    role: TermView | None
    polarity: TermView | None
    refs: int | None
    contexts: tuple[str, ...]
    cited: PaperCard | None = None  # set on site-wide lists, where the cited paper varies


@dataclass(frozen=True)
class SummaryRow:
    term: str
    label: str
    count: int
    percent: int  # of classified citations (roles, polarities) or of citing papers (years)
    url: str | None
    bar: int = 0  # bar length in percent of the largest row, for the charts


@dataclass(frozen=True)
class KindView:
    label: str
    sentence: str


@dataclass(frozen=True)
class HubView:
    paper: PaperCard
    abstract: str  # Markdown; the template renders it with the `markdown` filter
    links: tuple[LinkView, ...]
    citing_count: int
    classified_count: int
    kind: KindView | None
    headline: SummaryRow | None  # the leading share, "Background 83% of classified citations"
    years: tuple[SummaryRow, ...]
    roles: tuple[SummaryRow, ...]
    polarities: tuple[SummaryRow, ...]
    representative: tuple[CitationItem, ...]
    references: tuple[CitationItem, ...]
    year_chart: YearChart | None
    role_chart: Distribution | None
    polarity_chart: Distribution | None
    has_filter_pages: bool
    json_url: str
    bibtex_url: str
    csv_url: str
    feed_url: str
    edit_url: str | None  # the paper's file on GitHub, when hub.yaml names repo_url
    suggest_url: str | None  # a prefilled new paper file that cites this one
    # Google Scholar's Highwire Press tags, (name, content) in order; schema.org JSON-LD.
    scholar: tuple[tuple[str, str], ...] = ()
    json_ld: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedView:
    """An Atom feed's own fields: the site's newest papers, or a paper's newest citing ones."""

    title: str
    subtitle: str | None
    id: str
    self_url: str
    alternate_url: str


@dataclass(frozen=True)
class Pagination:
    number: int
    count: int
    total_items: int
    first_index: int  # 1-based position of this page's first item, for <ol start>
    prev_url: str | None
    next_url: str | None
    pages: tuple[tuple[int, str], ...]


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


# -- formatting ------------------------------------------------------------------------------


def percent(share: float) -> int:
    # Round half up, as people do: 5/6 → 83, 1/8 → 13 (Python's round() would give 12).
    return int(share * 100 + 0.5)


def novelty_text(novelty: float | None) -> str | None:
    return None if novelty is None else f"{novelty:.1f}"


# -- the plan --------------------------------------------------------------------------------


class Planner:
    def __init__(self, config: HubConfig, site: SiteAggregates, layout: str = "") -> None:
        self.config = config
        self.layout = layout  # digest of what every page depends on
        self.site = site
        self.urls = Urls.of(config)
        self.repo = RepoUrls(config.repo_url, config.repo_branch) if config.repo_url else None
        self.roles = config.vocabulary.roles
        self.polarities = config.vocabulary.polarities
        self._cards: dict[str, PaperCard] = {}
        self._terms: dict[tuple[str, Axis, str], TermView] = {}
        # A hub's citing items, made once for its list, representative papers and filter
        # pages: one object per citation lets the renderer render it once for all of them.
        self._citing_items: dict[int, CitationItem] = {}
        self._hub_lists: dict[str, tuple[HubView, list[CitationItem]]] = {}
        self._chosen: dict[tuple[str, str, str], list[CitationItem]] = {}

    def plan(self) -> list[PlannedFile]:
        files: list[PlannedFile] = []
        files.extend(self.index_pages())
        for paper_id in self.site.hubs:
            files.extend(self.hub_files(self.site.hubs[paper_id]))
        files.extend(self.role_pages())
        files.extend(self.year_pages())
        files.append(self.page(self.urls.not_found(), "404.html", title="Page not found",
                               in_sitemap=False))
        files.append(self.page(self.urls.search(), "search.html", title="Search",
                               in_sitemap=False))
        files.extend(self.feed_files())
        files.append(PlannedFile(".nojekyll", self.urls.asset(".nojekyll"),
                                 data=b"", fingerprint="empty"))
        return files

    def page(self, url: str, template: str, *, title: str, in_sitemap: bool = True,
             parts: Sequence[str] = (), more: Callable[[], dict[str, Any]] | None = None,
             **context: Any) -> PlannedFile:
        """A page; `parts` are digests of everything its view shows (see fingerprint)."""
        return PlannedFile(
            self.urls.output_path(url), url, template,
            {"title": title, "url": url, "canonical": self.urls.absolute(url), **context},
            in_sitemap=in_sitemap, more=more,
            fingerprint=self.fingerprint(url, template, title, *parts),
        )

    # -- fingerprints ---------------------------------------------------------------------

    def fingerprint(self, url: str, *parts: str) -> str:
        digest = hashlib.blake2b(self.layout.encode(), digest_size=16)
        for part in (url, *parts):
            digest.update(b"\0" + part.encode())
        return digest.hexdigest()

    @functools.cached_property
    def card_digests(self) -> dict[str, str]:
        """For every paper, a digest of what it shows wherever it appears: its file's text,
        the citations kept of it (drafts drop some), and what its hub adds to its card."""
        found: dict[str, str] = {}
        for paper_id, hub in self.site.hubs.items():
            paper = hub.paper
            kind = hub.kind.label if hub.kind else ""
            cited = ",".join(citation.cited_id for citation in paper.cites)
            text = (f"{paper.id}\0{paper.digest}\0{cited}\0{hub.citing_count}\0{kind}\0"
                    f"{self.has_filter_pages(hub)}")
            found[paper_id] = hashlib.blake2b(text.encode(), digest_size=10).hexdigest()
        return found

    def card_digest_of(self, card: PaperCard) -> str:
        return self.card_digests[card.id]

    def hub_view_digest(self, hub: Hub) -> str:
        """Everything in the view all of a hub's pages get (besides their own list): the
        paper, its counts and badge, its representative citing papers, its references."""
        cards = self.card_digests
        kind = f"{hub.kind.label}:{hub.kind.share}" if hub.kind else ""
        parts = [cards[hub.paper.id], repr(dict(hub.years)), repr(dict(hub.roles)),
                 repr(dict(hub.polarities)), str(hub.classified_count), kind]
        parts.extend(cards[entry.paper.id] for entry in hub.representative)
        parts.append("references")
        parts.extend(cards[entry.paper.id] for entry in hub.references)
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()

    def chunk_parts(self, view_digest: str, digests: Sequence[str], number: int) -> list[str]:
        """What page `number` of a list shows: the hub's view and the cards on that page."""
        start = (number - 1) * self.config.paginate
        return [view_digest, *digests[start:start + self.config.paginate]]

    # -- views of the model ---------------------------------------------------------------

    def card(self, paper: Paper) -> PaperCard:
        card = self._cards.get(paper.id)
        if card is None:
            hub = self.site.hubs[paper.id]
            novelty = novelty_text(paper.novelty)
            date = paper.date.text if paper.date else None
            # Formatted once here, not in the template for every list it appears in.
            facts = [", ".join(paper.categories), date, paper.verdict,
                     f"novelty {novelty}" if novelty else None]
            listing = [*facts[:2], paper.venue, *facts[2:]]
            card = PaperCard(
                id=paper.id, title=paper.title, url=self.urls.paper(paper.id),
                authors=paper.authors, date=date,
                year=paper.year, categories=paper.categories, venue=paper.venue,
                verdict=paper.verdict, novelty=novelty,
                summary=paper.summary, citing_count=hub.citing_count,
                kind=hub.kind.label if hub.kind else None,
                facts=" · ".join(part for part in facts if part),
                listing_facts=" · ".join(part for part in listing if part),
            )
            self._cards[paper.id] = card
        return card

    def has_filter_pages(self, hub: Hub) -> bool:
        return hub.citing_count >= self.config.filter_pages_min_citing

    def term_view(self, hub: Hub, axis: Axis, term: str | None) -> TermView | None:
        if term is None:
            return None
        key = (hub.paper.id, axis, term)
        view = self._terms.get(key)
        if view is None:
            labels = self.roles if axis == "role" else self.polarities
            url = (self.urls.paper_filter(hub.paper.id, axis, term)
                   if self.has_filter_pages(hub) else None)
            view = self._terms[key] = TermView(term, labels[term], url)
        return view

    def citation_item(self, cited: Hub, shown: Paper, citation: Citation) -> CitationItem:
        """A citation of `cited`, showing `shown` (the citing paper, or on a paper's list of
        references the cited one); role and polarity link to the cited hub's filter pages."""
        return CitationItem(
            paper=self.card(shown),
            role=self.term_view(cited, "role", citation.role),
            polarity=self.term_view(cited, "polarity", citation.polarity),
            refs=citation.refs, contexts=citation.contexts,
        )

    def citing_item(self, hub: Hub, entry: CitingEntry) -> CitationItem:
        # Keyed by identity: the hub's entries live as long as the plan.
        item = self._citing_items.get(id(entry))
        if item is None:
            item = self._citing_items[id(entry)] = self.citation_item(hub, entry.paper,
                                                                      entry.citation)
        return item

    def reference_item(self, entry: CitingEntry) -> CitationItem:
        return self.citation_item(self.site.hubs[entry.paper.id], entry.paper, entry.citation)

    def hub_view(self, hub: Hub) -> HubView:
        paper = hub.paper
        filter_pages = self.has_filter_pages(hub)

        def rows(axis: Axis, counts: dict[str, int] | Any) -> tuple[SummaryRow, ...]:
            labels = self.roles if axis == "role" else self.polarities
            return tuple(
                SummaryRow(term, labels[term], count, percent(hub.share(count)),
                           self.urls.paper_filter(paper.id, axis, term) if filter_pages else None)
                for term, count in counts.items()
            )

        roles, polarities = rows("role", hub.roles), rows("polarity", hub.polarities)
        years = tuple(
            SummaryRow(str(year), str(year), count, percent(count / hub.citing_count),
                       self.urls.paper_filter(paper.id, "year", year) if filter_pages else None)
            for year, count in hub.years.items()
        )
        roles, polarities, years = with_bars(roles), with_bars(polarities), with_bars(years)
        kind = None
        headline = None
        if hub.kind is not None:
            labels = self.roles if hub.kind.axis == "role" else self.polarities
            term_label = labels[hub.kind.term]
            kind = KindView(
                hub.kind.label,
                f"{hub.kind.label}. {percent(hub.kind.share)}% of classified citations cite "
                f"this work as {term_label.lower()}.",
            )
            headline = next(row for row in (roles if hub.kind.axis == "role" else polarities)
                            if row.term == hub.kind.term)
        elif polarities or roles:
            headline = max(polarities or roles, key=lambda row: row.count)
        return HubView(
            paper=self.card(paper), abstract=paper.abstract,
            links=tuple(LinkView(link.kind, LINK_LABELS[link.kind], link.url, link.text)
                        for link in paper.links),
            citing_count=hub.citing_count, classified_count=hub.classified_count,
            kind=kind, headline=headline, years=years, roles=roles, polarities=polarities,
            year_chart=year_chart(hub.years, {int(row.term): row.url for row in years}),
            role_chart=self.axis_chart(hub, "role", roles),
            polarity_chart=self.axis_chart(hub, "polarity", polarities),
            has_filter_pages=filter_pages,
            representative=tuple(self.citing_item(hub, entry) for entry in hub.representative),
            references=tuple(self.reference_item(entry) for entry in hub.references),
            json_url=self.urls.paper_json(paper.id),
            bibtex_url=self.urls.paper_bibtex(paper.id), csv_url=self.urls.paper_csv(paper.id),
            feed_url=self.urls.paper_feed(paper.id),
            edit_url=self.repo.edit(paper.id) if self.repo else None,
            suggest_url=self.repo.suggest_citation(
                paper.id, list(self.roles), list(self.polarities)) if self.repo else None,
            scholar=self.scholar_tags(hub), json_ld=self.json_ld(hub),
        )

    # -- metadata for search engines and reference managers -------------------------------

    def pdf_url(self, paper: Paper) -> str | None:
        pdf = next((link.url for link in paper.links if link.kind == "pdf"), None)
        arxiv = paper.identifiers.get("arxiv")
        return pdf or (f"https://arxiv.org/pdf/{arxiv}" if arxiv else None)

    def scholar_tags(self, hub: Hub) -> tuple[tuple[str, str], ...]:
        """Highwire Press tags, as Google Scholar's inclusion guidelines ask for them."""
        paper = hub.paper
        tags = [("citation_title", paper.title)]
        tags += [("citation_author", author) for author in paper.authors]
        if paper.date is not None:
            tags.append(("citation_publication_date", paper.date.text.replace("-", "/")))
        kind = venue_kind(paper.venue)
        if kind and paper.venue:
            tags.append((f"citation_{kind}_title", paper.venue))
        identifiers = paper.identifiers
        if "doi" in identifiers:
            tags.append(("citation_doi", identifiers["doi"]))
        if "arxiv" in identifiers:
            tags.append(("citation_arxiv_id", identifiers["arxiv"]))
        pdf = self.pdf_url(paper)
        if pdf:
            tags.append(("citation_pdf_url", pdf))
        if self.urls.origin:
            tags.append(("citation_abstract_html_url", self.urls.absolute(
                self.urls.paper(paper.id))))
        return tuple(tags)

    def json_ld(self, hub: Hub) -> dict[str, Any]:
        """schema.org's ScholarlyArticle: the paper, its identifiers and what it cites."""
        paper = hub.paper
        url = self.urls.absolute(self.urls.paper(paper.id))
        identifiers = paper.identifiers
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "ScholarlyArticle", "@id": url,
            "url": url, "name": paper.title, "headline": paper.title[:110],
            "author": [{"@type": "Person", "name": author} for author in paper.authors],
        }
        if paper.date is not None:
            data["datePublished"] = paper.date.text
        if paper.summary:
            data["description"] = paper.summary
        if identifiers:
            data["identifier"] = [
                {"@type": "PropertyValue", "propertyID": "DOI" if kind == "doi" else "arXiv",
                 "value": value} for kind, value in sorted(identifiers.items())]
            data["sameAs"] = [f"https://doi.org/{value}" if kind == "doi" else
                              f"https://arxiv.org/abs/{value}"
                              for kind, value in sorted(identifiers.items())]
        if paper.venue:
            data["isPartOf"] = {"@type": "Periodical", "name": paper.venue}
        if hub.references:
            data["citation"] = [
                {"@type": "ScholarlyArticle", "name": entry.paper.title,
                 "url": self.urls.absolute(self.urls.paper(entry.paper.id))}
                for entry in hub.references]
        return data

    def axis_chart(
        self, hub: Hub, axis: Axis, rows: tuple[SummaryRow, ...]
    ) -> Distribution | None:
        """The split of classified citations on one axis; those without a term come last."""
        parts = [(row.term, row.label, row.count) for row in rows]
        unset = hub.classified_count - sum(row.count for row in rows)
        if unset and parts:
            parts.append(("", f"No {axis}", unset))
        label = "Roles" if axis == "role" else "Polarities"
        return distribution(parts, hub.classified_count, label, hub.classified_count)

    # -- pages ----------------------------------------------------------------------------

    def paginated(
        self,
        items: Sequence[T],
        url_of: Callable[[int], str],
        template: str,
        *,
        title: str,
        digest_of: Callable[[T], str],
        parts: Sequence[str] = (),
        **context: Any,
    ) -> Iterator[PlannedFile]:
        for pagination, chunk in paginate(items, self.config.paginate, url_of):
            page_title = title if pagination.number == 1 else (
                f"{title} (page {pagination.number} of {pagination.count})"
            )
            shown = [*parts, str(len(items)), *(digest_of(item) for item in chunk)]
            yield self.page(url_of(pagination.number), template, title=page_title,
                            parts=shown, items=chunk, pagination=pagination, **context)

    def index_pages(self) -> Iterator[PlannedFile]:
        hubs = self.site.hubs
        cards = [self.card(hubs[paper_id].paper) for paper_id in self.site.ranking]
        totals = {
            "papers": len(hubs),
            "citations": sum(hub.citing_count for hub in hubs.values()),
            "classified": sum(hub.classified_count for hub in hubs.values()),
        }
        yield from self.paginated(cards, self.urls.home, "index.html",
                                  title=self.config.title, digest_of=self.card_digest_of,
                                  parts=[repr(totals)], totals=totals)

    def hub_files(self, hub: Hub) -> Iterator[PlannedFile]:
        paper_id = hub.paper.id
        view_digest = self.hub_view_digest(hub)
        cards = self.card_digests
        citing = [cards[entry.paper.id] for entry in hub.citing]
        yield from self.lazy_pages(
            len(citing), partial(self.urls.paper, paper_id), "paper.html",
            title=hub.paper.title, parts=partial(self.chunk_parts, view_digest, citing),
            more=partial(self.hub_page_context, hub),
        )
        json_url = self.urls.paper_json(paper_id)
        yield PlannedFile(
            self.urls.output_path(json_url), json_url, produce=partial(hub_json, hub, self.urls),
            fingerprint=self.fingerprint(json_url, view_digest, *citing),
        )
        bibtex_url = self.urls.paper_bibtex(paper_id)
        yield PlannedFile(
            self.urls.output_path(bibtex_url), bibtex_url,
            produce=partial(paper_bibtex, hub.paper, self.urls),
            fingerprint=self.fingerprint(bibtex_url, cards[paper_id]),
        )
        if hub.citing:  # a CSV and a feed of its citing papers, when it has some
            csv_url = self.urls.paper_csv(paper_id)
            yield PlannedFile(
                self.urls.output_path(csv_url), csv_url, produce=partial(hub_csv, hub, self.urls),
                fingerprint=self.fingerprint(csv_url, *citing),
            )
            feed_url = self.urls.paper_feed(paper_id)
            yield PlannedFile(
                self.urls.output_path(feed_url), feed_url, "feed.xml",
                more=partial(self.hub_feed_context, hub),
                fingerprint=self.fingerprint(feed_url, cards[paper_id], *citing[:FEED_ENTRIES]),
            )
        if self.has_filter_pages(hub):
            yield from self.filter_pages(hub, view_digest)

    def paper_file(self, path: str) -> PlannedFile | None:
        """The planned file at `path` when it is one of a paper's files, planned without the
        rest of the site (a preview renders the page being viewed first)."""
        paper_id = self.urls.paper_of(path)
        hub = self.site.hubs.get(paper_id) if paper_id is not None else None
        if hub is None:
            return None
        return next((file for file in self.hub_files(hub) if file.path == path), None)

    def hub_feed_context(self, hub: Hub) -> dict[str, Any]:
        """Follow a paper: its newest citing papers as an Atom feed."""
        paper_url = self.urls.absolute(self.urls.paper(hub.paper.id))
        newest = [self.card(entry.paper) for entry in hub.citing
                  if entry.paper.date is not None][:FEED_ENTRIES]
        return {"entries": newest, "feed": FeedView(
            f"Citing “{hub.paper.title}”", f"New papers citing “{hub.paper.title}”, newest first",
            paper_url, self.urls.absolute(self.urls.paper_feed(hub.paper.id)), paper_url)}

    def hub_lists(self, hub: Hub) -> tuple[HubView, list[CitationItem]]:
        """The hub's view and citing items, made once for all of its pages that are rendered."""
        found = self._hub_lists.get(hub.paper.id)
        if found is None:
            items = [self.citing_item(hub, entry) for entry in hub.citing]
            found = self._hub_lists[hub.paper.id] = (self.hub_view(hub), items)
        return found

    def hub_page_context(self, hub: Hub, number: int) -> dict[str, Any]:
        view, items = self.hub_lists(hub)
        pagination, chunk = page_of(items, self.config.paginate, number,
                                    partial(self.urls.paper, hub.paper.id))
        return {"hub": view, "items": chunk, "pagination": pagination}

    def filter_pages(self, hub: Hub, view_digest: str) -> Iterator[PlannedFile]:
        paper_id = hub.paper.id
        title = hub.paper.title
        cards = self.card_digests
        shown = filtered(hub)
        pages = [(axis, term, f"as {labels[term].lower()}")
                 for axis, counts, labels in (("role", hub.roles, self.roles),
                                              ("polarity", hub.polarities, self.polarities))
                 for term in counts]
        pages += [("year", str(year), f"in {year}") for year in hub.years]
        for axis, term, how in pages:
            entries = shown[axis, term]
            yield from self.lazy_pages(
                len(entries), partial(self.urls.paper_filter, paper_id, axis, term),
                "filter.html", title=f"Citing “{title}” {how}",
                parts=partial(self.chunk_parts, view_digest,
                              [cards[entry.paper.id] for entry in entries]),
                more=partial(self.filter_page_context, hub, axis, term, entries),
            )

    def filter_page_context(self, hub: Hub, axis: str, term: str,
                            entries: list[CitingEntry], number: int) -> dict[str, Any]:
        view, _ = self.hub_lists(hub)
        key = (hub.paper.id, axis, term)
        chosen = self._chosen.get(key)
        if chosen is None:
            chosen = self._chosen[key] = [self.citing_item(hub, entry) for entry in entries]
        rows = {"role": view.roles, "polarity": view.polarities, "year": view.years}[axis]
        row = next(row for row in rows if row.term == term)
        url_of = partial(self.urls.paper_filter, hub.paper.id, axis, term)
        pagination, chunk = page_of(chosen, self.config.paginate, number, url_of)
        return {"hub": view, "axis": axis, "row": row, "items": chunk, "pagination": pagination}

    def lazy_pages(
        self,
        total: int,
        url_of: Callable[[int], str],
        template: str,
        *,
        title: str,
        parts: Sequence[str] | Callable[[int], Sequence[str]],
        more: Callable[[int], dict[str, Any]],
    ) -> Iterator[PlannedFile]:
        """The pages of a list of `total` items whose view is made only when one is rendered;
        `more(number)` makes page `number`'s items and pagination; `parts` are the digests of
        what all of them show, or `parts(number)` of what page `number` shows."""
        count = page_count(total, self.config.paginate)
        for number in range(1, count + 1):
            page_title = title if number == 1 else f"{title} (page {number} of {count})"
            shown = parts(number) if callable(parts) else parts
            yield self.page(url_of(number), template, title=page_title,
                            parts=(*shown, str(total), str(count)), more=partial(more, number))

    def role_pages(self) -> Iterator[PlannedFile]:
        summary = [
            SummaryRow(role, self.roles[role], len(entries), 0, self.urls.role(role))
            for role, entries in self.site.role_citations.items()
        ]
        yield self.page(self.urls.roles(), "roles.html", title="Citations by role",
                        parts=[repr(summary)], rows=summary)
        for role, entries in self.site.role_citations.items():
            yield from self.lazy_pages(
                len(entries), partial(self.urls.role, role), "role.html",
                title=f"{self.roles[role]} citations",
                parts=partial(self.role_page_parts, entries),
                more=partial(self.role_page_context, role),
            )

    def role_page_parts(self, entries: Sequence[CitingEntry], number: int) -> list[str]:
        start = (number - 1) * self.config.paginate
        cards = self.card_digests
        return [f"{cards[entry.paper.id]}>{cards[entry.citation.cited_id]}"
                for entry in entries[start:start + self.config.paginate]]

    def role_page_context(self, role: str, number: int) -> dict[str, Any]:
        entries = self.site.role_citations[role]
        pagination, chunk = page_of(entries, self.config.paginate, number,
                                    partial(self.urls.role, role))
        items = [
            CitationItem(
                paper=self.card(entry.paper), role=None,
                polarity=None if entry.citation.polarity is None else TermView(
                    entry.citation.polarity, self.polarities[entry.citation.polarity], None),
                refs=entry.citation.refs, contexts=entry.citation.contexts,
                cited=self.card(self.site.hubs[entry.citation.cited_id].paper),
            )
            for entry in chunk
        ]
        return {"items": items, "pagination": pagination,
                "role": TermView(role, self.roles[role], None)}

    def year_pages(self) -> Iterator[PlannedFile]:
        summary = [
            SummaryRow(str(year), str(year), len(papers), 0, self.urls.year(year))
            for year, papers in self.site.papers_by_year.items()
        ]
        yield self.page(self.urls.years(), "years.html", title="Papers by year",
                        parts=[repr(summary)], rows=summary)
        for year, papers in self.site.papers_by_year.items():
            cards = [self.card(paper) for paper in papers]
            yield from self.paginated(
                cards, partial(self.urls.year, year), "year.html",
                title=f"Papers of {year}", digest_of=self.card_digest_of, year=year,
            )

    def feed_files(self) -> Iterator[PlannedFile]:
        papers = sorted((hub.paper for hub in self.site.hubs.values()), key=newest_first)
        newest = [self.card(paper) for paper in papers if paper.date is not None][:FEED_ENTRIES]
        home = self.urls.absolute(self.urls.home())
        feed = FeedView(self.config.title, self.config.description, home,
                        self.urls.absolute(self.urls.feed()), home)
        yield PlannedFile(self.urls.output_path(self.urls.feed()), self.urls.feed(),
                          "feed.xml", {"entries": newest, "feed": feed},
                          fingerprint=self.fingerprint(self.urls.feed(), *map(
                              self.card_digest_of, newest)))
        yield PlannedFile("robots.txt", self.urls.asset("robots.txt"),
                          "robots.txt", {},
                          fingerprint=self.fingerprint(self.urls.asset("robots.txt")))


LINK_LABELS = {
    "arxiv": "arXiv", "doi": "DOI", "pdf": "PDF", "code": "Code", "url": "Web page",
    "data": "Data", "slides": "Slides", "video": "Video",
}


def with_bars(rows: tuple[SummaryRow, ...]) -> tuple[SummaryRow, ...]:
    peak = max((row.count for row in rows), default=0)
    return tuple(replace(row, bar=percent(row.count / peak)) for row in rows) if peak else rows


def filtered(hub: Hub) -> dict[tuple[str, str], list[CitingEntry]]:
    """A hub's citing entries by (axis, term): what each of its filter pages lists."""
    shown: dict[tuple[str, str], list[CitingEntry]] = defaultdict(list)
    for entry in hub.citing:
        citation = entry.citation
        if citation.role is not None:
            shown["role", citation.role].append(entry)
        if citation.polarity is not None:
            shown["polarity", citation.polarity].append(entry)
        if entry.paper.year is not None:
            shown["year", str(entry.paper.year)].append(entry)
    return shown


def page_count(total: int, per_page: int) -> int:
    """Pages of at most `per_page` items; an empty list still gets its first page."""
    return max(1, -(-total // per_page))


def page_of(
    items: Sequence[T], per_page: int, number: int, url_of: Callable[[int], str]
) -> tuple[Pagination, Sequence[T]]:
    count = page_count(len(items), per_page)
    start = (number - 1) * per_page
    return Pagination(
        number=number, count=count, total_items=len(items), first_index=start + 1,
        prev_url=url_of(number - 1) if number > 1 else None,
        next_url=url_of(number + 1) if number < count else None,
        pages=tuple((page, url_of(page)) for page in range(1, count + 1)),
    ), items[start:start + per_page]


def paginate(
    items: Sequence[T], per_page: int, url_of: Callable[[int], str]
) -> Iterator[tuple[Pagination, Sequence[T]]]:
    for number in range(1, page_count(len(items), per_page) + 1):
        yield page_of(items, per_page, number, url_of)


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


# -- index.json ------------------------------------------------------------------------------


def hub_json(hub: Hub, urls: Urls) -> bytes:
    """The hub's data as SPEC's /papers/<id>/index.json: sorted keys, stable bytes."""
    kind = None if hub.kind is None else {
        "label": hub.kind.label, "share": round(hub.kind.share, 4),
    }
    data = {
        "id": hub.paper.id,
        "title": hub.paper.title,
        "url": urls.paper(hub.paper.id),
        "kind": kind,
        "citing_count": hub.citing_count,
        "classified_count": hub.classified_count,
        "years": {str(year): count for year, count in hub.years.items()},
        "roles": dict(hub.roles),
        "polarities": dict(hub.polarities),
        "representative": [entry.paper.id for entry in hub.representative],
        "citing": [_citing_json(entry) for entry in hub.citing],
    }
    # No indent: only then does the json module use its C encoder (hubs with thousands of
    # citing papers make large files).
    return (json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _citing_json(entry: CitingEntry) -> dict[str, Any]:
    paper, citation = entry.paper, entry.citation
    return {
        "id": paper.id,
        "title": paper.title,
        "date": paper.date.text if paper.date else None,
        "year": paper.year,
        "role": citation.role,
        "polarity": citation.polarity,
        "refs": citation.refs if citation.refs is not None else 1,
        "novelty": paper.novelty,
        "verdict": paper.verdict,
        "categories": list(paper.categories),
        "summary": paper.summary,
        "authors": list(paper.authors),
        "context": list(citation.contexts),
    }


def plan_site(config: HubConfig, site: SiteAggregates, layout: str = "") -> list[PlannedFile]:
    """Every output file; two that would write the same path are a PlanError.

    `layout`: the digest of the templates, static files, hub.yaml, citehub and the build
    options, the inputs every page depends on; it goes into every fingerprint.
    """
    files = Planner(config, site, layout).plan()
    files.append(plan_sitemap(files, Urls.of(config), layout))
    check_collisions(files)
    return files
