"""OpenAlex Works JSON: one work, or a page of them (`results`), with `referenced_works`,
`publication_date`, authorships and the abstract as an inverted index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from citehub.diagnostics import Diagnostics
from citehub.importers.records import (
    Bibliography,
    Cite,
    Count,
    Record,
    arxiv_id,
    as_dict,
    as_list,
    clean,
    clean_block,
    count_of,
    date_of,
    doi,
    iso_date,
    json_objects,
    pages_of,
    texts,
    today,
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
                       for cited_work in texts(work.get("referenced_works"))]
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
    locations = [as_dict(location) for location in as_list(work.get("locations"))]
    found_arxiv = next((found for location in [primary, *locations]
                        for name in ("landing_page_url", "pdf_url")
                        if (found := arxiv_id(location.get(name)))), None)
    best = as_dict(work.get("best_oa_location"))
    topic = as_dict(work.get("primary_topic"))
    source = as_dict(primary.get("source"))
    biblio = as_dict(work.get("biblio"))
    paper_type = _type(work, source, found_arxiv)
    venue = clean(source.get("display_name")) or None
    if paper_type == "preprint" and found_arxiv:
        venue = "arXiv"  # not "arXiv (Cornell University)"
    return Record(
        key=_key(work.get("id")), line=line, title=title, source_id=short_id,
        authors=[name for authorship in as_list(work.get("authorships"))
                 if (name := clean(as_dict(as_dict(authorship).get("author"))
                                   .get("display_name")))],
        date=iso_date(work.get("publication_date")) or date_of(work.get("publication_year")),
        venue=venue,
        categories=[name] if (name := clean(as_dict(topic.get("field")).get("display_name")))
        else [],
        arxiv=found_arxiv, doi=doi(work.get("doi")),
        pdf=web_url(primary.get("pdf_url")) or web_url(best.get("pdf_url")),
        url=web_url(work.get("id")),
        abstract=clean_block(abstract_text(work.get("abstract_inverted_index"))),
        type=paper_type,
        volume=clean(biblio.get("volume")) or None,
        issue=clean(biblio.get("issue")) or None,
        pages=pages_of(biblio.get("first_page"), biblio.get("last_page")),
        publisher=clean(source.get("host_organization_name")) or None,
        counts=_counts(work),
    )


# OpenAlex's work types (and Crossref's older ones it used to give) as ours.
WORK_TYPES = {"article": "article", "journal-article": "article", "review": "article",
              "letter": "article", "editorial": "article", "preprint": "preprint",
              "posted-content": "preprint", "book": "book", "monograph": "book",
              "book-chapter": "chapter", "dissertation": "thesis", "report": "report",
              "dataset": "dataset", "proceedings-article": "conference-paper",
              "software": "software"}


def _type(work: dict[str, Any], source: dict[str, Any], found_arxiv: str | None) -> str | None:
    """An article's type says little alone: where it is hosted tells a conference paper or
    a preprint (a repository such as arXiv) from a journal article."""
    work_type = WORK_TYPES.get(clean(work.get("type")) or clean(work.get("type_crossref")))
    if work_type == "article":
        source_type = clean(source.get("type"))
        if source_type == "conference":
            return "conference-paper"
        if source_type == "repository" or (found_arxiv and not source_type):
            return "preprint"
    return work_type


def _counts(work: dict[str, Any]) -> list[Count]:
    count = count_of(work.get("cited_by_count"))
    if count is None:
        return []
    # The day OpenAlex last updated the work is the day its count is of.
    return [Count("OpenAlex", count, iso_date(work.get("updated_date")) or today())]


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
