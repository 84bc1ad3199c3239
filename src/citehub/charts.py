"""Chart geometry, computed at build time so the pages need no script to draw them.

The views here are plain numbers for inline SVG in the templates: bar sizes in the SVG's own
coordinate system, and for each bar of the year chart the words a screen reader and a hover say.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

PLOT_HEIGHT = 100  # each bar's own SVG: its viewBox is 1 wide and this high
ALL_VALUES_UP_TO = 12  # bars: up to this many show every bar's count; more show it on focus
MOST_BARS = 80  # a phone's column; a longer history is shown by 2, 5, 10… years a bar
SPANS = (1, 2, 5, 10, 20, 25, 50, 100)  # years a bar can cover, aligned to round years
LABEL_STEPS = (1, 2, 5, 10, 20, 25, 50)  # label every Nth bar: years ending in 0 or 5…
EN_DASH = "\u2013"  # between the first and last year of a bar of several
MOST_LABELS = 8  # …so that a phone's column fits their four digits, 11 px or larger


@dataclass(frozen=True)
class BarPart:
    color: str  # the theme's colour, as Segment.color; "" for citations without a polarity
    y: float  # in the bar's viewBox, from the top
    height: float


@dataclass(frozen=True)
class YearBar:
    year: int  # the first year it covers
    last_year: int  # the last: the same, unless a long history takes several years a bar
    count: int
    url: str | None  # its papers (filter page, or the list filtered); none without papers
    labelled: bool  # the axis names this bar's first year
    parts: tuple[BarPart, ...]  # stacked from the bottom: the polarities, then the rest
    text: str  # "2021: 12 citing papers (5 supports, 1 contrasts)", spoken and on hover
    tip: str  # which way the hover text runs so that it stays on the page: start, middle, end


@dataclass(frozen=True)
class YearChart:
    bars: tuple[YearBar, ...]  # every year (or span) from the first to the last, gaps included
    first: int  # the first and last year with citing papers
    last: int
    span: int  # years a bar covers
    all_values: bool  # few bars: every bar shows its count
    legend: tuple[tuple[str, str], ...]  # (colour, words) of the parts that occur


def year_chart(
    counts: Mapping[int, int],
    urls: Mapping[int, str | None],
    by_polarity: Mapping[int, Mapping[str, int]],
    polarities: Sequence[tuple[str, str, str]],
    range_url: Callable[[int, int], str | None] = lambda first, last: None,
) -> YearChart | None:
    """A histogram of citing papers per year, every year between the first and last shown,
    each bar stacked by polarity: `polarities` are (term, words, colour) from the bottom up;
    the citations without one are the top of the bar. A history longer than MOST_BARS years
    takes several years a bar (a decade, say), which link to `range_url(first, last)`: the
    chart stays the width of a column however far apart the years are."""
    if not counts:
        return None
    first, last = min(counts), max(counts)
    span = next((span for span in SPANS if last // span - first // span < MOST_BARS), SPANS[-1])
    starts = range(first - first % span, last + 1, span)
    step = next((step for step in LABEL_STEPS if len(starts) / step <= MOST_LABELS),
                LABEL_STEPS[-1])
    totals: dict[int, int] = {}
    shares_of: dict[int, dict[str, int]] = {}
    for year, count in counts.items():
        start = year - year % span
        totals[start] = totals.get(start, 0) + count
        for term, share in by_polarity.get(year, {}).items():
            shares_of.setdefault(start, {})[term] = shares_of.get(start, {}).get(term, 0) + share
    peak = max(totals.values())
    used: set[str] = set()
    bars = []
    for index, start in enumerate(starts):
        count = totals.get(start, 0)
        end = start + span - 1
        parts: list[BarPart] = []
        top = float(PLOT_HEIGHT)
        spoken = []
        shares = [(color, words, shares_of.get(start, {}).get(term, 0))
                  for term, words, color in polarities]
        rest = count - sum(share for _, _, share in shares)
        for color, words, share in [*shares, ("", "not classified by polarity", rest)]:
            if share <= 0:
                continue
            # Rounded edges, not rounded heights: the parts add up to the bar exactly.
            below = round(top, 3)
            top -= PLOT_HEIGHT * share / peak
            parts.append(BarPart(color, round(top, 3), round(below - round(top, 3), 3)))
            used.add(color)
            if color:
                spoken.append(f"{share} {words}")
        papers = f"{count} citing paper{'s' if count != 1 else ''}"
        detail = f" ({', '.join(spoken)})" if spoken else ""
        years = str(start) if span == 1 else f"{start}{EN_DASH}{end}"
        url = (urls.get(start) if span == 1 else range_url(start, end)) if count else None
        bars.append(YearBar(start, end, count, url,
                            len(starts) <= MOST_LABELS or (start // span) % step == 0,
                            tuple(parts), f"{years}: {papers}{detail}",
                            "start" if index < len(starts) / 3
                            else "end" if index >= 2 * len(starts) / 3 else "middle"))
    legend = tuple((color, words) for _, words, color in polarities if color in used)
    if legend and "" in used:
        legend += (("", "not classified by polarity"),)
    return YearChart(tuple(bars), first, last, span, len(starts) <= ALL_VALUES_UP_TO, legend)


@dataclass(frozen=True)
class Segment:
    term: str
    label: str
    count: int
    percent: int
    width: float  # in percent of the bar's width
    color: str  # the theme's colour: a term's own ("support"), else an index into its palette


@dataclass(frozen=True)
class Distribution:
    segments: tuple[Segment, ...]
    total: int


def distribution(
    rows: Sequence[tuple[str, str, int]], total: int, percent_of: int,
    own_colors: Collection[str] = (),
) -> Distribution | None:
    """One bar per (term, label, count), its width in percent of `total`; the terms in
    `own_colors` have a colour of their own in the theme (polarities: support is green)."""
    if not rows or total <= 0:
        return None
    segments = [Segment(term, label, count, int(100 * count / percent_of + 0.5),
                        round(100 * count / total, 3),
                        term if term in own_colors else str(index % 8))
                for index, (term, label, count) in enumerate(rows)]
    return Distribution(tuple(segments), total)
