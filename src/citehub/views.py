"""What templates receive: small frozen views of the model, beside the digests that
fingerprint them (a view and its digest change together, so they live together).

Templates never query the corpus, and no template loops over all papers inside a per-paper
page. Views are made lazily, in the workers that render (see `pages.PlannedFile.more`);
the digests are made without making any view, so a rebuild can tell the pages an edit
touched from the thousands it did not: a digest covers everything its view shows.
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from citehub.aggregate import (
    CitingEntry,
    DateKey,
    Hub,
    RepresentativeReason,
    SiteAggregates,
    newest_by,
    outside_citations,
)
from citehub.authors import byline
from citehub.charts import Distribution, YearChart, distribution, year_chart
from citehub.config import DEFAULT_POLARITIES, Axis, HubConfig
from citehub.metadata import MetaTag, description, json_ld, scholar_tags, social_tags
from citehub.model import Citation, Paper, PaperDate
from citehub.paginate import Paginator
from citehub.urls import FilterAxis, RepoUrls, Urls

FEED_ENTRIES = 50
LINK_LABELS = {
    "arxiv": "arXiv", "doi": "DOI", "pdf": "PDF", "code": "Code", "url": "Web page",
    "data": "Data", "slides": "Slides", "video": "Video",
}


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
    byline: str  # "A. Vaswani, N. Shazeer, … +6 · NeurIPS · 2017": what leads every entry
    notes: str  # "cs.LG · unverdicted · novelty 7.0": the rest, after the byline


@dataclass(frozen=True)
class TermView:
    term: str
    label: str
    url: str | None  # its filter page, when there is one
    text: str  # what a citation's tag says: the label, or for a polarity its phrase


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
    text: str = ""  # what a citation's tag says for this term (TermView.text), where it differs


@dataclass(frozen=True)
class KindView:
    label: str
    reason: str  # "83% of classified citations cite this work as background."

    @property
    def sentence(self) -> str:
        """What SPEC has the page say: Canonical reference. 83% of classified citations…"""
        return f"{self.label}. {self.reason}"


@dataclass(frozen=True)
class RepresentativeView:
    """Why the hub shows these citing papers first, in the page's words."""

    heading: str
    reason: str
    items: tuple[CitationItem, ...]


REPRESENTATIVE_WORDS: dict[RepresentativeReason, tuple[str, str]] = {
    "influential": ("Highly influential citing papers",
                    "Citations the source of the data marks as highly influential "
                    "(Semantic Scholar's measure), most cited first."),
    "cited elsewhere": ("Most cited citing papers",
                        "The citing papers cited most outside this hub, by their citation "
                        "counts."),
    "novelty": ("Most novel citing papers", "The citing papers with the highest novelty score."),
    "mentions": ("Citing papers that mention it most",
                 "The citing papers that mention this work most often."),
}
# What a citation's polarity tag says, for the default vocabulary's terms: a phrase reads as
# what the citing paper does, and keeps the polarity "background" apart from the role.
POLARITY_PHRASES = {"background": "cited as background", "support": "supports",
                    "contrast": "contrasts"}
# The title of a site-wide list of one polarity, for the default vocabulary's terms.
POLARITY_TITLES = {"background": "Citations as background", "support": "Supporting citations",
                   "contrast": "Contrasting citations"}


