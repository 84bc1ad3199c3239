"""Semantic Scholar Graph API JSON: a paper record (with `citations` and `references`), a
page of /citations or /references (`data` of items with `citingPaper` or `citedPaper`,
`contexts`, `intents`, `isInfluential`), one such item, or a list of any of these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from citehub.diagnostics import Diagnostics
from citehub.importers.records import (
    Bibliography,
    Cite,
    Count,
    Record,
    SourceError,
    arxiv_id,
    as_dict,
    as_list,
    clean,
    clean_block,
    count_of,
    date_of,
    doi,
    iso_date,
    lines_of,
    pages_of,
    read_json,
    role_of,
    texts,
    today,
    web_url,
)
from citehub.model import PREPRINT_SERVERS


class Reader:
    def __init__(self, path: Path, text: str, diagnostics: Diagnostics,
                 cited: str | None, citing: str | None) -> None:
        self.path = path
        self.diagnostics = diagnostics
        self.lines = lines_of(text, "paperId")
        self.title_lines = lines_of(text, "title")
        self.cited, self.citing = cited, citing
        self.bibliography = Bibliography()

    def line(self, paper: dict[str, Any]) -> int:
        return self.lines.get(str(paper.get("paperId")),
                              self.title_lines.get(str(paper.get("title")), 1))

    def read(self, data: object) -> None:
        if isinstance(data, list):
            for item in data:
                self.read(item)
        elif not isinstance(data, dict):
            self.diagnostics.error(self.path, 1, "expected a Semantic Scholar paper, citation "
                                                 "or reference object (or a list of them)")
        elif isinstance(data.get("data"), list):
            self.read(data["data"])  # a page of /citations or /references
        elif "citingPaper" in data:
            self.citation(data, cited=self.cited, of="citations")
        elif "citedPaper" in data:
            self.reference(data, citing=self.citing)
        elif "paperId" in data or "title" in data:
            self.paper(data)
        else:
            self.diagnostics.error(self.path, 1, "no paper here: expected 'paperId' and "
                                                 "'title', 'citingPaper' or 'citedPaper'")

    def paper(self, data: dict[str, Any]) -> str | None:
        key = self.record(data)
        if key is None:
            return None
        for item in as_list(data.get("citations")):
            if isinstance(item, dict):
                self.citation(item if "citingPaper" in item else {"citingPaper": item},
                              cited=key, of="citations")
        for item in as_list(data.get("references")):
            if isinstance(item, dict):
                self.reference(item if "citedPaper" in item else {"citedPaper": item},
                               citing=key)
        return key

    def citation(self, item: dict[str, Any], *, cited: str | None, of: str) -> None:
        citing_paper = item.get("citingPaper")
        if not isinstance(citing_paper, dict):
            return
        if cited is None:
            self.diagnostics.error(self.path, self.line(citing_paper),
                                   f"these {of} do not say which paper they cite: name it "
                                   "with --cited ID")
            raise SourceError(self.path)
        key = self.record(citing_paper)
        if key is not None:
            self.cite(item, key, cited, self.line(citing_paper))

    def reference(self, item: dict[str, Any], *, citing: str | None) -> None:
        cited_paper = item.get("citedPaper")
        if not isinstance(cited_paper, dict):
            return
        if citing is None:
            self.diagnostics.error(self.path, self.line(cited_paper),
                                   "these references do not say which paper cites them: name "
                                   "it with --citing ID")
            raise SourceError(self.path)
        key = self.record(cited_paper)
        if key is not None:
            self.cite(item, citing, key, self.line(cited_paper))

    def cite(self, item: dict[str, Any], citing: str, cited: str, line: int) -> None:
        contexts = [clean(context) for context in texts(item.get("contexts")) if clean(context)]
        with_intents = [(clean(entry.get("context")), texts(entry.get("intents")))
                        for entry in as_list(item.get("contextsWithIntent"))
                        if isinstance(entry, dict)]
        role = role_of(texts(item.get("intents")), with_intents)
        self.bibliography.cites.append(Cite(citing, cited, line, role, contexts,
                                            influential=item.get("isInfluential") is True))

    def record(self, paper: dict[str, Any]) -> str | None:
        line = self.line(paper)
        title = clean(paper.get("title"))
        external = as_dict(paper.get("externalIds"))
        paper_id = clean(paper.get("paperId"))
        corpus_id = clean(paper.get("corpusId") or external.get("CorpusId"))
        found_arxiv, found_doi = arxiv_id(external.get("ArXiv")), doi(external.get("DOI"))
        key = paper_id or found_doi or found_arxiv
        if not title or not key:
            what = "no title" if not title else "no paperId, DOI or arXiv id"
            self.bibliography.skipped.append((line, f"a paper with {what}"))
            return None
        journal = as_dict(paper.get("journal"))
        venue, paper_type = _venue_and_type(paper, journal, found_arxiv)
        on_arxiv = is_arxiv(journal.get("name"))  # its volume is "abs/1706.03762"
        tldr, pdf = as_dict(paper.get("tldr")), as_dict(paper.get("openAccessPdf"))
        return self.bibliography.add(Record(
            key=f"s2:{key}", line=line, title=title,
            source_id=f"s2-{corpus_id or paper_id}",
            authors=[clean(author.get("name")) for author in as_list(paper.get("authors"))
                     if isinstance(author, dict) and clean(author.get("name"))],
            date=iso_date(paper.get("publicationDate")) or date_of(paper.get("year")),
            venue=venue,
            categories=[clean(field) for field in texts(paper.get("fieldsOfStudy"))
                        if clean(field)],
            arxiv=found_arxiv, doi=found_doi,
            pdf=web_url(pdf.get("url")), url=web_url(paper.get("url")),
            summary=clean(tldr.get("text")) or None,
            abstract=clean_block(paper.get("abstract")),
            type=paper_type,
            volume=None if on_arxiv else clean(journal.get("volume")) or None,
            pages=None if on_arxiv else pages_of(journal.get("pages")),
            counts=_counts(paper),
        ))


# Semantic Scholar's publication types, most telling first.
PUBLICATION_TYPES = (("Conference", "conference-paper"), ("BookSection", "chapter"),
                     ("Book", "book"), ("Dataset", "dataset"), ("JournalArticle", "article"),
                     ("Review", "article"), ("MetaAnalysis", "article"), ("Study", "article"),
                     ("CaseReport", "article"), ("ClinicalTrial", "article"),
                     ("Editorial", "article"), ("LettersAndComments", "article"),
                     ("News", "article"))


def _venue_and_type(paper: dict[str, Any], journal: dict[str, Any],
                    found_arxiv: str | None) -> tuple[str | None, str | None]:
    """Where the paper appeared and what it is. The journal comes first: `venue` is often
    a collection that reprinted it (Turing's "Computing Machinery and Intelligence" has the
    venue "The Philosophy of Artificial Intelligence" and the journal Mind). arXiv as a
    journal means a preprint, unless another venue says where it was published."""
    names = (journal.get("name"), as_dict(paper.get("publicationVenue")).get("name"),
             paper.get("venue"))
    venue = next((clean(name) for name in names if clean(name) and not is_arxiv(name)), None)
    types = set(texts(paper.get("publicationTypes")))
    paper_type = next((ours for theirs, ours in PUBLICATION_TYPES if theirs in types), None)
    if venue is None and found_arxiv:
        return "arXiv", "preprint"
    if venue and venue.casefold() in PREPRINT_SERVERS and paper_type in ("article", None):
        return venue, "preprint"  # S2 calls SSRN's papers journal articles
    return venue, paper_type


def is_arxiv(name: object) -> bool:
    return clean(name).casefold() in ("arxiv", "arxiv.org")


def _counts(paper: dict[str, Any]) -> list[Count]:
    count = count_of(paper.get("citationCount"))
    if count is None:
        return []
    return [Count("Semantic Scholar", count, today(),
                  count_of(paper.get("influentialCitationCount")))]


def read(path: Path, diagnostics: Diagnostics, *, cited: str | None = None,
         citing: str | None = None) -> Bibliography:
    data, text = read_json(path, diagnostics)
    reader = Reader(path, text, diagnostics, cited, citing)
    reader.read(data)
    return reader.bibliography
