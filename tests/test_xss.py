"""XSS, tested the way attackers work: a corpus of filter-evasion payloads in every field.

Each payload goes into every value that reaches a page: a paper's title, authors, venue,
categories, verdict, summary and links, a citation's context, role and polarity labels and
kind labels from hub.yaml's vocabulary, the hub's title and description, and the Markdown
abstract (as text, raw HTML, link and image targets, autolinks, reference definitions and
link titles). The hub is built, and every file of the result is read the way a browser reads
it (`inert.assert_inert`): nothing may run, load from elsewhere or leave the site unmarked,
and the payload must still be there, as text.

Payloads in places that must be ids or URLs (a cited paper, a role, a vocabulary term, a
file name, base_url, repo_url) must be refused with clean `path:line: error:` lines, or
dropped with a warning.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import citehub
from citehub.tex import without_braces

from attacks import (
    FORBIDDEN_IN_MARKUP,
    PAYLOADS,
    TEMPLATE_PAYLOADS,
    Built,
    Payload,
    dump,
    message_bugs,
    page_bugs,
    run,
    text_bugs,
    write_paper,
    xfail,
)
from inert import (
    assert_inert,
    fold,
    output_problems,
    page_text,
    parse_html,
    text_content,
)
from limits import memory_cap

BASE_URL = "https://example.github.io/kd-hub/"
REPO_URL = "https://github.com/example/kd-hub"
LINK_KINDS = ("arxiv", "doi", "pdf", "code", "url", "data", "slides", "video")

@pytest.fixture(scope="module", autouse=True)
def capped_memory() -> Iterator[None]:
    """Every test of this module runs under a memory cap (see limits.py)."""
    with memory_cap():
        yield



# Payloads with characters HTML and XML forbid are refused; the others must show as written.
SHOWABLE = tuple(p for p in PAYLOADS if not FORBIDDEN_IN_MARKUP.search(p.text))
UNSHOWABLE = tuple(p for p in PAYLOADS if FORBIDDEN_IN_MARKUP.search(p.text))


def params(
    payloads: tuple[Payload, ...], bugs: Callable[[Payload], tuple[str, ...]]
) -> list[Any]:
    """pytest params, each payload marked with the known bugs it shows in that test."""
    return [
        pytest.param(payload, id=payload.name,
                     marks=[xfail(" / ".join(bugs(payload)))] if bugs(payload) else [])
        for payload in payloads
    ]


# -- writing a hub ---------------------------------------------------------------------------


def markdown_text_forms(text: str) -> str:
    """The payload in every shape a Markdown abstract can carry it, except as a link target."""
    return "\n\n".join([
        text,
        f"Inline {text} text, *emphasised {text}*, **strong {text}**, ~~struck {text}~~.",
        f"<{text}> [{text}](https://example.com/) ![{text}](https://example.com/i.png)",
        f'[titled](https://example.com "{text}") [single](https://example.com \'{text}\')',
        f"`{text}`",
        f"    {text}",
        f"```{text}\n{text}\n```",
        f"> {text}",
        f"| a | {text} |\n|---|---|\n| {text} | b |",
        f"# {text}\n\n{text}\n---",
        f"* {text}\n* [x](https://example.com/) {text}",
        f"<div title=\"{text}\">{text}</div>",
        f"<!-- {text} -->",
    ]) + "\n"


def markdown_link_forms(text: str) -> str:
    """The payload as the target of every kind of Markdown link and image."""
    return "\n\n".join([
        f"[link]({text}) and ![image]({text})",
        f"[angle](<{text}>) and ![angle image](<{text}>)",
        f"[reference link][r1] and ![reference image][r2]\n\n[r1]: {text}\n[r2]: {text} \"t\"",
        f"[full reference][{text}]\n\n[{text}]: {text}",
        f"| a | [x]({text}) |\n|---|---|",
    ]) + "\n"


def write_hub(root: Path, text: str) -> None:
    """A hub with `text` in every field that reaches a page.

    Paper `t` carries it everywhere; `c1`…`c3` cite `t` with contexts and labelled roles and
    polarities, in three years; `t` cites `c1` (its references list). Filter pages and
    pagination are on (min 1 citing paper, 2 per page), so every kind of page is built.
    """
    papers = root / "content" / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    (root / "content" / "hub.yaml").write_text(dump({
        "title": text,
        "description": text,
        "base_url": BASE_URL,
        "repo_url": REPO_URL,
        "vocabulary": {
            "roles": {"background": text, "method": f"Method {text}"},
            "polarities": {"support": text, "contrast": f"Contrast {text}"},
        },
        "filter_pages_min_citing": 1,
        "paginate": 2,
        "representative": 2,
        "kinds": [{"label": text, "role": "background", "share_at_least": 0.1,
                   "classified_at_least": 1}],
    }), encoding="utf-8")
    target = {
        "title": text,
        "authors": [text, f"Ada {text}"],
        "date": "2024-02-20",
        "categories": [text, "cs.CL"],
        "venue": text,
        "links": dict.fromkeys(LINK_KINDS, text),
        "verdict": text,
        "novelty": 7.0,
        "summary": text,
        "cites": [{"paper": "c1", "role": "method", "polarity": "contrast", "refs": 2,
                   "context": text}],
    }
    write_paper(papers / "t.md", target, markdown_text_forms(text))
    for index, (role, polarity) in enumerate(
        (("background", "support"), ("method", "contrast"), ("background", "contrast")), 1
    ):
        write_paper(papers / f"c{index}.md", {
            "title": f"{text} {index}",
            "authors": [text],
            "date": f"{2022 + index}-0{index}",
            "venue": text,
            "verdict": text,
            "novelty": float(index),
            "summary": text,
            "cites": [{"paper": "t", "role": role, "polarity": polarity, "refs": index,
                       "context": [text, f"context {index}: {text}"]}],
        }, text)


@pytest.fixture(scope="module")
def built_with(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Payload], Built]:
    """The payload's hub, built once and shared by the tests that read it."""
    cache: dict[str, Built] = {}

    def build(payload: Payload) -> Built:
        if payload.name not in cache:
            root = tmp_path_factory.mktemp(f"xss-{payload.name}")
            write_hub(root, payload.text)
            cache[payload.name] = run("build", root)
        return cache[payload.name]

    return build