@dataclass(frozen=True)
class HubView:
    paper: PaperCard
    abstract: str  # Markdown; the template renders it with the `markdown` filter
    links: tuple[LinkView, ...]
    citing_count: int
    classified_count: int
    kind: KindView | None
    outside: tuple[str, ...]  # "10,059 according to Semantic Scholar (2026-12-01)"
    headline: SummaryRow | None  # the leading share, "Background 83% of classified citations"
    headline_text: str | None  # as the counts say it: "most often cited as background (83%)"
    years: tuple[SummaryRow, ...]
    roles: tuple[SummaryRow, ...]
    polarities: tuple[SummaryRow, ...]
    representative: RepresentativeView | None
    references: tuple[CitationItem, ...]
    year_chart: YearChart | None
    role_chart: Distribution | None
    polarity_chart: Distribution | None
    has_filter_pages: bool
    assessed: bool  # a citing paper has a verdict or a novelty: the list says what they are
    json_url: str
    bibtex_url: str
    csv_url: str
    feed_url: str
    edit_url: str | None  # the paper's file on GitHub, when hub.yaml names repo_url
    suggest_url: str | None  # a prefilled new paper file that cites this one
    description: str = ""  # what the page's description and link previews say
    # Google Scholar's Highwire Press tags, (name, content) in order; Open Graph and Twitter
    # card tags; schema.org JSON-LD (see metadata).
    scholar: tuple[tuple[str, str], ...] = ()
    social: tuple[MetaTag, ...] = ()
    json_ld: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedEntry:
    """A paper in a feed: since when the hub has it (`updated`), and when it appeared."""

    card: PaperCard
    updated: str  # RFC 3339
    published: str | None


def feed_date(paper: Paper) -> PaperDate | None:
    """The day a paper came into the hub (`added`, which new and import write), else the day
    it was published: what feeds are ordered by."""
    return paper.added or paper.date


def in_feed_order(paper: Paper) -> DateKey:
    """Newest in the hub first; papers with no date at all after them, ties by id."""
    return newest_by(feed_date(paper), paper.id)


@dataclass(frozen=True)
class FeedView:
    """An Atom feed's own fields: the site's newest papers, or a paper's newest citing ones."""

    title: str
    subtitle: str | None
    id: str
    self_url: str
    alternate_url: str
    updated: str = "1970-01-01T00:00:00Z"  # the newest entry's (RFC 4287 wants one)


def percent(share: float) -> int:
    # Round half up, as people do: 5/6 → 83, 1/8 → 13 (Python's round() would give 12).
    return int(share * 100 + 0.5)


def novelty_text(novelty: float | None) -> str | None:
    return None if novelty is None else f"{novelty:.1f}"


def with_bars(rows: tuple[SummaryRow, ...]) -> tuple[SummaryRow, ...]:
    peak = max((row.count for row in rows), default=0)
    return tuple(replace(row, bar=percent(row.count / peak)) for row in rows) if peak else rows


def by_filter(hub: Hub) -> dict[tuple[str, str], list[CitingEntry]]:
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


def is_assessed(hub: Hub) -> bool:
    """Whether a citing paper has a verdict or a novelty (what the hub page then explains)."""
    return any(entry.paper.verdict is not None or entry.paper.novelty is not None
               for entry in hub.citing)


def cited_elsewhere(paper: Paper) -> str | None:
    """"cited by 12,345 outside the hub": the largest count of a source outside the hub."""
    count = outside_citations(paper)
    return f"cited by {count:,} outside the hub" if count else None


def short_digest(text: str, size: int = 16) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


