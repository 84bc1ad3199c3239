"""The one paginator: lists longer than `paginate` continue on …/page/N/, so no page grows
with the size of the hub."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Pagination:
    """Where a page is in its list, as the pager shows it."""

    number: int
    count: int
    total_items: int
    first_index: int  # 1-based position of this page's first item, for <ol start>
    prev_url: str | None
    next_url: str | None
    # The pages the pager links: the first, the last and a window around this one. A list of
    # 400 pages that linked every page from each of them repeated 160,000 links.
    pages: tuple[tuple[int, str], ...]


WINDOW = 2  # pages linked on either side of the current one


def pager_numbers(number: int, count: int) -> list[int]:
    """The page numbers a pager shows: 1, …, number-2 … number+2, …, count."""
    near = range(max(1, number - WINDOW), min(count, number + WINDOW) + 1)
    return sorted({1, count, *near})


@dataclass(frozen=True)
class Paginator:
    per_page: int

    def count(self, total: int) -> int:
        """Pages of at most `per_page` items; an empty list still gets its first page."""
        return max(1, -(-total // self.per_page))

    def chunk(self, items: Sequence[T], number: int) -> Sequence[T]:
        """The items on page `number` (from 1)."""
        start = (number - 1) * self.per_page
        return items[start:start + self.per_page]

    def title(self, title: str, number: int, count: int) -> str:
        return title if number == 1 else f"{title} (page {number} of {count})"

    def page(self, items: Sequence[T], number: int,
             url_of: Callable[[int], str]) -> tuple[Pagination, Sequence[T]]:
        """Page `number` of `items`: where it is, and its items."""
        count = self.count(len(items))
        return Pagination(
            number=number, count=count, total_items=len(items),
            first_index=(number - 1) * self.per_page + 1,
            prev_url=url_of(number - 1) if number > 1 else None,
            next_url=url_of(number + 1) if number < count else None,
            pages=tuple((page, url_of(page)) for page in pager_numbers(number, count)),
        ), self.chunk(items, number)