@pytest.fixture(autouse=True)
def _no_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


# -- free text: built, inert, and shown as written -------------------------------------------


@pytest.mark.parametrize("payload", params(SHOWABLE, page_bugs))
def test_payload_in_every_text_field_builds_into_an_inert_site(
    built_with: Callable[[Payload], Built], payload: Payload
) -> None:
    built = built_with(payload)
    assert built.exit_code == 0, built.stderr
    report = assert_inert(built.site, base_url=BASE_URL, trusted_urls={REPO_URL})
    # Hub, filter, site-wide, index, 404 and continuation pages were all checked; the feed and
    # sitemap, each paper's index.json and BibTeX, each cited paper's feed and CSV too, the
    # index's papers.json and the search bundle's entry file.
    assert report.pages >= 20 and report.json_files == 6 and report.xml_files == 4
    assert report.bib_files == 4 and report.csv_files == 2


@pytest.mark.parametrize("payload", params(SHOWABLE, text_bugs))
def test_payload_is_shown_as_the_text_that_was_written(
    built_with: Callable[[Payload], Built], payload: Payload
) -> None:
    built = built_with(payload)
    assert built.exit_code == 0, built.stderr
    written = payload.text.strip()
    # A paper's title is shown without the braces that protect its capitals in BibTeX
    # ({BERT}): `{{7*7}}` is the text 7*7, never 49. Other fields are shown as written.
    title = without_braces(written)
    hub_page = built.site / "papers" / "t" / "index.html"
    root, _ = parse_html(hub_page.read_text(encoding="utf-8"))
    h1 = root.find(".//h1")
    assert h1 is not None and text_content(h1) == fold(title)
    home, _ = parse_html((built.site / "index.html").read_text(encoding="utf-8"))
    description = [meta.get("content") for meta in home.iter("meta")
                   if meta.get("name") == "description"]
    assert description == [written]
    data = json.loads((built.site / "papers" / "t" / "index.json").read_text(encoding="utf-8"))
    assert data["title"] == title
    assert data["citing"][0]["summary"] == written
    feed = ElementTree.parse(built.site / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.findtext(f"{atom}title") == written
    titles = [entry.findtext(f"{atom}title") for entry in feed.iter(f"{atom}entry")]
    assert title in titles


@pytest.mark.parametrize("payload", params(UNSHOWABLE, message_bugs))
def test_payload_with_characters_no_page_may_hold_is_refused_at_its_line(
    built_with: Callable[[Payload], Built], payload: Payload
) -> None:
    # NUL, ESC and friends (YAML escapes can write them) are an error, never output.
    built = built_with(payload)
    assert built.exit_code == 1
    assert output_problems("build", 1, built.stderr, built.root) == []
    assert "control character" in built.stderr
    assert not built.site.exists()


@pytest.mark.parametrize("payload", params(SHOWABLE, message_bugs))
def test_payload_in_text_fields_gets_clean_diagnostics(
    built_with: Callable[[Payload], Built], payload: Payload
) -> None:
    # Dropped links are reported as warnings that quote the value: the quote must not break
    # the `path:line: warning:` line.
    built = built_with(payload)
    assert built.exit_code == 0
    assert output_problems("build", 0, built.stderr, built.root) == []


@pytest.mark.parametrize("payload", params(TEMPLATE_PAYLOADS, page_bugs))
def test_template_syntax_is_printed_never_evaluated(
    built_with: Callable[[Payload], Built], payload: Payload
) -> None:
    built = built_with(payload)
    assert built.exit_code == 0, built.stderr
    texts = {page: page_text(page) for page in built.site.rglob("*.html")}
    raw = "\n".join(path.read_text(encoding="utf-8") for path in built.site.rglob("*")
                    if path.is_file() and path.suffix in (".html", ".xml", ".json"))
    # 7*7 and 7*'7' would print 49 and 7777777; config and __class__ would print reprs.
    for evaluated in ("49", "7777777", "<Config", "<class "):
        if evaluated in payload.text:
            continue
        assert evaluated not in raw, f"{payload.text!r} was evaluated: found {evaluated!r}"
    assert fold(payload.text) in texts[built.site / "papers" / "t" / "index.html"]


def write_small_hub(root: Path, settings: dict[str, Any], abstract: str = "Plain.") -> None:
    """Two papers, `c` citing `t` (whose abstract is given), and hub.yaml's settings."""
    papers = root / "content" / "papers"
    papers.mkdir(parents=True)
    (root / "content" / "hub.yaml").write_text(dump(settings), encoding="utf-8")
    write_paper(papers / "t.md", {"title": "T", "date": "2024"}, abstract)
    write_paper(papers / "c.md", {"title": "C", "date": "2025",
                                  "cites": [{"paper": "t", "role": "method"}]}, "Plain.")


def write_link_hub(root: Path, text: str) -> None:
    """A small hub whose one abstract uses the payload as every kind of link target."""
    write_small_hub(root, {"base_url": BASE_URL}, markdown_link_forms(text))


@pytest.mark.parametrize("payload", params(PAYLOADS, lambda p: p.link_bugs))
def test_payload_as_an_abstract_link_target_is_dropped_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: Payload
) -> None:
    monkeypatch.chdir(tmp_path)
    write_link_hub(tmp_path, payload.text)
    built = run("build", tmp_path)
    # A relative link that resolves to no page fails the link check. Until that failure is
    # reported at the paper (test_broken_abstract_link_is_reported_at_the_paper), it names
    # a theme template: tolerated here, so this test keeps checking everything else.
    theme = Path(citehub.__file__).parent / "theme"
    problems = output_problems("build", built.exit_code, built.stderr, tmp_path,
                               also_inside=(theme,))
    assert problems == []
    if built.exit_code == 1:
        assert not built.site.exists()
        return
    assert built.exit_code == 0
    assert_inert(built.site, base_url=BASE_URL)


