"""The corpus as plain, frozen data: papers and the citations between them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from citehub.config import Axis, HubConfig


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

    @property
    def classified(self) -> bool:
        return self.role is not None or self.polarity is not None

    def term(self, axis: Axis) -> str | None:
        return self.role if axis == "role" else self.polarity


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
    # A field, not a property: aggregation and planning read it some 300,000 times at 10k.
    year: int | None = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "year", self.date.year if self.date else None)

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
