"""`citehub import`: real exports (Semantic Scholar, OpenAlex, arXiv / ACL Anthology / DBLP /
Google Scholar BibTeX, Zotero CSL-JSON) become paper files that build; papers already in the
hub are merged, never duplicated; malformed files get `path:line` errors; --fetch uses
recorded API responses (tests never touch the network)."""

from __future__ import annotations

import datetime
import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from citehub.build import load_corpus
from citehub.diagnostics import Diagnostics
from citehub.importers import SourceError, read_bibliography
from citehub.importers.fetch import fetch
from citehub.importers.hub import slug
from citehub.load import PAPER_ID

from conftest import Hub

FIXTURES = Path(__file__).parent / "fixtures" / "import"
S2 = FIXTURES / "semantic-scholar"


def front_matter(path: Path) -> dict:
    """The front matter as citehub reads it: every scalar as its text."""
    text = path.read_text(encoding="utf-8")
    return yaml.load(text.split("---\n")[1], Loader=yaml.BaseLoader)


def papers(hub: Hub) -> list[str]:
    return sorted(path.stem for path in (hub.root / "content" / "papers").glob("*.md"))


def index_json(hub: Hub, paper_id: str) -> dict:
    return json.loads((hub.root / "site" / "papers" / paper_id / "index.json").read_text())


# -- Semantic Scholar ------------------------------------------------------------------------


def test_turings_paper_imports_and_builds_with_the_numbers_of_the_data(hub: Hub) -> None:
    data = json.loads((S2 / "Paper.json").read_text())
    # Counted here from the data, independently of the importer.
    citing = {paper["paperId"]: paper for paper in data["citations"] if paper.get("paperId")}
    references = [paper for paper in data["references"] if paper.get("paperId")]
    years = Counter(str(paper["year"]) for paper in citing.values())

    run = hub.cli("import", "s2", str(S2 / "Paper.json"), "--dir", str(hub.root))
    assert run.exit_code == 0, run.stderr
    created = 1 + len(citing) + len(references)
    assert f"{created} created, 0 updated, " in run.stdout
    assert len(papers(hub)) == created
    built = hub.build()
    assert built.exit_code == 0, built.stderr
    turing = index_json(hub, "10.1093-mind-lix.236.433")
    assert turing["title"] == "Computing Machinery and Intelligence"
    assert turing["citing_count"] == len(citing) == 1000
    assert turing["years"] == dict(sorted(years.items()))
    assert turing["classified_count"] == 0  # the paper record's citations carry no intents
    turing_file = front_matter(hub.root / "content/papers/10.1093-mind-lix.236.433.md")
    assert len(turing_file["cites"]) == len(references)
    assert turing_file["summary"] == data["tldr"]["text"]
    assert turing_file["links"]["doi"] == "10.1093/MIND/LIX.236.433"
    # The journal, not the venue: S2's venue is a collection that reprinted it.
    assert (turing_file["venue"], turing_file["volume"], turing_file["pages"],
            turing_file["type"]) == ("Mind", "LIX", "433-460", "article")
    assert turing_file["citation_counts"] == [
        {"source": "Semantic Scholar", "count": "10059", "influential": "530",
         "date": datetime.date.today().isoformat()}]
    assert turing_file["added"] == datetime.date.today().isoformat()
    bibtex = (hub.root / "site/papers/10.1093-mind-lix.236.433/cite.bib").read_text()
    assert "@article{10.1093-mind-lix.236.433," in bibtex
    assert "journal = {Mind}" in bibtex and "pages = {433--460}" in bibtex
    # Papers on arXiv only are preprints, not articles in the journal "ArXiv".
    on_arxiv = [paper for paper in citing.values()
                if (paper.get("journal") or {}).get("name", "").lower() == "arxiv"
                and paper.get("venue") in (None, "", "arXiv.org")
                and (paper.get("externalIds") or {}).get("ArXiv")]
    assert on_arxiv
    for paper in on_arxiv:
        written = front_matter(hub.root / f"content/papers/{paper['externalIds']['ArXiv']}.md")
        assert (written["type"], written["venue"]) == ("preprint", "arXiv")
        assert "volume" not in written  # arXiv's "abs/…" is no volume
    # A citing paper with an arXiv id is named after it and keeps its abstract.
    arxiv_citing = next(paper for paper in citing.values()
                        if (paper.get("externalIds") or {}).get("ArXiv") and paper["abstract"])
    arxiv = arxiv_citing["externalIds"]["ArXiv"]
    mine = front_matter(hub.root / f"content/papers/{arxiv}.md")
    assert mine["title"] == " ".join(arxiv_citing["title"].split())
    assert mine["links"]["arxiv"] == arxiv
    assert mine["cites"] == [{"paper": "10.1093-mind-lix.236.433"}]


