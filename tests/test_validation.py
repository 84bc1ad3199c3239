"""Content problems as a contributor sees them: `path:line: error: message`, all in one run.

Every test runs `citehub check` (or `build`) inside a hub written by the `hub` fixture, so
paths read `content/papers/x.md:4: error: ...`. A paper written with `hub.paper(id, yaml)`
has the opening `---` on line 1, so the n-th line of its YAML is file line n + 1.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citehub.build import load_corpus
from citehub.diagnostics import Diagnostics

from conftest import Hub
from problems_helpers import PROBLEM, QUIET, failed, only_error, passed


def cited(hub: Hub, paper_id: str = "cited") -> None:
    """A valid paper other papers can cite."""
    hub.paper(paper_id, "title: Cited paper\ndate: 2023-05-01")


def citing(hub: Hub, citation: str, paper_id: str = "x") -> None:
    """Paper x citing with the given citation mapping lines; the citation starts on line 5."""
    hub.paper(paper_id, "title: Citing paper\ndate: 2024-01-02\ncites:\n" + citation)


def cited_ids(hub: Hub, paper_id: str = "x") -> list[str]:
    diagnostics = Diagnostics()
    corpus = load_corpus(hub.root, diagnostics)
    assert not diagnostics.has_errors, [item.format() for item in diagnostics]
    return [citation.cited_id for citation in corpus.papers[paper_id].cites]


# -- the shape of a paper file -----------------------------------------------------------------


def test_file_without_front_matter_names_line_1_and_shows_the_expected_shape(hub: Hub) -> None:
    hub.raw("x.md", "title: Forgot the dashes\n\nAbstract.\n")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:1"
    assert "starts with front matter" in message and "'---'" in message


def test_empty_file_says_it_needs_front_matter(hub: Hub) -> None:
    hub.raw("x.md", "")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:1"
    assert "front matter" in message


def test_front_matter_never_closed_names_the_opening_line(hub: Hub) -> None:
    hub.raw("x.md", "---\ntitle: Open\ndate: 2024\n\nThe abstract.\n")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:1"
    assert "never closed" in message and "'---'" in message


def test_front_matter_with_windows_line_endings_and_bom_is_read(hub: Hub) -> None:
    hub.raw("x.md", "\ufeff---\r\ntitle: Windows\r\ndate: 2024\r\n---\r\nAbstract.\r\n")
    assert passed(hub.check()) == []


@pytest.mark.parametrize(
    ("front_matter", "line", "hint"),
    [
        # An unclosed '[' is reported where it opens, not where YAML gave up.
        ("title: T\nauthors: [Ada, Grace\ndate: 2024", 3, "the '[' on this line is never closed"),
        ("title: T\ndate: 2024\nauthors: [Ada, Grace", 4, "the '[' on this line is never closed"),
        ("title: T\ndate: 2024\nauthors: [", 4, "the '[' on this line is never closed"),
        ("title: T\nlinks: {arxiv: '2402.13116'\ndate: 2024", 3, "the '{' on this line is never"),
        ("title: T\nauthors: [Ada]]\ndate: 2024", 3, "']' with nothing open to close"),
        ('title: "Unclosed quote\ndate: 2024', 2, "the quote that starts on this line is never"),
        # Bad indentation: the line that is out of place.
        ("title: T\n  date: 2024", 3, "indentation"),
        ("title: T\ncites:\n  - paper: a\n   role: method", 5, "indentation"),
        ("title: T\n\tdate: 2024", 3, "tab"),
        # A ': ' inside an unquoted value.
        ("title: Distillation: a survey\ndate: 2024", 2, "quotes"),
    ],
    ids=["bracket", "bracket-last-line", "bracket-at-end", "brace", "stray-bracket", "quote",
         "indent", "indent-in-list", "tab", "colon-in-value"],
)
def test_broken_yaml_names_the_line_of_the_problem(
    hub: Hub, front_matter: str, line: int, hint: str
) -> None:
    hub.paper("x", front_matter)
    where, message = only_error(hub.check())
    assert where == f"content/papers/x.md:{line}"
    assert message.startswith("invalid YAML: ")
    assert hint in message
    assert "<unicode string>" not in message


@pytest.mark.parametrize(
    ("front_matter", "found"),
    [("- title: A list\n- date: 2024", "a list"), ("Just a sentence", "'Just a sentence'")],
    ids=["list", "string"],
)
def test_front_matter_that_is_not_a_mapping_says_what_it_found(
    hub: Hub, front_matter: str, found: str
) -> None:
    hub.paper("x", front_matter)
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:2"
    assert "must be a mapping" in message and found in message


def test_empty_front_matter_asks_for_a_title(hub: Hub) -> None:
    hub.raw("x.md", "---\n---\nAbstract.\n")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:1"
    assert message == "front matter needs 'title'"


def test_missing_title_names_the_file(hub: Hub) -> None:
    hub.paper("x", "date: 2024\nauthors: [Ada]")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:2"
    assert "needs 'title'" in message


def test_empty_title_is_an_error(hub: Hub) -> None:
    hub.paper("x", "title: ''\ndate: 2024")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:2"
    assert "'title' must not be empty" in message


# -- keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "meant"), [("titel", "title"), ("novelity", "novelty"), ("catgories", "categories")]
)
def test_unknown_key_names_its_line_and_suggests_the_known_one(
    hub: Hub, typo: str, meant: str
) -> None:
    front = "title: T\n" if typo != "titel" else ""
    hub.paper("x", f"{front}date: 2024\n{typo}: 7")
    where, message = only_error(hub.check())  # a misspelt title is not also "needs 'title'"
    line = 4 if front else 3
    assert where == f"content/papers/x.md:{line}"
    assert f"unknown key '{typo}'" in message
    assert f"did you mean '{meant}'?" in message


def test_unknown_key_without_a_close_match_lists_the_known_keys(hub: Hub) -> None:
    hub.paper("x", "title: T\nflavour: vanilla")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:3"
    assert "did you mean" not in message
    assert "known keys: title, authors" in message


def test_unknown_key_in_a_citation_suggests_role(hub: Hub) -> None:
    cited(hub)
    citing(hub, "  - paper: cited\n    rol: background")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:6"
    assert "unknown key 'rol' in a citation; did you mean 'role'?" in message


@pytest.mark.parametrize(("typo", "meant"), [("githb", "code"), ("github", "code"),
                                             ("arxv", "arxiv"), ("homepage", "url")])
def test_unknown_link_key_suggests_the_link_kind(hub: Hub, typo: str, meant: str) -> None:
    hub.paper("x", f"title: T\nlinks:\n  {typo}: https://github.com/a/b")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:4"
    assert f"unknown key '{typo}' in links; did you mean '{meant}'?" in message


def test_duplicate_key_names_both_lines(hub: Hub) -> None:
    hub.paper("x", "title: First\ndate: 2024\ntitle: Second")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:4"
    assert "duplicate key 'title'" in message and "line 2" in message


def test_duplicate_key_in_a_citation_names_both_lines(hub: Hub) -> None:
    cited(hub)
    citing(hub, "  - paper: cited\n    role: method\n    role: result")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:7"
    assert "duplicate key 'role'" in message and "line 6" in message


def test_yaml_anchor_and_alias_are_refused_at_their_lines(hub: Hub) -> None:
    hub.paper("x", "title: T\nauthors: &people [Ada, Grace]\ndate: 2024\nsummary: *people")
    errors = failed(hub.check())
    assert [line.split(": error: ")[0] for line in errors] == [
        "content/papers/x.md:3", "content/papers/x.md:5",
    ]
    assert all("anchors and aliases" in line for line in errors)


def test_yaml_anchor_alone_is_refused(hub: Hub) -> None:
    hub.paper("x", "title: T\nauthors: &people [Ada, Grace]")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:3"
    assert "anchors and aliases" in message


def test_billion_laughs_is_refused_quickly(hub: Hub) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        prev = chr(ord("a") + n - 1)
        levels.append(f"{chr(ord('a') + n)}: &{chr(ord('a') + n)} [{', '.join(['*' + prev] * 9)}]")
    hub.paper("x", "title: T\n" + "\n".join(levels))
    started = time.perf_counter()
    errors = failed(hub.check())
    assert time.perf_counter() - started < 5
    assert errors and all("anchors and aliases" in line for line in errors)


# -- encoding ----------------------------------------------------------------------------------


def test_file_that_is_not_utf8_names_the_line_of_the_bad_byte(hub: Hub) -> None:
    hub.raw("x.md", "---\ntitle: T\nauthors: [Jos\xe9]\n---\n".encode("latin-1"))
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:3"
    assert "not UTF-8" in message and "0xe9" in message


def test_control_character_names_its_line(hub: Hub) -> None:
    hub.raw("x.md", "---\ntitle: T\ndate: 2024\nsummary: a\x07b\n---\n")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:4"
    assert "U+0007" in message
    assert "<unicode string>" not in message


def test_unicode_line_separator_pasted_into_a_title_keeps_line_numbers(hub: Hub) -> None:
    # YAML 1.1 breaks lines at U+2028; GitHub's diff and editors do not.
    hub.raw("x.md", "---\ntitle: Knowledge\u2028Distillation\ndate: 2024\nnovelty: high\n---\n")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:4"
    assert "'novelty' must be a number" in message


# -- types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("novelty: high", "'novelty' must be a number from 0 to 10, found 'high'"),
        ("novelty: 11", "'novelty' must be a number from 0 to 10, found 11"),
        ("novelty: -0.5", "'novelty' must be a number from 0 to 10, found -0.5"),
        ("novelty: .nan", "'novelty' must be a number from 0 to 10"),
        ('novelty: "7"', "remove the quotes"),
        ("draft: 'yes'", "'draft' must be true or false, found 'yes'"),
        ('draft: "false"', "remove the quotes"),
        ("draft: 1", "'draft' must be true or false, found the number 1"),
        ("authors: Ada Lovelace, Grace Hopper", "'authors' must be a list"),
        ("authors: [Ada, ~]", "'authors' must not be empty"),
        ("categories: {cs: CL}", "'categories' must be a list, e.g. categories: [first, second]"
                                 "; found a mapping"),
        ("title2: x", "unknown key 'title2'"),
        ("venue: [a, b]", "'venue' must be text, found a list"),
        ("links: https://arxiv.org/abs/2402.13116", "'links' must be a mapping"),
        ("cites: cited", "'cites' must be a list"),
        ("cites: {paper: cited}", "'cites' must be a list"),
    ],
    ids=lambda value: value if len(value) < 30 else None,
)
def test_wrong_type_names_the_line_and_says_what_was_expected(
    hub: Hub, line: str, expected: str
) -> None:
    cited(hub)
    hub.paper("x", f"title: T\ndate: 2024\n{line}")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:4"
    assert expected in message


@pytest.mark.parametrize(
    ("citation", "line", "expected"),
    [
        ("  - paper: cited\n    refs: two", 6,
         "'refs' must be a whole number of at least 1, found 'two'"),
        ("  - paper: cited\n    refs: 0", 6,
         "'refs' must be a whole number of at least 1, found 0"),
        ("  - paper: cited\n    refs: 1.5", 6, "found the number 1.5"),
        ("  - paper: cited\n    refs: 9007199254740992", 6,
         "'refs' may be at most 9,007,199,254,740,991, found '9007199254740992'"),
        ("  - paper: cited\n    context: {a: b}", 6, "'context' must be a list"),
        ("  - cited", 5, "each entry of 'cites' must be a mapping such as "
                         "{paper: cited, role: background}, found 'cited'"),
        ("  - role: method", 5, "a citation needs 'paper'"),
        ("  - paper: [cited]", 5, "'paper' must be text, found a list"),
    ],
    ids=["refs-text", "refs-zero", "refs-float", "refs-beyond-javascript", "context-mapping",
         "entry-string", "no-paper", "paper-list"],
)
def test_wrong_citation_names_its_line(hub: Hub, citation: str, line: int, expected: str) -> None:
    cited(hub)
    citing(hub, citation)
    where, message = only_error(hub.check())
    assert where == f"content/papers/x.md:{line}"
    assert expected in message


@pytest.mark.parametrize("value", ["yes", "no", "true", "False", "on"])
def test_yaml_boolean_words_are_booleans_for_draft(hub: Hub, value: str) -> None:
    # YAML 1.1, which PyYAML speaks: unquoted yes/no/on/off are booleans.
    hub.paper("x", f"title: T\ndate: 2024\ndraft: {value}")
    hub.paper("y", "title: Y\ndate: 2024")
    run = hub.check()
    assert passed(run) == []
    published = 1 if value in ("yes", "true", "on") else 2
    assert f"checked {published} papers" in run.stdout


def test_string_context_and_list_context_are_both_accepted(hub: Hub) -> None:
    cited(hub)
    hub.paper("x", """
        title: T
        date: 2024
        cites:
          - {paper: cited, context: "one sentence"}
        """)
    hub.paper("y", """
        title: Y
        date: 2024
        cites:
          - {paper: cited, context: ["one", "two"], refs: 2, role: method, polarity: support}
        """)
    assert passed(hub.check()) == []


# -- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "reason"),
    [("2024-02-30", "day"), ("2023-02-29", "day"), ("2023-13", "month"),
     ("2024-00-10", "month"), ("2024-04-31", "day")],
)
def test_impossible_date_names_its_line_and_why(hub: Hub, date: str, reason: str) -> None:
    hub.paper("x", f"title: T\ndate: {date}")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:3"
    assert f"'date' {date} is not a real date" in message
    assert reason in message


@pytest.mark.parametrize(
    "date", ["20-01-2024", "last year", "2024/01/02", "2024-1-2", "'2024-01-02 10:00'",
             "[2024]", "24"]
)
def test_malformed_date_shows_the_expected_forms(hub: Hub, date: str) -> None:
    hub.paper("x", f"title: T\ndate: {date}")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:3"
    assert "'date' must be YYYY-MM-DD, YYYY-MM or YYYY" in message


@pytest.mark.parametrize("date", ["2024-02-29", "2024-02", "2024", "'2024-02-20'", "1999-12-31"])
def test_valid_dates_are_accepted(hub: Hub, date: str) -> None:
    hub.paper("x", f"title: T\ndate: {date}")
    assert passed(hub.check()) == []


# -- what a reference manager needs ------------------------------------------------------------


def test_bibliographic_keys_are_read_into_the_paper(hub: Hub) -> None:
    hub.paper("x", """\
        title: '{BERT}: $\\ell_1$ Pre-training'
        authors: ["{Google Brain Team}", Ada Lovelace]
        type: thesis
        volume: 30
        issue: "2"
        pages: 433-460
        publisher: Springer
        institution: University of Manchester
        added: 2026-11-30
        citation_counts:
          - {source: Semantic Scholar, count: 10059, influential: 530, date: 2026-12-01}
          - {source: OpenAlex, count: 9000, date: 2026-11}
        """)
    hub.paper("y", "title: Y\ndate: 2024\ncites:\n  - {paper: x, influential: true}")
    diagnostics = Diagnostics()
    corpus = load_corpus(hub.root, diagnostics)
    assert not diagnostics.has_errors, [item.format() for item in diagnostics]
    paper = corpus.papers["x"]
    # Readers see the title and names without the braces that protect them in BibTeX.
    assert paper.title == "BERT: $\\ell_1$ Pre-training"
    assert paper.title_tex == "{BERT}: $\\ell_1$ Pre-training"
    assert paper.authors == ("Google Brain Team", "Ada Lovelace")
    assert (paper.type, paper.volume, paper.issue, paper.pages) == ("thesis", "30", "2",
                                                                    "433-460")
    assert (paper.publisher, paper.institution) == ("Springer", "University of Manchester")
    assert paper.added is not None and paper.added.text == "2026-11-30"
    assert [(count.source, count.count, count.influential, count.date.text)
            for count in paper.outside_counts] == [
        ("Semantic Scholar", 10059, 530, "2026-12-01"), ("OpenAlex", 9000, None, "2026-11")]
    assert corpus.papers["y"].cites[0].influential


@pytest.mark.parametrize(("written", "meant"), [
    ("inproceedings", "conference-paper"), ("phdthesis", "thesis"), ("techreport", "report"),
    ("article-journal", "article"), ("preprnt", "preprint")])
def test_a_bibtex_or_csl_type_suggests_ours(hub: Hub, written: str, meant: str) -> None:
    hub.paper("x", f"title: T\ntype: {written}")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:3"
    assert f"unknown type '{written}'; did you mean '{meant}'?" in message
    assert "(known: article, conference-paper, preprint," in message


def test_a_citation_count_needs_its_source_a_count_and_a_date(hub: Hub) -> None:
    hub.paper("x", """\
        title: T
        citation_counts:
          - {source: Semantic Scholar, count: 12}
          - {count: -1, date: 2024}
          - {source: OpenAlex, count: 3, date: 2024, sorce: x}
          - {source: openalex, count: 4, date: 2024}
          - 12
        """)
    assert failed(hub.check()) == [
        "content/papers/x.md:4: error: a citation count needs 'date' (the day the count was "
        "read)",
        "content/papers/x.md:5: error: 'count' must be a whole number of at least 0, found -1",
        "content/papers/x.md:5: error: a citation count needs 'source'",
        "content/papers/x.md:6: error: unknown key 'sorce' in a citation count; did you mean "
        "'source'? (known keys: source, count, influential, date)",
        "content/papers/x.md:7: error: a second count from 'openalex' (first on line 6)",
        "content/papers/x.md:8: error: each entry of 'citation_counts' must be a mapping such "
        "as {source: Semantic Scholar, count: 120, date: 2024-05-01}, found the number 12",
    ]


def test_a_title_of_braces_alone_is_empty(hub: Hub) -> None:
    hub.paper("x", "title: '{}'")
    where, message = only_error(hub.check())
    assert (where, message) == ("content/papers/x.md:2", "'title' must not be empty")


# -- citations ---------------------------------------------------------------------------------


def test_unknown_cited_paper_names_the_line_and_suggests_the_close_id(hub: Hub) -> None:
    cited(hub, "2306.08543")
    citing(hub, "  - paper: 2306.08534\n    role: background")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:5"
    assert "cites unknown paper '2306.08534'" in message
    assert "did you mean '2306.08543'?" in message
    assert "2306.08534.md" in message


def test_unknown_role_names_file_and_line_and_suggests_background(hub: Hub) -> None:
    cited(hub)
    citing(hub, "  - paper: cited\n    role: backgrund")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:6"
    assert "unknown role 'backgrund'; did you mean 'background'?" in message
    assert "known: background, method, result, comparison, extension, dataset" in message


def test_unknown_polarity_names_file_and_line_and_suggests_contrast(hub: Hub) -> None:
    cited(hub)
    citing(hub, "  - paper: cited\n    role: method\n    polarity: contrat")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:7"
    assert "unknown polarity 'contrat'; did you mean 'contrast'?" in message


def test_self_citation_names_the_line(hub: Hub) -> None:
    citing(hub, "  - paper: x")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:5"
    assert "cannot cite itself" in message


def test_duplicate_citation_names_the_first_line(hub: Hub) -> None:
    cited(hub)
    citing(hub, "  - paper: cited\n    role: method\n  - paper: other\n  - paper: cited")
    hub.paper("other", "title: Other")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:8"
    assert "cites 'cited' twice (first on line 5)" in message


def test_unquoted_numeric_id_is_read_as_written(hub: Hub) -> None:
    # As a float, 2306.08540 would be 2306.0854; the id is the text that was written.
    cited(hub, "2306.08540")
    citing(hub, "  - paper: 2306.08540\n    role: method")
    assert passed(hub.check()) == []
    assert cited_ids(hub) == ["2306.08540"]


def test_unquoted_short_numeric_id_keeps_its_trailing_zero(hub: Hub) -> None:
    cited(hub, "2306.10")
    cited(hub, "2306.1")
    citing(hub, "  - paper: 2306.10\n  - paper: 2306.1")
    assert passed(hub.check()) == []
    assert cited_ids(hub) == ["2306.10", "2306.1"]

def test_citing_an_old_arxiv_id_explains_the_file_name(hub: Hub) -> None:
    cited(hub, "cs-0112017")
    citing(hub, "  - paper: cs/0112017")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:5"
    assert "did you mean 'cs-0112017'?" in message and "cs-0112017.md" in message


@pytest.mark.parametrize(
    "content",
    [
        b"---\ntitle: [unclosed\n---\n",
        b"---\ndate: 2024\n---\n",
        b"---\ntitle: Caf\xe9\n---\n",
        b"no front matter\n",
        b"---\ntitle: never closed\n",
        b"---\n- a list\n---\n",
        b"---\ntitle: T\ndate: 2024-02-30\n---\n",
    ],
    ids=["bad-yaml", "no-title", "not-utf8", "no-front-matter", "unclosed", "not-mapping",
         "bad-date"],
)
def test_broken_paper_is_reported_once_not_again_by_papers_citing_it(
    hub: Hub, content: bytes
) -> None:
    hub.raw("cited.md", content)
    citing(hub, "  - paper: cited")
    citing(hub, "  - paper: cited", paper_id="y")
    errors = failed(hub.check())
    assert len(errors) == 1, errors
    assert errors[0].startswith("content/papers/cited.md:")


def test_citation_of_a_draft_is_accepted_and_left_out(hub: Hub) -> None:
    hub.paper("cited", "title: Draft\ndraft: true")
    citing(hub, "  - paper: cited")
    run = hub.check()
    assert passed(run) == []
    assert "checked 1 papers" in run.stdout


# -- file names --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bad name.md", "-x.md", "x+y.md", "ünï.md"])
def test_file_name_that_is_not_a_valid_id_names_the_file(hub: Hub, name: str) -> None:
    hub.raw(name, "---\ntitle: T\n---\n")
    where, message = only_error(hub.check())
    assert where == f"content/papers/{name}:1"
    assert f"file name '{name}' is not a valid paper id" in message


def test_paper_citing_a_badly_named_file_is_not_also_an_error(hub: Hub) -> None:
    hub.raw("bad name.md", "---\ntitle: T\n---\n")
    citing(hub, "  - paper: bad name")
    errors = failed(hub.check())
    assert len(errors) == 1 and errors[0].startswith("content/papers/bad name.md:1:"), errors


def test_hidden_file_is_ignored(hub: Hub) -> None:
    hub.raw(".hidden.md", b"not even front matter \xff")
    hub.paper("x", "title: T")
    run = hub.check()
    assert passed(run) == []
    assert "checked 1 papers" in run.stdout


# -- links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", "JAVASCRIPT:alert(1)",
     '"java\\tscript:alert(1)"', '"java\\nscript:alert(1)"', "' javascript:alert(1)'",
     "data:text/html,<script>x</script>", "ftp://example.com/paper.pdf", "//evil.example/x",
     "vbscript:msgbox(1)"],
)
def test_unsafe_link_is_dropped_with_a_warning_naming_its_line(hub: Hub, url: str) -> None:
    hub.config(QUIET)
    hub.paper("x", f"title: T\ndate: 2024\nlinks:\n  code: {url}")
    run = hub.check()
    warnings = passed(run)
    assert len(warnings) == 1, warnings
    match = PROBLEM.match(warnings[0])
    assert match is not None
    assert (match["where"], match["severity"]) == ("content/papers/x.md:5", "warning")
    assert "link 'code' is dropped: expected an http(s) URL" in match["message"]
    assert "0 errors, 1 warning" in run.stdout


def test_unsafe_link_fails_check_strict(hub: Hub) -> None:
    hub.config(QUIET)
    hub.paper("x", "title: T\ndate: 2024\nlinks:\n  pdf: JavaScript:alert(1)")
    run = hub.check("--strict")
    where, message = only_error(run)
    assert where == "content/papers/x.md:5"
    assert "link 'pdf' is dropped" in message
    assert run.stderr.splitlines()[-1] == "check failed: 1 error, 0 warnings"


@pytest.mark.parametrize(
    "links",
    ["{arxiv: 2402.13116}", "{arxiv: '2402.13116v2'}", "{arxiv: cs/0112017}",
     "{arxiv: 'https://arxiv.org/abs/2402.13116'}", "{doi: 10.1145/3292500.3330701}",
     "{doi: 'https://doi.org/10.1145/3292500.3330701'}",
     "{code: 'https://github.com/a/b', url: 'http://example.com/'}"],
)
def test_bare_arxiv_id_doi_and_http_links_are_accepted(hub: Hub, links: str) -> None:
    hub.config(QUIET)
    hub.paper("x", f"title: T\ndate: 2024\nlinks: {links}")
    run = hub.check("--strict")
    assert passed(run) == []

def test_unquoted_arxiv_id_link_keeps_its_trailing_zero(hub: Hub) -> None:
    hub.config(QUIET)
    hub.paper("x", "title: T\ndate: 2024\nlinks: {arxiv: 2306.08540, doi: 10.1000/xyz}")
    diagnostics = Diagnostics()
    corpus = load_corpus(hub.root, diagnostics)
    assert list(diagnostics) == []
    assert [link.url for link in corpus.papers["x"].links] == [
        "https://arxiv.org/abs/2306.08540", "https://doi.org/10.1000/xyz",
    ]



def test_arxiv_link_that_is_not_an_id_says_what_it_expected(hub: Hub) -> None:
    hub.paper("x", "title: T\ndate: 2024\nlinks: {arxiv: 'see the paper'}")
    warnings = passed(hub.check())
    assert len(warnings) == 1
    assert warnings[0].startswith("content/papers/x.md:4:")
    assert "or an arXiv id" in warnings[0]


def test_undated_citing_paper_is_a_warning(hub: Hub) -> None:
    hub.config(QUIET)
    cited(hub)
    hub.paper("x", "title: No date\ncites:\n  - paper: cited")
    run = hub.check()
    warnings = passed(run)
    assert len(warnings) == 1
    match = PROBLEM.match(warnings[0])
    assert match is not None and match["severity"] == "warning"
    assert match["where"].startswith("content/papers/x.md:")
    assert "no 'date'" in match["message"] and "no year" in match["message"]
    assert "0 errors, 1 warning" in run.stdout
    assert hub.check("--strict").exit_code == 1


def test_undated_paper_that_cites_nothing_is_fine(hub: Hub) -> None:
    hub.config(QUIET)
    hub.paper("x", "title: Undated but cites nothing")
    assert passed(hub.check("--strict")) == []


# -- one run, every problem --------------------------------------------------------------------


def test_every_problem_of_two_files_is_printed_sorted_with_a_count(hub: Hub) -> None:
    hub.config(QUIET)
    cited(hub)
    hub.paper("b", """
        title: B
        date: 2024-02-30
        novelty: high
        links: {code: "javascript:alert(1)"}
        cites:
          - paper: cited
            role: backgrund
        """)
    hub.paper("a", """
        titel: A
        date: 2024
        cites:
          - paper: nope
          - paper: a
        """)
    run = hub.check()
    lines = failed(run)
    where = [match["where"] for match in map(PROBLEM.match, lines) if match]
    # Errors first, then warnings, each in file and line order.
    assert where == [
        "content/papers/a.md:2", "content/papers/a.md:5", "content/papers/a.md:6",
        "content/papers/b.md:3", "content/papers/b.md:4", "content/papers/b.md:8",
        "content/papers/b.md:5",
    ]
    assert ": warning: " in lines[-1] and all(": error: " in line for line in lines[:-1])
    assert run.stderr.splitlines()[-1] == "check failed: 6 errors, 1 warning"
    assert run.stdout == ""


def test_one_file_with_many_problems_reports_them_all(hub: Hub) -> None:
    cited(hub)
    hub.paper("x", """
        title: T
        authors: Ada
        date: 2024-13-01
        novelty: 12
        draft: "yes"
        flavour: vanilla
        cites:
          - paper: cited
            refs: 0
            rol: method
          - paper: missing
        """)
    lines = failed(hub.check())
    assert [int(line.split(":")[1]) for line in lines] == [3, 4, 5, 6, 7, 10, 11, 12]


def test_check_writes_nothing(hub: Hub) -> None:
    hub.paper("x", "title: T\ndate: 2024")
    assert passed(hub.check()) == []
    assert not hub.site.exists()
    hub.paper("y", "titel: broken")
    before = sorted(hub.root.rglob("*"))
    failed(hub.check())
    assert sorted(hub.root.rglob("*")) == before
    assert not hub.site.exists()


def test_github_actions_prints_a_workflow_command_per_problem(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    cited(hub)
    citing(hub, "  - paper: cited\n    role: backgrund")
    hub.paper("y", "title: T\ndate: 2024\nlinks: {code: 'javascript:x'}")
    run = hub.check()
    lines = run.stderr.splitlines()
    error = next(line for line in lines if line.startswith("content/papers/x.md:6: error:"))
    message = error.split(": error: ", 1)[1]
    assert f"::error file=content/papers/x.md,line=6::{message}" in lines
    assert any(line.startswith("::warning file=content/papers/y.md,line=4") for line in lines)
    assert run.exit_code == 1


def test_github_annotation_includes_the_column_of_a_yaml_error(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    hub.paper("x", "title: T\n  date: 2024")
    lines = hub.check().stderr.splitlines()
    assert any(re.match(r"^::error file=content/papers/x\.md,line=3,col=\d+::invalid YAML", line)
               for line in lines), lines


def test_without_github_actions_there_are_no_workflow_commands(hub: Hub) -> None:
    hub.paper("x", "titel: T")
    assert "::error" not in hub.check().stderr


def test_real_command_prints_no_traceback(hub: Hub) -> None:
    # The installed console script, not CliRunner: what a contributor's terminal shows.
    hub.raw("x.md", b"---\ntitle: [\xff\n---\n")
    hub.paper("y", "title: Y\ndate: 2024-02-30\ncites: [{paper: x}, {paper: zzz}]")
    script = Path(sys.executable).with_name("citehub")
    env = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"}
    result = subprocess.run([str(script), "check", "."], cwd=hub.root, capture_output=True,
                            text=True, env=env, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "content/papers/x.md:2: error: file is not UTF-8 text (byte 0xff at offset 12); "
        "save it as UTF-8",
        "content/papers/y.md:3: error: 'date' 2024-02-30 is not a real date "
        "(day is out of range for month)",
        "content/papers/y.md:4: error: cites unknown paper 'zzz' (no file "
        "content/papers/zzz.md)",
        "check failed: 3 errors, 0 warnings",
    ]


# -- build -------------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(folder).as_posix(): (
            path.read_bytes() if path.is_file() else b"", path.stat().st_mtime_ns
        )
        for path in sorted(folder.rglob("*"))
    }


def test_build_with_a_content_error_leaves_the_previous_site_untouched(hub: Hub) -> None:
    cited(hub)
    citing(hub, "  - paper: cited\n    role: method")
    assert hub.build().exit_code == 0
    before = snapshot(hub.site)
    site_mtime = hub.site.stat().st_mtime_ns
    assert before
    time.sleep(0.01)
    citing(hub, "  - paper: cited\n    role: methd")
    run = hub.build()
    where, message = only_error(run)
    assert where == "content/papers/x.md:6"
    assert "did you mean 'method'?" in message
    assert "left as it was" in run.stderr.splitlines()[-1]
    assert snapshot(hub.site) == before
    assert hub.site.stat().st_mtime_ns == site_mtime
    leftovers = [path.name for path in hub.root.iterdir()
                 if ".citehub-new-" in path.name or ".citehub-old-" in path.name]
    assert leftovers == []


def test_build_with_a_content_error_and_no_previous_site_makes_no_folder(hub: Hub) -> None:
    hub.paper("x", "titel: T")
    failed(hub.build())
    assert sorted(path.name for path in hub.root.iterdir()) == ["content"]



def test_ids_that_differ_only_in_letter_case_are_an_error(hub: Hub) -> None:
    hub.paper("Paper", "title: Upper")
    hub.paper("paper", "title: Lower")
    where, message = only_error(hub.check())
    assert where == "content/papers/paper.md:1"
    assert "differs from 'Paper' only in letter case" in message


def test_paper_file_with_another_ending_is_ignored_with_a_warning(hub: Hub) -> None:
    hub.paper("p", "title: P")
    hub.raw("q.markdown", "---\ntitle: Q\n---\n")
    hub.raw("notes.png", b"\x89PNG")
    lines = passed(hub.check())
    assert lines == [
        "content/papers/q.markdown:1: warning: 'q.markdown' is ignored: paper files end in "
        "'.md' [ignored-file]"
    ]


def test_base_url_option_that_is_not_a_url_is_a_usage_error(hub: Hub) -> None:
    hub.paper("p", "title: P")
    run = hub.build("--base-url", "ftp://example.org/")
    assert run.exit_code == 2
    assert "expected an http(s) URL or a path starting with '/'" in run.stderr
    assert not hub.site.exists()