def test_broken_abstract_link_is_reported_at_the_paper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    (papers / "a.md").write_text("---\ntitle: A\n---\nSee [the figure](figure.png).\n",
                                 encoding="utf-8")
    built = run("build", tmp_path)
    assert output_problems("build", built.exit_code, built.stderr, tmp_path) == []
    if built.exit_code == 1:
        assert built.stderr.startswith("content/papers/a.md:4: error: ")


MARKERS = {
    "title": "ZQtitle", "authors": "ZQauthor", "venue": "ZQvenue", "categories": "ZQcategory",
    "verdict": "ZQverdict", "summary": "ZQsummary", "context": "ZQcontext",
    "role label": "ZQrolelabel", "polarity label": "ZQpolaritylabel", "kind label": "ZQkind",
    "hub title": "ZQhubtitle", "hub description": "ZQhubdescription", "abstract": "ZQabstract",
    "link": "ZQlink",
}


def test_every_field_the_corpus_fills_reaches_a_page(tmp_path: Path) -> None:
    # Guards the corpus against vacuity: a field that never reaches a page would pass every
    # payload without testing anything.
    markers = MARKERS
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    (tmp_path / "content" / "hub.yaml").write_text(dump({
        "title": markers["hub title"], "description": markers["hub description"],
        "filter_pages_min_citing": 1,
        "vocabulary": {"roles": {"background": markers["role label"]},
                       "polarities": {"support": markers["polarity label"]}},
        "kinds": [{"label": markers["kind label"], "role": "background",
                   "share_at_least": 0.1, "classified_at_least": 1}],
    }), encoding="utf-8")
    write_paper(papers / "t.md", {
        "title": markers["title"], "authors": [markers["authors"]], "date": "2024",
        "categories": [markers["categories"]], "venue": markers["venue"],
        "verdict": markers["verdict"], "summary": markers["summary"],
        "links": {"url": f"https://example.com/{markers['link']}"},
    }, markers["abstract"])
    write_paper(papers / "c.md", {
        "title": "C", "date": "2025",
        "cites": [{"paper": "t", "role": "background", "polarity": "support",
                   "context": markers["context"]}],
    }, "")
    built = run("build", tmp_path)
    assert built.exit_code == 0, built.stderr
    everything = "\n".join(path.read_text(encoding="utf-8")
                           for path in built.site.rglob("*.html"))
    missing = [field for field, marker in markers.items() if marker not in everything]
    assert missing == []