def test_a_citations_item_becomes_a_classified_citation_with_its_contexts(hub: Hub) -> None:
    hub.paper("target", "title: Learning to throw\ndate: 2019")
    run = hub.cli("import", "s2", str(S2 / "Citation.json"), "--dir", str(hub.root),
                  "--cited", "target")
    assert run.exit_code == 0, run.stderr
    item = json.loads((S2 / "Citation.json").read_text())
    citing = front_matter(hub.root / "content/papers/10.1109-lra.2022.3229266.md")
    (citation,) = citing["cites"]
    assert citation["paper"] == "target"
    # methodology is the intent of two of its four contexts: the role is 'method'.
    assert citation["role"] == "method"
    assert citation["context"] == item["contexts"]
    assert citation["refs"] == str(len(item["contexts"]))
    assert citation["influential"] == "true"  # S2's isInfluential
    assert hub.build().exit_code == 0


def test_a_citations_item_without_the_cited_paper_is_a_clear_error(hub: Hub) -> None:
    run = hub.cli("import", "s2", str(S2 / "Citation.json"), "--dir", str(hub.root))
    assert run.exit_code == 1
    assert re.search(r"Citation\.json:1: error: these citations do not say which paper they "
                     r"cite: name it with --cited ID", run.stderr)
    assert papers(hub) == []


def test_references_are_added_to_an_existing_paper_as_it_is_written(hub: Hub) -> None:
    """`--citing mine` used to skip mine.md ("exists, --force merges"), so the citations the
    flag is for were never written; with --force the front matter was rewritten, comments
    lost. They are added to the file in place, every other line kept."""
    hub.paper("mine", """\
        title: My paper  # my own words
        date: 2020
        # a comment the import must keep
        verdict: keep this
        """, "My own abstract.\n")
    before = (hub.root / "content/papers/mine.md").read_text()
    run = hub.cli("import", "s2", str(S2 / "Reference.json"), "--dir", str(hub.root),
                  "--citing", "mine")
    assert run.exit_code == 0, run.stderr
    assert "1 created, 1 updated, 0 skipped" in run.stdout
    after = (hub.root / "content/papers/mine.md").read_text()
    closing = before.index("---", 3)
    assert after.startswith(before[:closing])  # every line as it was, then the citations
    assert after.endswith(before[closing:])
    contexts = json.loads((S2 / "Reference.json").read_text())["contexts"]
    mine = front_matter(hub.root / "content/papers/mine.md")
    assert mine["verdict"] == "keep this" and mine["title"] == "My paper"
    assert mine["cites"] == [{"paper": "1402.0030", "role": "background", "refs": "1",
                              "context": contexts}]
    assert hub.check().exit_code == 0
    again = hub.cli("import", "s2", str(S2 / "Reference.json"), "--dir", str(hub.root),
                    "--citing", "mine")
    assert "0 created, 0 updated" in again.stdout
    assert (hub.root / "content/papers/mine.md").read_text() == after


