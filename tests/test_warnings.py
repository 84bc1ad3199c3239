"""Warnings: what is valid but probably unfinished; `--strict` and hub.yaml make them errors."""

from __future__ import annotations

import pytest

from conftest import Hub
from inert import output_problems
from problems_helpers import PROBLEM, failed, passed, problems


def warnings_of(hub: Hub, *options: str) -> list[tuple[str, str]]:
    run = hub.check(*options)
    lines = problems(run, gaps=True)
    found = []
    for line in lines:
        match = PROBLEM.match(line)
        assert match is not None
        found.append((match["where"], match["message"]))
    return found


def test_paper_without_an_abstract_is_a_warning_at_the_end_of_its_front_matter(hub: Hub) -> None:
    hub.paper("a", "title: A\ndate: 2024\ncites: [{paper: b, role: method}]")
    hub.paper("b", "title: B\ndate: 2023", "B's abstract.\n")
    assert warnings_of(hub) == [(
        "content/papers/a.md:5",  # the closing '---'
        "paper has no abstract: write it in Markdown below the front matter [no-abstract]",
    )]


def test_orphan_paper_is_a_warning(hub: Hub) -> None:
    hub.paper("lonely", "title: Lonely\ndate: 2024", "An abstract.\n")
    assert warnings_of(hub) == [
        ("content/papers/lonely.md:1", "paper cites nothing and nothing cites it [orphan]"),
    ]


def test_unclassified_citation_is_a_warning_at_its_line(hub: Hub) -> None:
    hub.paper("a", "title: A\ndate: 2024\ncites:\n  - paper: b\n  - {paper: c, polarity: support}",
              "Abstract.\n")
    hub.paper("b", "title: B", "Abstract.\n")
    hub.paper("c", "title: C", "Abstract.\n")
    assert warnings_of(hub) == [(
        "content/papers/a.md:5",
        "citation of 'b' has neither a role nor a polarity: it counts as citing but not as "
        "classified [unclassified]",
    )]


def test_undated_citing_paper_is_a_warning(hub: Hub) -> None:
    hub.paper("a", "title: A\ncites: [{paper: b, role: method}]", "Abstract.\n")
    hub.paper("b", "title: B", "Abstract.\n")
    assert warnings_of(hub) == [(
        "content/papers/a.md:1",
        "citing paper has no 'date': it counts as citing but in no year [undated]",
    )]


def test_base_url_without_trailing_slash_is_a_warning(hub: Hub) -> None:
    hub.config("base_url: https://example.github.io/kd-hub\n"
               "warnings: {orphan: ignore, no-abstract: ignore}")
    hub.paper("p", "title: P")
    assert warnings_of(hub) == [(
        "content/hub.yaml:1",
        "base_url 'https://example.github.io/kd-hub' does not end with '/'; it is read as "
        "'https://example.github.io/kd-hub/' [base-url-slash]",
    )]
    assert hub.build().exit_code == 0
    assert 'href="/kd-hub/style.css"' in hub.page("")


def test_strict_turns_every_warning_into_an_error(hub: Hub) -> None:
    hub.paper("lonely", "title: Lonely")
    lines = failed(hub.check("--strict"))
    assert [line.split(": error: ")[1] for line in problems(hub.check("--strict"), gaps=True)] == [
        "paper cites nothing and nothing cites it [orphan]",
        "paper has no abstract: write it in Markdown below the front matter [no-abstract]",
    ]
    assert lines == []  # both are gap warnings, which the default filter leaves out


def test_hub_yaml_can_ignore_a_warning_or_make_it_an_error(hub: Hub) -> None:
    hub.config("warnings:\n  no-abstract: ignore\n  orphan: error")
    hub.paper("lonely", "title: Lonely")
    run = hub.check()
    assert run.exit_code == 1
    assert problems(run, gaps=True) == [
        "content/papers/lonely.md:1: error: paper cites nothing and nothing cites it [orphan]",
    ]
    assert hub.build().exit_code == 1


@pytest.mark.parametrize(("text", "message"), [
    ("warnings: {no-abstrct: ignore}", "unknown key 'no-abstrct' in warnings; did you mean "
                                       "'no-abstract'?"),
    ("warnings: {orphan: silence}", "warning level must be one of warn, ignore, error, "
                                    "found 'silence'"),
])
def test_bad_warning_settings_are_errors(hub: Hub, text: str, message: str) -> None:
    hub.config(text)
    hub.paper("p", "title: P", "Abstract.\n")
    lines = failed(hub.check())
    assert len(lines) == 1 and lines[0].startswith("content/hub.yaml:1:")
    assert message in lines[0]


