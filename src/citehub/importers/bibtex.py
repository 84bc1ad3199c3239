"""BibTeX (with bibtexparser): entries as arXiv, ACL Anthology, DBLP and Google Scholar
export them; LaTeX accents and braces decoded, arXiv eprints and DOIs picked up."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from bibtexparser import model
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware

from citehub.diagnostics import Diagnostics
from citehub.importers.records import (
    Bibliography,
    Record,
    arxiv_id,
    clean,
    clean_block,
    date_of,
    doi,
    read_source,
    web_url,
)

AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def read(path: Path, diagnostics: Diagnostics, *, cited: str | None = None,
         citing: str | None = None) -> Bibliography:
    text = read_source(path, diagnostics)
    # bibtexparser logs each failed block; they are reported below, with their lines.
    logger = logging.getLogger("bibtexparser")
    level, logger.level = logger.level, logging.CRITICAL
    try:
        library = parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    finally:
        logger.setLevel(level)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, model.DuplicateBlockKeyBlock):
            diagnostics.error(path, line, f"entry key '{block.key}' is used twice")
        else:
            diagnostics.error(path, line, "this entry does not parse as BibTeX: "
                                          f"{_reason(block)}")
    bibliography = Bibliography()
    for entry in library.entries:
        record = _record(entry)
        if record is None:
            bibliography.skipped.append(((entry.start_line or 0) + 1,
                                         f"@{entry.entry_type}{{{entry.key}}} has no title"))
            continue
        bibliography.add(record, cited=cited, citing=citing)
    return bibliography


def _reason(block: model.ParsingFailedBlock) -> str:
    error = getattr(block, "error", None)
    message = str(error).strip() if error else ""
    return message.splitlines()[0] if message else "check its braces, quotes and commas"


def _record(entry: model.Entry) -> Record | None:
    fields = {name.lower(): _text(field.value) for name, field in entry.fields_dict.items()}
    title = clean(fields.get("title"))
    if not title:
        return None
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    eprint = fields.get("eprint")
    found_arxiv = (arxiv_id(eprint) if eprint and archive in ("arxiv", "") else None) or next(
        (found for name in ("journal", "url", "doi", "note", "volume", "howpublished")
         if (found := arxiv_id(fields.get(name)))), None)
    url = web_url(fields.get("url"))
    return Record(
        key=f"bibtex:{entry.key}", line=(entry.start_line or 0) + 1, title=title,
        source_id=entry.key,
        authors=[_name(author) for author in AND.split(fields.get("author", "")) if
                 clean(author)],
        date=date_of(fields.get("year"), fields.get("month"), fields.get("day")),
        venue=clean(fields.get("journal") or fields.get("booktitle")
                    or fields.get("publisher")) or None,
        categories=[clean(fields["primaryclass"])] if clean(fields.get("primaryclass")) else [],
        arxiv=found_arxiv,
        doi=doi(fields.get("doi")) or (doi(url) if url and "doi.org/" in url else None),
        pdf=url if url and url.lower().endswith(".pdf") else None,
        url=url if url and not url.lower().endswith(".pdf") else None,
        abstract=clean_block(fields.get("abstract")),
    )


def _text(value: object) -> str:
    # Braces that protect capitals ({BERT}) are for BibTeX styles, not for readers.
    return str(value).replace("{", "").replace("}", "")


def _name(author: str) -> str:
    """'Last, First' (or 'Last, Jr., First') as 'First Last'; other forms as written."""
    parts = [clean(part) for part in author.split(",")]
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}".strip()
    if len(parts) == 3:
        return f"{parts[2]} {parts[0]} {parts[1]}".strip()
    return clean(author)
