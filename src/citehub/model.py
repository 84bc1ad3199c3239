"""The corpus as plain, frozen data: papers and the citations between them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from citehub.config import Axis, HubConfig

# A venue that is a conference's (Scholar's citation_conference_title, BibTeX's booktitle),
# for papers that do not say their type. Some journals are called proceedings.
CONFERENCE = re.compile(
    r"\b(conference|proceedings(?! of the (?:national academy|ieee\b|royal society|american "
    r"mathematical|london mathematical|vldb))|proc\.|workshop|symposium|meeting|neurips|nips|"
    r"icml|iclr|acl|emnlp|naacl|cvpr|iccv|eccv|aaai|ijcai)\b", re.IGNORECASE)
# Venues that are preprint servers (as sources name them, case-folded).
PREPRINT_SERVERS = frozenset({
    "arxiv", "arxiv.org", "corr", "biorxiv", "medrxiv", "ssrn", "social science research network",
    "research square", "techrxiv", "chemrxiv", "psyarxiv", "osf preprints", "preprints.org"})


@dataclass(frozen=True, order=True)
class PaperDate:
    """A date as precise as it was written: a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def text(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
        if self.day is not None:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    @property
    def timestamp(self) -> str:
        """RFC 3339, as feeds want it: the date's first day, at midnight UTC."""
        return f"{self.year:04d}-{self.month or 1:02d}-{self.day or 1:02d}T00:00:00Z"


@dataclass(frozen=True)
class Link:
    kind: str  # arxiv, doi, pdf, code, url, data, slides, video
    url: str
    text: str  # what the reader sees: the arXiv id, the DOI, or the host


@dataclass(frozen=True)
class Citation:
    citing_id: str
    cited_id: str
    role: str | None
    polarity: str | None
    refs: int | None
    contexts: tuple[str, ...]
    line: int
    influential: bool = False  # the source (Semantic Scholar) marks it highly influential

    @property
    def classified(self) -> bool:
        return self.role is not None or self.polarity is not None

    def term(self, axis: Axis) -> str | None:
        return self.role if axis == "role" else self.polarity


# What a paper is, in a vocabulary close to CSL's; each has its BibTeX entry type and its
# schema.org type (exports.py, metadata.py).
PAPER_TYPES = ("article", "conference-paper", "preprint", "book", "chapter", "thesis", "report",
               "dataset", "software", "other")


@dataclass(frozen=True)
class OutsideCount:
    """How many papers cite it according to a source outside the hub, and when it said so."""

    source: str  # "Semantic Scholar", "OpenAlex", "Google Scholar"…
    count: int
    influential: int | None
    date: PaperDate


@dataclass(frozen=True)
class Paper:
    id: str
    title: str
    authors: tuple[str, ...]
    date: PaperDate | None
    categories: tuple[str, ...]
    venue: str | None
    links: tuple[Link, ...]
    verdict: str | None
    novelty: float | None
    summary: str | None
    draft: bool
    cites: tuple[Citation, ...]
    abstract: str  # Markdown, as written
    source: Path
    abstract_line: int
    digest: str = ""  # of the file's text: with the citations kept, what the paper is made of
    # The title and authors as written, with the TeX a BibTeX source had (`{BERT}`, `$\ell_1$`);
    # `title` and `authors` are what readers see (tex.without_braces).
    title_tex: str = ""
    authors_tex: tuple[str, ...] = ()
    declared_type: str | None = None  # as written (`type:`); `type` is what it is taken for
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    institution: str | None = None  # a thesis's university, a report's institution
    outside_counts: tuple[OutsideCount, ...] = ()
    added: PaperDate | None = None  # when it came into the hub (`added:`)
    # A field, not a property: aggregation and planning read it some 300,000 times at 10k.
    year: int | None = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "year", self.date.year if self.date else None)

    @property
    def type(self) -> str:
        """The paper's type: as written, else guessed from its venue (a preprint when it has
        an arXiv id and no venue but arXiv itself)."""
        if self.declared_type is not None:
            return self.declared_type
        if self.venue and self.venue.casefold() not in PREPRINT_SERVERS:
            return "conference-paper" if CONFERENCE.search(self.venue) else "article"
        return "preprint" if any(link.kind == "arxiv" for link in self.links) else "other"

    @property
    def identifiers(self) -> dict[str, str]:
        """The paper's arXiv id and DOI, bare ("2402.13116", "10.1000/xyz"), by link kind."""
        return {link.kind: link.text.split(":", 1)[1] for link in self.links
                if link.kind in ("arxiv", "doi")}


@dataclass(frozen=True)
class Corpus:
    config: HubConfig
    papers: Mapping[str, Paper]  # published papers by id, in id order
    # The id of every paper file, drafts and unreadable ones included: what a citation may name.
    known_ids: frozenset[str] = frozenset()
