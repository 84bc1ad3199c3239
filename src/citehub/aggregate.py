"""Pure functions from the corpus to per-paper citation summaries ("hubs") and site lists.

Everything is computed once, in one pass over the citations, and everything is sorted, so
the pages rendered from it are the same bytes for the same content.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

from citehub.config import Axis, HubConfig, KindRule
from citehub.model import Citation, Corpus, Paper, PaperDate


@dataclass(frozen=True)
class CitingEntry:
    """One citation seen from the cited paper's side: who cites it, and how."""

    paper: Paper  # the citing paper
    citation: Citation


@dataclass(frozen=True)
class KindMatch:
    label: str
    axis: Axis
    term: str
    share: float


@dataclass(frozen=True)
class Hub:
    paper: Paper
    citing: tuple[CitingEntry, ...]  # newest first, then id
    classified_count: int
    years: Mapping[int, int]  # ascending years
    year_polarities: Mapping[int, Mapping[str, int]]  # per year, its citations by polarity
    roles: Mapping[str, int]  # vocabulary order, only terms that occur
    polarities: Mapping[str, int]
    kind: KindMatch | None
    # A few citing papers picked for a reason the page states (see `choose_representative`).
    representative: tuple[CitingEntry, ...]
    representative_reason: RepresentativeReason | None
    references: tuple[CitingEntry, ...]  # the paper's own citations, as (cited paper, citation)

    @property
    def citing_count(self) -> int:
        return len(self.citing)

    def counts(self, axis: Axis) -> Mapping[str, int]:
        return self.roles if axis == "role" else self.polarities

    def share(self, count: int) -> float:
        return count / self.classified_count if self.classified_count else 0.0


@dataclass(frozen=True)
class SiteAggregates:
    hubs: Mapping[str, Hub]
    ranking: tuple[str, ...]  # the index order: most cited first, then newest, then id
    role_citations: Mapping[str, tuple[CitingEntry, ...]]  # site-wide, vocabulary order
    polarity_citations: Mapping[str, tuple[CitingEntry, ...]]  # the same, by polarity
    papers_by_year: Mapping[int, tuple[Paper, ...]]  # newest year first


DateKey = tuple[bool, tuple[int, int, int], str]

# Why a hub's representative citing papers are those, strongest reason first: the source says
# the citation is influential; the citing paper is cited most elsewhere; it has the highest
# novelty; it mentions the cited paper most often.
RepresentativeReason = Literal["influential", "cited elsewhere", "novelty", "mentions"]


def newest_first(paper: Paper) -> DateKey:
    """Sort key: dated papers newest first, undated after them, ties by id."""
    return newest_by(paper.date, paper.id)


def newest_by(date: PaperDate | None, paper_id: str) -> DateKey:
    """Sort key of a paper by one of its dates: newest first, none after, ties by id."""
    if date is None:
        return (True, (0, 0, 0), paper_id)
    year, month, day = date.sort_key
    return (False, (-year, -month, -day), paper_id)


def aggregate(corpus: Corpus) -> SiteAggregates:
    config = corpus.config
    papers = corpus.papers
    # One sort of the papers, newest first; every list below is made by walking them in that
    # order, so it comes out sorted without sorting each of the thousands of lists again.
    newest = sorted(papers.values(), key=newest_first)
    rank = {paper.id: position for position, paper in enumerate(newest)}
    citing_of: dict[str, list[CitingEntry]] = defaultdict(list)
    role_citations: dict[str, list[CitingEntry]] = defaultdict(list)
    polarity_citations: dict[str, list[CitingEntry]] = defaultdict(list)
    for paper in newest:
        for citation in sorted(paper.cites, key=_cited_id):
            entry = CitingEntry(paper, citation)
            citing_of[citation.cited_id].append(entry)
            if citation.role is not None:
                role_citations[citation.role].append(entry)
            if citation.polarity is not None:
                polarity_citations[citation.polarity].append(entry)
    hubs = {
        paper_id: make_hub(paper, citing_of.get(paper_id, ()), papers, config)
        for paper_id, paper in papers.items()
    }
    ranking = tuple(sorted(hubs, key=lambda paper_id: (-hubs[paper_id].citing_count,
                                                       rank[paper_id])))
    return SiteAggregates(
        hubs=MappingProxyType(hubs),
        ranking=ranking,
        role_citations=_in_vocabulary_order_lists(role_citations, config.vocabulary.roles),
        polarity_citations=_in_vocabulary_order_lists(polarity_citations,
                                                      config.vocabulary.polarities),
        papers_by_year=MappingProxyType(papers_by_year(newest)),
    )