@pytest.mark.parametrize(("cites", "expected"), [
    ("cites: []", "cites: [{paper: new}]"),
    ("cites: [{paper: old}]  # mine", "cites: [{paper: old}, {paper: new}]  # mine"),
    ("cites:\n  - paper: old\n    # about old", "cites:\n  - paper: old\n  - paper: new\n"
     "    # about old"),
    ("cites:\n- paper: old\n  role: method", "cites:\n- paper: old\n  role: method\n"
     "- paper: new"),
    ("cites:", "cites:\n  - paper: new"),
    ("summary: x", "summary: x\ncites:\n  - paper: new"),
])
def test_a_citation_goes_into_any_shape_of_cites_list(hub: Hub, cites: str,
                                                      expected: str) -> None:
    hub.paper("old", "title: Old paper\ndate: 2019")
    hub.raw("mine.md", f"---\ntitle: Mine\ndate: 2020\n{cites}\n---\nAbstract.\n")
    (hub.root / "refs.bib").write_text("@article{new, title={A New Paper}, year={2021}}\n")
    run = hub.cli("import", "bibtex", str(hub.root / "refs.bib"), "--dir", str(hub.root),
                  "--citing", "mine")
    assert run.exit_code == 0, run.stderr
    text = (hub.root / "content/papers/mine.md").read_text()
    assert text == f"---\ntitle: Mine\ndate: 2020\n{expected}\n---\nAbstract.\n"
    assert hub.check().exit_code == 0


def test_what_check_would_refuse_is_never_written(hub: Hub) -> None:
    """A hub whose vocabulary has no 'method' role: S2's methodology intent would write a
    file check refuses. The import is an error naming that file, and writes nothing."""
    hub.config("vocabulary:\n  roles: {background: Background, uses: Uses}\n")
    hub.paper("target", "title: Learning to throw\ndate: 2019")
    before = sorted(path.name for path in (hub.root / "content/papers").iterdir())
    run = hub.cli("import", "s2", str(S2 / "Citation.json"), "--dir", str(hub.root),
                  "--cited", "target")
    assert run.exit_code == 1
    assert re.search(r"content/papers/10\.1109-lra\.2022\.3229266\.md:\d+: error: the import "
                     r"would write this, which check refuses: unknown role 'method'", run.stderr)
    assert sorted(path.name for path in (hub.root / "content/papers").iterdir()) == before


def test_a_merge_keeps_what_was_written_as_nothing(hub: Hub) -> None:
    """`summary:` with nothing after it came back as `summary: ''`, which check refuses."""
    hub.raw("1402.0030.md", "---\ntitle: Neural Variational Inference\nsummary:\n"
                            "links: {arxiv: '1402.0030'}\n---\nAbstract.\n")
    hub.paper("mine", "title: Mine\ndate: 2020")
    run = hub.cli("import", "s2", str(S2 / "Reference.json"), "--dir", str(hub.root),
                  "--citing", "mine", "--force")
    assert run.exit_code == 0, run.stderr
    assert "0 created, 2 updated" in run.stdout
    merged = (hub.root / "content/papers/1402.0030.md").read_text()
    assert "summary:\n" in merged and "authors:" in merged
    assert hub.check().exit_code == 0


def test_an_unknown_paper_named_on_the_command_line_is_an_error(hub: Hub) -> None:
    run = hub.cli("import", "s2", str(S2 / "Citation.json"), "--dir", str(hub.root),
                  "--cited", "nowhere")
    assert run.exit_code == 1
    assert "'nowhere' is no paper of the hub" in run.stderr
    assert papers(hub) == []


# -- BibTeX, CSL-JSON, OpenAlex --------------------------------------------------------------


