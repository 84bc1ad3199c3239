"""What search engines, reference managers and link previews read on a paper's page, in one
place: Google Scholar's Highwire Press tags, schema.org JSON-LD, Open Graph and Twitter cards."""

from __future__ import annotations

from typing import Any

from citehub.aggregate import Hub
from citehub.exports import landing_url, own_url, page_range
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


# Highwire's tag for where each type of paper appeared (what Google Scholar and Zotero type
# the paper by), and where its publisher or institution goes.
VENUE_TAGS = {"article": "citation_journal_title", "conference-paper": "citation_conference_title",
              "chapter": "citation_inbook_title"}
ISSUER_TAGS = {"thesis": "citation_dissertation_institution",
               "report": "citation_technical_report_institution"}
# Zotero's item type for the types no Highwire tag says (its Embedded Metadata translator
# reads DC.type; without it a page with citation_title is a journal article).
ZOTERO_TYPES = {"preprint": "preprint", "book": "book", "dataset": "dataset",
                "software": "computerProgram"}
# schema.org's type for each.
SCHEMA_TYPES = {"article": "ScholarlyArticle", "conference-paper": "ScholarlyArticle",
                "preprint": "ScholarlyArticle", "book": "Book", "chapter": "Chapter",
                "thesis": "Thesis", "report": "Report", "dataset": "Dataset",
                "software": "SoftwareSourceCode", "other": "CreativeWork"}


def scholar_tags(hub: Hub, urls: Urls) -> tuple[tuple[str, str], ...]:
    """Highwire Press tags, as Google Scholar's inclusion guidelines ask for them, and the
    Dublin Core type Zotero reads for the types they have no tag for."""
    paper = hub.paper
    tags = [("citation_title", paper.title)]
    tags += [("citation_author", author) for author in paper.authors]
    if paper.date is not None:
        tags.append(("citation_publication_date", paper.date.text.replace("-", "/")))
    venue_tag = VENUE_TAGS.get(paper.type)
    if venue_tag and paper.venue:
        tags.append((venue_tag, paper.venue))
    tags += [(name, value) for name, value in (("citation_volume", paper.volume),
                                               ("citation_issue", paper.issue)) if value]
    if paper.pages:
        first, last = page_range(paper.pages)
        tags.append(("citation_firstpage", first))
        if last:
            tags.append(("citation_lastpage", last))
    issuer_tag = ISSUER_TAGS.get(paper.type)
    issuer = paper.institution or paper.publisher
    if issuer_tag and issuer:
        tags.append((issuer_tag, issuer))
    if paper.publisher and not (issuer_tag and issuer == paper.publisher):
        tags.append(("citation_publisher", paper.publisher))
    identifiers = paper.identifiers
    if "doi" in identifiers:
        tags.append(("citation_doi", identifiers["doi"]))
    if "arxiv" in identifiers:
        tags.append(("citation_arxiv_id", identifiers["arxiv"]))
    pdf = pdf_url(paper)
    if pdf:
        tags.append(("citation_pdf_url", pdf))
    if urls.origin:  # the hub page is the paper's landing page
        tags.append(("citation_abstract_html_url", urls.absolute(urls.paper(paper.id))))
    if paper.type in ZOTERO_TYPES:
        tags.append(("DC.type", ZOTERO_TYPES[paper.type]))
    return tuple(tags)


def social_tags(hub: Hub, urls: Urls, site_title: str) -> tuple[MetaTag, ...]:
    """Open Graph and Twitter card tags: how a link to the page previews."""
    paper = hub.paper
    tags: list[MetaTag] = [
        ("property", "og:type", "book" if paper.type == "book" else "article"),
        ("property", "og:title", paper.title),
        ("property", "og:description", description(paper)),
        ("property", "og:site_name", site_title),
    ]
    if urls.origin:  # Open Graph's URL is absolute or absent
        tags.append(("property", "og:url", urls.absolute(urls.paper(paper.id))))
    if paper.date is not None and paper.date.day is not None and paper.type != "book":
        tags.append(("property", "article:published_time", paper.date.text))
    # X reads og:title and og:description where its own tags are missing: only the card
    # type is its own (every page would otherwise carry the title and description twice).
    tags.append(("name", "twitter:card", "summary"))
    return tuple(tags)


def json_ld(hub: Hub, urls: Urls) -> dict[str, Any]:
    """schema.org's description of the paper (ScholarlyArticle, Book, Thesis…): its
    identifiers, where it appeared, its pages and what it cites. Its `url` is the paper's own
    link; the hub page is the page about it (`mainEntityOfPage`)."""
    paper = hub.paper
    identifiers = paper.identifiers
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": SCHEMA_TYPES[paper.type],
        "name": paper.title, "headline": paper.title[:110],
        "author": [{"@type": "Person", "name": author} for author in paper.authors],
    }
    page = urls.absolute(urls.paper(paper.id))
    if urls.origin:
        data["@id"] = page + "#paper"
        data["mainEntityOfPage"] = page
    if paper.type not in ("article", "conference-paper", "preprint"):
        del data["headline"]  # an Article's property only
    own = own_url(paper)
    if own:
        data["url"] = own
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
    container = _container(paper)
    if container:
        data["isPartOf"] = container
    if paper.pages:
        first, last = page_range(paper.pages)
        data["pagination"] = paper.pages
        if last and paper.type in ("article", "conference-paper", "chapter"):
            data["pageStart"], data["pageEnd"] = first, last
    issuer = paper.institution or paper.publisher
    if issuer:
        data["publisher"] = {"@type": "Organization", "name": issuer}
    if hub.references:
        data["citation"] = [_cited(entry.paper, urls) for entry in hub.references]
    return data


def _container(paper: Paper) -> dict[str, Any] | None:
    """Where the paper appeared: a journal (with its volume and issue), proceedings, a book."""
    if not paper.venue or paper.type in ("book", "thesis", "report", "preprint"):
        return None
    if paper.type in ("conference-paper", "chapter"):
        return {"@type": "Book", "name": paper.venue}  # proceedings are a book to schema.org
    container: dict[str, Any] = {"@type": "Periodical", "name": paper.venue}
    if paper.volume:
        container = {"@type": "PublicationVolume", "volumeNumber": paper.volume,
                     "isPartOf": container}
    if paper.issue:
        container = {"@type": "PublicationIssue", "issueNumber": paper.issue,
                     "isPartOf": container}
    return container


def _cited(paper: Paper, urls: Urls) -> dict[str, Any]:
    cited: dict[str, Any] = {"@type": SCHEMA_TYPES[paper.type], "name": paper.title}
    link = landing_url(paper, urls)
    if link:
        cited["url"] = link
    return cited