# -- ids, terms and URLs: refused, or dropped with a warning ---------------------------------


def write_id_hub(root: Path, text: str) -> None:
    """The payload where an id, a term or a file name belongs; each place an error."""
    papers = root / "content" / "papers"
    papers.mkdir(parents=True)
    (root / "content" / "hub.yaml").write_text(dump({
        "vocabulary": {"roles": {text: "Label", "method": "Method"},
                       "polarities": {"support": "Support"}},
        "kinds": [{"label": "K", "role": text, "share_at_least": 0.5}],
    }), encoding="utf-8")
    write_paper(papers / "a.md", {"title": "A", "date": "2024", "cites": [{"paper": text}]}, "")
    write_paper(papers / "b.md", {"title": "B", "date": "2024",
                                  "cites": [{"paper": "a", "role": text}]}, "")
    write_paper(papers / "c.md", {"title": "C", "date": "2024",
                                  "cites": [{"paper": "a", "polarity": text}]}, "")
    write_paper(papers / "d.md", {"title": "D", text: "unknown key"}, "")
    file_name = text.replace("/", "_").replace("\0", "_")[:100]
    write_paper(papers / f"{file_name}.md", {"title": "E"}, "")


@pytest.mark.parametrize("payload", params(PAYLOADS, message_bugs))
def test_payload_as_an_id_or_term_is_refused_with_clean_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: Payload
) -> None:
    monkeypatch.chdir(tmp_path)
    write_id_hub(tmp_path, payload.text)
    built = run("build", tmp_path)
    assert built.exit_code == 1, built.stdout
    assert output_problems("build", 1, built.stderr, tmp_path) == []
    # One error at least for each place: the vocabulary term, the kind, a/b/c/d and the file.
    assert built.stderr.count(": error: ") >= 6, built.stderr
    assert not built.site.exists()
    checked = run("check", tmp_path)
    assert checked.exit_code == 1
    assert output_problems("check", 1, checked.stderr, tmp_path) == []


