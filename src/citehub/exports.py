"""Files for other tools, one set per paper: its data as index.json, its BibTeX entry (what
the page's "Cite" button copies) and its citing papers as CSV. Their bytes depend only on the
content, like pages."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import orjson
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from pylatexenc.latexencode import UnicodeToLatexEncoder

from citehub.aggregate import CitingEntry, Hub, SiteAggregates, outside_citations
from citehub.authors import byline
from citehub.model import PREPRINT_SERVERS, Paper
from citehub.tex import nests, tex_parts, without_braces
from citehub.urls import Urls

# BibTeX's special characters, written so that they stay text (and braces stay balanced:
# a title cannot close its own field and start a new entry).
BIBTEX_ESCAPES = {
    # Not \{ and \}: BibTeX counts the brace all the same, and an unpaired one would end
    # the field (and start another: "Title}, note = {…").
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "%": r"\%", "&": r"\&", "#": r"\#",
    "$": r"\$", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
BIBTEX_SPECIAL = re.compile("|".join(map(re.escape, BIBTEX_ESCAPES)))


# Letters and symbols beyond ASCII as LaTeX commands ({\L}ukasz, Sch{\"o}lkopf,
# {\ensuremath{\Rightarrow}}): pdflatex and BibTeX (which reads a raw Ł as a lowercase
# letter: "Łukasz Kaiser" would be a von part) read them; biber decodes them. A character
# LaTeX has no command for stays as it is, for XeLaTeX and LuaLaTeX.
LATEX_ENCODER = UnicodeToLatexEncoder(non_ascii_only=True, unknown_char_policy="keep",
                                      unknown_char_warning=False,
                                      replacement_latex_protection="braces-all")


def bibtex_text(value: str) -> str:
    escaped = BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES[match.group(0)], value)
    return escaped if escaped.isascii() else LATEX_ENCODER.unicode_to_latex(escaped)


def bibtex_tex(value: str) -> str:
    """A title or a name with its TeX kept where it is safe (math of known commands, braces
    that pair up: tex.tex_parts) and everything else as text."""
    if "{" not in value and "$" not in value:
        return bibtex_text(value)
    return "".join(part if kind != "text" else bibtex_text(part)
                   for kind, part in tex_parts(value))


def braced(value: str) -> str:
    return "{" + value + "}"


# Characters a verbatim field (doi, url, eprint: printed and linked as written, never read as
# TeX) cannot hold as they are: braces would end the field early, a backslash or a space
# would change it. Each is percent-encoded, which a link means the same by.
VERBATIM_UNSAFE = re.compile(r"[{}\\\s\x00-\x1f\x7f]")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Each type's entry type and the field its venue goes in; the entry types BibTeX styles
# require that field of fall back to @misc without it (plain.bst warns "empty journal").
ENTRY_TYPES = {
    "article": ("article", "journal"), "conference-paper": ("inproceedings", "booktitle"),
    "chapter": ("incollection", "booktitle"), "book": ("book", ""),
    "thesis": ("phdthesis", ""), "report": ("techreport", ""),
}
# Where the publisher or institution goes, per entry type.
ISSUER_FIELDS = {"phdthesis": "school", "techreport": "institution"}
REQUIRED_ISSUER = {"book": "publisher", "phdthesis": "school", "techreport": "institution"}
# An arXiv category (cs.CL, hep-th, math.AG, q-bio.NC), not a field of study ("Computer
# Science", which Semantic Scholar and OpenAlex give).
ARXIV_CATEGORY = re.compile(r"^(cs|math|stat|physics|q-bio|q-fin|econ|eess|astro-ph|cond-mat|"
                            r"gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math-ph|nlin|nucl-ex|nucl-th|"
                            r"quant-ph)(\.[A-Za-z-]+)?\Z")
# Pages as a range (433-460, or with an en dash): BibTeX's range is two hyphens.
PAGE_RANGE = re.compile(r"^\s*(\w+)\s*(?:-{1,2}|\u2013|\u2014)\s*(\w+)\s*\Z")


def bibtex_verbatim(value: str) -> str:
    return VERBATIM_UNSAFE.sub(
        lambda match: "".join(f"%{byte:02X}" for byte in match.group().encode()), value)


def own_url(paper: Paper) -> str | None:
    """Where the paper itself is: its DOI's resolver, its arXiv abstract page, or its web
    page."""
    links = {link.kind: link.url for link in paper.links}
    return next((links[kind] for kind in ("doi", "arxiv", "url") if kind in links), None)


def landing_url(paper: Paper, urls: Urls) -> str | None:
    """The paper's own link, else its hub page when the site has full URLs."""
    return own_url(paper) or (urls.absolute(urls.paper(paper.id)) if urls.origin else None)


def page_range(pages: str) -> tuple[str, str | None]:
    """The first and last page of `pages` ("433-460"), or the pages as written and None."""
    match = PAGE_RANGE.match(pages)
    return (match.group(1), match.group(2)) if match else (pages.strip(), None)