def test_real_bibtex_exports_import_cleanly_and_merge_the_same_paper(hub: Hub) -> None:
    for name in ("arxiv", "acl-anthology", "dblp", "google-scholar"):
        run = hub.cli("import", "bibtex", str(FIXTURES / f"{name}.bib"), "--dir",
                      str(hub.root), "--force")
        assert run.exit_code == 0, (name, run.stderr)
    # Attention: arXiv's entry names it; DBLP's and Google Scholar's (no arXiv id, another
    # year) are the same paper by title. BERT: ACL's DOI first, DBLP's CoRR entry merged in.
    assert papers(hub) == ["10.18653-v1-n19-1423", "1503.02531", "1706.03762", "1910.01108",
                           "2402.13116", "brown2020language", "scholkopf1997kernel"]
    attention = front_matter(hub.root / "content/papers/1706.03762.md")
    assert attention["links"]["arxiv"] == "1706.03762"
    assert attention["categories"] == ["cs.CL"]
    assert attention["type"] == "preprint"  # arXiv's @misc with an eprint
    bert = front_matter(hub.root / "content/papers/10.18653-v1-n19-1423.md")
    # The braces that keep BERT's capitals are the source's: kept for cite.bib.
    assert bert["title"] == ("{BERT}: Pre-training of Deep Bidirectional Transformers for "
                             "Language Understanding")
    assert (bert["type"], bert["pages"], bert["publisher"]) == (
        "conference-paper", "4171-4186", "Association for Computational Linguistics")
    assert bert["authors"][:2] == ["Jacob Devlin", "Ming-Wei Chang"]
    assert bert["date"] == "2019-06"
    assert bert["links"] == {"doi": "10.18653/v1/N19-1423", "arxiv": "1810.04805",
                             "url": "https://aclanthology.org/N19-1423/"}
    assert "86.7% (4.6% absolute improvement)" in (
        hub.root / "content/papers/10.18653-v1-n19-1423.md").read_text()
    hinton = front_matter(hub.root / "content/papers/1503.02531.md")
    assert hinton["links"]["arxiv"] == "1503.02531"  # from "arXiv preprint arXiv:1503.02531"
    # Google Scholar's journal "arXiv preprint arXiv:…" is no journal: a preprint on arXiv.
    assert (hinton["type"], hinton["venue"]) == ("preprint", "arXiv")
    kpca = front_matter(hub.root / "content/papers/scholkopf1997kernel.md")
    assert kpca["authors"] == ["Bernhard Schölkopf", "Alexander Smola", "Klaus-Robert Müller"]
    assert (kpca["type"], kpca["pages"], kpca["publisher"]) == (
        "conference-paper", "583-588", "Springer")  # Scholar's organization
    gpt3 = front_matter(hub.root / "content/papers/brown2020language.md")
    # "and others" is BibTeX's et al., not an author.
    assert gpt3["authors"][-1] == "Amanda Askell" and len(gpt3["authors"]) == 10
    assert (gpt3["type"], gpt3["volume"], gpt3["pages"]) == ("article", "33", "1877-1901")
    distilbert = front_matter(hub.root / "content/papers/1910.01108.md")
    assert distilbert["title"].startswith("Distil{BERT}, a distilled version of {BERT}")
    built = hub.build()
    assert built.exit_code == 0, built.stderr
    # Pages show the titles without the braces; cite.bib keeps them.
    assert "DistilBERT, a distilled version of BERT" in hub.page("papers/1910.01108/")
    assert "title = {Distil{BERT}, a distilled version of {BERT}" in hub.page(
        "papers/1910.01108/cite.bib")


def test_a_zotero_csl_json_export_imports_cleanly(hub: Hub) -> None:
    run = hub.cli("import", "csl-json", str(FIXTURES / "zotero.json"), "--dir", str(hub.root))
    assert run.exit_code == 0, run.stderr
    assert papers(hub) == ["10.1093-mind-lix.236.433", "10.18653-v1-n19-1423", "2303.08774"]
    gpt4 = front_matter(hub.root / "content/papers/2303.08774.md")
    assert gpt4["authors"] == ["OpenAI"] and gpt4["date"] == "2023-03-15"
    assert gpt4["links"]["arxiv"] == "2303.08774"
    turing = front_matter(hub.root / "content/papers/10.1093-mind-lix.236.433.md")
    assert turing["authors"] == ["A. M. Turing"] and turing["venue"] == "Mind"
    # Zotero's preprint is CSL's "article" published by arXiv; OpenAI is one name, whole.
    assert (gpt4["type"], gpt4["venue"]) == ("preprint", "arXiv") and "publisher" not in gpt4
    bert = front_matter(hub.root / "content/papers/10.18653-v1-n19-1423.md")
    assert (bert["type"], bert["pages"], bert["publisher"]) == (
        "conference-paper", "4171-4186", "Association for Computational Linguistics")
    assert hub.build().exit_code == 0


