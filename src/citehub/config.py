"""content/hub.yaml → typed, frozen settings with defaults; vocabularies and kind rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal
from urllib.parse import urlsplit

import yaml

from citehub.diagnostics import WARNING_CODES, Diagnostics, Level, suggestion
from citehub.load import PAPER_ID, Document, is_null, kind_name
from citehub.schema import Fields, root_fields

Axis = Literal["role", "polarity"]
LEVELS: tuple[Level, ...] = ("warn", "ignore", "error")
AXES: tuple[Axis, ...] = ("role", "polarity")

DEFAULT_ROLES = MappingProxyType({
    "background": "Background", "method": "Method", "result": "Result",
    "comparison": "Comparison", "extension": "Extension", "dataset": "Dataset",
})
DEFAULT_POLARITIES = MappingProxyType({
    "background": "Background", "support": "Support", "contrast": "Contrast",
})


@dataclass(frozen=True)
class KindRule:
    """A hub badge: matches when `value` has at least `share_at_least` of the classified
    citations on `axis`, and there are at least `classified_at_least` classified citations."""

    label: str
    axis: Axis
    value: str
    share_at_least: float
    classified_at_least: int


DEFAULT_KINDS = (
    KindRule("Contested", "polarity", "contrast", 0.25, 4),
    KindRule("Canonical reference", "polarity", "background", 0.75, 3),
    KindRule("Method source", "role", "method", 0.5, 3),
)


@dataclass(frozen=True)
class Vocabulary:
    """Role and polarity ids in the order the hub declares them, with their display labels."""

    roles: MappingProxyType[str, str] = field(default_factory=lambda: DEFAULT_ROLES)
    polarities: MappingProxyType[str, str] = field(default_factory=lambda: DEFAULT_POLARITIES)

    def of(self, axis: Axis) -> MappingProxyType[str, str]:
        return self.roles if axis == "role" else self.polarities


@dataclass(frozen=True)
class HubConfig:
    title: str = "Paper hub"
    description: str = ""
    base_url: str = "/"
    repo_url: str | None = None
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    representative: int = 5
    # None: the hubs whose list of citing papers takes more than one page (see filter_pages_from).
    filter_pages_min_citing: int | None = None
    paginate: int = 100
    kinds: tuple[KindRule, ...] = DEFAULT_KINDS
    repo_branch: str = "main"
    warnings: Mapping[str, Level] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def base_path(self) -> str:
        """The path part of base_url, always with a leading and trailing slash."""
        path = urlsplit(self.base_url).path or "/"
        path = "/" + path.strip("/") + "/"
        return "/" if path == "//" else path

    @property
    def origin(self) -> str:
        """scheme://host of base_url, or '' when base_url is only a path."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

    @property
    def filter_pages_from(self) -> int:
        """The fewest citing papers a hub has filter pages with. A hub whose list fits on one
        page shows it whole, with every role, polarity and year, and its explorer filters it:
        filter pages there would repeat that list (they were a quarter of a large site)."""
        if self.filter_pages_min_citing is not None:
            return self.filter_pages_min_citing
        return self.paginate + 1

    def with_base_url(self, base_url: str) -> HubConfig:
        return replace(self, base_url=base_url)

    def with_repo_url(self, repo_url: str) -> HubConfig:
        return replace(self, repo_url=repo_url.rstrip("/"))  # as read_config keeps it


HUB_KEYS = (
    "title", "description", "base_url", "repo_url", "repo_branch", "vocabulary",
    "representative", "filter_pages_min_citing", "paginate", "kinds", "warnings",
)
KIND_KEYS = ("label", "role", "polarity", "share_at_least", "classified_at_least")


