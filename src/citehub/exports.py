"""Files for other tools, one set per paper: its data as index.json, its BibTeX entry (what
the page's "Cite" button copies) and its citing papers as CSV. Their bytes depend only on the
content, like pages."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field

from citehub.aggregate import CitingEntry, Hub
from citehub.model import Paper
from citehub.urls import Urls

# BibTeX's special characters, written so that they stay text (and braces stay balanced:
# a title cannot close its own field and start a new entry).
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
    "$": r"\$", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
BIBTEX_SPECIAL = re.compile("|".join(map(re.escape, BIBTEX_ESCAPES)))
# A venue that is a conference's (Scholar's citation_conference_title, BibTeX's booktitle).
CONFERENCE = re.compile(r"\b(conference|proceedings|proc\.|workshop|symposium|meeting|"
                        r"neurips|nips|icml|iclr|acl|emnlp|naacl|cvpr|iccv|eccv|aaai|ijcai)\b",
                        re.IGNORECASE)
# A cell a spreadsheet would run as a formula (CSV injection): such cells get a leading '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def venue_kind(venue: str | None) -> str:
    """"conference", "journal", or "" for none (arXiv is a preprint server, not a venue)."""
    if not venue or venue.casefold() == "arxiv":
        return ""
    return "conference" if CONFERENCE.search(venue) else "journal"


def bibtex_text(value: str) -> str:
    return BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES[match.group(0)], value)


# Characters a verbatim field (doi, url, eprint: printed and linked as written, never read as
# TeX) cannot hold as they are: braces would end the field early, a backslash or a space
# would change it. Each is percent-encoded, which a link means the same by.
VERBATIM_UNSAFE = re.compile(r"[{}\\\s\x00-\x1f\x7f]")
VERBATIM_FIELDS = frozenset({"doi", "url", "eprint"})
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def bibtex_verbatim(value: str) -> str:
    return VERBATIM_UNSAFE.sub(
        lambda match: "".join(f"%{byte:02X}" for byte in match.group().encode()), value)


def own_url(paper: Paper, urls: Urls) -> str:
    """Where the paper itself is: its DOI's resolver, its arXiv abstract page, its web page,
    and only for a paper with none of them, its page on the hub."""
    links = {link.kind: link.url for link in paper.links}
    for kind in ("doi", "arxiv", "url"):
        if kind in links:
            return links[kind]
    return urls.absolute(urls.paper(paper.id))


def paper_bibtex(paper: Paper, urls: Urls) -> bytes:
    """The paper's BibTeX entry, keyed by its id: every value braced and TeX-escaped, the
    title braced twice (its capitals kept), the month a macro (`feb`, which styles print in
    their language), doi, url and eprint verbatim."""
    identifiers = paper.identifiers
    entry_type, venue_field = {"conference": ("inproceedings", "booktitle"),
                               "journal": ("article", "journal")}.get(
        venue_kind(paper.venue), ("misc", ""))
    fields = [("title", "{{" + bibtex_text(paper.title) + "}}")]
    if paper.authors:
        fields.append(("author", "{" + bibtex_text(" and ".join(paper.authors)) + "}"))
    if paper.date is not None:
        fields.append(("year", "{" + str(paper.date.year) + "}"))
        if paper.date.month is not None:
            fields.append(("month", MONTHS[paper.date.month - 1]))
    if venue_field and paper.venue:
        fields.append((venue_field, "{" + bibtex_text(paper.venue) + "}"))
    if "doi" in identifiers:
        fields.append(("doi", "{" + bibtex_verbatim(identifiers["doi"]) + "}"))
    if "arxiv" in identifiers:
        fields += [("eprint", "{" + bibtex_verbatim(identifiers["arxiv"]) + "}"),
                   ("archiveprefix", "{arXiv}")]
        if paper.categories:
            fields.append(("primaryclass", "{" + bibtex_text(paper.categories[0]) + "}"))
    fields.append(("url", "{" + bibtex_verbatim(own_url(paper, urls)) + "}"))
    entry = Entry(entry_type, paper.id, [Field(name, value) for name, value in fields])
    # No unparse middleware: the values are written exactly as made here (the default one
    # would brace the month macro too).
    return write_string(Library([entry]), unparse_stack=[]).strip().encode() + b"\n"


CSV_COLUMNS = ("id", "title", "date", "year", "role", "polarity", "refs", "authors", "venue",
               "url")


def hub_csv(hub: Hub, urls: Urls) -> bytes:
    """The papers citing the hub's paper, newest first, one row each."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in hub.citing:
        paper, citation = entry.paper, entry.citation
        row = (paper.id, paper.title, paper.date.text if paper.date else "",
               str(paper.year or ""), citation.role or "", citation.polarity or "",
               str(citation.refs or 1), "; ".join(paper.authors), paper.venue or "",
               urls.absolute(urls.paper(paper.id)))
        writer.writerow([_cell(value) for value in row])
    return output.getvalue().encode()


# A spreadsheet that splits at ';' or tabs (as many locales do) starts a new cell, perhaps a
# formula, inside `x;=1+1` however the cell is quoted: those get the leading ' too.
FORMULA_AFTER_SEPARATOR = re.compile(r"([;,\t])(\s*)(?=[=+\-@])")


def _cell(value: str) -> str:
    value = FORMULA_AFTER_SEPARATOR.sub(r"\1\2'", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def hub_json(hub: Hub, urls: Urls) -> bytes:
    """The hub's data as SPEC's /papers/<id>/index.json: sorted keys, stable bytes."""
    kind = None if hub.kind is None else {
        "label": hub.kind.label, "share": round(hub.kind.share, 4),
    }
    data = {
        "id": hub.paper.id,
        "title": hub.paper.title,
        "url": urls.paper(hub.paper.id),
        "kind": kind,
        "citing_count": hub.citing_count,
        "classified_count": hub.classified_count,
        "years": {str(year): count for year, count in hub.years.items()},
        "roles": dict(hub.roles),
        "polarities": dict(hub.polarities),
        "representative": [entry.paper.id for entry in hub.representative],
        "citing": [_citing_json(entry) for entry in hub.citing],
    }
    # No indent: only then does the json module use its C encoder (hubs with thousands of
    # citing papers make large files).
    return (json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _citing_json(entry: CitingEntry) -> dict[str, Any]:
    paper, citation = entry.paper, entry.citation
    return {
        "id": paper.id,
        "title": paper.title,
        "date": paper.date.text if paper.date else None,
        "year": paper.year,
        "role": citation.role,
        "polarity": citation.polarity,
        "refs": citation.refs if citation.refs is not None else 1,
        "novelty": paper.novelty,
        "verdict": paper.verdict,
        "categories": list(paper.categories),
        "summary": paper.summary,
        "authors": list(paper.authors),
        "context": list(citation.contexts),
    }
