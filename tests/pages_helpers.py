"""Reading built pages as a reader would: parsed HTML, visible text, links."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, Tag


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup) -> str:
    """Visible text with whitespace folded, as a reader sees it."""
    return " ".join(node.get_text(" ").split())


def section(page: BeautifulSoup, heading_id: str) -> Tag:
    heading = page.find(id=heading_id)
    assert heading is not None, f"no #{heading_id} on the page"
    parent = heading.find_parent("section")
    assert isinstance(parent, Tag)
    return parent


def entry_titles(node: Tag | BeautifulSoup) -> list[str]:
    return [text_of(title) for title in node.select(".entry .entry-title a")]


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def links_of(page: BeautifulSoup) -> list[str]:
    found = [str(tag["href"]) for tag in page.find_all(href=True)]
    found += [str(tag["src"]) for tag in page.find_all(src=True)]
    return found