def test_the_same_paper_from_another_source_is_merged_not_duplicated(hub: Hub) -> None:
    hub.cli("import", "s2", str(S2 / "Paper.json"), "--dir", str(hub.root))
    count = len(papers(hub))
    # Zotero writes Turing's DOI in another letter case: still the same paper.
    run = hub.cli("import", "csl-json", str(FIXTURES / "zotero.json"), "--dir", str(hub.root))
    assert "2 created, 0 updated, 1 skipped" in run.stdout
    assert len(papers(hub)) == count + 2


def test_openalex_works_become_papers_citing_each_other(hub: Hub) -> None:
    run = hub.cli("import", "openalex", str(FIXTURES / "openalex-works.json"), "--dir",
                  str(hub.root))
    assert run.exit_code == 0, run.stderr
    assert "3 referenced works not in the file" in run.stderr
    state = front_matter(hub.root / "content/papers/10.7717-peerj.4375.md")
    assert state["authors"] == ["Heather Piwowar", "Jason Priem", "Stefanie Haustein"]
    assert state["date"] == "2018-02-13" and state["venue"] == "PeerJ"
    assert state["links"]["pdf"] == "https://peerj.com/articles/4375.pdf"
    # OpenAlex's biblio and host organization; its count with the day OpenAlex updated it.
    assert (state["type"], state["volume"], state["pages"], state["publisher"]) == (
        "article", "6", "e4375", "PeerJ, Inc.")
    assert state["citation_counts"] == [{"source": "OpenAlex", "count": "1044",
                                         "date": "2024-05-02"}]
    body = (hub.root / "content/papers/10.7717-peerj.4375.md").read_text().split("---\n")[2]
    assert body.startswith("Despite growing interest in Open Access (OA) to scholarly "
                           "literature,") and body.rstrip().endswith("characteristics of OA.")
    mag = front_matter(hub.root / "content/papers/10.1162-qss_a_00018.md")
    assert mag["cites"] == [{"paper": "10.7717-peerj.4375"}]
    assert hub.build().exit_code == 0


# -- malformed and hostile input -------------------------------------------------------------


def test_malformed_json_is_an_error_at_its_line_and_column(hub: Hub, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "paperId": "abc",\n  "title": "x",\n  "year": 19 50\n}\n')
    for source in ("s2", "openalex", "csl-json"):
        run = hub.cli("import", source, str(broken), "--dir", str(hub.root))
        assert run.exit_code == 1
        assert re.search(r"broken\.json:4:\d+: error: not valid JSON: ", run.stderr), run.stderr
        assert "Traceback" not in run.stderr
    assert papers(hub) == []


def test_malformed_bibtex_names_the_entry_and_writes_nothing(hub: Hub, tmp_path: Path) -> None:
    broken = tmp_path / "broken.bib"
    broken.write_text("@article{good, title={Fine}, year={2020}}\n\n"
                      "@article{bad, title = {Missing brace, year={2021}\n\n"
                      "@article{good, title={Again}}\n")
    run = hub.cli("import", "bibtex", str(broken), "--dir", str(hub.root))
    assert run.exit_code == 1
    assert re.search(r"broken\.bib:3: error: this entry does not parse as BibTeX", run.stderr)
    assert "nothing imported" in run.stderr
    assert papers(hub) == []


