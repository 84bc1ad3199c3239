"""Problems in content/hub.yaml as a hub's maintainer sees them: `content/hub.yaml:3: error: …`.

`hub.config(text)` writes the dedented text as content/hub.yaml, its first line being line 1.
"""

from __future__ import annotations

import pytest

from citehub.build import load_corpus
from citehub.config import DEFAULT_KINDS, HubConfig, KindRule
from citehub.diagnostics import Diagnostics

from conftest import Hub
from problems_helpers import PROBLEM, failed, only_error, passed

HUB_YAML = "content/hub.yaml"


def config_of(hub: Hub) -> HubConfig:
    diagnostics = Diagnostics()
    corpus = load_corpus(hub.root, diagnostics)
    assert not diagnostics.has_errors, [item.format() for item in diagnostics]
    return corpus.config


# -- what works --------------------------------------------------------------------------------


def test_missing_hub_yaml_takes_every_default(hub: Hub) -> None:
    assert passed(hub.check()) == []
    assert config_of(hub) == HubConfig()


def test_empty_hub_yaml_takes_every_default(hub: Hub) -> None:
    hub.config("# nothing set yet\n")
    assert passed(hub.check()) == []
    assert config_of(hub) == HubConfig()


def test_spec_example_hub_yaml_is_read(hub: Hub) -> None:
    hub.config("""
        title: Knowledge Distillation Hub
        description: Who cites what
        base_url: https://example.github.io/kd-hub/
        repo_url: https://github.com/example/kd-hub/
        vocabulary:
          roles: {background: Background, method: Method}
          polarities: {support: Support, contrast: Contrast}
        representative: 3
        filter_pages_min_citing: 2
        paginate: 50
        kinds:
          - {label: Contested, polarity: contrast, share_at_least: 0.25, classified_at_least: 4}
          - {label: Method source, role: method, share_at_least: 0.5}
        """)
    assert passed(hub.check()) == []
    config = config_of(hub)
    assert config.base_path == "/kd-hub/"
    assert config.repo_url == "https://github.com/example/kd-hub"
    assert list(config.vocabulary.roles) == ["background", "method"]
    assert (config.representative, config.filter_pages_min_citing, config.paginate) == (3, 2, 50)
    assert config.kinds == (
        KindRule("Contested", "polarity", "contrast", 0.25, 4),
        KindRule("Method source", "role", "method", 0.5, 1),
    )


def test_kinds_left_out_keep_the_default_rules(hub: Hub) -> None:
    hub.config("title: T\n")
    assert config_of(hub).kinds == DEFAULT_KINDS


# -- broken YAML -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        ("title: T\nkinds: [{label: A, role: method\npaginate: 3\n", 2, "never closed"),
        ("title: T\n  paginate: 3\n", 2, "indentation"),
        ("title: T\ndescription: Papers: who cites them\n", 2, "quotes"),
    ],
    ids=["unclosed", "indent", "colon"],
)
def test_broken_hub_yaml_names_the_line(hub: Hub, text: str, line: int, hint: str) -> None:
    hub.config(text)
    where, message = only_error(hub.check())
    assert where == f"{HUB_YAML}:{line}"
    assert message.startswith("invalid YAML: ") and hint in message


def test_hub_yaml_that_is_not_utf8_names_the_line(hub: Hub) -> None:
    (hub.root / "content" / "hub.yaml").write_bytes("title: T\ndescription: Caf\xe9\n"
                                                    .encode("latin-1"))
    where, message = only_error(hub.check())
    assert where == f"{HUB_YAML}:2"
    assert "not UTF-8" in message


@pytest.mark.parametrize(("text", "found"), [("- title: T\n- paginate: 3\n", "a list"),
                                             ("Knowledge Distillation Hub\n", "'Knowledge")])
def test_hub_yaml_that_is_not_a_mapping_says_what_it_found(
    hub: Hub, text: str, found: str
) -> None:
    hub.config(text)
    where, message = only_error(hub.check())
    assert where == f"{HUB_YAML}:1"
    assert "hub.yaml must be a mapping of key: value lines" in message and found in message


def test_hub_yaml_anchors_are_refused(hub: Hub) -> None:
    hub.config("title: &t Hub\ndescription: *t\n")
    errors = failed(hub.check())
    assert [line.split(": error")[0] for line in errors] == [f"{HUB_YAML}:1", f"{HUB_YAML}:2"]
    assert all("anchors and aliases" in line for line in errors)


def test_duplicate_key_in_hub_yaml_names_both_lines(hub: Hub) -> None:
    hub.config("paginate: 10\ntitle: T\npaginate: 20\n")
    where, message = only_error(hub.check())
    assert where == f"{HUB_YAML}:3"
    assert "duplicate key 'paginate' (first given on line 1)" in message


