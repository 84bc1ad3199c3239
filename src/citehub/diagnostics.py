"""Problems found in content, collected so a run reports all of them at once.

Every stage reports into one `Diagnostics` collector instead of raising, so a contributor
sees every mistake of a pull request in one run, each as `path:line:col: severity: message`.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]
Level = Literal["warn", "ignore", "error"]

# Every kind of warning, by the code a hub uses to set its level in hub.yaml (`warnings:`).
WARNING_CODES = {
    "undated": "a citing paper has no date, so it counts in no year",
    "no-abstract": "a paper has no abstract",
    "orphan": "a paper cites nothing and is cited by nothing",
    "unclassified": "a citation has neither a role nor a polarity",
    "unsafe-link": "a link is not an http(s) URL (or an arXiv id or DOI) and is dropped",
    "ignored-file": "a file in content/papers/ is not a .md file and is ignored",
    "base-url-slash": "hub.yaml's base_url does not end with '/'",
    "large-site": "the site is over 800 MB, near GitHub Pages' limit of 1 GB",
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int | None
    severity: Severity
    message: str
    code: str | None = None  # set on warnings: what hub.yaml's `warnings:` refers to

    @property
    def text(self) -> str:
        return f"{self.message} [{self.code}]" if self.code else self.message

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.col is None else (
            f"{self.path}:{self.line}:{self.col}"
        )
        return f"{where}: {self.severity}: {self.text}"

    def format_github(self) -> str:
        """The GitHub Actions workflow command that puts this problem on a pull request's diff."""
        location = f"file={_escape_property(repository_path(self.path))},line={self.line}"
        if self.col is not None:
            location += f",col={self.col}"
        return f"::{self.severity} {location}::{_escape_data(self.text)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# Characters that would let a value break out of its diagnostic line: a newline starts a new
# `::error` workflow command on GitHub, an escape sequence rewrites the terminal, and the
# bidirectional controls (and invisible marks) reorder or hide the text around them.
UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def printable(text: str) -> str:
    """`text` on one line, with control characters shown as escapes (\\n, \\x1b)."""
    return UNPRINTABLE.sub(lambda match: repr(match.group())[1:-1], text)


def repository_path(path: str) -> str:
    """`path` relative to the checkout on GitHub Actions, as annotations need it."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return path
    absolute = Path(path).absolute()
    try:
        return absolute.relative_to(Path(workspace).absolute()).as_posix()
    except ValueError:
        return path


@functools.lru_cache(maxsize=4096)
def display_path(path: Path) -> str:
    """The path as a user should read it: relative to the current directory when below it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


# Warnings that errors elsewhere can cause, left out while there are errors.
CAUSED_BY_ERRORS = frozenset({"orphan"})
# Of each kind of warning, how many are printed; the rest are counted (a hub imported from a
# list without abstracts has thousands of `no-abstract`).
WARNINGS_SHOWN_PER_KIND = 5