# A nickname's typographic quotes (Daniel \u2018Zach\u2019 Sloman) as ASCII ones: as LaTeX
# commands they start a braced group that biber makes a broken initial of.
NAME_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def bibtex_name(name: str) -> str:
    # A name with "and" or a comma in it (outside its own braces) would be two authors, or
    # a surname and first names, to BibTeX: braced, it is one name as written.
    text = bibtex_tex(name.translate(NAME_QUOTES))
    outside = re.sub(r"\{[^{}]*\}", "", name)
    return braced(text) if re.search(r"\band\b|,", outside, re.IGNORECASE) else text


def paper_bibtex(paper: Paper, urls: Urls) -> bytes:
    """The paper's BibTeX entry, keyed by its id: the entry type from its type (an arXiv
    preprint is @misc with eprint, archivePrefix and primaryClass), every value braced and
    TeX-escaped but the title's math and protective braces, the title braced twice when it
    protects nothing itself, the month a macro (`feb`, which styles print in their
    language), doi, url and eprint verbatim, url the paper's own link (or its hub page)."""
    identifiers = paper.identifiers
    entry_type, venue_field = ENTRY_TYPES.get(paper.type, ("misc", "howpublished"))
    issuer = paper.institution if entry_type in ISSUER_FIELDS else paper.publisher
    issuer = issuer or paper.publisher or paper.institution
    if (venue_field in ("journal", "booktitle") and not paper.venue) or (
            entry_type in REQUIRED_ISSUER and not issuer):
        entry_type, venue_field = "misc", "howpublished"
    written_title = paper.title_tex or paper.title
    title = bibtex_tex(written_title)
    protects = "{" in written_title and any(
        kind == "open" for kind, _ in tex_parts(written_title))
    fields = [("title", braced(title if protects else braced(title)))]
    if paper.authors:
        names = paper.authors_tex or paper.authors
        fields.append(("author", braced(" and ".join(map(bibtex_name, names)))))
    else:
        # Without authors, styles label and sort an entry by its key field (else by the
        # first letters of its citation key: "230" for 2305.14233).
        fields.append(("key", braced(title)))
    if paper.date is not None:
        fields.append(("year", braced(str(paper.date.year))))
        if paper.date.month is not None:
            fields.append(("month", MONTHS[paper.date.month - 1]))
    # An arXiv preprint's venue ("arXiv.org") is said by its eprint fields.
    said_by_eprint = "arxiv" in identifiers and (paper.venue or "").casefold() in PREPRINT_SERVERS
    if venue_field and paper.venue and not said_by_eprint:
        fields.append((venue_field, braced(bibtex_text(paper.venue))))
    for name, value in (("volume", paper.volume), ("number", paper.issue)):
        if value:
            fields.append((name, braced(bibtex_text(value))))
    if paper.pages:
        first, last = page_range(paper.pages)
        fields.append(("pages", braced(bibtex_text(first + (f"--{last}" if last else "")))))
    if issuer:
        fields.append((ISSUER_FIELDS.get(entry_type, "publisher"), braced(bibtex_text(issuer))))
    if "doi" in identifiers:
        fields.append(("doi", braced(bibtex_verbatim(identifiers["doi"]))))
    if "arxiv" in identifiers:
        fields += [("eprint", braced(bibtex_verbatim(identifiers["arxiv"]))),
                   ("archivePrefix", "{arXiv}")]
        category = next((name for name in paper.categories if ARXIV_CATEGORY.match(name)),
                        None)
        if category:
            fields.append(("primaryClass", braced(category)))
    url = landing_url(paper, urls)
    if url:
        fields.append(("url", braced(bibtex_verbatim(url))))
    # The last guard: a value whose raw braces (as BibTeX counts them) do not nest could end
    # its field and start another entry; it is written as plain text instead.
    fields = [(name, value if nests(value) else braced(bibtex_text(without_braces(value))))
              for name, value in fields]
    entry = Entry(entry_type, paper.id, [Field(name, value) for name, value in fields])
    # No unparse middleware: the values are written exactly as made here (the default one
    # would brace the month macro too).
    return write_string(Library([entry]), unparse_stack=[]).strip().encode() + b"\n"


# A cell a spreadsheet would run as a formula (CSV injection): such cells get a leading '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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


def papers_json(site: SiteAggregates) -> bytes:
    """Every paper as the index lists it, most cited first (the index's order): what the
    index page sorts and filters by year in the browser. Short keys: one entry per paper."""
    papers = []
    for paper_id in site.ranking:
        hub = site.hubs[paper_id]
        paper = hub.paper
        papers.append({
            "id": paper.id, "title": paper.title,
            "byline": byline(paper),
            "date": paper.date.text if paper.date else None, "year": paper.year,
            "citing": hub.citing_count, "outside": outside_citations(paper),
            "kind": hub.kind.label if hub.kind else None,
        })
    return orjson.dumps({"papers": papers},
                        option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)


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
    # orjson: a large hub's file is thousands of entries, and 10,000 of them took the json
    # module 1.4 s. Its ints are bounded by validation (`schema.MAX_WHOLE_NUMBER`).
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)


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
        "venue": paper.venue,
        "context": list(citation.contexts),
    }