# -- keys and types ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("paginte", "paginate"), ("titel", "title"), ("baseurl", "base_url"),
     ("representatives", "representative"), ("kind", "kinds"), ("vocab", "vocabulary")],
)
def test_unknown_hub_key_suggests_the_known_one(hub: Hub, typo: str, meant: str) -> None:
    hub.config(f"title: T\n{typo}: 3\n")
    where, message = only_error(hub.check())
    assert where == f"{HUB_YAML}:2"
    assert f"unknown key '{typo}' in hub.yaml; did you mean '{meant}'?" in message
    assert "known keys: title, description, base_url" in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("paginate: 0", "'paginate' must be a whole number of at least 1, found 0"),
        ("paginate: ten", "'paginate' must be a whole number of at least 1, found 'ten'"),
        ("paginate: '10'", "remove the quotes"),
        ("paginate: 2.5", "found the number 2.5"),
        ("representative: -1", "'representative' must be a whole number of at least 0"),
        ("filter_pages_min_citing: 0", "'filter_pages_min_citing' must be a whole number of "
                                       "at least 1, found 0"),
        ("description: [a, b]", "'description' must be text, found a list"),
        ("base_url: ftp://x", "base_url must be an http(s) URL or a path starting with '/', "
                              "its path made of letters, digits, '.', '_', '~' and '-'; "
                              "found 'ftp://x'"),
        ("base_url: example.github.io/kd-hub", "base_url must be an http(s) URL"),
        ("base_url: 'https://'", "base_url must be an http(s) URL"),
        ("repo_url: git@github.com:example/kd-hub.git", "repo_url must be an http(s) URL"),
        # Edit links are the repo_url with a path after it; a newline would add keys to the
        # hub.yaml that `citehub init --repo-url` writes.
        ("repo_url: \"https://github.com/a/b\\nbase_url: https://evil.example/\"",
         "repo_url must be an http(s) URL"),
        ("repo_url: https://github.com/a/b?tab=1", "repo_url must be an http(s) URL"),
        ("repo_url: https://github.com/a/b#top", "repo_url must be an http(s) URL"),
        ("vocabulary: [background, method]", "'vocabulary' must be a mapping"),
        ("kinds: {label: Contested}", "'kinds' must be a list"),
    ],
    ids=lambda value: value if len(value) < 32 else None,
)
def test_wrong_hub_value_names_its_line_and_what_was_expected(
    hub: Hub, line: str, expected: str
) -> None:
    hub.config(f"title: T\n{line}\n")
    where, message = only_error(hub.check())
    assert where == f"{HUB_YAML}:2"
    assert expected in message


def test_wrong_hub_values_are_all_reported_in_one_run(hub: Hub) -> None:
    hub.config("""
        title: T
        paginate: 0
        base_url: ftp://x
        representative: many
        flavour: vanilla
        """)
    lines = failed(hub.check())
    assert [line.split(": error")[0] for line in lines] == [
        f"{HUB_YAML}:{n}" for n in (2, 3, 4, 5)
    ]


# -- vocabulary --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vocabulary", "line", "expected"),
    [
        ("  roles: [background, method]", 2,
         "'roles' must be a mapping of id: Label, e.g. roles: {background: Background}; "
         "found a list"),
        ("  roles: background", 2, "'roles' must be a mapping of id: Label"),
        ("  role: {uses: Uses}", 2, "unknown key 'role' in vocabulary; did you mean 'roles'?"),
        ("  roles: {}", 2, "'roles' must name at least one term"),
        ("  roles:\n    bad role: Bad", 3, "'bad role' in roles is not a valid id"),
        ("  roles:\n    uses:", 3, "roles entry 'uses' needs a label, e.g. uses: Uses"),
        ("  roles:\n    uses: Uses\n    uses: Again", 4, "duplicate roles entry 'uses'"),
        ("  polarities: {agree: [A, B]}", 2, "'agree' must be text, found a list"),
        ("  roles: {" + ", ".join(f"r{n}: R{n}" for n in range(51)) + "}", 2,
         "'roles' names 51 terms; a vocabulary may have at most 50"),
    ],
    ids=["roles-list", "roles-string", "role-typo", "roles-empty", "bad-id", "no-label",
         "duplicate", "label-list", "too-many-terms"],
)
def test_broken_vocabulary_names_the_line(
    hub: Hub, vocabulary: str, line: int, expected: str
) -> None:
    hub.config("vocabulary:\n" + vocabulary + "\n")
    where, message = only_error(hub.check())
    assert where == f"{HUB_YAML}:{line}"
    assert expected in message


