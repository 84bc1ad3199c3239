"""Each paper's files for other tools: its BibTeX entry round-trips through bibtexparser, its
citing papers' CSV matches index.json, its Atom feed parses with a real feed parser."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import feedparser
import pybtex.database
import pybtex.errors
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware

from conftest import Hub

# Braces that do not pair up are text (pairs protect capitals: see test_bibtex_keeps_tex).
TRICKY_TITLE = "Braces }BERT{ 50% & $5 #1 under_score ~ back\\slash"


def write_hub(hub: Hub) -> None:
    hub.config("title: Export hub\nbase_url: https://example.org/hub/\n")
    hub.paper("hinton2015", """\
        title: Distilling the Knowledge in a Neural Network
        authors: [Geoffrey Hinton, Oriol Vinyals, Jeff Dean]
        date: 2015-03
        categories: [stat.ML]
        venue: NIPS Deep Learning Workshop
        links: {arxiv: "1503.02531", doi: 10.48550/arXiv.1503.02531}
        """, "Abstract.\n")
    hub.paper("tricky", f"title: '{TRICKY_TITLE}'\nauthors: [Zoë Müller]\ndate: 2021\n"
                        "venue: Journal of Tests\ncites:\n  - {paper: hinton2015, role: method}",
              "Abstract.\n")
    hub.paper("newer", "title: '=HYPERLINK(\"https://evil.example/\")'\ndate: 2023-05-01\n"
                       "cites:\n  - {paper: hinton2015, role: background, polarity: support,"
                       " refs: 3}", "Abstract.\n")


def bibtex(hub: Hub, paper_id: str) -> dict[str, str]:
    library = parse_string(hub.page(f"papers/{paper_id}/cite.bib"),
                           append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks and len(library.entries) == 1
    (entry,) = library.entries
    assert entry.key == paper_id
    return {"type": entry.entry_type, **{key: field.value
                                         for key, field in entry.fields_dict.items()}}


def test_bibtex_round_trips_through_bibtexparser(hub: Hub) -> None:
    write_hub(hub)
    assert hub.build().exit_code == 0
    hinton = bibtex(hub, "hinton2015")
    assert hinton["type"] == "inproceedings"
    # The title's braces (protecting its capitals) are BibTeX's, not the title's.
    assert hinton["title"] == "Distilling the Knowledge in a Neural Network"
    assert hinton["author"] == "Geoffrey Hinton and Oriol Vinyals and Jeff Dean"
    assert (hinton["year"], hinton["month"]) == ("2015", "mar")  # a macro, as styles expect
    assert hinton["booktitle"] == "NIPS Deep Learning Workshop"
    assert hinton["doi"] == "10.48550/arXiv.1503.02531"
    assert (hinton["eprint"], hinton["archivePrefix"], hinton["primaryClass"]) == (
        "1503.02531", "arXiv", "stat.ML")
    assert hinton["url"] == "https://doi.org/10.48550/arXiv.1503.02531"  # the paper's own
    tricky = bibtex(hub, "tricky")
    assert tricky["type"] == "article" and tricky["journal"] == "Journal of Tests"
    # Special characters escaped, then decoded (bibtexparser drops \textbraceleft{}, which
    # stands for an unpaired brace: BibTeX would count \{ as one).
    assert tricky["title"] == TRICKY_TITLE.replace("{", "").replace("}", "")
    assert tricky["author"] == "Zoë Müller"
    # With no DOI, arXiv id or web page of its own, the paper is where the hub shows it.
    assert tricky["url"] == "https://example.org/hub/papers/tricky/"


def pybtex_entry(hub: Hub, paper_id: str) -> Any:
    """The entry as pybtex reads it in strict mode (any oddity an error)."""
    pybtex.errors.set_strict_mode(True)
    data = pybtex.database.parse_string(hub.page(f"papers/{paper_id}/cite.bib"), "bibtex")
    assert list(data.entries) == [paper_id]
    return data.entries[paper_id]


def test_bibtex_verbatim_fields_are_written_as_they_are(hub: Hub) -> None:
    """A DOI or URL with '_' (every Wiley DOI, many paths) was TeX-escaped: biblatex, which
    reads doi, url and eprint verbatim, then printed and linked `10.1002/fsat.3703\\_14.x`."""
    hub.config("title: Export hub\nbase_url: https://example.org/hub/\n")
    hub.paper("wiley", """\
        title: Food Safety Notes
        date: 2021-02-03
        venue: Food Science and Technology
        links: {doi: 10.1002/fsat.3703_14.x, url: "https://example.org/my_paper/?a=1&b={2}"}
        """, "Abstract.\n")
    hub.paper("web", """\
        title: A Page
        date: 2020
        links: {url: "https://example.org/my_paper/"}
        """, "Abstract.\n")
    assert hub.build("--no-search").exit_code == 0
    text = hub.page("papers/wiley/cite.bib")
    assert "doi = {10.1002/fsat.3703_14.x}" in text
    assert "month = feb," in text
    entry = pybtex_entry(hub, "wiley")
    assert entry.fields["doi"] == "10.1002/fsat.3703_14.x"
    assert entry.fields["url"] == "https://doi.org/10.1002/fsat.3703_14.x"
    assert entry.fields["month"] == "February"  # pybtex expands the macro
    assert pybtex_entry(hub, "web").fields["url"] == "https://example.org/my_paper/"


def test_a_verbatim_field_cannot_end_its_entry(hub: Hub) -> None:
    """Braces in a link would close the field and open a new entry; they are
    percent-encoded, which a link means the same by."""
    hub.config("title: Export hub\nbase_url: https://example.org/hub/\n")
    hub.paper("odd", """\
        title: Odd
        links: {url: "https://example.org/a},title={evil}}@misc{x,/"}
        """, "Abstract.\n")
    assert hub.build("--no-search").exit_code == 0
    entry = pybtex_entry(hub, "odd")
    assert entry.fields["title"] == "{Odd}"
    assert entry.fields["url"] == "https://example.org/a%7D,title=%7Bevil%7D%7D@misc%7Bx,/"


def test_csv_lists_the_citing_papers_as_index_json_does(hub: Hub) -> None:
    write_hub(hub)
    hub.build()
    rows = list(csv.DictReader(io.StringIO(hub.page("papers/hinton2015/citing.csv"))))
    data = json.loads(hub.page("papers/hinton2015/index.json"))
    assert [row["id"] for row in rows] == [item["id"] for item in data["citing"]]
    assert [(row["role"], row["polarity"], row["refs"]) for row in rows] == [
        ("background", "support", "3"), ("method", "", "1")]
    # A title a spreadsheet would run as a formula is defused with a leading quote.
    assert rows[0]["title"] == "'=HYPERLINK(\"https://evil.example/\")"
    assert rows[1]["title"] == TRICKY_TITLE and rows[1]["authors"] == "Zoë Müller"
    assert rows[1]["url"] == "https://example.org/hub/papers/tricky/"
    # Papers nobody cites have no CSV and no feed; every paper has its BibTeX.
    assert not (hub.site / "papers" / "newer" / "citing.csv").exists()
    assert (hub.site / "papers" / "newer" / "cite.bib").is_file()


def test_the_follow_feed_parses_with_a_real_feed_parser(hub: Hub) -> None:
    write_hub(hub)
    hub.build()
    feed = feedparser.parse(hub.page("papers/hinton2015/feed.xml"))
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Citing “Distilling the Knowledge in a Neural Network”"
    assert feed.feed.link == "https://example.org/hub/papers/hinton2015/"
    assert any(link.rel == "self" and link.href.endswith("/papers/hinton2015/feed.xml")
               for link in feed.feed.links)
    assert [entry.link for entry in feed.entries] == [
        "https://example.org/hub/papers/newer/", "https://example.org/hub/papers/tricky/"]
    assert feed.entries[1].title == TRICKY_TITLE
    page = hub.page("papers/hinton2015/")
    for name in ("cite.bib", "citing.csv", "index.json", "feed.xml"):
        assert f'href="/hub/papers/hinton2015/{name}"' in page


def test_bibtex_entry_types_follow_the_papers_type(hub: Hub) -> None:
    """Entry types were guessed from the venue: arXiv papers became @article{journal =
    {arXiv.org}}, PNAS @inproceedings, theses @article."""
    hub.config("title: Export hub\nbase_url: https://example.org/hub/\n")
    hub.paper("preprint", """\
        title: Attention Is All You Need
        date: 2017-06-12
        venue: arXiv.org
        categories: [Computer Science, cs.CL]
        links: {arxiv: "1706.03762"}
        """, "Abstract.\n")
    hub.paper("pnas", """\
        title: A Journal Paper
        venue: Proceedings of the National Academy of Sciences
        type: article
        volume: 119
        issue: 3
        pages: 433\u2013460
        """, "Abstract.\n")
    hub.paper("thesis", "title: A Thesis\ntype: thesis\ninstitution: University of Toronto\n",
              "Abstract.\n")
    hub.paper("report", "title: A Report\ntype: report\npublisher: RAND\nissue: TR-7\n",
              "Abstract.\n")
    hub.paper("book", "title: A Book\ntype: book\npublisher: MIT Press\n", "Abstract.\n")
    hub.paper("chapter", "title: A Chapter\ntype: chapter\nvenue: The Book\n"
                         "publisher: Springer\npages: 1-20\n", "Abstract.\n")
    hub.paper("bookless", "title: No Publisher\ntype: book\n", "Abstract.\n")
    hub.paper("software", "title: A Tool\ntype: software\nvenue: GitHub\n", "Abstract.\n")
    assert hub.build("--no-search").exit_code == 0
    preprint = pybtex_entry(hub, "preprint")
    assert preprint.type == "misc"
    assert dict(preprint.fields) == {
        "title": "{Attention Is All You Need}", "year": "2017", "month": "June",
        "key": "Attention Is All You Need",  # no authors: styles label it by its key
        "eprint": "1706.03762", "archivePrefix": "arXiv",
        "primaryClass": "cs.CL",  # the arXiv category, not S2's field of study
        "url": "https://arxiv.org/abs/1706.03762"}
    pnas = pybtex_entry(hub, "pnas")
    assert pnas.type == "article"
    assert (pnas.fields["journal"], pnas.fields["volume"], pnas.fields["number"],
            pnas.fields["pages"]) == ("Proceedings of the National Academy of Sciences", "119",
                                      "3", "433--460")
    assert (pybtex_entry(hub, "thesis").type,
            pybtex_entry(hub, "thesis").fields["school"]) == ("phdthesis",
                                                              "University of Toronto")
    report = pybtex_entry(hub, "report")
    assert (report.type, report.fields["institution"], report.fields["number"]) == (
        "techreport", "RAND", "TR-7")
    assert (pybtex_entry(hub, "book").type, pybtex_entry(hub, "book").fields["publisher"]) == (
        "book", "MIT Press")
    chapter = pybtex_entry(hub, "chapter")
    assert (chapter.type, chapter.fields["booktitle"], chapter.fields["pages"]) == (
        "incollection", "The Book", "1--20")
    # A book with no publisher would make BibTeX styles warn: it is @misc.
    assert pybtex_entry(hub, "bookless").type == "misc"
    software = pybtex_entry(hub, "software")
    assert (software.type, software.fields["howpublished"]) == ("misc", "GitHub")


def test_bibtex_keeps_math_and_protective_braces(hub: Hub) -> None:
    """`$\\ell_1$` was written `\\$\\textbackslash{}ell…` and `{BERT}` `\\{BERT\\}`: a
    BibTeX import round-tripped to garbage. Math of known commands and braces that pair up
    are kept; math that could run anything in the citing document is text."""
    hub.config("title: Export hub\nbase_url: https://example.org/hub/\n")
    hub.paper("math", """\
        title: '{BERT} and $\\ell_1$-Regularized $O(n^2)$ Models for 50% of {G}oogle'
        authors: ['{Google Brain Team}', Ada Lovelace, Barnes and Noble]
        """, "Abstract.\n")
    hub.paper("evil", """\
        title: 'A $\\input{/etc/passwd}$ and $\\def\\x{1}$ and $a % comment$ title'
        """, "Abstract.\n")
    assert hub.build("--no-search").exit_code == 0
    text = hub.page("papers/math/cite.bib")
    assert ("title = {{BERT} and $\\ell_1$-Regularized $O(n^2)$ Models for 50\\% of {G}oogle}"
            in text)
    assert "author = {{Google Brain Team} and Ada Lovelace and {Barnes and Noble}}" in text
    entry = pybtex_entry(hub, "math")
    assert len(entry.persons["author"]) == 3
    assert str(entry.persons["author"][0]) == "{Google Brain Team}"
    evil = hub.page("papers/evil/cite.bib")
    assert "\\input" not in evil.replace("\\textbackslash{}input", "")
    assert ("A \\$\\textbackslash{}input\\textbraceleft{}/etc/passwd\\textbraceright{}\\$ and "
            "\\$\\textbackslash{}def" in evil)
    assert "$a \\% comment$" not in evil and "\\$a \\% comment\\$" in evil
    pybtex_entry(hub, "evil")
    # The page shows the title as readers write it: no protective braces.
    assert "BERT and $\\ell_1$-Regularized" in hub.page("papers/math/")


def test_feeds_follow_the_hubs_history_not_publication_dates(hub: Hub) -> None:
    """A 2019 paper added to the hub today is news to whoever follows Turing; feeds ordered
    by publication date never showed it, nor an undated paper at all."""
    hub.config("title: Export hub\nbase_url: https://example.org/hub/\n")
    hub.paper("turing", "title: Computing Machinery and Intelligence\ndate: 1950-10",
              "Can machines think?\n")
    for number in range(55):  # more than a feed holds, all published in 2024
        hub.paper(f"new{number:02d}", f"title: New {number}\ndate: 2024-05-01\n"
                                      "added: 2024-06-01\ncites: [{paper: turing}]", "A.\n")
    hub.paper("late", "title: An Old Paper Found Today\ndate: 2019\nadded: 2026-11-30\n"
                      "cites: [{paper: turing}]", "A.\n")
    hub.paper("undated", "title: Undated\nadded: 2026-11-29\ncites: [{paper: turing}]", "A.\n")
    assert hub.build("--no-search").exit_code == 0
    feed = feedparser.parse(hub.page("papers/turing/feed.xml"))
    assert not feed.bozo, feed.bozo_exception
    assert [entry.title for entry in feed.entries[:2]] == ["An Old Paper Found Today",
                                                            "Undated"]
    assert feed.entries[0].updated == "2026-11-30T00:00:00Z"  # when it came into the hub
    assert feed.entries[0].published == "2019-01-01T00:00:00Z"  # when it appeared
    assert "published" not in feed.entries[1]
    assert feed.feed.updated == "2026-11-30T00:00:00Z"
    assert len(feed.entries) == 50
    site = feedparser.parse(hub.page("feed.xml"))
    assert [entry.title for entry in site.entries[:2]] == ["An Old Paper Found Today",
                                                            "Undated"]


def test_without_a_full_base_url_what_needs_one_is_left_out_and_said_once(hub: Hub) -> None:
    """With base_url '/' (the default) the sitemap failed the sitemaps.org schema and Atom
    ids were relative, silently."""
    hub.config("title: Export hub\n")
    hub.paper("cited", "title: Cited\ndate: 2020", "A.\n")
    hub.paper("citing", "title: Citing\ndate: 2021\ncites: [{paper: cited}]", "A.\n")
    built = hub.build("--no-search")
    assert built.exit_code == 0, built.stderr
    notes = [line for line in built.stderr.splitlines() if "base_url" in line]
    assert notes == [
        "note: base_url is a path, not a full URL, so the site has no sitemap, no Atom feeds "
        "and no canonical URLs (all need absolute URLs); set base_url: "
        "https://<user>.github.io/<repository>/ in content/hub.yaml, or build with "
        "--base-url (the deploy workflow does)"]
    # An unchanged rebuild says it again; check, which writes no site, does not.
    assert hub.build("--no-search").stderr.count("note: base_url") == 1
    assert "base_url" not in hub.check().stderr
    for name in ("sitemap.xml", "feed.xml", "papers/cited/feed.xml"):
        assert not (hub.site / name).exists(), name
    assert "Sitemap:" not in hub.page("robots.txt")
    page = hub.page("papers/cited/")
    assert "feed.xml" not in page and 'rel="canonical"' not in page
    assert '"@id"' not in page and "og:url" not in page
    assert "url = " not in hub.page("papers/cited/cite.bib")  # no link of its own
    # --base-url gives what hub.yaml lacks; so does a full base_url.
    full = hub.build("--no-search", "--base-url", "https://example.org/hub/")
    assert "note: base_url" not in full.stderr
    assert (hub.site / "sitemap.xml").is_file() and (hub.site / "papers/cited/feed.xml").is_file()
    assert "Sitemap: https://example.org/hub/sitemap.xml" in hub.page("robots.txt")


def test_a_title_can_neither_run_tex_nor_end_its_field(hub: Hub) -> None:
    """An attack pass found three ways out: TeX's ^^5c is a backslash to TeX (it wrote a
    file and read /etc/hostname in the citing document), math braces out of order started
    new entries, and an escaped brace ended the field (BibTeX counts \\} as a brace)."""
    hub.config("title: Export hub\nbase_url: https://example.org/hub/\n")
    hub.paper("caret", "title: 'On $x^^5cinput{/etc/hostname}$ things'", "A.\n")
    hub.paper("order", "title: 'Title $}}}@misc{evil, title={Injected}}@misc{rest, "
                       "note={{$'", "A.\n")
    hub.paper("unpaired", "title: 'Real Title}, note = {Injected note}, howpublished = {x}'",
              "A.\n")
    hub.paper("open", "title: 'a{b'\nauthors: ['{{Alice and Bob}']", "A.\n")
    assert hub.build("--no-search").exit_code == 0
    for paper_id in ("caret", "order", "unpaired", "open"):
        entry = pybtex_entry(hub, paper_id)  # one entry, keyed by the paper
        assert "note" not in entry.fields and "howpublished" not in entry.fields
    caret = hub.page("papers/caret/cite.bib")
    assert "$x^^5cinput" not in caret and "\\$x\\textasciicircum{}" in caret
    assert "@misc{evil" not in hub.page("papers/order/cite.bib")
    # The unpaired brace is a brace character; the pair after it stays a group, inside the title.
    assert "title = {Real Title\\textbraceright{}, note = {Injected note}, howpublished = {x}}" in (
        hub.page("papers/unpaired/cite.bib"))


def test_index_json_holds_the_largest_counts_exactly_in_javascript(hub: Hub) -> None:
    """Whole numbers are bounded where they are read, so every one index.json holds is one
    the explorer's JSON.parse reads back exactly (and the encoder takes)."""
    largest = 2**53 - 1
    hub.paper("cited", "title: Cited\ndate: 2020")
    hub.paper("citing",
              f"title: Citing é\ndate: 2021\ncites:\n  - paper: cited\n    refs: {largest}")
    assert hub.build().exit_code == 0
    raw = hub.page("papers/cited/index.json")
    data = json.loads(raw)
    assert data["citing"][0]["refs"] == largest
    assert '"title":"Citing é"' in raw  # UTF-8, not \\u escapes
    assert list(data) == sorted(data) and raw.endswith("}\n")