URL_PAYLOADS = (
    *(p for p in PAYLOADS
      if ":" in p.text or p.text.startswith(("/", "&", "%")) or "//" in p.text),
    Payload("backslash-host", "/\\evil.example/"),
    Payload("backslash-host-2", "/\\\\evil.example/"),
    Payload("protocol-relative", "//evil.example/"),
    Payload("tab-protocol-relative", "/\t/evil.example/"),
    Payload("markup-path", '/"><script>alert(1)</script>/'),
    Payload("dot-dot-path", "/../../"),
    Payload("encoded-slashes", "/%2F%2Fevil.example/"),
    Payload("percent-path", "/my%20hub/"),
)


@pytest.mark.parametrize(
    "payload", params(URL_PAYLOADS, lambda p: message_bugs(p) + p.base_url_bugs)
)
def test_payload_as_base_url_is_refused_or_stays_on_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: Payload
) -> None:
    monkeypatch.chdir(tmp_path)
    write_small_hub(tmp_path, {"base_url": payload.text, "repo_url": REPO_URL})
    built = run("build", tmp_path)
    assert output_problems("build", built.exit_code, built.stderr, tmp_path) == []
    if built.exit_code == 1:
        assert "base_url" in built.stderr and not built.site.exists()
        return
    assert built.exit_code == 0
    # Accepted: every link must still stay on the site the base_url names.
    assert_inert(built.site, base_url=payload.text.strip(), trusted_urls={REPO_URL})


@pytest.mark.parametrize("payload", params(URL_PAYLOADS, message_bugs))
def test_payload_as_repo_url_is_refused_or_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: Payload
) -> None:
    monkeypatch.chdir(tmp_path)
    write_small_hub(tmp_path, {"base_url": BASE_URL, "repo_url": payload.text})
    built = run("build", tmp_path)
    assert output_problems("build", built.exit_code, built.stderr, tmp_path) == []
    if built.exit_code == 1:
        assert "repo_url" in built.stderr and not built.site.exists()
        return
    assert built.exit_code == 0
    # The owner's own repository link needs no rel="ugc", but it must be a real web URL.
    shown = payload.text.strip().rstrip("/")
    assert_inert(built.site, base_url=BASE_URL, trusted_urls={shown})


def test_links_with_payloads_are_dropped_with_a_warning_each(tmp_path: Path) -> None:
    write_hub(tmp_path, "javascript:alert(1)")
    built = run("build", tmp_path, "--verbose")  # all of them, not the first 5 of the kind
    assert built.exit_code == 0
    dropped = [line for line in built.stderr.splitlines() if "is dropped" in line]
    assert len(dropped) == len(LINK_KINDS), built.stderr
    page, _ = parse_html((built.site / "papers" / "t" / "index.html").read_text("utf-8"))
    assert page.find(".//ul[@class='links']") is None


def test_diagnostics_cannot_forge_github_workflow_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On GitHub Actions every output line starting with `::` is a command to the runner
    # (annotations on any file, ::stop-commands::, ::add-mask::). Only citehub's own may be.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    forged = "x\n::error file=README.md,line=1::forged\n::stop-commands::token"
    write_id_hub(tmp_path, forged)
    built = run("check", tmp_path)
    assert built.exit_code == 1
    commands = [line for line in built.stderr.splitlines() if line.startswith("::")]
    assert commands
    for line in commands:
        assert line.startswith(("::error file=content/", "::warning file=content/")), line