def read_config(document: Document, diagnostics: Diagnostics) -> HubConfig:
    """Typed settings from hub.yaml; a missing file or key takes its default."""
    defaults = HubConfig()
    fields = root_fields(document, diagnostics, HUB_KEYS, "hub.yaml")
    if fields is None:
        return defaults
    base_url = fields.text("base_url")
    if base_url is not None and not valid_base_url(base_url):
        fields.error(fields.values["base_url"][1],
                     f"base_url must be an http(s) URL or a path starting with '/', its path "
                     f"made of letters, digits, '.', '_', '~' and '-'; found '{base_url}'")
        base_url = None
    if base_url is not None and not base_url.endswith("/"):
        fields.warning(fields.values["base_url"][1], f"base_url '{base_url}' does not end with "
                       f"'/'; it is read as '{base_url}/'", "base-url-slash")
    repo_url = fields.text("repo_url")
    if repo_url is not None and not valid_repo_url(repo_url):
        fields.error(fields.values["repo_url"][1], f"repo_url must be an http(s) URL, "
                                                   f"found '{repo_url}'")
        repo_url = None
    vocabulary = read_vocabulary(fields)
    return HubConfig(
        title=fields.text("title") or defaults.title,
        description=fields.text("description") or defaults.description,
        base_url=base_url or defaults.base_url,
        repo_url=repo_url.rstrip("/") if repo_url else None,
        vocabulary=vocabulary,
        representative=_integer(fields, "representative", 0, defaults.representative),
        filter_pages_min_citing=fields.integer("filter_pages_min_citing", 1),
        paginate=_integer(fields, "paginate", 1, defaults.paginate),
        kinds=read_kinds(fields, vocabulary),
        repo_branch=fields.text("repo_branch") or defaults.repo_branch,
        warnings=read_warning_levels(fields),
    )


def read_warning_levels(fields: Fields) -> Mapping[str, Level]:
    """hub.yaml `warnings: {no-abstract: ignore, undated: error}`; every other code warns."""
    levels = fields.mapping("warnings", tuple(WARNING_CODES), "warnings")
    if levels is None:
        return MappingProxyType({})
    chosen: dict[str, Level] = {}
    for code in WARNING_CODES:
        level = levels.text(code)
        if level is None:
            continue
        if level not in LEVELS:
            levels.error(levels.values[code][1], f"warning level must be one of "
                         f"{', '.join(LEVELS)}, found '{level}'{suggestion(level, LEVELS)}")
            continue
        chosen[code] = level
    return MappingProxyType(chosen)


# The path of a site: plain segments only. Backslashes (`/\evil.example/` is `//evil.example/`
# to a browser), percent-escapes and other characters would make every link mean something
# other than what the build checked.
SITE_PATH = re.compile(r"^(/[A-Za-z0-9._~-]+)*/?\Z")
HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?\Z")


def valid_base_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.query or parts.fragment or not SITE_PATH.match(parts.path or "/"):
        return False
    if any(segment in (".", "..") for segment in parts.path.split("/")):
        return False  # a browser folds them away: links would leave the path checked
    if parts.scheme in ("http", "https"):
        return bool(HOST.match(parts.netloc))
    return not parts.scheme and not parts.netloc and url.startswith("/")


def valid_repo_url(url: str) -> bool:
    """A repository's web address: http(s), a host, a path; no query or fragment (edit links
    are made by appending to it), no whitespace or control character (urlsplit drops tabs
    and newlines before it looks, but the text as given is what pages and hub.yaml get)."""
    if "\\" in url or any(character.isspace() or not character.isprintable()
                           for character in url):
        return False
    parts = urlsplit(url)
    return (parts.scheme in ("http", "https") and bool(HOST.match(parts.netloc))
            and not parts.query and not parts.fragment and "?" not in url and "#" not in url)


def _integer(fields: Fields, key: str, minimum: int, default: int) -> int:
    value = fields.integer(key, minimum)
    return default if value is None else value


def read_vocabulary(fields: Fields) -> Vocabulary:
    vocabulary = fields.mapping("vocabulary", ("roles", "polarities"), "vocabulary")
    if vocabulary is None:
        return Vocabulary()
    roles = _read_terms(vocabulary, "roles")
    polarities = _read_terms(vocabulary, "polarities")
    return Vocabulary(
        roles=roles if roles is not None else DEFAULT_ROLES,
        polarities=polarities if polarities is not None else DEFAULT_POLARITIES,
    )


MAX_TERMS = 50  # per axis: real vocabularies have a handful


