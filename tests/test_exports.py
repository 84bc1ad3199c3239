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

TRICKY_TITLE = "Braces {BERT} 50% & $5 #1 under_score ~ back\\slash}"


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
    assert (hinton["eprint"], hinton["archiveprefix"], hinton["primaryclass"]) == (
        "1503.02531", "arXiv", "stat.ML")
    assert hinton["url"] == "https://doi.org/10.48550/arXiv.1503.02531"  # the paper's own
    tricky = bibtex(hub, "tricky")
    assert tricky["type"] == "article" and tricky["journal"] == "Journal of Tests"
    assert tricky["title"] == TRICKY_TITLE  # special characters escaped, then decoded
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