@pytest.mark.parametrize("payload", params(
    tuple(p for p in PAYLOADS if p.name in ("script", "js-url", "jinja-expression")),
    page_bugs,
))
def test_payloads_are_inert_with_a_root_base_url(tmp_path: Path, payload: Payload) -> None:
    # The same checks for a user site at the domain root (base_url "/", no canonical links).
    write_hub(tmp_path, payload.text)
    hub_yaml = tmp_path / "content" / "hub.yaml"
    settings = yaml.safe_load(hub_yaml.read_text(encoding="utf-8"))
    del settings["base_url"], settings["repo_url"]
    hub_yaml.write_text(dump(settings), encoding="utf-8")
    built = run("build", tmp_path)
    assert built.exit_code == 0, built.stderr
    assert_inert(built.site)


def test_the_checker_catches_what_it_is_for(tmp_path: Path) -> None:
    """assert_inert itself, on a page with every kind of executable content it looks for."""
    page = tmp_path / "index.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>x</title>"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self' "
        "'unsafe-inline'\"><link rel=stylesheet href='//evil.example/s.css'></head><body>"
        "<script>alert(1)</script><img src=x onerror=alert(1)><svg onload=alert(1)></svg>"
        "<a href=' java\tscript:alert(1)'>x</a><a href='https://evil.example/'>y</a>"
        "<a href='/\\evil.example/'>z</a><iframe src=x></iframe>"
        "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>"
        "<img src='data:text/html,x'><a href='data:image/png;base64,AA'>d</a>"
        "<math><mi xlink:href='javascript:alert(1)'>m</mi></math><p style='x'>s</p>"
        "<form class='explorer' action='https://evil.example/'><input type='password'>"
        "<button>go</button><input type=checkbox data-url='javascript:alert(1)'></form>"
        "<input type=text><svg class='stack'><foreignObject>x</foreignObject></svg>"
        "</body></html>",
        encoding="utf-8",
    )
    (tmp_path / "feed.xml").write_text("<feed><title>\x00</title></feed>", encoding="utf-8")
    (tmp_path / "x.json").write_text("{\"a\": NaN}", encoding="utf-8")
    (tmp_path / "evil.js").write_text("alert(1)", encoding="utf-8")
    with pytest.raises(AssertionError) as caught:
        assert_inert(tmp_path)
    message = str(caught.value)
    for expected in (
        "'unsafe-inline'", "<link> to a file outside the site", "inline script",
        "event handler attribute onerror", "event handler attribute onload",
        "javascript: URL in href", "link that leaves the site without rel",
        "forbidden element <iframe", "<meta http-equiv> other than the CSP",
        "data: URL in src", "data: URL in href", "foreign element outside the theme's charts",
        "javascript: URL in href of <mi", "style attribute", "not allowed in XML",
        "not valid JSON", "active file type (.js)", "form part that submits (action)",
        "input of type 'password'", "button that would submit the form",
        "data-url is not a URL of the site", "form or form control outside the theme's explorer",
        "unexpected element inside a chart",
    ):
        assert expected in message, f"{expected!r} not reported:\n{message}"


def test_output_checker_catches_what_it_is_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = (
        "content/papers/a.md:3: error: fine\n"
        "content/papers/a.md:4:2: warning: fine too\n"
        "Traceback (most recent call last):\n"
        "content/papers/a.md:5: error: split\nover two lines\n"
        "::error file=README.md,line=1::forged\n"
        "/etc/passwd:1: error: outside the hub\n"
        "content/papers/a.md:6: error: \x1b[2J escape\n"
        "build failed: 4 errors, 1 warning; site was left as it was\n"
    )
    problems = output_problems("build", 1, lines, tmp_path)
    assert len(problems) == 5, "\n".join(problems)
    assert output_problems("build", 1, "build failed: 1 error, 0 warnings; site was left "
                           "as it was\n", tmp_path) == ["a failed run reported no error"]
    assert output_problems("build", 1, lines.replace("build failed", "failed"), tmp_path)