def _in_vocabulary_order_lists(
    lists: Mapping[str, Sequence[CitingEntry]], vocabulary: Mapping[str, str]
) -> Mapping[str, tuple[CitingEntry, ...]]:
    """Site-wide lists of citations by term, in the vocabulary's order, only terms that occur."""
    return MappingProxyType({term: tuple(lists[term]) for term in vocabulary if lists.get(term)})


def _cited_id(citation: Citation) -> str:
    return citation.cited_id


def update(previous: SiteAggregates, corpus: Corpus, changed: Collection[str]) -> SiteAggregates:
    """What `aggregate(corpus)` gives, made from `previous`: the aggregates of a corpus with
    the same papers, of which only those in `changed` were different. Only the hubs that show a
    changed paper are made again; a preview calls this after each save.
    """
    config, papers, hubs = corpus.config, corpus.papers, previous.hubs
    if not changed:
        return previous
    fresh = {paper_id: [CitingEntry(papers[paper_id], citation)
                        for citation in sorted(papers[paper_id].cites, key=_cited_id)]
             for paper_id in changed}
    # Hubs whose citing list changes: the ones the changed papers cite, before or after.
    citing_changed = {citation.cited_id for paper_id in changed
                      for paper in (hubs[paper_id].paper, papers[paper_id])
                      for citation in paper.cites}
    made: dict[str, Hub] = {}
    for paper_id in sorted(citing_changed | set(changed)):
        hub = hubs[paper_id]
        citing = list(hub.citing)
        if paper_id in citing_changed:
            citing = [entry for entry in citing if entry.paper.id not in changed]
            for entries in fresh.values():
                for entry in entries:
                    if entry.citation.cited_id == paper_id:
                        bisect.insort(citing, entry, key=_newest_entry)
        made[paper_id] = make_hub(papers[paper_id], citing, papers, config)
    # Papers citing a changed paper show it among their references.
    for paper_id in changed:
        for entry in hubs[paper_id].citing:
            citing_id = entry.paper.id
            if citing_id not in made:
                hub = hubs[citing_id]
                made[citing_id] = replace(hub, references=tuple(
                    CitingEntry(papers[citation.cited_id], citation)
                    for citation in hub.paper.cites))
    new_hubs = {paper_id: made.get(paper_id, hub) for paper_id, hub in hubs.items()}
    return SiteAggregates(
        hubs=MappingProxyType(new_hubs),
        ranking=_ranking(previous, new_hubs, made, changed),
        role_citations=_site_wide(previous.role_citations, previous, fresh, "role",
                                  config.vocabulary.roles),
        polarity_citations=_site_wide(previous.polarity_citations, previous, fresh, "polarity",
                                      config.vocabulary.polarities),
        papers_by_year=_papers_by_year(previous, papers, changed),
    )


def _newest_entry(entry: CitingEntry) -> DateKey:
    return newest_first(entry.paper)


def _ranking(previous: SiteAggregates, hubs: dict[str, Hub], made: dict[str, Hub],
             changed: Collection[str]) -> tuple[str, ...]:
    same_order = all(
        hubs[paper_id].citing_count == previous.hubs[paper_id].citing_count
        for paper_id in made
    ) and all(hubs[paper_id].paper.date == previous.hubs[paper_id].paper.date
              for paper_id in changed)
    if same_order:
        return previous.ranking
    return tuple(sorted(hubs, key=lambda paper_id: (-hubs[paper_id].citing_count,
                                                    newest_first(hubs[paper_id].paper))))


