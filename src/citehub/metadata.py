"""What search engines, reference managers and link previews read on a paper's page, in one
place: Google Scholar's Highwire Press tags, schema.org JSON-LD, Open Graph and Twitter cards."""

from __future__ import annotations

from typing import Any

from citehub.aggregate import Hub
from citehub.exports import venue_kind
from citehub.model import Paper
from citehub.urls import Urls

MetaTag = tuple[str, str, str]  # (attribute, its value, content): ("property", "og:type", …)


def pdf_url(paper: Paper) -> str | None:
    pdf = next((link.url for link in paper.links if link.kind == "pdf"), None)
    arxiv = paper.identifiers.get("arxiv")
    return pdf or (f"https://arxiv.org/pdf/{arxiv}" if arxiv else None)


def description(paper: Paper) -> str:
    """What a preview of the page says: the paper's summary, or what the page is."""
    return paper.summary or f"Who cites “{paper.title}”, how, and when."


def scholar_tags(hub: Hub, urls: Urls) -> tuple[tuple[str, str], ...]:
    """Highwire Press tags, as Google Scholar's inclusion guidelines ask for them."""
    paper = hub.paper
    tags = [("citation_title", paper.title)]
    tags += [("citation_author", author) for author in paper.authors]
    if paper.date is not None:
        tags.append(("citation_publication_date", paper.date.text.replace("-", "/")))
    kind = venue_kind(paper.venue)
    if kind and paper.venue:
        tags.append((f"citation_{kind}_title", paper.venue))
    identifiers = paper.identifiers
    if "doi" in identifiers:
        tags.append(("citation_doi", identifiers["doi"]))
    if "arxiv" in identifiers:
        tags.append(("citation_arxiv_id", identifiers["arxiv"]))
    pdf = pdf_url(paper)
    if pdf:
        tags.append(("citation_pdf_url", pdf))
    if urls.origin:
        tags.append(("citation_abstract_html_url", urls.absolute(urls.paper(paper.id))))
    return tuple(tags)


def social_tags(hub: Hub, urls: Urls, site_title: str) -> tuple[MetaTag, ...]:
    """Open Graph and Twitter card tags: how a link to the page previews."""
    paper = hub.paper
    url = urls.absolute(urls.paper(paper.id))
    tags: list[MetaTag] = [
        ("property", "og:type", "article"), ("property", "og:title", paper.title),
        ("property", "og:description", description(paper)),
        ("property", "og:site_name", site_title),
    ]
    if url.startswith("http"):  # Open Graph's URL is absolute or absent
        tags.append(("property", "og:url", url))
    tags += [("name", "twitter:card", "summary"), ("name", "twitter:title", paper.title),
             ("name", "twitter:description", description(paper))]
    return tuple(tags)


def json_ld(hub: Hub, urls: Urls) -> dict[str, Any]:
    """schema.org's ScholarlyArticle: the paper, its identifiers and what it cites."""
    paper = hub.paper
    url = urls.absolute(urls.paper(paper.id))
    identifiers = paper.identifiers
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "ScholarlyArticle", "@id": url,
        "url": url, "name": paper.title, "headline": paper.title[:110],
        "author": [{"@type": "Person", "name": author} for author in paper.authors],
    }
    if paper.date is not None:
        data["datePublished"] = paper.date.text
    if paper.summary:
        data["description"] = paper.summary
    if identifiers:
        data["identifier"] = [
            {"@type": "PropertyValue", "propertyID": "DOI" if kind == "doi" else "arXiv",
             "value": value} for kind, value in sorted(identifiers.items())]
        data["sameAs"] = [f"https://doi.org/{value}" if kind == "doi" else
                          f"https://arxiv.org/abs/{value}"
                          for kind, value in sorted(identifiers.items())]
    if paper.venue:
        data["isPartOf"] = {"@type": "Periodical", "name": paper.venue}
    if hub.references:
        data["citation"] = [
            {"@type": "ScholarlyArticle", "name": entry.paper.title,
             "url": urls.absolute(urls.paper(entry.paper.id))}
            for entry in hub.references]
    return data
