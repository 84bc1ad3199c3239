"""Chart geometry, computed at build time so the pages need no script to draw them.

The views here are plain numbers for inline SVG in the templates: bar positions and sizes in
the SVG's own coordinate system, and the sentence that describes the chart to a screen reader.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

BAR_WIDTH = 28  # with many years; a few years get wider bars, up to WIDE_BAR
WIDE_BAR = 48
MIN_CHART_WIDTH = 260
BAR_GAP = 10
PLOT_HEIGHT = 110
VALUE_SPACE = 18  # above the tallest bar, for its number
LABEL_SPACE = 20  # below the bars, for the years


@dataclass(frozen=True)
class ChartBar:
    label: str
    count: int
    x: int
    y: int
    height: int
    url: str | None
    value_y: int  # where the number above the bar sits


@dataclass(frozen=True)
class YearChart:
    width: int
    height: int
    baseline: int
    label_y: int
    bar_width: int
    bars: tuple[ChartBar, ...]
    description: str


@dataclass(frozen=True)
class Segment:
    term: str
    label: str
    count: int
    percent: int
    x: float  # in percent of the bar's width
    width: float
    color: str  # the theme's colour: a term's own ("support"), else an index into its palette


@dataclass(frozen=True)
class Distribution:
    segments: tuple[Segment, ...]
    total: int
    description: str


def year_chart(counts: Mapping[int, int], urls: Mapping[int, str | None]) -> YearChart | None:
    """A histogram of citing papers per year, every year between the first and last shown."""
    if not counts:
        return None
    years = range(min(counts), max(counts) + 1)
    peak = max(counts.values())
    bar_width = max(BAR_WIDTH, min(WIDE_BAR, (MIN_CHART_WIDTH - BAR_GAP) // len(years) - BAR_GAP))
    bars = []
    for index, year in enumerate(years):
        count = counts.get(year, 0)
        height = round(PLOT_HEIGHT * count / peak)
        y = VALUE_SPACE + PLOT_HEIGHT - height
        bars.append(ChartBar(str(year), count, BAR_GAP + index * (bar_width + BAR_GAP), y,
                             height, urls.get(year), y - 5))
    width = BAR_GAP + len(bars) * (bar_width + BAR_GAP)
    described = ", ".join(f"{bar.label}: {bar.count}" for bar in bars)
    return YearChart(
        width=width, height=VALUE_SPACE + PLOT_HEIGHT + LABEL_SPACE,
        baseline=VALUE_SPACE + PLOT_HEIGHT, label_y=VALUE_SPACE + PLOT_HEIGHT + 15,
        bar_width=bar_width, bars=tuple(bars),
        description=f"Citing papers per year. {described}.",
    )


def distribution(
    rows: Sequence[tuple[str, str, int]], total: int, what: str, percent_of: int,
    own_colors: Collection[str] = (),
) -> Distribution | None:
    """One stacked bar: each (term, label, count) a segment, in percent of `total`; the terms
    in `own_colors` have a colour of their own in the theme (polarities: support is green)."""
    if not rows or total <= 0:
        return None
    segments = []
    x = 0.0
    for index, (term, label, count) in enumerate(rows):
        width = 100 * count / total
        segments.append(Segment(term, label, count, int(100 * count / percent_of + 0.5),
                                round(x, 3), round(width, 3),
                                term if term in own_colors else str(index % 8)))
        x += width
    described = ", ".join(f"{segment.label} {segment.count}" for segment in segments)
    return Distribution(tuple(segments), total, f"{what} of classified citations: {described}.")