def _site_wide(lists_before: Mapping[str, tuple[CitingEntry, ...]], previous: SiteAggregates,
               fresh: dict[str, list[CitingEntry]], axis: Axis,
               vocabulary: Mapping[str, str]) -> Mapping[str, tuple[CitingEntry, ...]]:
    """A site-wide list of citations by role or polarity, with the changed papers' entries
    taken out and their fresh ones put in where they sort."""
    lists: dict[str, Sequence[CitingEntry]] = dict(lists_before)
    # The terms the changed papers cite with, before (their entries are in the lists) or now.
    terms = {entry.citation.term(axis) for entries in fresh.values() for entry in entries}
    terms |= {citation.term(axis) for paper_id in fresh
              for citation in previous.hubs[paper_id].paper.cites}
    for term in terms - {None}:
        assert term is not None
        kept = [entry for entry in lists.get(term, ()) if entry.paper.id not in fresh]
        for new_entries in fresh.values():
            for entry in new_entries:
                if entry.citation.term(axis) == term:
                    bisect.insort(kept, entry, key=_newest_citing_then_cited)
        lists[term] = kept
    return _in_vocabulary_order_lists(lists, vocabulary)


def _newest_citing_then_cited(entry: CitingEntry) -> tuple[DateKey, str]:
    return (newest_first(entry.paper), entry.citation.cited_id)


def _papers_by_year(previous: SiteAggregates, papers: Mapping[str, Paper],
                    changed: Collection[str]) -> Mapping[int, tuple[Paper, ...]]:
    by_year: dict[int, Sequence[Paper]] = dict(previous.papers_by_year)
    years = {previous.hubs[paper_id].paper.year for paper_id in changed}
    years |= {papers[paper_id].year for paper_id in changed}
    for year in years - {None}:
        assert year is not None
        listed = [paper for paper in by_year.get(year, ()) if paper.id not in changed]
        for paper_id in changed:
            if papers[paper_id].year == year:
                bisect.insort(listed, papers[paper_id], key=newest_first)
        by_year[year] = listed
    return MappingProxyType({year: tuple(by_year[year])
                             for year in sorted(by_year, reverse=True) if by_year[year]})


def papers_by_year(newest: Iterable[Paper]) -> dict[int, tuple[Paper, ...]]:
    """Papers by year, newest year first; `newest` is sorted by `newest_first`."""
    by_year: dict[int, list[Paper]] = defaultdict(list)
    for paper in newest:
        if paper.year is not None:
            by_year[paper.year].append(paper)
    return {year: tuple(by_year[year]) for year in sorted(by_year, reverse=True)}


def make_hub(
    paper: Paper,
    citing: Sequence[CitingEntry],
    papers: Mapping[str, Paper],
    config: HubConfig,
) -> Hub:
    """`citing` is newest first, then by id."""
    ordered = tuple(citing)
    # One pass, plain dicts: most hubs have a handful of citing papers, and building three
    # Counters for each of tens of thousands of hubs cost more than counting.
    years: dict[int, int] = {}
    year_polarities: dict[int, dict[str, int]] = {}
    role_counts: dict[str, int] = {}
    polarity_counts: dict[str, int] = {}
    classified_count = 0
    for entry in ordered:
        year, citation = entry.paper.year, entry.citation
        if year is not None:
            years[year] = years.get(year, 0) + 1
            if citation.polarity is not None:
                of_year = year_polarities.setdefault(year, {})
                of_year[citation.polarity] = of_year.get(citation.polarity, 0) + 1
        if citation.role is not None:
            role_counts[citation.role] = role_counts.get(citation.role, 0) + 1
        if citation.polarity is not None:
            polarity_counts[citation.polarity] = polarity_counts.get(citation.polarity, 0) + 1
        if citation.role is not None or citation.polarity is not None:
            classified_count += 1
    roles = _in_vocabulary_order(role_counts, config.vocabulary.roles)
    polarities = _in_vocabulary_order(polarity_counts, config.vocabulary.polarities)
    references = tuple(
        CitingEntry(papers[citation.cited_id], citation) for citation in paper.cites
    )
    reason, representative = choose_representative(ordered, config.representative)
    return Hub(
        paper=paper,
        citing=ordered,
        classified_count=classified_count,
        years=MappingProxyType(dict(sorted(years.items()))),
        year_polarities=MappingProxyType({year: MappingProxyType(year_polarities[year])
                                          for year in sorted(year_polarities)}),
        roles=roles,
        polarities=polarities,
        kind=match_kind(config.kinds, classified_count, roles, polarities),
        representative=representative,
        representative_reason=reason,
        references=references,
    )