def test_warnings_do_not_stop_a_build(hub: Hub) -> None:
    hub.paper("lonely", "title: Lonely")
    run = hub.build()
    passed(run)
    assert "[orphan]" in run.stderr and run.stdout.startswith("built 1 papers")


def test_annotations_name_paths_relative_to_the_repository(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hub lives in a subfolder of the checkout; the command runs from inside it.
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(hub.root.parent))
    hub.paper("p", "title: P\nnovelty: high")
    run = hub.check()
    assert f"::error file={hub.root.name}/content/papers/p.md,line=3::" in run.stderr
    assert "content/papers/p.md:3: error:" in run.stderr


def test_errors_come_first_and_the_orphans_they_cause_are_left_out(hub: Hub) -> None:
    """A broken file loses its citations, which makes orphans of every paper it cites: the
    one real error must not be buried under them."""
    for paper_id in ("x", "y", "z"):
        hub.paper(paper_id, f"title: {paper_id.upper()}", "Abstract.\n")
    hub.paper("a", "title: [unclosed\ncites: [{paper: x}, {paper: y}, {paper: z}]",
              "Abstract.\n")
    hub.paper("b", "title: B\ncites: [{paper: x, role: method}]")  # undated, no abstract
    run = hub.check()
    assert run.exit_code == 1
    lines = [line for line in run.stderr.splitlines() if ": error: " in line
             or ": warning: " in line]
    assert "a.md:2:" in lines[0] and ": error: " in lines[0]
    assert all(": warning: " in line for line in lines[1:])
    assert "[orphan]" not in run.stderr.replace("[orphan] left out", "")
    assert run.stderr.splitlines()[-1] == (
        "check failed: 1 error, 2 warnings (2 [orphan] left out until the errors are fixed: a "
        "file with errors loses its citations)")
    hub.paper("a", "title: A\ncites: [{paper: x}, {paper: y}, {paper: z}]", "Abstract.\n")
    fixed = hub.check()
    assert "[orphan]" not in fixed.stderr and fixed.exit_code == 0


def test_repeated_warnings_are_grouped_the_first_five_shown_all_with_verbose(hub: Hub) -> None:
    """A hub imported from a list without abstracts has a `no-abstract` warning per paper:
    the first few say what is wrong, a count says how many more, --verbose shows them all."""
    hub.paper("p00", "title: P0\ndate: 2020")
    for number in range(1, 12):
        hub.paper(f"p{number:02}", f"title: P{number}\ndate: 2020\n"
                                   "cites: [{paper: p00, role: method}]")
    run = hub.check()
    assert run.exit_code == 0
    shown = [line for line in run.stderr.splitlines() if "[no-abstract]" in line]
    assert [line.split(":")[0].rsplit("/", 1)[1] for line in shown] == [
        "p00.md", "p01.md", "p02.md", "p03.md", "p04.md"]
    assert run.stdout.endswith(": 0 errors, 12 warnings (7 more [no-abstract] not shown: "
                               "--verbose shows every warning)\n")
    verbose = hub.check("--verbose")
    assert len([line for line in verbose.stderr.splitlines() if "[no-abstract]" in line]) == 12
    assert verbose.stdout.endswith(": 0 errors, 12 warnings\n")
    strict = hub.check("--strict")  # errors are never grouped: every one is on the diff
    assert len([line for line in strict.stderr.splitlines() if "[no-abstract]" in line]) == 12
    assert strict.stderr.splitlines()[-1] == "check failed: 12 errors, 0 warnings"
    built = hub.build("--no-search")
    assert built.exit_code == 0
    assert [line for line in built.stderr.splitlines() if "[no-abstract]" in line] == shown
    assert output_problems("check", 0, run.stderr, hub.root) == []


def test_grouped_warnings_and_orphans_left_out_are_both_counted(hub: Hub) -> None:
    for number in range(7):
        hub.paper(f"x{number}", f"title: X{number}", "Abstract.\n")
    hub.paper("a", "title: [unclosed\ncites: [" + ", ".join(
        f"{{paper: x{number}}}" for number in range(7)) + "]", "Abstract.\n")
    for number in range(6):
        hub.paper(f"u{number}", "title: U\ncites: [{paper: x0, role: method}]", "Abstract.\n")
    run = hub.check()
    assert run.exit_code == 1
    last = run.stderr.splitlines()[-1]
    assert last == ("check failed: 1 error, 6 warnings (6 [orphan] left out until the errors "
                    "are fixed: a file with errors loses its citations; 1 more [undated] not "
                    "shown: --verbose shows every warning)")
    assert output_problems("check", 1, run.stderr, hub.root) == []
    verbose = hub.check("--verbose")
    assert verbose.stderr.count("[orphan]") == 6  # x1 to x6; the u papers cite x0
    assert verbose.stderr.splitlines()[-1] == "check failed: 1 error, 12 warnings"
