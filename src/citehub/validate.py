"""Raw documents → a validated corpus, every problem reported with its file and line.

Checks one file at a time first (keys, types, dates, links, vocabulary), then what needs the
whole corpus (cited ids exist). Problems are collected, never raised, so a pull request's
author sees all of them in one run.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

import yaml

from citehub.config import HubConfig, Vocabulary
from citehub.diagnostics import Diagnostics, Suggester, closest, display_path, suggestion
from citehub.load import PaperDocument, RawContent, kind_name
from citehub.model import PAPER_TYPES, Citation, Corpus, Link, OutsideCount, Paper, PaperDate
from citehub.schema import FORBIDDEN_CHARACTER, Fields, root_fields
from citehub.tex import without_braces

PAPER_KEYS = (
    "title", "authors", "date", "type", "categories", "venue", "volume", "issue", "pages",
    "publisher", "institution", "links", "citation_counts", "added", "verdict", "novelty",
    "summary", "draft", "cites",
)
CITATION_KEYS = ("paper", "role", "polarity", "refs", "influential", "context")
COUNT_KEYS = ("source", "count", "influential", "date")
# What people write for a type (BibTeX's and CSL's names), so `type: inproceedings` suggests
# 'conference-paper'.
TYPE_ALIASES = {
    "inproceedings": "conference-paper", "conference": "conference-paper",
    "paper-conference": "conference-paper", "proceedings": "conference-paper",
    "article-journal": "article", "journal": "article", "journal-article": "article",
    "misc": "other", "phdthesis": "thesis", "mastersthesis": "thesis", "dissertation": "thesis",
    "techreport": "report", "incollection": "chapter", "inbook": "chapter", "code": "software",
    "unpublished": "preprint", "posted-content": "preprint",
}
LINK_KEYS = ("arxiv", "doi", "pdf", "code", "url", "data", "slides", "video")
# What people write for a link kind we name differently, so `github:` suggests 'code'.
LINK_ALIASES = {
    "github": "code", "gitlab": "code", "repo": "code", "repository": "code", "source": "code",
    "homepage": "url", "website": "url", "web": "url", "project": "url", "html": "url",
    "dataset": "data", "paper": "pdf", "talk": "video", "youtube": "video", "slide": "slides",
}

FIRST_YEAR = 1000
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z")
NEW_ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?\Z")
OLD_ARXIV_ID = re.compile(r"^[a-z][a-z-]*(\.[A-Z]{2})?/\d{7}(v\d+)?\Z")
ARXIV_URL = re.compile(r"^https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?\Z", re.I)
DOI = re.compile(r"^10\.\d{4,9}/\S+\Z")
DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)\Z", re.I)
# Whitespace or control characters inside a URL are how `java\tscript:` slips past checks.
UNSAFE_URL_CHARACTERS = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class Validated:
    """The corpus, and the papers read without any problem (worth keeping for the next
    build: reusing them cannot hide a message)."""

    corpus: Corpus
    clean: tuple[Paper, ...]


def validate(
    raw: RawContent,
    config: HubConfig,
    diagnostics: Diagnostics,
    *,
    reused: Sequence[Paper] = (),
    include_drafts: bool = False,
) -> Validated:
    """The corpus of `raw`, with the `reused` papers of the files it left unparsed."""
    papers: list[Paper | None] = []
    clean: list[Paper] = []
    known = KnownPapers(raw.known_ids)
    for document in raw.papers:
        problems_before = len(diagnostics.items)
        paper = read_paper(document, known, config.vocabulary, diagnostics)
        papers.append(paper)
        if paper is not None and len(diagnostics.items) == problems_before:
            clean.append(paper)
    papers.extend(reused)
    published = {
        paper.id: paper
        for paper in sorted((p for p in papers if p is not None), key=lambda p: p.id)
        if include_drafts or not paper.draft
    }
    corpus_papers = {
        paper_id: _without_unpublished_citations(paper, published)
        for paper_id, paper in published.items()
    }
    _warn_about_gaps(corpus_papers, diagnostics)
    return Validated(Corpus(config, MappingProxyType(corpus_papers), raw.known_ids),
                     tuple(clean))


def revalidate(
    corpus: Corpus,
    documents: Sequence[PaperDocument],
    diagnostics: Diagnostics,
    *,
    include_drafts: bool = False,
) -> tuple[Corpus, set[str]] | None:
    """The corpus with these papers' files read again, and the ids of the papers that changed,
    when that is all that changed: files of known papers, read without error, published or
    not as before. Otherwise None: the caller validates everything, and so reports every
    problem (the warnings about gaps, too, are left to that)."""
    papers = dict(corpus.papers)
    changed: set[str] = set()
    known = KnownPapers(corpus.known_ids)
    for document in documents:
        paper = read_paper(document, known, corpus.config.vocabulary, diagnostics)
        if paper is None or diagnostics.has_errors:
            return None
        published = include_drafts or not paper.draft
        if published != (paper.id in papers):
            return None
        if published:
            papers[paper.id] = _without_unpublished_citations(paper, papers)
            changed.add(paper.id)
    return Corpus(corpus.config, MappingProxyType(papers), corpus.known_ids), changed


def _without_unpublished_citations(paper: Paper, published: dict[str, Paper]) -> Paper:
    # A citation of a draft is kept in the file but left out of the site with its target.
    kept = tuple(citation for citation in paper.cites if citation.cited_id in published)
    if len(kept) == len(paper.cites):
        return paper
    return replace(paper, cites=kept)


def _warn_about_gaps(papers: dict[str, Paper], diagnostics: Diagnostics) -> None:
    """What is valid but probably unfinished: `check --strict` turns these into errors."""
    cited = {citation.cited_id for paper in papers.values() for citation in paper.cites}
    for paper in papers.values():
        if paper.date is None and paper.cites:
            diagnostics.warning(paper.source, 1, "citing paper has no 'date': it counts as "
                                                 "citing but in no year", "undated")
        if not paper.abstract.strip():
            diagnostics.warning(paper.source, paper.abstract_line - 1, "paper has no abstract: "
                                "write it in Markdown below the front matter", "no-abstract")
        if not paper.cites and paper.id not in cited:
            diagnostics.warning(paper.source, 1, "paper cites nothing and nothing cites it",
                                "orphan")
        for citation in paper.cites:
            if not citation.classified:
                diagnostics.warning(
                    paper.source, citation.line,
                    f"citation of '{citation.cited_id}' has neither a role nor a polarity: it "
                    "counts as citing but not as classified", "unclassified",
                )


class KnownPapers:
    """The ids a citation may name, and "did you mean" among them (within a budget: see
    diagnostics.Suggester)."""

    def __init__(self, ids: frozenset[str]) -> None:
        self.ids = ids
        self.suggest = Suggester(ids)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self.ids


def read_paper(
    document: PaperDocument,
    known_ids: KnownPapers,
    vocabulary: Vocabulary,
    diagnostics: Diagnostics,
) -> Paper | None:
    """The paper of one file, or None when the file has errors (each one is reported).

    A paper with errors is left out of the corpus so that no later check (an undated citing
    paper, say) adds a second message about a value that was already reported as wrong.
    """
    if document.front_matter.failed:
        return None  # the YAML could not be read; load already said why
    first_new = len(diagnostics.items)
    fields = root_fields(document.front_matter, diagnostics, PAPER_KEYS, "front matter")
    if fields is None:
        return None
    title = fields.text("title", required=True)
    if title is not None and not without_braces(title).strip():
        fields.error(fields.values["title"][1], "'title' must not be empty")
    authors = fields.text_list("authors")
    _check_abstract(document, diagnostics)
    paper = Paper(
        id=document.paper_id,
        title=without_braces(title or ""),
        title_tex=title or "",
        authors=tuple(map(without_braces, authors)),
        authors_tex=authors,
        date=read_date(fields),
        declared_type=_paper_type(fields),
        categories=fields.text_list("categories"),
        venue=fields.text("venue"),
        links=read_links(fields),
        verdict=fields.text("verdict"),
        novelty=fields.number("novelty", 0, 10),
        summary=fields.text("summary"),
        draft=fields.boolean("draft"),
        cites=read_citations(fields, document.paper_id, known_ids, vocabulary),
        abstract=document.body,
        source=document.front_matter.path,
        abstract_line=document.body_line,
        digest=document.digest,
        volume=fields.text("volume"),
        issue=fields.text("issue"),
        pages=fields.text("pages"),
        publisher=fields.text("publisher"),
        institution=fields.text("institution"),
        outside_counts=read_outside_counts(fields),
        added=read_date(fields, "added"),
    )
    new_errors = any(item.severity == "error" for item in diagnostics.items[first_new:])
    return None if new_errors else paper


def _check_abstract(document: PaperDocument, diagnostics: Diagnostics) -> None:
    lines = document.body.split("\n")
    for offset, line in enumerate(lines):
        forbidden = FORBIDDEN_CHARACTER.search(line)
        if forbidden:
            diagnostics.error(document.front_matter.path, document.body_line + offset,
                              f"the abstract contains the control character "
                              f"U+{ord(forbidden.group()):04X}; delete it",
                              col=forbidden.start() + 1)
    cells, first = _table_cells(lines)
    if cells > MAX_TABLE_CELLS:
        # Markdown renders every row with every column of its table: a few kB of '|-|-|'
        # and short lines are millions of cells (seconds, and gigabytes, to render).
        diagnostics.error(document.front_matter.path, document.body_line + first,
                          f"the abstract's tables have {cells:,} cells (columns times rows); "
                          f"an abstract may have at most {MAX_TABLE_CELLS:,}")


MAX_TABLE_CELLS = 5_000
TABLE_DELIMITER_CELL = re.compile(r"\s*:?-+:?\s*")


def _table_cells(lines: list[str]) -> tuple[int, int]:
    """How many cells the tables of these Markdown lines render at most (each table's
    columns, from its delimiter row, times its rows up to the next blank line), and the
    offset of the first table's delimiter row."""
    cells, first, index = 0, 0, 0
    while index < len(lines):
        line = lines[index].strip()
        parts = line.strip("|").split("|") if "|" in line else []
        if parts and all(TABLE_DELIMITER_CELL.fullmatch(part) for part in parts):
            rows = 1  # the header
            index += 1
            while index < len(lines) and lines[index].strip():
                rows += 1
                index += 1
            if not cells:
                first = index - rows
            cells += len(parts) * rows
            continue
        index += 1
    return cells, first


