"""How a run talks to its user: progress on a terminal, one summary line, testable output."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

import click

T = TypeVar("T")


class Reporter:
    """Silent: what tests and library callers get."""

    def progress(self, items: Iterable[T], length: int, label: str) -> Iterator[T]:
        yield from items

    def info(self, line: str) -> None:
        pass


class ConsoleReporter(Reporter):
    """A progress bar when stderr is a terminal; the summary line on stdout."""

    def progress(self, items: Iterable[T], length: int, label: str) -> Iterator[T]:
        if not sys.stderr.isatty():
            yield from items
            return
        with click.progressbar(items, length=length, label=label, file=sys.stderr,
                               show_pos=True) as bar:
            yield from bar

    def info(self, line: str) -> None:
        click.echo(line)


def human_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")
