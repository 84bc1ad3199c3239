"""CSL-JSON (what Zotero, Mendeley and citeproc tools export): a list of items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from citehub.diagnostics import Diagnostics
from citehub.importers.records import (
    Bibliography,
    Record,
    arxiv_id,
    as_dict,
    as_list,
    clean,
    clean_block,
    date_of,
    doi,
    json_objects,
    pages_of,
    web_url,
)


def read(path: Path, diagnostics: Diagnostics, *, cited: str | None = None,
         citing: str | None = None) -> Bibliography:
    bibliography = Bibliography()
    for number, item, line in json_objects(path, diagnostics, page_key="items",
                                           title_key="title",
                                           expected="expected CSL-JSON: a list of items",
                                           what="item"):
        record = _record(item, number, line)
        if record is None:
            bibliography.skipped.append((line, f"item {number} has no title"))
            continue
        bibliography.add(record, cited=cited, citing=citing)
    return bibliography


def _record(item: dict[str, Any], number: int, line: int) -> Record | None:
    title = clean(item.get("title"))
    if not title:
        return None
    item_id = clean(item.get("id")) or str(number)
    url = web_url(item.get("URL"))
    found_arxiv = next((found for name in ("DOI", "URL", "number", "note", "archive_location")
                        if (found := arxiv_id(item.get(name)))), None)
    paper_type = CSL_TYPES.get(clean(item.get("type")))
    venue = clean(item.get("container-title") or item.get("event-title")) or None
    publisher = clean(item.get("publisher")) or None
    if found_arxiv and paper_type in ("article", "other", None) and (
            venue is None or venue.casefold().startswith("arxiv")):
        # Zotero's preprints are CSL "article" items published by arXiv.
        paper_type, venue = "preprint", "arXiv"
        publisher = None if (publisher or "").casefold() == "arxiv" else publisher
    institution = publisher if paper_type in ("thesis", "report") else None
    return Record(
        key=f"csl:{item_id}", line=line, title=title,
        # Zotero's ids are URLs (http://zotero.org/users/1/items/ABCD2345): the item key.
        source_id=item_id.rstrip("/").rsplit("/", 1)[-1],
        authors=[name for author in as_list(item.get("author")) if (name := _name(author))],
        date=_date(item.get("issued")),
        venue=venue,
        arxiv=found_arxiv, doi=doi(item.get("DOI")),
        pdf=url if url and url.lower().endswith(".pdf") else None,
        url=url if url and not url.lower().endswith(".pdf") else None,
        abstract=clean_block(item.get("abstract")),
        type=paper_type,
        volume=clean(item.get("volume")) or None,
        issue=clean(item.get("issue")) or None,
        pages=pages_of(item.get("page")),
        publisher=None if institution else publisher,
        institution=institution,
    )


# CSL's item types as ours ("article" is CSL's preprint or working paper).
CSL_TYPES = {"article-journal": "article", "article-magazine": "article",
             "article-newspaper": "article", "review": "article",
             "paper-conference": "conference-paper", "article": "other", "book": "book",
             "chapter": "chapter", "thesis": "thesis", "report": "report",
             "dataset": "dataset", "software": "software", "manuscript": "preprint",
             "post": "other", "post-weblog": "other", "webpage": "other"}


def _name(author: object) -> str:
    person = as_dict(author)
    literal = clean(person.get("literal"))
    if literal:
        # An institution's name, one author (in BibTeX, braced: "Google Brain Team" would
        # be Mr. Team).
        return f"{{{literal}}}" if " " in literal and "{" not in literal else literal
    parts = [clean(person.get(part)) for part in ("given", "non-dropping-particle", "family",
                                                   "suffix")]
    return " ".join(part for part in parts if part)


def _date(issued: object) -> str | None:
    date = as_dict(issued)
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        return date_of(*parts[0][:3])
    raw = clean(date.get("raw") or date.get("literal"))
    return date_of(raw[:4]) if raw[:4].isdigit() else None