def test_hostile_fields_cannot_break_out_of_their_values(hub: Hub, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps([{
        "id": "../../../etc/passwd",
        "title": "Evil\n---\ncites: [{paper: x}]\n---\n<script>alert(1)</script>\u202e",
        "author": [{"literal": "Mallory: {a: b}"}],
        "URL": "javascript:alert(1)",
        "abstract": "<img src=x onerror=alert(1)>",
        "issued": {"date-parts": [["2020", 13, 40]]},
    }]))
    run = hub.cli("import", "csl-json", str(hostile), "--dir", str(hub.root))
    assert run.exit_code == 0, run.stderr
    (written,) = (hub.root / "content" / "papers").glob("*.md")
    assert written.parent == hub.root / "content" / "papers" and written.stem == "passwd"
    paper = front_matter(written)
    assert paper["title"] == "Evil --- cites: [{paper: x}] --- <script>alert(1)</script>"
    assert paper["authors"] == ["Mallory: {a: b}"]
    assert "links" not in paper  # no http(s) URL, no link
    assert paper["date"] == "2020"
    built = hub.build()
    assert built.exit_code == 0, built.stderr
    page = (hub.root / "site" / "papers" / "passwd" / "index.html").read_text()
    assert "<script>alert(1)" not in page and "<img src=x" not in page


@given(st.text(max_size=60))
def test_every_id_made_from_a_source_is_a_valid_paper_id(text: str) -> None:
    assert PAPER_ID.match(slug(text))


# -- fetching (recorded responses) -----------------------------------------------------------


def recorded_s2(request: httpx.Request) -> httpx.Response:
    """Semantic Scholar as recorded: the paper, one page of citations, one of references."""
    paper = json.loads((S2 / "Paper.json").read_text())
    path = request.url.path
    assert request.headers["user-agent"].startswith("citehub/")
    if path.endswith("/citations"):
        return httpx.Response(200, json={"offset": 0, "data": [
            json.loads((S2 / "Citation.json").read_text())]})
    if path.endswith("/references"):
        return httpx.Response(200, json={"offset": 0, "data": [
            json.loads((S2 / "Reference.json").read_text())]})
    if path.endswith("/paper/DOI:10.1093/MIND/LIX.236.433"):
        return httpx.Response(200, json={key: value for key, value in paper.items()
                                         if key not in ("citations", "references")})
    return httpx.Response(404, json={"error": "Paper not found"})


def test_fetching_from_semantic_scholar_saves_what_it_imports(hub: Hub) -> None:
    waits: list[float] = []
    client = httpx.Client(transport=httpx.MockTransport(recorded_s2),
                          headers={"User-Agent": "citehub/test"})
    data = fetch("s2", "DOI:10.1093/MIND/LIX.236.433", client, sleep=waits.append)
    assert data["title"] == "Computing Machinery and Intelligence"
    assert len(data["citations"]) == 1 and data["citations"][0]["citingPaper"]
    assert len(waits) == 2  # three requests, spaced out
    saved = hub.root / "turing.json"
    saved.write_text(json.dumps(data))
    run = hub.cli("import", "s2", str(saved), "--dir", str(hub.root))
    assert "3 created" in run.stdout, run.stderr
    hub.build()
    turing = index_json(hub, "10.1093-mind-lix.236.433")
    assert turing["citing_count"] == 1 and turing["classified_count"] == 1


def test_fetching_waits_when_rate_limited_and_says_not_found() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "3"}),
                    httpx.Response(404, json={"error": "Paper not found"})])
    waits: list[float] = []
    client = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)))
    from citehub.importers.fetch import FetchError
    with pytest.raises(FetchError, match="not found"):
        fetch("s2", "nothing", client, sleep=waits.append)
    assert 3.0 in waits