def _paper_type(fields: Fields) -> str | None:
    value = fields.text("type")
    if value is None or value in PAPER_TYPES:
        return value
    meant = closest(value.casefold(), PAPER_TYPES, TYPE_ALIASES)
    hint = f"; did you mean '{meant}'?" if meant else ""
    fields.error(fields.values["type"][1],
                 f"unknown type '{value}'{hint} (known: {', '.join(PAPER_TYPES)})")
    return None


def read_outside_counts(fields: Fields) -> tuple[OutsideCount, ...]:
    """`citation_counts`: how many cite the paper according to other sources, each with the
    date it was read on (a count without its date cannot be compared with anything)."""
    counts: list[OutsideCount] = []
    sources: dict[str, int] = {}
    for node in fields.sequence("citation_counts"):
        if not isinstance(node, yaml.MappingNode):
            fields.error(node, "each entry of 'citation_counts' must be a mapping such as "
                               "{source: Semantic Scholar, count: 120, date: 2024-05-01}, "
                               f"found {kind_name(node)}")
            continue
        entry = Fields(fields.document, node, fields.diagnostics, COUNT_KEYS,
                       "a citation count")
        source = entry.text("source", required=True)
        count = entry.integer("count", 0)
        if count is None and entry.node_of("count") is None:
            entry.missing("count")
        influential = entry.integer("influential", 0)
        date = read_date(entry, "date")
        if date is None and entry.node_of("date") is None:
            entry.missing("date", " (the day the count was read)")
        if source is not None and source.casefold() in sources:
            entry.error(entry.values["source"][1], f"a second count from '{source}' (first "
                                                    f"on line {sources[source.casefold()]})")
            continue
        if source is None or count is None or date is None:
            continue
        sources[source.casefold()] = entry.line
        counts.append(OutsideCount(source, count, influential, date))
    return tuple(counts)


