"""Reading YAML nodes as typed values, each problem reported at its line.

Used by `config` (hub.yaml) and `validate` (paper front matter). A `Fields` wraps one mapping:
unknown and duplicate keys are reported when it is made, and every getter reports a wrong
type and returns None so the caller carries on and more problems surface in the same run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

import yaml

from citehub.diagnostics import Diagnostics, closest
from citehub.load import (
    BOOL_TAG,
    FLOAT_TAG,
    INT_TAG,
    Document,
    is_null,
    kind_name,
)

_RESOLVER = yaml.resolver.Resolver()
# Titles, summaries and quoted contexts are sentences; 100,000 characters is an attack on
# every page that lists the paper.
MAX_TEXT_LENGTH = 2000
# The largest whole number JavaScript reads exactly: counts go into index.json, which the
# explorer parses (and the JSON encoder takes no more than 64 bits).
MAX_WHOLE_NUMBER = 2**53 - 1
# What may not reach a page or a feed: control characters (tab and newline aside), lone
# surrogates, the noncharacters XML forbids, and the bidirectional embeddings, overrides and
# isolates (U+202A to U+202E, U+2066 to U+2069), which reorder the text around a title or an author
# on every page that shows it. YAML's "\e" or "\0" escapes can write them. Right-to-left
# text needs none of them (and the marks U+200E and U+200F stay allowed).
FORBIDDEN_CHARACTER = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
    "\ufdd0-\ufdef\ufffe\uffff]"
)


class Fields:
    def __init__(
        self,
        document: Document,
        node: yaml.Node,
        diagnostics: Diagnostics,
        known_keys: Iterable[str],
        what: str,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.document = document
        self.node = node
        self.diagnostics = diagnostics
        self.what = what
        # Words people write for a known key (github for code); only used for suggestions.
        self.aliases = aliases or {}
        self.values: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        # Known keys an unknown key was taken for: their absence is already explained.
        self.suggested: set[str] = set()
        known = tuple(known_keys)
        for key_node, value_node in node.value:
            self._add_key(key_node, value_node, known)

    def _add_key(self, key_node: yaml.Node, value_node: yaml.Node, known: tuple[str, ...]) -> None:
        if not isinstance(key_node, yaml.ScalarNode):
            self.error(key_node, f"a key in {self.what} must be a plain word")
            return
        key = key_node.value
        if key not in known:
            meant = closest(key, known, self.aliases)
            hint = f"; did you mean '{meant}'?" if meant else ""
            self.error(
                key_node,
                f"unknown key '{key}' in {self.what}{hint} (known keys: {', '.join(known)})",
            )
            if meant:
                self.suggested.add(meant)
            return
        if key in self.values:
            first = self.document.line(self.values[key][0])
            self.error(key_node, f"duplicate key '{key}' (first given on line {first})")
            return
        self.values[key] = (key_node, value_node)

    # -- reporting -------------------------------------------------------------------------

    def error(self, node: yaml.Node, message: str) -> None:
        self.diagnostics.error(self.document.path, self.document.line(node), message)

    def warning(self, node: yaml.Node, message: str, code: str) -> None:
        self.diagnostics.warning(self.document.path, self.document.line(node), message, code)

    @property
    def line(self) -> int:
        return self.document.line(self.node)

    def key_line(self, key: str) -> int:
        return self.document.line(self.values[key][0]) if key in self.values else self.line

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def node_of(self, key: str) -> yaml.Node | None:
        """The value node of `key`, or None when absent or written as nothing (`key:`)."""
        entry = self.values.get(key)
        if entry is None or is_null(entry[1]):
            return None
        return entry[1]

    # -- typed getters ---------------------------------------------------------------------

    def text(self, key: str, *, required: bool = False) -> str | None:
        node = self.node_of(key)
        if node is None:
            if required:
                self.missing(key)
            return None
        return self.text_of(key, node)

    def missing(self, key: str, detail: str = "") -> None:
        """Report a required key that is absent or empty."""
        # `titel: x` already got "did you mean 'title'?"; "needs 'title'" would be noise.
        if key in self.suggested:
            return
        where = self.values[key][0] if key in self.values else self.node
        self.error(where, f"{self.what} needs '{key}'{detail}")

    def text_of(self, key: str, node: yaml.Node) -> str | None:
        # Any scalar is text as written: `title: 1984` is the title "1984".
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, f"'{key}' must be text, found {kind_name(node)}")
            return None
        # `~` or `null` in a list (`authors: [Ada, ~]`) is nothing, not the word "null".
        text = "" if is_null(node) else str(node.value).strip()
        if not text:
            self.error(node, f"'{key}' must not be empty")
            return None
        forbidden = None if text.isascii() and text.isprintable() else (
            FORBIDDEN_CHARACTER.search(text))
        if forbidden:
            self.error(node, f"'{key}' contains the control character "
                             f"U+{ord(forbidden.group()):04X}; delete it")
            return None
        if len(text) > MAX_TEXT_LENGTH:
            self.error(node, f"'{key}' is {len(text):,} characters long; a front matter value "
                             f"may be at most {MAX_TEXT_LENGTH:,} (the abstract goes below it)")
            return None
        return text

    def number(self, key: str, low: float, high: float) -> float | None:
        node = self.node_of(key)
        if node is None:
            return None
        expected = f"'{key}' must be a number from {_plain(low)} to {_plain(high)}"
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (INT_TAG, FLOAT_TAG):
            quoted = _quoted(node, INT_TAG, FLOAT_TAG)
            self.error(node, f"{expected}, found {kind_name(node)}{quoted}")
            return None
        parsed = _plain_value(node, (int, float))
        if parsed is None:
            self.error(node, f"{expected}, found '{_shown(node.value)}'")
            return None
        value = float(parsed)
        if math.isnan(value) or not low <= value <= high:
            self.error(node, f"{expected}, found {node.value}")
            return None
        return value

    def integer(self, key: str, minimum: int, default: int | None = None) -> int | None:
        node = self.node_of(key)
        if node is None:
            return default
        expected = f"'{key}' must be a whole number of at least {minimum}"
        if not isinstance(node, yaml.ScalarNode) or node.tag != INT_TAG:
            self.error(node, f"{expected}, found {kind_name(node)}{_quoted(node, INT_TAG)}")
            return default
        parsed = _plain_value(node, (int,))
        if parsed is None:
            self.error(node, f"{expected}, found '{_shown(node.value)}'")
            return default
        value = int(parsed)
        if value < minimum:
            self.error(node, f"{expected}, found {value}")
            return default
        if value > MAX_WHOLE_NUMBER:
            self.error(node, f"'{key}' may be at most {MAX_WHOLE_NUMBER:,}, "
                             f"found '{_shown(node.value)}'")
            return default
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        node = self.node_of(key)
        if node is None:
            return default
        if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL_TAG:
            self.error(node, f"'{key}' must be true or false, found {kind_name(node)}"
                             f"{_quoted(node, BOOL_TAG)}")
            return default
        parsed = _plain_value(node, (bool,))
        if parsed is None:
            self.error(node, f"'{key}' must be true or false, found '{_shown(node.value)}'")
            return default
        return bool(parsed)

    def text_list(self, key: str) -> tuple[str, ...]:
        node = self.node_of(key)
        if node is None:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"'{key}' must be a list, e.g. {key}: [first, second]; "
                             f"found {kind_name(node)}")
            return ()
        if not self._within_limit(key, node):
            return ()
        items = (self.text_of(key, item) for item in node.value)
        return tuple(item for item in items if item is not None)

    def text_or_list(self, key: str) -> tuple[str, ...]:
        node = self.node_of(key)
        if node is None:
            return ()
        if isinstance(node, yaml.ScalarNode):
            text = self.text_of(key, node)
            return (text,) if text else ()
        return self.text_list(key)

    def mapping(
        self,
        key: str,
        known_keys: Iterable[str],
        what: str,
        aliases: Mapping[str, str] | None = None,
    ) -> Fields | None:
        node = self.node_of(key)
        if node is None:
            return None
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"'{key}' must be a mapping of key: value, found {kind_name(node)}")
            return None
        return Fields(self.document, node, self.diagnostics, known_keys, what, aliases)

    def sequence(self, key: str) -> list[yaml.Node]:
        node = self.node_of(key)
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"'{key}' must be a list, found {kind_name(node)}")
            return []
        if not self._within_limit(key, node):
            return []
        return list(node.value)

    def _within_limit(self, key: str, node: yaml.SequenceNode) -> bool:
        """Lists are copied into many pages and files (a citing paper's authors into every
        cited paper's feed, JSON and CSV): each has a length no real paper needs."""
        limit = LIST_LIMITS.get(key, DEFAULT_LIST_LIMIT)
        if len(node.value) <= limit:
            return True
        self.error(node, f"'{key}' has {len(node.value):,} entries; a paper may have at most "
                         f"{limit:,}")
        return False


# The longest lists real papers have, with room to spare (ATLAS papers list ~3,000 authors;
# the largest surveys cite a few thousand papers).
LIST_LIMITS = {"authors": 5_000, "categories": 50, "cites": 5_000, "context": 50}
DEFAULT_LIST_LIMIT = 1_000


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCT = {
    INT_TAG: _CONSTRUCTOR.construct_yaml_int,
    FLOAT_TAG: _CONSTRUCTOR.construct_yaml_float,
    BOOL_TAG: _CONSTRUCTOR.construct_yaml_bool,
}


def _plain_value(node: yaml.ScalarNode, types: tuple[type, ...]) -> int | float | None:
    """The value of a number or boolean scalar, or None when its text is not one.

    An explicit tag (`!!int abc`) claims a type the text does not have, and a number of
    thousands of digits is beyond what Python converts: both are content errors, not crashes.
    Built from the node itself: a YAML loader per value would cost more than the whole file.
    """
    implicit = _RESOLVER.resolve(  # type: ignore[no-untyped-call]
        yaml.ScalarNode, node.value, (True, False))
    if implicit != node.tag or len(node.value) > 100:
        return None
    try:
        value = _CONSTRUCT[node.tag](node)
    except (ValueError, KeyError, yaml.YAMLError):
        return None
    if isinstance(value, int | float) and isinstance(value, types):
        return value  # bool is an int too: `types` says which of them is wanted
    return None


def _shown(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quoted(node: yaml.Node, *tags: str) -> str:
    """A hint when quotes are all that turn the right kind of value into text (`"7"`)."""
    if not isinstance(node, yaml.ScalarNode) or node.style not in ("'", '"'):
        return ""
    # The tag YAML would give the same text written without quotes.
    unquoted = _RESOLVER.resolve(  # type: ignore[no-untyped-call]
        yaml.ScalarNode, node.value, (True, False)
    )
    return " (in quotes, so it is text; remove the quotes)" if unquoted in tags else ""


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def root_fields(
    document: Document, diagnostics: Diagnostics, known_keys: Iterable[str], what: str
) -> Fields | None:
    """Fields of a document's top-level mapping; an empty document is an empty mapping."""
    root = document.root
    if root is None or is_null(root):
        root = yaml.MappingNode("tag:yaml.org,2002:map", [], start_mark=_start_mark())
    if not isinstance(root, yaml.MappingNode):
        diagnostics.error(
            document.path, document.line(root),
            f"{what} must be a mapping of key: value lines, found {kind_name(root)}",
        )
        return None
    return Fields(document, root, diagnostics, known_keys, what)


def _start_mark() -> yaml.Mark:
    # One line before the YAML: an empty front matter's problem is on its opening '---'
    # (hub.yaml's line 0 shows as line 1).
    return yaml.Mark("", 0, -1, 0, "", 0)