def _read_terms(vocabulary: Fields, key: str) -> MappingProxyType[str, str] | None:
    node = vocabulary.node_of(key)
    if node is None:
        return None
    if not isinstance(node, yaml.MappingNode):
        vocabulary.error(node, f"'{key}' must be a mapping of id: Label, e.g. "
                               f"{key}: {{background: Background}}; found {kind_name(node)}")
        return None
    terms: dict[str, str] = {}
    for key_node, label_node in node.value:
        term = _term_id(vocabulary, key, key_node)
        if term is None:
            continue
        if term in terms:
            vocabulary.error(key_node, f"duplicate {key} entry '{term}'")
            continue
        if is_null(label_node):
            vocabulary.error(key_node, f"{key} entry '{term}' needs a label, "
                                       f"e.g. {term}: {term.capitalize()}")
            continue
        label = vocabulary.text_of(term, label_node)
        terms[term] = label or term
    if not node.value:
        vocabulary.error(node, f"'{key}' must name at least one term")
    if len(node.value) > MAX_TERMS:
        # Every filter page lists its sibling terms and every hub page's "Suggest a citation"
        # link names them all: thousands of terms would make each page megabytes.
        vocabulary.error(node, f"'{key}' names {len(node.value)} terms; a vocabulary may "
                               f"have at most {MAX_TERMS}")
        return None
    return MappingProxyType(terms) if terms else None


def _term_id(vocabulary: Fields, key: str, node: yaml.Node) -> str | None:
    # Terms become URL path segments (/roles/<role>/), so they follow the id rules.
    if not isinstance(node, yaml.ScalarNode) or not PAPER_ID.match(str(node.value)):
        shown = f"'{node.value}'" if isinstance(node, yaml.ScalarNode) else kind_name(node)
        vocabulary.error(node, f"{shown} in {key} is not a valid id: it starts with a letter "
                               "or digit and has only letters, digits, '.', '_' and '-'")
        return None
    return str(node.value)


def read_kinds(fields: Fields, vocabulary: Vocabulary) -> tuple[KindRule, ...]:
    if "kinds" not in fields:
        return DEFAULT_KINDS
    rules: list[KindRule] = []
    for node in fields.sequence("kinds"):
        rule = _read_kind(fields, node, vocabulary)
        if rule is not None:
            rules.append(rule)
    return tuple(rules)


def _read_kind(parent: Fields, node: yaml.Node, vocabulary: Vocabulary) -> KindRule | None:
    if not isinstance(node, yaml.MappingNode):
        parent.error(node, "each entry of 'kinds' must be a mapping such as "
                           "{label: Contested, polarity: contrast, share_at_least: 0.25}")
        return None
    rule = Fields(parent.document, node, parent.diagnostics, KIND_KEYS, "a kind rule")
    label = rule.text("label", required=True)
    axis_and_value = _kind_axis(rule, vocabulary)
    # Required: without it the share would be 0, and every hub would match the rule.
    share = rule.number("share_at_least", 0, 1)
    if share is None and rule.node_of("share_at_least") is None:
        rule.missing("share_at_least", ", a number from 0 to 1")
    classified = rule.integer("classified_at_least", 0, default=1)
    if label is None or axis_and_value is None or share is None:
        return None
    axis, value = axis_and_value
    return KindRule(label, axis, value, share, 1 if classified is None else classified)


def _kind_axis(rule: Fields, vocabulary: Vocabulary) -> tuple[Axis, str] | None:
    """The one axis (role or polarity) a kind rule looks at, and the term it looks for."""
    axes = [axis for axis in AXES if axis in rule]
    if len(axes) != 1:
        named = "both 'role' and 'polarity'" if axes else "neither 'role' nor 'polarity'"
        rule.error(rule.node, f"a kind rule names {named}; it needs exactly one of them, "
                              "e.g. polarity: contrast")
        return None
    axis = axes[0]
    value = rule.text(axis, required=True)
    terms = vocabulary.of(axis)
    if value is not None and value not in terms:
        rule.error(rule.values[axis][1], f"unknown {axis} '{value}'{suggestion(value, terms)} "
                                         f"(known: {', '.join(terms)})")
        return None
    return None if value is None else (axis, value)