def read_date(fields: Fields, key: str = "date") -> PaperDate | None:
    node = fields.node_of(key)
    if node is None:
        return None
    if not isinstance(node, yaml.ScalarNode):
        fields.error(node, f"'{key}' must be YYYY-MM-DD, YYYY-MM or YYYY, found "
                           f"{kind_name(node)}")
        return None
    text = str(node.value).strip()
    match = DATE.match(text)
    if match is None:
        fields.error(node, f"'{key}' must be YYYY-MM-DD, YYYY-MM or YYYY, found '{text}'")
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    # Each year between a hub's oldest and newest citing paper is a bar of the year chart:
    # 0001 and 9999 would make every cited page's chart ten thousand bars wide.
    latest = datetime.date.today().year + 1
    if not FIRST_YEAR <= year <= latest:
        fields.error(node, f"'{key}' {text} is out of range: the year must be from "
                           f"{FIRST_YEAR} to {latest}")
        return None
    try:
        # Not `month or 1`: month 0 must fail here, not pass as January.
        datetime.date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError as error:  # says which part: "month must be in 1..12"
        fields.error(node, f"'{key}' {text} is not a real date ({error})")
        return None
    return PaperDate(year, month, day)


def read_links(fields: Fields) -> tuple[Link, ...]:
    links = fields.mapping("links", LINK_KEYS, "links", aliases=LINK_ALIASES)
    if links is None:
        return ()
    found: list[Link] = []
    for kind in LINK_KEYS:  # a fixed order, whatever order the file used
        node = links.node_of(kind)
        if node is None:
            continue
        value = links.text_of(kind, node)
        if value is None:
            continue
        link = make_link(kind, value)
        if link is None:
            links.warning(node, f"link '{kind}' is dropped: expected an http(s) URL"
                                f"{_link_hint(kind)}, found '{_shorten(value)}'", "unsafe-link")
            continue
        found.append(link)
    return tuple(found)


