"""Reading built pages as a reader would: parsed HTML, visible text, links."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from citehub.linkcheck import LinkChecker, extract

BRAND = re.compile(r'class="brand" href="([^"]*)"')


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


def broken_links(site: Path) -> list[str]:
    """Every internal link of a built site that does not resolve, read from all its pages.

    A build reads links back only from pages a hub's own templates make (the theme's links
    all come from the plan): this is the full scan, run on every site the tests build.
    """
    brand = BRAND.search((site / "404.html").read_text(encoding="utf-8"))
    assert brand is not None, f"{site}/404.html has no link to the home page"
    base_path = brand.group(1)
    checker = LinkChecker(base_path)
    files = sorted(path for path in site.rglob("*") if path.is_file())
    for path in files:
        checker.add_file(path.relative_to(site).as_posix())
    for path in files:
        relative = path.relative_to(site).as_posix()
        if relative.endswith(".html"):
            url = base_path + relative.removesuffix("index.html")
            checker.add_page(relative, url, None, extract(path.read_bytes()))
    return [f"{link.page}:{link.line}: {link.target} {link.reason}" for link in checker.broken()]
