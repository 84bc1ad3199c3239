"""Scholarly metadata on paper pages: Google Scholar's Highwire Press tags as its inclusion
guidelines ask for them, schema.org ScholarlyArticle JSON-LD, Open Graph and Twitter cards,
a canonical URL; parsed from the built page, not matched as text."""

from __future__ import annotations

import json
import re

from bs4 import BeautifulSoup

from conftest import Hub

PAPER = """\
title: "Distilling the Knowledge <in> a Neural Network"
authors: [Geoffrey Hinton, Oriol Vinyals, Jeff Dean]
date: 2015-03-09
venue: NIPS Deep Learning and Representation Learning Workshop
links: {arxiv: "1503.02531", doi: 10.48550/arXiv.1503.02531, pdf: "https://arxiv.org/pdf/1503.02531v1"}
summary: Compress an ensemble into one model by training it on soft targets.
cites:
  - paper: ba2014
"""


def write_hub(hub: Hub) -> None:
    hub.config("title: Meta hub\nbase_url: https://example.org/hub/\npaginate: 2\n")
    hub.paper("hinton2015", PAPER, "We distill.\n")
    hub.paper("ba2014", "title: Do Deep Nets Really Need to be Deep?\nauthors: [Lei Jimmy Ba]"
                        "\ndate: 2014\nvenue: Advances in Neural Information Processing Systems",
              "Shallow nets can mimic deep ones.\n")
    for number in range(3):  # three citing papers: the hub's list has a second page
        hub.paper(f"c{number}", f"title: Citing {number}\ndate: 2020\ncites:\n  - paper: "
                                "hinton2015", "Cites it.\n")


def head(hub: Hub, path: str) -> BeautifulSoup:
    return BeautifulSoup(hub.page(path), "html.parser").head


def meta(page: BeautifulSoup, name: str) -> list[str]:
    return [tag["content"] for tag in page.find_all("meta", attrs={"name": name})]


def test_highwire_tags_follow_google_scholars_inclusion_guidelines(hub: Hub) -> None:
    write_hub(hub)
    assert hub.build().exit_code == 0
    page = head(hub, "papers/hinton2015/")
    # Required: the title, one citation_author per author in order, the publication date
    # as YYYY/MM/DD; all in <head>.
    assert meta(page, "citation_title") == ["Distilling the Knowledge <in> a Neural Network"]
    assert meta(page, "citation_author") == ["Geoffrey Hinton", "Oriol Vinyals", "Jeff Dean"]
    assert meta(page, "citation_publication_date") == ["2015/03/09"]
    assert re.fullmatch(r"\d{4}(/\d{2}(/\d{2})?)?", meta(page, "citation_publication_date")[0])
    assert meta(page, "citation_conference_title") == [
        "NIPS Deep Learning and Representation Learning Workshop"]
    assert meta(page, "citation_pdf_url") == ["https://arxiv.org/pdf/1503.02531v1"]
    assert meta(page, "citation_arxiv_id") == ["1503.02531"]
    assert meta(page, "citation_doi") == ["10.48550/arXiv.1503.02531"]
    assert meta(page, "citation_abstract_html_url") == [
        "https://example.org/hub/papers/hinton2015/"]
    journal = head(hub, "papers/ba2014/")
    assert meta(journal, "citation_journal_title") == [
        "Advances in Neural Information Processing Systems"]
    assert meta(journal, "citation_publication_date") == ["2014"]
    assert not meta(journal, "citation_pdf_url")  # no PDF, no arXiv id: no PDF to name
    # A hub's second page is a list, not the article: no tags that would index it twice.
    assert not meta(head(hub, "papers/hinton2015/page/2/"), "citation_title")