def _link_hint(kind: str) -> str:
    return {"arxiv": " or an arXiv id", "doi": " or a DOI such as 10.1000/xyz"}.get(kind, "")


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def make_link(kind: str, value: str) -> Link | None:
    """A safe link from what was written, or None when it is not one we can vouch for."""
    if kind == "arxiv":
        arxiv_id = _arxiv_id(value)
        if arxiv_id is None:
            return None
        return Link(kind, f"https://arxiv.org/abs/{arxiv_id}", f"arXiv:{arxiv_id}")
    if kind == "doi":
        doi_match = DOI.match(value) or DOI_URL.match(value)
        if doi_match is None:
            return None
        doi = doi_match.group(1) if doi_match.re is DOI_URL else value
        if UNSAFE_URL_CHARACTERS.search(doi):
            return None
        return Link(kind, f"https://doi.org/{doi}", f"doi:{doi}")
    if not is_safe_url(value):
        return None
    return Link(kind, value, urlsplit(value).netloc.lower())


def _arxiv_id(value: str) -> str | None:
    if NEW_ARXIV_ID.match(value) or OLD_ARXIV_ID.match(value):
        return value
    url_match = ARXIV_URL.match(value)
    if url_match and (NEW_ARXIV_ID.match(url_match.group(1))
                      or OLD_ARXIV_ID.match(url_match.group(1))):
        return url_match.group(1)
    return None


def is_safe_url(value: str) -> bool:
    if UNSAFE_URL_CHARACTERS.search(value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def read_citations(
    fields: Fields, citing_id: str, known_ids: KnownPapers, vocabulary: Vocabulary
) -> tuple[Citation, ...]:
    citations: list[Citation] = []
    first_line: dict[str, int] = {}
    for node in fields.sequence("cites"):
        citation = read_citation(fields, node, citing_id, known_ids, vocabulary)
        if citation is None:
            continue
        if citation.cited_id in first_line:
            fields.error(node, f"cites '{citation.cited_id}' twice "
                               f"(first on line {first_line[citation.cited_id]})")
            continue
        first_line[citation.cited_id] = citation.line
        citations.append(citation)
    return tuple(citations)


def read_citation(
    parent: Fields,
    node: yaml.Node,
    citing_id: str,
    known_ids: KnownPapers,
    vocabulary: Vocabulary,
) -> Citation | None:
    if not isinstance(node, yaml.MappingNode):
        # `- 2306.08543` is the usual slip: show the fix with the id that was written.
        example = node.value if isinstance(node, yaml.ScalarNode) and node.value else "2306.08543"
        parent.error(node, f"each entry of 'cites' must be a mapping such as "
                           f"{{paper: {example}, role: background}}, found {kind_name(node)}")
        return None
    fields = Fields(parent.document, node, parent.diagnostics, CITATION_KEYS, "a citation")
    cited_id = fields.text("paper", required=True)
    role = _term(fields, "role", vocabulary.roles)
    polarity = _term(fields, "polarity", vocabulary.polarities)
    refs = fields.integer("refs", 1)
    influential = fields.boolean("influential")
    contexts = fields.text_or_list("context")
    if cited_id is None:
        return None
    where = fields.values["paper"][1]
    if cited_id == citing_id:
        fields.error(where, "a paper cannot cite itself")
        return None
    if cited_id not in known_ids:
        fields.error(where, f"cites unknown paper '{cited_id}'{known_ids.suggest(cited_id)}"
                            f"{_missing_file_hint(parent.document.path, cited_id)}")
        return None
    return Citation(citing_id, cited_id, role, polarity, refs, contexts, fields.line,
                    influential)


def _missing_file_hint(citing_path: Path, cited_id: str) -> str:
    if "/" in cited_id:  # an old arXiv id: its file is named with '-' (cs-0112017.md)
        return f" (a paper id has no '/'; the file would be {cited_id.replace('/', '-')}.md)"
    return f" (no file {display_path(citing_path.parent / f'{cited_id}.md')})"


def _term(fields: Fields, axis: str, terms: MappingProxyType[str, str]) -> str | None:
    value = fields.text(axis)
    if value is None or value in terms:
        return value
    fields.error(fields.values[axis][1],
                 f"unknown {axis} '{value}'{suggestion(value, terms)} "
                 f"(known: {', '.join(terms)})")
    return None
