"""OpenAlex Works JSON: one work, or a page of them (`results`), with `referenced_works`,
`publication_date`, authorships and the abstract as an inverted index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from citehub.diagnostics import Diagnostics
from citehub.importers.records import (
    Bibliography,
    Cite,
    Record,
    arxiv_id,
    as_dict,
    clean,
    clean_block,
    date_of,
    doi,
    iso_date,
    json_objects,
    web_url,
)


def read(path: Path, diagnostics: Diagnostics, *, cited: str | None = None,
         citing: str | None = None) -> Bibliography:
    bibliography = Bibliography()
    references: list[tuple[str, str, int]] = []
    for number, work, line in json_objects(
            path, diagnostics, page_key="results", title_key="display_name",
            expected="expected an OpenAlex work, or a page of them in 'results'", what="work"):
        record = _record(work, line)
        if record is None:
            bibliography.skipped.append((line, f"work {number} has no id or no title"))
            continue
        key = bibliography.add(record, cited=cited, citing=citing)
        references += [(key, _key(cited_work), line)
                       for cited_work in work.get("referenced_works") or ()]
    outside = 0
    for citing_key, cited_key, line in references:
        if cited_key in bibliography.records:
            bibliography.cites.append(Cite(citing_key, cited_key, line))
        else:
            outside += 1
    if outside:
        bibliography.skipped.append(
            (1, f"{outside} referenced work{'s' * (outside != 1)} not in the file "
                "(import them too to keep those citations)"))
    return bibliography


def _key(openalex_id: object) -> str:
    return "openalex:" + clean(openalex_id).rstrip("/").rsplit("/", 1)[-1]


def _record(work: dict[str, Any], line: int) -> Record | None:
    title = clean(work.get("display_name") or work.get("title"))
    short_id = _key(work.get("id")).removeprefix("openalex:")
    if not title or not short_id:
        return None
    primary = as_dict(work.get("primary_location"))
    locations = [as_dict(location) for location in work.get("locations") or ()]
    found_arxiv = next((found for location in [primary, *locations]
                        for name in ("landing_page_url", "pdf_url")
                        if (found := arxiv_id(location.get(name)))), None)
    best = as_dict(work.get("best_oa_location"))
    topic = as_dict(work.get("primary_topic"))
    return Record(
        key=_key(work.get("id")), line=line, title=title, source_id=short_id,
        authors=[name for authorship in work.get("authorships") or ()
                 if (name := clean(as_dict(as_dict(authorship).get("author"))
                                   .get("display_name")))],
        date=iso_date(work.get("publication_date")) or date_of(work.get("publication_year")),
        venue=clean(as_dict(primary.get("source")).get("display_name")) or None,
        categories=[name] if (name := clean(as_dict(topic.get("field")).get("display_name")))
        else [],
        arxiv=found_arxiv, doi=doi(work.get("doi")),
        pdf=web_url(primary.get("pdf_url")) or web_url(best.get("pdf_url")),
        url=web_url(work.get("id")),
        abstract=clean_block(abstract_text(work.get("abstract_inverted_index"))),
    )


def abstract_text(inverted: object) -> str:
    """The abstract back from OpenAlex's inverted index ({word: [positions]})."""
    if not isinstance(inverted, dict):
        return ""
    placed: dict[int, str] = {}
    for word, positions in inverted.items():
        for position in positions if isinstance(positions, list) else ():
            if isinstance(position, int):
                placed[position] = str(word)
    return " ".join(placed[position] for position in sorted(placed))