@dataclass
class Diagnostics:
    """Collects the problems of one run; stages add to it and carry on where they can."""

    items: list[Diagnostic] = field(default_factory=list)
    # The hub's warning levels, once hub.yaml is read: an ignored warning is not even made
    # (a large hub can have tens of thousands of them).
    levels: Mapping[str, Level] = field(default_factory=dict)

    def error(self, path: Path | str, line: int, message: str, col: int | None = None) -> None:
        self._add(path, line, col, "error", message, None)

    def warning(
        self, path: Path | str, line: int, message: str, code: str, col: int | None = None
    ) -> None:
        assert code in WARNING_CODES, code
        level = self.levels.get(code, "warn")
        if level == "ignore":
            return
        self._add(path, line, col, "error" if level == "error" else "warning", message, code)

    def _add(
        self,
        path: Path | str,
        line: int,
        col: int | None,
        severity: Severity,
        message: str,
        code: str | None,
    ) -> None:
        shown = display_path(path) if isinstance(path, Path) else path
        self.items.append(Diagnostic(printable(shown), max(line, 1), col, severity,
                                     printable(message), code))

    # Counted over sorted(), which drops repeats, so the summary matches the lines printed.
    @property
    def errors(self) -> list[Diagnostic]:
        return [item for item in self.sorted() if item.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [item for item in self.sorted() if item.severity == "warning"]

    @property
    def has_errors(self) -> bool:
        return any(item.severity == "error" for item in self.items)

    def strict(self) -> Diagnostics:
        """The same problems with every warning promoted to an error (`--strict`)."""
        return Diagnostics([replace(item, severity="error") for item in self.items])

    def apply_levels(self, levels: Mapping[str, Level]) -> None:
        """Warnings as the hub wants them: some ignored, some made errors (hub.yaml)."""
        kept: list[Diagnostic] = []
        for item in self.items:
            level = levels.get(item.code or "", "warn") if item.severity == "warning" else "warn"
            if level == "ignore":
                continue
            kept.append(replace(item, severity="error") if level == "error" else item)
        self.items[:] = kept

    def sorted(self) -> list[Diagnostic]:
        # Sorted by file and line so output is stable and reads top to bottom.
        return sorted(set(self.items), key=lambda d: (d.path, d.line, d.col or 0, d.message))

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.sorted())

    def shown(self, verbose: bool = False) -> list[Diagnostic]:
        """What a person is shown: errors first, then warnings, each in file and line order.

        Unless `verbose`: while there are errors of content, no `orphan` warnings (a file
        with errors loses its citations, which makes orphans of the papers it cites: 200 of
        them buried the one real error); and of each kind of warning only the first
        `WARNINGS_SHOWN_PER_KIND`, the rest counted (`summary`). Errors are all shown.
        """
        items = self.sorted()
        if not verbose:
            caused = set(self._caused(items))
            items = [item for item in items if item not in caused]
            seen: Counter[str | None] = Counter()
            kept = []
            for item in items:
                if item.severity == "warning":
                    seen[item.code] += 1
                    if seen[item.code] > WARNINGS_SHOWN_PER_KIND:
                        continue
                kept.append(item)
            items = kept
        return sorted(items, key=lambda item: item.severity != "error")

    def summary(self, verbose: bool = False) -> str:
        """The closing count, '2 errors, 40 warnings', saying what `shown` left out."""
        items = self.sorted()
        shown = self.shown(verbose)
        caused = [] if verbose else self._caused(items)
        # A caused warning may have been made an error (--strict): it is left out all the same.
        errors = sum(1 for item in items if item.severity == "error") - sum(
            1 for item in caused if item.severity == "error")
        warnings = len(items) - len(caused) - errors
        counts = (f"{errors} error{'s' * (errors != 1)}, "
                  f"{warnings} warning{'s' * (warnings != 1)}")
        notes = []
        if caused:
            codes = " and ".join(f"[{code}]" for code in sorted(CAUSED_BY_ERRORS))
            notes.append(f"{len(caused)} {codes} left out until the errors are fixed: a file "
                         "with errors loses its citations")
        grouped = Counter(item.code for item in items if item.severity == "warning")
        grouped.subtract(item.code for item in [*shown, *caused] if item.severity == "warning")
        more = [f"{count} more [{code}]" for code, count in sorted(grouped.items(),
                                                                  key=lambda kv: str(kv[0]))
                if count > 0]
        if more:
            notes.append(f"{', '.join(more)} not shown: --verbose shows every warning")
        return counts + (f" ({'; '.join(notes)})" if notes else "")

    @staticmethod
    def _caused(items: list[Diagnostic]) -> list[Diagnostic]:
        """The warnings that errors of content may have caused, while there are such errors
        (none otherwise)."""
        if not any(item.severity == "error" and item.code is None for item in items):
            return []
        return [item for item in items if item.code in CAUSED_BY_ERRORS]

    def formatted(self, github: bool | None = None, verbose: bool = False) -> Iterable[str]:
        """The lines to print: what `shown` keeps, in its order."""
        if github is None:
            github = os.environ.get("GITHUB_ACTIONS") == "true"
        for item in self.shown(verbose):
            yield item.format()
            if github:
                yield item.format_github()


class ContentError(Exception):
    """Raised to stop a run whose collected diagnostics contain errors."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        super().__init__(f"{len(diagnostics.errors)} error(s)")
        self.diagnostics = diagnostics


def suggestion(word: str, choices: Iterable[str]) -> str:
    """'; did you mean 'x'?' for the closest choice, or '' when nothing is close."""
    meant = closest(word, choices)
    return f"; did you mean '{meant}'?" if meant else ""


class Suggester:
    """'; did you mean …?' among one set of choices, for many words.

    Each new word is compared with every choice, so a run spends at most `budget`
    comparisons: 10,000 unknown ids in a file against 10,000 known ones would be 100 million
    (34 s); past the budget, errors come without a suggestion. A word asked again is free.
    """

    def __init__(self, choices: Collection[str], budget: int = 200_000) -> None:
        self.choices = choices  # sorted by `closest` only when a word is asked
        self.budget = budget
        self.asked: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        found = self.asked.get(word)
        if found is None:
            cost = max(1, len(self.choices))
            if cost > self.budget:
                return ""
            self.budget -= cost
            found = self.asked[word] = suggestion(word, self.choices)
        return found


def closest(
    word: str, choices: Iterable[str], aliases: Mapping[str, str] | None = None
) -> str | None:
    """The choice `word` was probably meant to be, or None when nothing is close.

    `aliases` maps other words people use to a choice (github → code), so a misspelt alias
    (githb) still leads to the choice.
    """
    aliases = aliases or {}
    candidates = sorted({*choices, *aliases})
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not matches and len(word) >= 3:
        # A shortened key (share for share_at_least) is too short for difflib to match.
        matches = [choice for choice in candidates if choice.startswith(word)][:1]
    if not matches:
        return None
    return aliases.get(matches[0], matches[0])