def test_json_ld_is_a_schema_org_scholarly_article(hub: Hub) -> None:
    write_hub(hub)
    hub.build()
    page = head(hub, "papers/hinton2015/")
    (script,) = page.find_all("script", type="application/ld+json")
    data = json.loads(script.string)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ScholarlyArticle"
    assert data["name"] == data["headline"] == "Distilling the Knowledge <in> a Neural Network"
    # The paper's URL is its own (its DOI); the hub page is the page about it.
    assert data["url"] == "https://doi.org/10.48550/arXiv.1503.02531"
    assert data["mainEntityOfPage"] == "https://example.org/hub/papers/hinton2015/"
    assert data["@id"] == "https://example.org/hub/papers/hinton2015/#paper"
    assert data["datePublished"] == "2015-03-09"
    assert [author["@type"] for author in data["author"]] == ["Person"] * 3
    assert [author["name"] for author in data["author"]] == [
        "Geoffrey Hinton", "Oriol Vinyals", "Jeff Dean"]
    assert {(item["propertyID"], item["value"]) for item in data["identifier"]} == {
        ("arXiv", "1503.02531"), ("DOI", "10.48550/arXiv.1503.02531")}
    assert "https://doi.org/10.48550/arXiv.1503.02531" in data["sameAs"]
    assert data["citation"] == [{"@type": "ScholarlyArticle",
                                 "name": "Do Deep Nets Really Need to be Deep?",
                                 "url": "https://example.org/hub/papers/ba2014/"}]
    # The data block cannot end early: '<' is escaped inside it.
    assert "<in>" not in script.string


def test_open_graph_twitter_and_canonical(hub: Hub) -> None:
    write_hub(hub)
    hub.build()
    page = head(hub, "papers/hinton2015/")

    def prop(name: str) -> str:
        return page.find("meta", attrs={"property": name})["content"]

    assert prop("og:type") == "article"
    assert prop("og:title") == "Distilling the Knowledge <in> a Neural Network"
    assert prop("og:description") == "Compress an ensemble into one model by training it on " \
                                      "soft targets."
    assert prop("og:url") == "https://example.org/hub/papers/hinton2015/"
    assert prop("og:site_name") == "Meta hub"
    assert meta(page, "twitter:card") == ["summary"]
    # X falls back to Open Graph for the title and description: they are not written twice.
    assert meta(page, "twitter:title") == [] and meta(page, "twitter:description") == []
    assert page.find("link", rel="canonical")["href"] == prop("og:url")


def test_tags_say_the_type_volume_issue_and_pages(hub: Hub) -> None:
    """Highwire tags had no volume, issue or pages, and Zotero's Embedded Metadata
    translator typed arXiv-only papers as journal articles (citation_title alone means one
    to it; DC.type says otherwise)."""
    hub.config("title: Meta hub\nbase_url: https://example.org/hub/\n")
    hub.paper("turing", """\
        title: Computing Machinery and Intelligence
        authors: [A. M. Turing]
        date: 1950-10
        venue: Mind
        volume: LIX
        issue: 236
        pages: 433-460
        publisher: Oxford University Press
        links: {doi: 10.1093/mind/LIX.236.433}
        """, "Can machines think?\n")
    hub.paper("preprint", "title: A Preprint\ndate: 2017\nlinks: {arxiv: '1706.03762'}\n",
              "Abstract.\n")
    hub.paper("thesis", "title: A Thesis\ntype: thesis\ninstitution: University of Toronto\n"
                        "date: 2014", "Abstract.\n")
    assert hub.build("--no-search").exit_code == 0
    turing = head(hub, "papers/turing/")
    assert [meta(turing, name) for name in (
        "citation_journal_title", "citation_volume", "citation_issue", "citation_firstpage",
        "citation_lastpage", "citation_publisher")] == [
        ["Mind"], ["LIX"], ["236"], ["433"], ["460"], ["Oxford University Press"]]
    assert not meta(turing, "DC.type")  # citation_journal_title types it
    data = json.loads(turing.find("script", type="application/ld+json").string)
    assert data["isPartOf"] == {
        "@type": "PublicationIssue", "issueNumber": "236", "isPartOf": {
            "@type": "PublicationVolume", "volumeNumber": "LIX",
            "isPartOf": {"@type": "Periodical", "name": "Mind"}}}
    assert (data["pageStart"], data["pageEnd"], data["pagination"]) == ("433", "460",
                                                                       "433-460")
    preprint = head(hub, "papers/preprint/")
    assert meta(preprint, "DC.type") == ["preprint"]
    assert not meta(preprint, "citation_journal_title")
    thesis = head(hub, "papers/thesis/")
    assert meta(thesis, "citation_dissertation_institution") == ["University of Toronto"]
    thesis_data = json.loads(thesis.find("script", type="application/ld+json").string)
    assert thesis_data["@type"] == "Thesis" and "headline" not in thesis_data
    assert thesis_data["publisher"] == {"@type": "Organization", "name": "University of Toronto"}
