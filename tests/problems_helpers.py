"""Reading a run's diagnostics: `path:line[:col]: severity: message` lines and the summary."""

from __future__ import annotations

import re

from conftest import Run

PROBLEM = re.compile(
    r"^(?P<where>.+?:\d+)(?::\d+)?: (?P<severity>error|warning): (?P<message>.*)$"
)


# Warnings about unfinished content that nearly every small test hub triggers (a paper with no
# abstract, an orphan, an unclassified citation); tests of those warnings ask for them.
GAPS = ("[no-abstract]", "[orphan]", "[unclassified]")


# hub.yaml for tests about other things: silence the gap warnings, so counts are exact.
QUIET = "warnings: {no-abstract: ignore, orphan: ignore, unclassified: ignore}\n"


def problems(run: Run, *, gaps: bool = False) -> list[str]:
    """The diagnostic lines of a run, in the order printed, without the summary line."""
    return [line for line in run.stderr.splitlines()
            if PROBLEM.match(line) and (gaps or not line.endswith(GAPS))]


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr + run.stdout
    assert "Error:" not in run.stderr  # neither a Python exception nor click's usage error


def failed(run: Run) -> list[str]:
    """The problems of a run that must have failed the way a content error fails."""
    no_traceback(run)
    assert run.exit_code == 1, run.stdout + run.stderr
    assert run.stderr.splitlines()[-1].startswith(("check failed: ", "build failed: "))
    return problems(run)


def only_error(run: Run) -> tuple[str, str]:
    """(`path:line`, message) of the one error a failed run must report."""
    lines = failed(run)
    assert len(lines) == 1, lines
    match = PROBLEM.match(lines[0])
    assert match is not None and match["severity"] == "error", lines
    return match["where"], match["message"]


def passed(run: Run) -> list[str]:
    no_traceback(run)
    assert run.exit_code == 0, run.stdout + run.stderr
    return problems(run)