def test_hub_vocabulary_replaces_the_default_roles_for_citations(hub: Hub) -> None:
    hub.config("vocabulary:\n  roles: {uses: Uses, extends: Extends}\n")
    hub.paper("cited", "title: Cited\ndate: 2023")
    hub.paper("x", "title: X\ndate: 2024\ncites:\n  - paper: cited\n    role: background")
    where, message = only_error(hub.check())
    assert where == "content/papers/x.md:6"
    assert "unknown role 'background' (known: uses, extends)" in message


def test_hub_vocabulary_roles_are_accepted_in_citations(hub: Hub) -> None:
    hub.config("vocabulary:\n  roles: {uses: Uses}\n")
    hub.paper("cited", "title: Cited\ndate: 2023")
    hub.paper("x", "title: X\ndate: 2024\ncites:\n  - paper: cited\n    role: usse")
    _, message = only_error(hub.check())
    assert "did you mean 'uses'?" in message
    hub.paper("x", "title: X\ndate: 2024\ncites:\n  - paper: cited\n    role: uses")
    assert passed(hub.check()) == []


# -- kinds -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("{label: A, role: method, polarity: support, share_at_least: 0.5}",
         "a kind rule names both 'role' and 'polarity'; it needs exactly one of them"),
        ("{label: A, share_at_least: 0.5}",
         "a kind rule names neither 'role' nor 'polarity'"),
        ("{label: A, polarity: contrst, share_at_least: 0.5}",
         "unknown polarity 'contrst'; did you mean 'contrast'? (known: background, support, "
         "contrast)"),
        ("{label: A, role: metod, share_at_least: 0.5}", "did you mean 'method'?"),
        ("{role: method, share_at_least: 0.5}", "a kind rule needs 'label'"),
        ("{label: A, role: method}", "a kind rule needs 'share_at_least', a number from 0 to 1"),
        ("{label: A, role: method, share_at_least: 50}",
         "'share_at_least' must be a number from 0 to 1, found 50"),
        ("{label: A, role: method, share_at_least: 0.5, classified_at_least: -1}",
         "'classified_at_least' must be a whole number of at least 0"),
        ("{label: A, role: method, share: 0.5}",
         "unknown key 'share' in a kind rule; did you mean 'share_at_least'?"),
        ("Contested", "each entry of 'kinds' must be a mapping such as {label: Contested"),
    ],
    ids=["both-axes", "no-axis", "unknown-polarity", "unknown-role", "no-label", "no-share",
         "share-percent", "classified-negative", "share-typo", "string"],
)
def test_broken_kind_rule_names_its_line(hub: Hub, rule: str, expected: str) -> None:
    hub.config(f"title: T\nkinds:\n  - {{label: Fine, role: method, share_at_least: 0.5}}\n"
               f"  - {rule}\n")
    lines = failed(hub.check())
    assert lines, lines
    assert all(line.startswith(f"{HUB_YAML}:4:") for line in lines), lines
    assert any(expected in line for line in lines), lines


def test_kind_rule_checks_terms_against_the_hubs_own_vocabulary(hub: Hub) -> None:
    hub.config("""
        vocabulary:
          polarities: {agree: Agrees, disagree: Disagrees}
        kinds:
          - {label: Contested, polarity: contrast, share_at_least: 0.25}
        """)
    where, message = only_error(hub.check())
    assert where == f"{HUB_YAML}:4"
    assert "unknown polarity 'contrast'" in message and "known: agree, disagree" in message


# -- together with the papers ------------------------------------------------------------------


def test_hub_yaml_and_paper_problems_are_reported_together_in_path_order(hub: Hub) -> None:
    hub.config("title: T\npaginate: 0\n")
    hub.paper("x", "titel: X")
    run = hub.check()
    lines = failed(run)
    matches = [PROBLEM.match(line) for line in lines]
    assert [m["where"] for m in matches if m] == [f"{HUB_YAML}:2", "content/papers/x.md:2"]
    assert run.stderr.splitlines()[-1] == "check failed: 2 errors, 0 warnings"


def test_broken_hub_yaml_fails_the_build_and_writes_nothing(hub: Hub) -> None:
    hub.config("paginate: 0\n")
    hub.paper("x", "title: X")
    where, _ = only_error(hub.build())
    assert where == f"{HUB_YAML}:1"
    assert not hub.site.exists()


def test_check_of_a_folder_without_content_is_an_error(hub: Hub) -> None:
    run = hub.cli("check", str(hub.root / "not-a-hub"))
    lines = failed(run)
    assert len(lines) == 1 and "folder not found" in lines[0]
