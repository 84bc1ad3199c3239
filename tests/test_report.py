"""What a user sees of a run on a terminal: the progress bar and the summary line."""

from __future__ import annotations

import io

import pytest

from citehub import report
from citehub.report import ConsoleReporter, Reporter, human_bytes


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_is_drawn_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(report.sys, "stderr", terminal)
    items = list(ConsoleReporter().progress(iter(range(250)), 250, "Rendering"))
    assert items == list(range(250))
    assert "Rendering" in terminal.getvalue()
    assert "250/250" in terminal.getvalue()


def test_no_progress_bar_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    piped = io.StringIO()
    monkeypatch.setattr(report.sys, "stderr", piped)
    assert list(ConsoleReporter().progress(iter(range(3)), 3, "Rendering")) == [0, 1, 2]
    assert piped.getvalue() == ""


def test_silent_reporter_passes_items_through() -> None:
    assert list(Reporter().progress(iter("abc"), 3, "x")) == ["a", "b", "c"]


@pytest.mark.parametrize(("count", "shown"), [
    (0, "0 B"), (999, "999 B"), (1_000, "1.0 kB"), (1_650_000, "1.6 MB"), (2_500_000_000, "2.5 GB"),
])
def test_sizes_read_like_a_person_writes_them(count: int, shown: str) -> None:
    assert human_bytes(count) == shown