class Views:
    """The views of one model, each made once however many pages show it."""

    def __init__(self, config: HubConfig, site: SiteAggregates) -> None:
        self.config = config
        self.site = site
        self.urls = Urls.of(config)
        self.paginator = Paginator(config.paginate)
        self.repo = RepoUrls(config.repo_url, config.repo_branch) if config.repo_url else None
        self.roles = config.vocabulary.roles
        self.polarities = config.vocabulary.polarities
        self._cards: dict[str, PaperCard] = {}
        # A feed's papers are picked by the plan (for its fingerprint) and again to render it.
        self._feed_papers: dict[str, list[Paper]] = {}
        self._terms: dict[tuple[str, Axis, str], TermView] = {}
        # A hub's citing items, made once for its list, representative papers and filter
        # pages: one object per citation lets the renderer render it once for all of them.
        self._citing_items: dict[int, CitationItem] = {}
        self._hub_lists: dict[str, tuple[HubView, list[CitationItem]]] = {}
        self._chosen: dict[tuple[str, str, str], list[CitationItem]] = {}

    # -- digests ----------------------------------------------------------------------------

    @functools.cached_property
    def card_digests(self) -> dict[str, str]:
        """For every paper, a digest of what its card shows wherever it appears: its file's
        text, the citations kept of it (drafts drop some), and what its hub adds to it."""
        found: dict[str, str] = {}
        for paper_id, hub in self.site.hubs.items():
            paper = hub.paper
            kind = hub.kind.label if hub.kind else ""
            cited = ",".join(citation.cited_id for citation in paper.cites)
            text = (f"{paper.id}\0{paper.digest}\0{cited}\0{hub.citing_count}\0{kind}\0"
                    f"{self.has_filter_pages(hub)}")
            found[paper_id] = short_digest(text, 10)
        return found

    def hub_view_digest(self, hub: Hub) -> str:
        """Everything in the view all of a hub's pages get (besides their own list): the
        paper, its counts and badge, its representative citing papers, its references."""
        cards = self.card_digests
        kind = f"{hub.kind.label}:{hub.kind.share}" if hub.kind else ""
        by_year = {year: dict(counts) for year, counts in hub.year_polarities.items()}
        parts = [cards[hub.paper.id], repr(dict(hub.years)), repr(by_year), repr(dict(hub.roles)),
                 repr(dict(hub.polarities)), str(hub.classified_count), kind,
                 str(hub.representative_reason), str(is_assessed(hub))]
        parts.extend(cards[entry.paper.id] for entry in hub.representative)
        parts.append("references")
        parts.extend(cards[entry.paper.id] for entry in hub.references)
        return short_digest("\n".join(parts))

    def citing_digests(self, entries: tuple[CitingEntry, ...] | list[CitingEntry]) -> list[str]:
        """What a list of citing papers shows: their cards."""
        cards = self.card_digests
        return [cards[entry.paper.id] for entry in entries]

    def site_wide_entry_digests(self, entries: tuple[CitingEntry, ...]) -> list[str]:
        """What a site-wide list of citations shows: both ends of each."""
        cards = self.card_digests
        return [f"{cards[entry.paper.id]}>{cards[entry.citation.cited_id]}"
                for entry in entries]

    # -- the pieces of views ----------------------------------------------------------------

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
            by = [byline(paper), str(paper.year) if paper.year is not None else None]
            card = PaperCard(
                id=paper.id, title=paper.title, url=self.urls.paper(paper.id),
                authors=paper.authors, date=date,
                year=paper.year, categories=paper.categories, venue=paper.venue,
                verdict=paper.verdict, novelty=novelty,
                summary=paper.summary, citing_count=hub.citing_count,
                kind=hub.kind.label if hub.kind else None,
                facts=" · ".join(part for part in facts if part),
                listing_facts=" · ".join(part for part in listing if part),
                byline=" · ".join(part for part in by if part),
                notes=" · ".join(part for part in (facts[0], *facts[2:], cited_elsewhere(paper))
                                 if part),
            )
            self._cards[paper.id] = card
        return card

    def has_filter_pages(self, hub: Hub) -> bool:
        return hub.citing_count >= self.config.filter_pages_from

    def filter_url(self, hub: Hub, axis: FilterAxis, term: str | int) -> str:
        """Where a role, polarity or year of a hub links: its filter page, or on a hub without
        filter pages its list filtered by the explorer."""
        if self.has_filter_pages(hub):
            return self.urls.paper_filter(hub.paper.id, axis, term)
        return self.urls.paper_explorer(hub.paper.id, axis, term)

    def term_view(self, hub: Hub, axis: Axis, term: str | None) -> TermView | None:
        if term is None:
            return None
        key = (hub.paper.id, axis, term)
        view = self._terms.get(key)
        if view is None:
            labels = self.roles if axis == "role" else self.polarities
            view = self._terms[key] = TermView(term, labels[term],
                                               self.filter_url(hub, axis, term),
                                               self.tag_text(axis, term))
        return view

    @functools.cached_property
    def default_polarities(self) -> frozenset[str]:
        """The default vocabulary's polarities the hub keeps unrenamed: they have a phrase
        ("supports"), a colour and a list title of their own; a hub's own terms say their
        label."""
        return frozenset(term for term, label in self.polarities.items()
                         if DEFAULT_POLARITIES.get(term) == label)

    def tag_text(self, axis: Axis, term: str) -> str:
        if axis == "polarity":
            return (POLARITY_PHRASES[term] if term in self.default_polarities
                    else self.polarities[term])
        return self.roles[term]

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
                           self.filter_url(hub, axis, term), text=self.tag_text(axis, term))
                for term, count in counts.items()
            )

        roles, polarities = rows("role", hub.roles), rows("polarity", hub.polarities)
        years = tuple(
            SummaryRow(str(year), str(year), count, percent(count / hub.citing_count),
                       self.filter_url(hub, "year", year))
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
                f"{percent(hub.kind.share)}% of classified citations cite this work as "
                f"{term_label.lower()}.",
            )
            headline = next(row for row in (roles if hub.kind.axis == "role" else polarities)
                            if row.term == hub.kind.term)
        elif polarities or roles:
            headline = max(polarities or roles, key=lambda row: row.count)
        headline_text = None
        if headline is not None:
            is_role = any(row is headline for row in roles)
            phrase = (f"as {headline.label.lower()}" if is_role
                      else self.tag_text("polarity", headline.term))
            headline_text = f"most often {phrase} ({headline.percent}%)"
        return HubView(
            paper=self.card(paper), abstract=paper.abstract,
            links=tuple(LinkView(link.kind, LINK_LABELS[link.kind], link.url, link.text)
                        for link in paper.links),
            citing_count=hub.citing_count, classified_count=hub.classified_count,
            kind=kind, headline=headline, headline_text=headline_text, years=years,
            roles=roles, polarities=polarities,
            year_chart=year_chart(
                hub.years, {int(row.term): row.url for row in years}, hub.year_polarities,
                [(row.term, row.text, row.term if row.term in self.default_polarities
                  else str(index % 8)) for index, row in enumerate(polarities)],
                partial(self.urls.paper_explorer_range, paper.id)),
            role_chart=self.axis_chart(hub, "role", roles),
            polarity_chart=self.axis_chart(hub, "polarity", polarities),
            has_filter_pages=filter_pages,
            assessed=is_assessed(hub),
            representative=self.representative(hub),
            outside=tuple(
                f"{outside.count:,} according to {outside.source} ({outside.date.text})"
                for outside in paper.outside_counts),
            references=tuple(self.reference_item(entry) for entry in hub.references),
            json_url=self.urls.paper_json(paper.id),
            bibtex_url=self.urls.paper_bibtex(paper.id), csv_url=self.urls.paper_csv(paper.id),
            feed_url=self.urls.paper_feed(paper.id),
            edit_url=self.repo.edit(paper.id) if self.repo else None,
            suggest_url=self.repo.suggest_citation(
                paper.id, list(self.roles), list(self.polarities)) if self.repo else None,
            description=description(paper), scholar=scholar_tags(hub, self.urls),
            social=social_tags(hub, self.urls, self.config.title),
            json_ld=json_ld(hub, self.urls),
        )

    def representative(self, hub: Hub) -> RepresentativeView | None:
        if hub.representative_reason is None:
            return None
        heading, reason = REPRESENTATIVE_WORDS[hub.representative_reason]
        return RepresentativeView(heading, reason, tuple(
            self.citing_item(hub, entry) for entry in hub.representative))

    def axis_chart(
        self, hub: Hub, axis: Axis, rows: tuple[SummaryRow, ...]
    ) -> Distribution | None:
        """The split of classified citations on one axis; those without a term come last."""
        parts = [(row.term, self.tag_text(axis, row.term), row.count) for row in rows]
        unset = hub.classified_count - sum(row.count for row in rows)
        if unset and parts:
            parts.append(("", f"No {axis}", unset))
        own_colors = self.default_polarities if axis == "polarity" else ()
        return distribution(parts, hub.classified_count, hub.classified_count, own_colors)

    def hub_lists(self, hub: Hub) -> tuple[HubView, list[CitationItem]]:
        """The hub's view and citing items, made once for all of its pages that are rendered."""
        found = self._hub_lists.get(hub.paper.id)
        if found is None:
            items = [self.citing_item(hub, entry) for entry in hub.citing]
            found = self._hub_lists[hub.paper.id] = (self.hub_view(hub), items)
        return found

    # -- what each page's template gets, besides its title and URL ----------------------------

    def totals(self) -> dict[str, int]:
        hubs = self.site.hubs
        return {
            "papers": len(hubs),
            "citations": sum(hub.citing_count for hub in hubs.values()),
            "classified": sum(hub.classified_count for hub in hubs.values()),
        }

    def index_page(self, number: int) -> dict[str, Any]:
        hubs = self.site.hubs
        pagination, chunk = self.paginator.page(self.site.ranking, number, self.urls.home)
        years = list(self.site.papers_by_year)  # newest first
        return {"items": [self.card(hubs[paper_id].paper) for paper_id in chunk],
                "pagination": pagination, "totals": self.totals(),
                "papers_json": self.urls.papers_json(),
                "years": (years[-1], years[0]) if years else None}

    def hub_page(self, hub: Hub, number: int) -> dict[str, Any]:
        view, items = self.hub_lists(hub)
        pagination, chunk = self.paginator.page(items, number,
                                                partial(self.urls.paper, hub.paper.id))
        return {"hub": view, "items": chunk, "pagination": pagination}

    def filter_page(self, hub: Hub, axis: str, term: str, entries: list[CitingEntry],
                    number: int) -> dict[str, Any]:
        view, _ = self.hub_lists(hub)
        key = (hub.paper.id, axis, term)
        chosen = self._chosen.get(key)
        if chosen is None:
            chosen = self._chosen[key] = [self.citing_item(hub, entry) for entry in entries]
        rows = {"role": view.roles, "polarity": view.polarities, "year": view.years}[axis]
        row = next(row for row in rows if row.term == term)
        url_of = partial(self.urls.paper_filter, hub.paper.id, axis, term)
        pagination, chunk = self.paginator.page(chosen, number, url_of)
        return {"hub": view, "axis": axis, "row": row, "items": chunk, "pagination": pagination}

    def role_rows(self) -> list[SummaryRow]:
        return [SummaryRow(role, self.roles[role], len(entries), 0, self.urls.role(role))
                for role, entries in self.site.role_citations.items()]

    def polarity_rows(self) -> list[SummaryRow]:
        return [SummaryRow(polarity, self.polarities[polarity], len(entries), 0,
                           self.urls.polarity(polarity), text=self.tag_text("polarity", polarity))
                for polarity, entries in self.site.polarity_citations.items()]

    def polarity_title(self, polarity: str) -> str:
        label = self.polarities[polarity]
        if polarity in self.default_polarities:
            return POLARITY_TITLES[polarity]
        return f"{label} citations"

    def site_wide_item(self, entry: CitingEntry, shown: Axis) -> CitationItem:
        """A citation on a site-wide list of one role (or polarity): the other axis is shown,
        linked to its own site-wide list."""
        citation = entry.citation
        role = polarity = None
        if shown == "polarity" and citation.polarity is not None:
            polarity = TermView(citation.polarity, self.polarities[citation.polarity],
                                self.urls.polarity(citation.polarity),
                                self.tag_text("polarity", citation.polarity))
        if shown == "role" and citation.role is not None:
            role = TermView(citation.role, self.roles[citation.role],
                            self.urls.role(citation.role), self.roles[citation.role])
        return CitationItem(
            paper=self.card(entry.paper), role=role, polarity=polarity, refs=citation.refs,
            contexts=citation.contexts,
            cited=self.card(self.site.hubs[citation.cited_id].paper))

    def role_page(self, role: str, number: int) -> dict[str, Any]:
        entries = self.site.role_citations[role]
        pagination, chunk = self.paginator.page(entries, number, partial(self.urls.role, role))
        return {"items": [self.site_wide_item(entry, "polarity") for entry in chunk],
                "pagination": pagination,
                "role": TermView(role, self.roles[role], None, self.roles[role])}

    def polarity_page(self, polarity: str, number: int) -> dict[str, Any]:
        entries = self.site.polarity_citations[polarity]
        pagination, chunk = self.paginator.page(entries, number,
                                                partial(self.urls.polarity, polarity))
        label = self.polarities[polarity]
        return {"items": [self.site_wide_item(entry, "role") for entry in chunk],
                "pagination": pagination,
                "polarity": TermView(polarity, label, None, self.tag_text("polarity", polarity))}

    def year_rows(self) -> list[SummaryRow]:
        return [SummaryRow(str(year), str(year), len(papers), 0, self.urls.year(year))
                for year, papers in self.site.papers_by_year.items()]

    def year_page(self, year: int, number: int) -> dict[str, Any]:
        pagination, chunk = self.paginator.page(self.site.papers_by_year[year], number,
                                                partial(self.urls.year, year))
        return {"items": [self.card(paper) for paper in chunk], "pagination": pagination,
                "year": year}

    def hub_feed_papers(self, hub: Hub) -> list[Paper]:
        """The papers a paper's feed lists: those that came into the hub last."""
        papers = self._feed_papers.get(hub.paper.id)
        if papers is None:
            papers = sorted((entry.paper for entry in hub.citing),
                            key=in_feed_order)[:FEED_ENTRIES]
            self._feed_papers[hub.paper.id] = papers
        return papers

    def hub_feed(self, hub: Hub) -> dict[str, Any]:
        """Follow a paper: the papers citing it that came into the hub last, as an Atom feed."""
        paper_url = self.urls.absolute(self.urls.paper(hub.paper.id))
        return self.feed(self.hub_feed_papers(hub), FeedView(
            f"Citing “{hub.paper.title}”",
            f"Papers citing “{hub.paper.title}”, as they come into the hub",
            paper_url, self.urls.absolute(self.urls.paper_feed(hub.paper.id)), paper_url))

    def site_feed_papers(self) -> list[Paper]:
        """The papers the site's feed lists: those that came into the hub last."""
        return sorted((hub.paper for hub in self.site.hubs.values()),
                      key=in_feed_order)[:FEED_ENTRIES]

    def feed(self, papers: list[Paper], feed: FeedView) -> dict[str, Any]:
        newest = max((date for paper in papers if (date := feed_date(paper)) is not None),
                      default=None)
        updated = newest.timestamp if newest else feed.updated
        # An entry with no date at all is as new as the feed: RFC 4287 wants a date.
        entries = [FeedEntry(self.card(paper), getattr(feed_date(paper), "timestamp", updated),
                             paper.date.timestamp if paper.date else None)
                   for paper in papers]
        return {"entries": entries, "feed": replace(feed, updated=updated)}

    def site_feed(self) -> dict[str, Any]:
        home = self.urls.absolute(self.urls.home())
        feed = FeedView(self.config.title, self.config.description, home,
                        self.urls.absolute(self.urls.feed()), home)
        return self.feed(self.site_feed_papers(), feed)

