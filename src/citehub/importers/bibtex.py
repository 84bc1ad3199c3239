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
    pages_of,
    read_source,
    web_url,
)

AND = re.compile(r"\s+and\s+", re.IGNORECASE)
COMMA = re.compile(r",")
# BibTeX's entry types as ours; @misc is a preprint when it is an arXiv eprint.
ENTRY_TYPES = {"article": "article", "inproceedings": "conference-paper",
               "conference": "conference-paper", "book": "book", "incollection": "chapter",
               "inbook": "chapter", "phdthesis": "thesis", "mastersthesis": "thesis",
               "thesis": "thesis", "techreport": "report", "report": "report",
               "unpublished": "preprint", "online": "other", "software": "software",
               "dataset": "dataset", "misc": "other"}
# A journal that is arXiv: Google Scholar's "arXiv preprint arXiv:1412.6980", DBLP's CoRR.
ARXIV_JOURNAL = re.compile(r"^(arxiv(\.org)?|corr|arxiv preprint\b.*)$", re.IGNORECASE)


def read(path: Path, diagnostics: Diagnostics, *, cited: str | None = None,
         citing: str | None = None) -> Bibliography:
    text = read_source(path, diagnostics)
    # bibtexparser logs each failed block; they are reported below, with their lines.
    logger = logging.getLogger("bibtexparser")
    level, logger.level = logger.level, logging.CRITICAL
    try:
        # Braced groups and math are kept: a title's {BERT} and $\ell_1$ are its own.
        library = parse_string(text, append_middleware=[
            LatexDecodingMiddleware(keep_braced_groups=True, keep_math_mode=True)])
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
    written = {name.lower(): str(field.value) for name, field in entry.fields_dict.items()}
    fields = {name: _text(value) for name, value in written.items()}
    title = clean(written.get("title"))
    if not clean(fields.get("title")):
        return None
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    eprint = fields.get("eprint")
    found_arxiv = (arxiv_id(eprint) if eprint and archive in ("arxiv", "") else None) or next(
        (found for name in ("journal", "url", "doi", "note", "volume", "howpublished")
         if (found := arxiv_id(fields.get(name)))), None)
    url = web_url(fields.get("url"))
    venue = clean(fields.get("journal") or fields.get("booktitle")) or None
    paper_type = ENTRY_TYPES.get(entry.entry_type.lower())
    on_arxiv = bool(venue and ARXIV_JOURNAL.match(venue))
    if found_arxiv and (on_arxiv or (paper_type in ("other", None) and not venue)):
        paper_type, venue = "preprint", "arXiv"
    return Record(
        key=f"bibtex:{entry.key}", line=(entry.start_line or 0) + 1, title=title,
        source_id=entry.key,
        authors=authors(written.get("author", "")),
        date=date_of(fields.get("year"), fields.get("month"), fields.get("day")),
        venue=venue,
        categories=[clean(fields["primaryclass"])] if clean(fields.get("primaryclass")) else [],
        arxiv=found_arxiv,
        doi=doi(fields.get("doi")) or (doi(url) if url and "doi.org/" in url else None),
        pdf=url if url and url.lower().endswith(".pdf") else None,
        url=url if url and not url.lower().endswith(".pdf") else None,
        abstract=clean_block(fields.get("abstract")),
        type=paper_type,
        volume=None if on_arxiv else clean(fields.get("volume")) or None,
        issue=clean(fields.get("number") or fields.get("issue")) or None,
        pages=pages_of(fields.get("pages")),
        publisher=clean(fields.get("publisher") or fields.get("organization")) or None,
        institution=clean(fields.get("school") or fields.get("institution")) or None,
    )


def authors(field: str) -> list[str]:
    """The names of an author field, 'First Last', braces that keep a name whole kept
    ({Google Brain Team}); "and others" (BibTeX's et al.) is no author."""
    names = [clean(name) for name in _top_level_split(field, AND)]
    return [_name(name) for name in names if name and name.casefold() != "others"]


def _top_level_split(text: str, separator: re.Pattern[str]) -> list[str]:
    """`text` split at `separator` where it is outside braces."""
    parts, start, depth = [], 0, 0
    position = 0
    while position < len(text):
        character = text[position]
        if character in "{}":
            depth += 1 if character == "{" else -1
        elif depth == 0 and (match := separator.match(text, position)):
            parts.append(text[start:position])
            start = position = match.end()
            continue
        position += 1
    parts.append(text[start:])
    return parts


def _text(value: object) -> str:
    # Braces that protect capitals ({BERT}) are for BibTeX styles, not for readers.
    return str(value).replace("{", "").replace("}", "")


def _name(author: str) -> str:
    """'Last, First' (or 'Last, Jr., First') as 'First Last'; other forms as written."""
    parts = [clean(part) for part in _top_level_split(author, COMMA)]
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}".strip()
    if len(parts) == 3:
        return f"{parts[2]} {parts[0]} {parts[1]}".strip()
    return clean(author)