def _in_vocabulary_order(
    counts: dict[str, int], vocabulary: Mapping[str, str]
) -> Mapping[str, int]:
    return MappingProxyType({term: counts[term] for term in vocabulary if term in counts})


def match_kind(
    rules: Iterable[KindRule],
    classified_count: int,
    roles: Mapping[str, int],
    polarities: Mapping[str, int],
) -> KindMatch | None:
    """The first rule that matches; shares are of all classified citations."""
    if classified_count == 0:
        return None
    for rule in rules:
        counts = roles if rule.axis == "role" else polarities
        count = counts.get(rule.value, 0)
        share = count / classified_count
        # count > 0: even a rule with share_at_least 0 says something about its term.
        if count and classified_count >= rule.classified_at_least and share >= rule.share_at_least:
            return KindMatch(rule.label, rule.axis, rule.value, share)
    return None


def outside_citations(paper: Paper) -> int | None:
    """How many papers cite it by the largest count of a source outside the hub."""
    return max((outside.count for outside in paper.outside_counts), default=None)


def _is_influential(entry: CitingEntry) -> bool:
    return entry.citation.influential


def _is_cited_elsewhere(entry: CitingEntry) -> bool:
    return bool(outside_citations(entry.paper))


def _has_novelty(entry: CitingEntry) -> bool:
    return entry.paper.novelty is not None


def _mentions_more_than_once(entry: CitingEntry) -> bool:
    return (entry.citation.refs or 1) > 1


def _by_outside_count(entry: CitingEntry) -> int:
    return -(outside_citations(entry.paper) or 0)


def _by_novelty(entry: CitingEntry) -> float:
    return -(entry.paper.novelty or 0.0)


def _by_mentions(entry: CitingEntry) -> int:
    return -(entry.citation.refs or 1)


# Each reason: which citing papers have it, and the sort key among them, strongest first
# (ties keep the list's order, newest first: `sorted` is stable).
REASONS: tuple[tuple[RepresentativeReason, Callable[[CitingEntry], bool],
                     Callable[[CitingEntry], float]], ...] = (
    ("influential", _is_influential, _by_outside_count),
    ("cited elsewhere", _is_cited_elsewhere, _by_outside_count),
    ("novelty", _has_novelty, _by_novelty),
    ("mentions", _mentions_more_than_once, _by_mentions),
)


def choose_representative(
    citing: Sequence[CitingEntry], count: int
) -> tuple[RepresentativeReason | None, tuple[CitingEntry, ...]]:
    """Up to `count` citing papers that stand out for the strongest reason any of them has,
    strongest first; none when no paper has a reason, or when every citing paper would be
    picked (the list below shows them all already)."""
    for reason, qualifies, strength in REASONS:
        candidates = [entry for entry in citing if qualifies(entry)]
        if not candidates:
            continue
        chosen: list[CitingEntry] = []
        seen: set[str] = set()
        for entry in sorted(candidates, key=strength):
            if entry.paper.id not in seen and len(chosen) < count:
                seen.add(entry.paper.id)
                chosen.append(entry)
        if len(chosen) >= len({entry.paper.id for entry in citing}):
            return None, ()
        return reason, tuple(chosen)
    return None, ()
