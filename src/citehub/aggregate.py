"""Pure functions from the corpus to per-paper citation summaries ("hubs") and site lists.

Everything is computed once, in one pass over the citations, and everything is sorted, so
the pages rendered from it are the same bytes for the same content.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from citehub.config import Axis, HubConfig, KindRule
from citehub.model import Citation, Corpus, Paper


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
    roles: Mapping[str, int]  # vocabulary order, only terms that occur
    polarities: Mapping[str, int]
    kind: KindMatch | None
    representative: tuple[CitingEntry, ...]
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
    papers_by_year: Mapping[int, tuple[Paper, ...]]  # newest year first


DateKey = tuple[bool, tuple[int, int, int], str]


def newest_first(paper: Paper) -> DateKey:
    """Sort key: dated papers newest first, undated after them, ties by id."""
    if paper.date is None:
        return (True, (0, 0, 0), paper.id)
    year, month, day = paper.date.sort_key
    return (False, (-year, -month, -day), paper.id)


def aggregate(corpus: Corpus) -> SiteAggregates:
    config = corpus.config
    papers = corpus.papers
    # One sort of the papers, newest first; every list below is made by walking them in that
    # order, so it comes out sorted without sorting each of the thousands of lists again.
    newest = sorted(papers.values(), key=newest_first)
    rank = {paper.id: position for position, paper in enumerate(newest)}
    citing_of: dict[str, list[CitingEntry]] = defaultdict(list)
    role_citations: dict[str, list[CitingEntry]] = defaultdict(list)
    entries_of: dict[str, list[CitingEntry]] = {}  # each paper's citations, as entries
    for paper in newest:
        entries = entries_of[paper.id] = []
        for citation in sorted(paper.cites, key=_cited_id):
            entry = CitingEntry(paper, citation)
            entries.append(entry)
            citing_of[citation.cited_id].append(entry)
            if citation.role is not None:
                role_citations[citation.role].append(entry)
    # Representative citing papers: the same walk in representative order, each hub taking
    # the first few that reach it.
    representative: dict[str, list[CitingEntry]] = defaultdict(list)
    for paper in sorted(newest, key=lambda paper: (paper.novelty is None,
                                                   -(paper.novelty or 0.0), rank[paper.id])):
        for entry in entries_of[paper.id]:
            chosen = representative[entry.citation.cited_id]
            if len(chosen) < config.representative:
                chosen.append(entry)
    hubs = {
        paper_id: make_hub(paper, citing_of.get(paper_id, ()),
                           representative.get(paper_id, ()), papers, config)
        for paper_id, paper in papers.items()
    }
    ranking = tuple(sorted(hubs, key=lambda paper_id: (-hubs[paper_id].citing_count,
                                                       rank[paper_id])))
    roles = {
        role: tuple(role_citations[role])
        for role in config.vocabulary.roles
        if role in role_citations
    }
    return SiteAggregates(
        hubs=MappingProxyType(hubs),
        ranking=ranking,
        role_citations=MappingProxyType(roles),
        papers_by_year=MappingProxyType(papers_by_year(newest)),
    )


def _cited_id(citation: Citation) -> str:
    return citation.cited_id


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
    representative: Sequence[CitingEntry],
    papers: Mapping[str, Paper],
    config: HubConfig,
) -> Hub:
    """`citing` is newest first; `representative` in representative order (novelty, highest
    first and missing last, then newest, then id)."""
    ordered = tuple(citing)
    # One pass, plain dicts: most hubs have a handful of citing papers, and building three
    # Counters for each of tens of thousands of hubs cost more than counting.
    years: dict[int, int] = {}
    role_counts: dict[str, int] = {}
    polarity_counts: dict[str, int] = {}
    classified_count = 0
    for entry in ordered:
        year, citation = entry.paper.year, entry.citation
        if year is not None:
            years[year] = years.get(year, 0) + 1
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

    return Hub(
        paper=paper,
        citing=ordered,
        classified_count=classified_count,
        years=MappingProxyType(dict(sorted(years.items()))),
        roles=roles,
        polarities=polarities,
        kind=match_kind(config.kinds, classified_count, roles, polarities),
        representative=tuple(representative),
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
