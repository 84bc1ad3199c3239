"""Files → raw documents: YAML compose nodes that keep the line of every value.

Nothing here knows what a paper is; `validate` reads the nodes. Keeping YAML nodes instead of
constructed Python objects is what lets every later problem name its line, and lets ids be
read as the text that was written (`paper: 2306.08540` is that text, not a float).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import yaml

from citehub.diagnostics import Diagnostics
from citehub.hubfiles import HubLayout, StatKey, escapes, read_text, refuse_link, stat_key

try:  # libyaml's parser is several times faster; the pure-Python one gives the same nodes.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """Resolves each distinct plain scalar's tag once: keys and vocabulary terms repeat in
    every file, and PyYAML's resolver (Python even under libyaml) tries a list of regular
    expressions per scalar."""

    _tags: ClassVar[dict[tuple[type, str, tuple[bool, bool]], str]] = {}

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        key = (kind, value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(self._tags) < 100_000:
                self._tags[key] = tag
        return tag

PAPER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z")

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

# A nested mapping deeper than any real front matter needs is a mistake or an attack.
MAX_DEPTH = 20


@dataclass(frozen=True)
class Document:
    """One YAML document of a file, with the file line its first YAML line sits on."""

    path: Path
    root: yaml.Node | None
    first_line: int
    failed: bool = False  # unreadable: the problem is reported, the content unknown

    def line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + self.first_line

    def col(self, node: yaml.Node) -> int:
        return int(node.start_mark.column) + 1


@dataclass(frozen=True)
class PaperDocument:
    paper_id: str
    front_matter: Document
    body: str
    body_line: int
    digest: str = ""  # of the file's text: what a cache of the paper made from it is keyed by
    stat_key: StatKey | None = None  # when the file was read (see hubfiles.stat_key)


@dataclass(frozen=True)
class EarlierFile:
    """What an earlier build saw of a paper file: if the file is still so, what was made of
    it stands, and the file is not parsed again."""

    stat_key: StatKey | None
    digest: str  # of its text
    needs: frozenset[str]  # the paper ids it cites: each must still have a file


@dataclass(frozen=True)
class UnchangedFile:
    """A paper file that is as an earlier build saw it (by its stat key, or by its text)."""

    path: Path
    paper_id: str
    stat_key: StatKey | None  # now; None if it was modified in the last seconds
    digest: str


@dataclass(frozen=True)
class RawContent:
    """Everything read from content/: hub.yaml and the paper files that could be read."""

    hub: Document
    papers: tuple[PaperDocument, ...]
    # Every paper id whose file exists, readable or not: a broken file must not also
    # produce "unknown paper" errors in every file that cites it.
    known_ids: frozenset[str]
    unchanged: tuple[UnchangedFile, ...] = ()  # not parsed: as the earlier files say


def load_content(
    hub: HubLayout,
    diagnostics: Diagnostics,
    earlier: Mapping[str, EarlierFile] | None = None,
) -> RawContent:
    """Read content/; `earlier` (by path) names the files an earlier build saw, which are
    handed on unparsed when they are as it saw them."""
    if escapes(hub.content, hub.root):
        refuse_link(diagnostics, hub.content, "the hub folder")
        return RawContent(Document(hub.hub_yaml, None, 1), (), frozenset())
    if not hub.content.is_dir():
        # Most likely the wrong folder: passing silently would "check" nothing at all.
        diagnostics.error(hub.content, 1, "folder not found: a hub keeps its papers in "
                                          "content/papers/ (`citehub init DIR` makes a new hub)")
    config = load_yaml_file(hub.hub_yaml, hub.content, diagnostics, required=False)
    earlier = earlier or {}
    papers: list[PaperDocument] = []
    unchanged: list[UnchangedFile] = []
    paths = paper_files(hub, diagnostics)
    # Known even when invalid or unreadable: papers citing it get no second error.
    known_ids = frozenset(path.stem for path in paths)
    folded_ids: dict[str, Path] = {}
    for path in paths:
        paper_id = path.stem
        if not PAPER_ID.match(paper_id):
            diagnostics.error(
                path, 1,
                f"file name '{path.name}' is not a valid paper id: an id starts with a letter "
                "or digit and has only letters, digits, '.', '_' and '-'",
            )
            continue
        # A.md and a.md are one file on macOS and Windows checkouts, and one page folder there.
        twin = folded_ids.setdefault(paper_id.casefold(), path)
        if twin != path:
            diagnostics.error(path, 1, f"paper id '{paper_id}' differs from '{twin.stem}' only "
                                       "in letter case; ids must differ in more than case")
            continue
        key = stat_key(path)
        seen = earlier.get(str(path))
        if seen is not None and not seen.needs <= known_ids:
            seen = None  # it cites a paper now gone: read it, so that the error comes out
        if seen is not None and key is not None and seen.stat_key == key:
            unchanged.append(UnchangedFile(path, paper_id, key, seen.digest))
            continue
        text = read_text(path, hub.content, diagnostics)
        if text is None:
            continue
        digest = text_digest(text)
        if seen is not None and seen.digest == digest:
            unchanged.append(UnchangedFile(path, paper_id, key, digest))
            continue
        document = paper_document(path, paper_id, text, digest, key, diagnostics)
        if document is not None:
            papers.append(document)
    return RawContent(config, tuple(papers), known_ids, tuple(unchanged))


def read_paper_file(
    path: Path, hub: HubLayout, diagnostics: Diagnostics
) -> PaperDocument | None:
    """The file of a paper already known (its id was accepted when content/ was loaded)."""
    text = read_text(path, hub.content, diagnostics)
    if text is None:
        return None
    return paper_document(path, path.stem, text, text_digest(text), stat_key(path),
                          diagnostics)


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def paper_files(hub: HubLayout, diagnostics: Diagnostics) -> list[Path]:
    folder = hub.papers
    if not folder.is_dir():
        return []
    if escapes(folder, hub.content):
        refuse_link(diagnostics, folder, "content/")
        return []
    papers: list[Path] = []
    for path in sorted(folder.iterdir(), key=lambda path: path.name):
        if path.name.startswith("."):
            continue  # editor droppings (.#paper.md, ._paper.md), not papers
        if path.suffix == ".md":
            papers.append(path)
        elif path.suffix.lower() in (".md", ".markdown", ".yaml", ".yml", ".txt"):
            # Almost certainly meant as a paper: say so rather than skip it silently.
            diagnostics.warning(path, 1, f"'{path.name}' is ignored: paper files end in '.md'",
                                "ignored-file")
    return papers


def load_yaml_file(
    path: Path, root: Path, diagnostics: Diagnostics, *, required: bool
) -> Document:
    if not path.exists() and not path.is_symlink():
        if required:
            diagnostics.error(path, 1, "file not found")
        return Document(path, None, 1)
    text = read_text(path, root, diagnostics)
    if text is None:
        return Document(path, None, 1, failed=True)
    return compose(path, text, 1, diagnostics)


def paper_document(
    path: Path,
    paper_id: str,
    text: str,
    digest: str,
    stat_key: StatKey | None,
    diagnostics: Diagnostics,
) -> PaperDocument | None:
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        diagnostics.error(
            path, 1, "a paper file starts with front matter: a line '---', YAML, then '---'"
        )
        return None
    closing = next(
        (index for index in range(1, len(lines)) if lines[index].rstrip() in ("---", "...")),
        None,
    )
    if closing is None:
        diagnostics.error(path, 1, "front matter opened here is never closed with a line '---'")
        return None
    yaml_text = "\n".join(lines[1:closing]) + "\n"
    front_matter = compose(path, yaml_text, 2, diagnostics)
    raw_body = "\n".join(lines[closing + 1:])
    body = raw_body.strip("\n")
    # The line the abstract's first line is on, blank lines after the front matter skipped.
    body_line = closing + 2
    if body:
        body_line += len(raw_body) - len(raw_body.lstrip("\n"))
    return PaperDocument(paper_id, front_matter, body, body_line, digest, stat_key)


# Constructs that run to their closing character: when YAML gives up on a later line, the
# mistake is almost always the opening line (a missing ']' or quote), so that is the line named.
UNCLOSED_QUOTE = "while scanning a quoted scalar"
FLOW_CONTEXTS = (
    "while parsing a flow sequence", "while parsing a flow mapping", "while parsing a flow node",
)
CLOSING = {"[": "]", "{": "}"}
# libyaml's wording for the most common mistakes, with what to do about them.
HINTS = {
    "mapping values are not allowed": "a ': ' inside a value needs the value in quotes, "
                                      "or this line's indentation is wrong",
    "tab character": "indent with spaces, not tabs",
    "did not find expected key": "check the indentation of this line",
    "did not find expected '-' indicator": "check the indentation of this line",
}


# YAML 1.1 breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR (pasted from PDFs into
# titles); GitHub and editors do not. As spaces they keep YAML's line numbers the file's own.
UNICODE_LINE_BREAKS = {0x85: " ", 0x2028: " ", 0x2029: " "}


def compose(path: Path, text: str, first_line: int, diagnostics: Diagnostics) -> Document:
    """Parse YAML text into nodes, reporting syntax errors at their line."""
    failed = Document(path, None, first_line, failed=True)
    text = text.translate(UNICODE_LINE_BREAKS)
    try:
        root = yaml.compose(text, Loader=_Loader)
        anchors = find_anchors(text)
    except yaml.MarkedYAMLError as error:
        line, col, message = _syntax_problem(error, text, first_line)
        diagnostics.error(path, line, f"invalid YAML: {message}", col=col)
        return failed
    except yaml.reader.ReaderError as error:
        line, col, message = _reader_problem(error, text)
        diagnostics.error(path, first_line + line, message, col=col)
        return failed
    except yaml.YAMLError as error:
        diagnostics.error(path, first_line, f"invalid YAML: {error}")
        return failed
    except RecursionError:
        diagnostics.error(path, first_line, "invalid YAML: nested too deeply")
        return failed
    for line in anchors:
        diagnostics.error(
            path, first_line + line,
            "YAML anchors and aliases (&name, *name) are not allowed; write the value out",
        )
    if anchors:
        return failed
    document = Document(path, root, first_line)
    if root is not None and not _check_depth(document, diagnostics):
        return failed
    return document


def _syntax_problem(
    error: yaml.MarkedYAMLError, text: str, first_line: int
) -> tuple[int, int | None, str]:
    """(file line, column, message) of a YAML syntax error, as a person would point at it."""
    problem = error.problem or error.context or "malformed YAML"
    end = error.problem_mark
    opened = _unclosed_opening(error, text)
    if opened is not None and end is not None and end.line > opened[0].line:
        start, unclosed = opened
        gave_up = f" (YAML gave up on line {first_line + end.line})"
        return first_line + start.line, start.column + 1, unclosed + gave_up
    mark = end or error.context_mark
    if mark is None:
        return first_line, None, problem
    stray = _character_at(text, mark)
    if stray in ("]", "}"):  # libyaml says "did not find expected key", which misleads here
        return first_line + mark.line, mark.column + 1, f"'{stray}' with nothing open to close"
    hint = next((text for words, text in HINTS.items() if words in problem), None)
    message = f"{problem}; {hint}" if hint else problem
    return first_line + mark.line, mark.column + 1, message


def _character_at(text: str, mark: yaml.Mark) -> str:
    lines = text.split("\n")
    if not 0 <= mark.line < len(lines) or not 0 <= mark.column < len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]


def _unclosed_opening(error: yaml.MarkedYAMLError, text: str) -> tuple[yaml.Mark, str] | None:
    """Where an unclosed quote, '[' or '{' opens and what to say, when the error is about one."""
    if error.context == UNCLOSED_QUOTE and error.context_mark is not None:
        return error.context_mark, "the quote that starts on this line is never closed"
    if error.context not in FLOW_CONTEXTS:
        return None
    # libyaml's marks point where it gave up (often the end of the file), so find the
    # innermost bracket still open from the tokens instead.
    opened: list[tuple[yaml.Mark, str]] = []
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
                bracket = "[" if isinstance(token, yaml.FlowSequenceStartToken) else "{"
                unclosed = f"the '{bracket}' on this line is never closed with '{CLOSING[bracket]}'"
                opened.append((token.start_mark, unclosed))
            elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken) and opened:
                opened.pop()
    except yaml.YAMLError:
        pass  # the tokens up to the problem are what count
    return opened[-1] if opened else None


def _reader_problem(error: yaml.reader.ReaderError, text: str) -> tuple[int, int | None, str]:
    # libyaml reports a byte offset, pure-Python PyYAML a character offset: find the character.
    character = error.character if isinstance(error.character, int) else None
    offset = -1 if character is None else text.find(chr(character))
    if character is None or offset < 0:
        return 0, None, f"invalid text: {error.reason}"
    before = text[:offset]
    line, col = before.count("\n"), offset - (before.rfind("\n") + 1) + 1
    return line, col, (f"control character U+{character:04X} is not allowed in YAML; "
                       "delete it (it is invisible in most editors)")


def find_anchors(text: str) -> list[int]:
    """The 0-based lines with an anchor (&name) or alias (*name), each line once.

    Aliases are how a few lines of YAML become gigabytes once expanded ("billion laughs"), and
    an anchor is only there to be aliased; front matter never needs either. Reading events
    costs a second parse, so it is done only when the text could contain one.
    """
    if "&" not in text and "*" not in text:
        return []
    lines = {
        int(event.start_mark.line) if event.start_mark else 0
        for event in yaml.parse(text, Loader=_Loader)
        if getattr(event, "anchor", None) is not None  # AliasEvent.anchor is the name it uses
    }
    return sorted(lines)


def _check_depth(document: Document, diagnostics: Diagnostics) -> bool:
    """Refuse absurd nesting before anything walks the tree recursively."""
    stack: list[tuple[yaml.Node, int]] = [(document.root, 1)] if document.root else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            diagnostics.error(
                document.path, document.line(node), f"nested deeper than {MAX_DEPTH} levels"
            )
            return False
        for child in children(node):
            stack.append((child, depth + 1))
    return True


def children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG


def kind_name(node: yaml.Node) -> str:
    """How a value reads to a person, for 'expected X, found Y' messages."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return {
        NULL_TAG: "nothing",
        BOOL_TAG: f"the boolean {node.value}",
        INT_TAG: f"the number {node.value}",
        FLOAT_TAG: f"the number {node.value}",
    }.get(node.tag, f"'{_shorten(node.value)}'")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