def test_import_fetch_saves_the_responses_then_imports_them(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    from citehub.importers import fetch as fetching

    def recorded(source: str, paper_id: str) -> object:
        client = httpx.Client(transport=httpx.MockTransport(recorded_s2),
                              headers={"User-Agent": "citehub/test"})
        return fetch(source, paper_id, client, sleep=lambda seconds: None)

    monkeypatch.setattr(fetching, "fetch", recorded)
    saved = hub.root / "turing.json"
    run = hub.cli("import", "s2", str(saved), "--dir", str(hub.root), "--fetch",
                  "DOI:10.1093/MIND/LIX.236.433")
    assert run.exit_code == 0, run.stderr
    assert json.loads(saved.read_text())["title"] == "Computing Machinery and Intelligence"
    assert "3 created" in run.stdout
    # The responses are never written over without --force.
    again = hub.cli("import", "s2", str(saved), "--dir", str(hub.root), "--fetch", "x")
    assert again.exit_code == 1 and "turing.json exists" in again.stderr
    unknown = hub.cli("import", "s2", str(hub.root / "none.json"), "--dir", str(hub.root),
                      "--fetch", "nothing")
    assert unknown.exit_code == 1 and "error: " in unknown.stderr and "not found" in (
        unknown.stderr)


def test_fetch_is_for_the_apis_only(hub: Hub) -> None:
    run = hub.cli("import", "bibtex", str(hub.root / "x.bib"), "--fetch", "x")
    assert run.exit_code == 2 and "--fetch works with s2 and openalex" in run.stderr


def test_import_never_writes_through_a_linked_papers_folder(
        hub: Hub, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (hub.root / "content" / "papers").rmdir()
    (hub.root / "content" / "papers").symlink_to(outside)
    run = hub.cli("import", "csl-json", str(FIXTURES / "zotero.json"), "--dir", str(hub.root))
    assert run.exit_code == 1
    assert "outside the hub folder; refusing to write there" in run.stderr
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(("name", "make"), [
    ("fifo", lambda path: os.mkfifo(path)),
    ("deep", lambda path: path.write_text("[" * 100_000 + "]" * 100_000)),
    ("surrogate", lambda path: path.write_text('{"title": "broken \\ud800 text"}')),
])
def test_an_import_file_that_cannot_be_text_is_an_error_not_a_hang_or_traceback(
        hub: Hub, tmp_path: Path, name: str, make: object) -> None:
    source = tmp_path / f"{name}.json"
    make(source)  # type: ignore[operator]
    result = hub.cli("import", "s2", str(source), "--dir", str(hub.root))
    assert result.exit_code == 1
    assert "error:" in result.stderr and "nothing imported" in result.stderr
    assert papers(hub) == []
    assert not [path for path in hub.root.rglob("*") if path.name.endswith(".tmp")]


@pytest.mark.parametrize("text", [
    # A '#' line inside a quoted context: the new entry landed inside the string.
    '---\ntitle: Quoted\ncites:\n  - paper: old\n    context: "first\n      # second"\n---\nA.\n',
    # A front matter closed by '...': the entry went into the abstract (or a traceback).
    "---\ntitle: Dots\n...\nabstract\n\n---\n\nmore\n",
    "---\ntitle: Dots2\n...\nabstract\n",
    # A '#' line that is content of a block scalar was moved out of it.
    "---\ntitle: Block\ncites:\n  - paper: old\n    context: |\n      first line\n"
    "      # hash line is content\n---\nA.\n",
])
def test_a_citation_is_never_lost_in_an_odd_front_matter(hub: Hub, text: str) -> None:
    hub.paper("old", "title: Old paper\ndate: 2019")
    hub.raw("mine.md", text)
    (hub.root / "refs.bib").write_text("@article{new, title={A New Paper}, year={2021}}\n")
    run = hub.cli("import", "bibtex", str(hub.root / "refs.bib"), "--dir", str(hub.root),
                  "--citing", "mine")
    assert "Traceback" not in run.stderr
    mine = hub.root / "content/papers/mine.md"
    if run.exit_code == 0:  # added as it should be: the file reads with the new citation
        diagnostics = Diagnostics()
        corpus = load_corpus(hub.root, diagnostics)
        assert not diagnostics.has_errors
        assert "new" in [citation.cited_id for citation in corpus.papers["mine"].cites]
    else:  # or refused, naming the file, and nothing written
        assert "mine.md:1: error: cannot add the citations to this file" in run.stderr
        assert mine.read_text() == text
        assert not (hub.root / "content/papers/new.md").exists()


def json_paths(value: object, depth: int = 4, items: int = 2) -> list[tuple[object, ...]]:
    """Every place in a JSON document down to `depth` levels (the first `items` of a list)."""
    if depth == 0:
        return []
    children: list[tuple[object, object]] = (
        list(value.items()) if isinstance(value, dict)
        else list(enumerate(value[:items])) if isinstance(value, list) else [])
    paths: list[tuple[object, ...]] = []
    for key, child in children:
        paths.append((key,))
        paths += [(key, *rest) for rest in json_paths(child, depth - 1, items)]
    return paths


def replaced(document: object, place: tuple[object, ...], value: object) -> object:
    """A copy of a JSON document with `value` at `place` (a path of keys and indexes)."""
    copy: Any = json.loads(json.dumps(document))
    *parents, last = place
    target = copy
    for key in parents:
        target = target[key]
    target[last] = value
    return copy


EXPORTS = [("s2", S2 / "Paper.json"), ("s2", S2 / "Citation.json"),
           ("s2", S2 / "Reference.json"), ("openalex", FIXTURES / "openalex-works.json"),
           ("csl-json", FIXTURES / "zotero.json")]
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**30) | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner,
                                                                  max_size=2),
    max_leaves=4)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_field_of_any_json_type_is_imported_or_refused_never_a_traceback(
        data: st.DataObject) -> None:
    """A source's fields come from strangers' files: a list where text belongs, a number
    where a list does, a dict anywhere. Each is skipped, imported as text, or an error."""
    source, path = data.draw(st.sampled_from(EXPORTS))
    document = shortened(json.loads(path.read_text(encoding="utf-8")))
    document = replaced(document, data.draw(st.sampled_from(json_paths(document))),
                        data.draw(ANY_JSON))
    with tempfile.TemporaryDirectory() as folder:
        hub = Hub(Path(folder) / "hub")
        mutated = Path(folder) / path.name
        mutated.write_text(json.dumps(document), encoding="utf-8")
        run = hub.cli("import", source, str(mutated), "--dir", str(hub.root))
        assert run.exit_code in (0, 1), run.stderr
        if run.exit_code == 0:
            assert hub.check().exit_code in (0, 1)


def shortened(value: object) -> object:
    if isinstance(value, dict):
        return {key: shortened(child) for key, child in value.items()}
    return [shortened(child) for child in value[:2]] if isinstance(value, list) else value


WRONG_TYPES: list[object] = [5, "text", {"key": 1}, [1, None]]


@pytest.mark.parametrize(("source", "path"), EXPORTS, ids=[path.stem for _, path in EXPORTS])
def test_every_field_of_a_real_export_may_have_the_wrong_type(
        source: str, path: Path, tmp_path: Path) -> None:
    """Each place of each real export (down to three levels, the first item of each list)
    given a value of each wrong kind: the reader skips it, takes it as text, or reports it."""
    # Lists cut to two items: Turing's record has a thousand citing papers to read each time.
    original = shortened(json.loads(path.read_text(encoding="utf-8")))
    mutated = tmp_path / path.name
    for place in json_paths(original, depth=3, items=1):
        for value in WRONG_TYPES:
            mutated.write_text(json.dumps(replaced(original, place, value)), encoding="utf-8")
            try:
                read_bibliography(source, mutated, Diagnostics(), cited="cited", citing="citing")
            except SourceError:
                pass  # reported, with its line
            except Exception as error:
                raise AssertionError(f"{path.name} with {place} = {value!r}") from error


def test_a_text_where_a_list_of_texts_belongs_is_one_item_not_one_per_letter(
        tmp_path: Path) -> None:
    source = tmp_path / "paper.json"
    source.write_text(json.dumps({"paperId": "abc", "title": "T", "fieldsOfStudy": "Physics",
                                  "authors": 5, "publicationTypes": [{"a": 1}, "Book"]}))
    bibliography = read_bibliography("s2", source, Diagnostics())
    [record] = bibliography.records.values()
    assert record.categories == ["Physics"] and record.authors == []
    assert record.type == "book"
