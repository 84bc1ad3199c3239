"""Files → raw documents: YAML compose nodes that keep the line of every value.

Nothing here knows what a paper is; `validate` reads the nodes. Keeping YAML nodes instead of
constructed Python objects is what lets every later problem name its line, and lets ids be
read as the text that was written (`paper: 2306.08540` is that text, not a float).
"""

from __future__ import annotations

import hashlib
import re
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

import yaml

from citehub.diagnostics import Diagnostics

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

PAPER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
PAPERS_FOLDER = Path("papers")
HUB_FILE = Path("hub.yaml")

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

# A nested mapping deeper than any real front matter needs is a mistake or an attack.
MAX_DEPTH = 20
# The longest real abstract is a few kB; a larger file is a mistake or an attack.
MAX_FILE_BYTES = 1024 * 1024


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
    # (size, mtime, inode) when the file was read, unless it had just been modified (then a
    # later save within the same clock tick could leave all three as they were).
    stat_key: tuple[int, int, int] | None = None


class Earlier(Protocol):
    """What earlier builds made of paper files, standing in for reading them again."""

    def by_stat(self, path: Path, stat_key: tuple[int, int, int],
                known_ids: frozenset[str]) -> object | None:
        """For a file whose size, time and inode are as they were when it was read."""

    def by_text(self, path: Path, digest: str, known_ids: frozenset[str]) -> object | None:
        """For a file whose text has this digest."""


# A file modified this recently may be saved again within the file system's clock tick.
RACY_NANOSECONDS = 3_000_000_000


@dataclass(frozen=True)
class RawContent:
    """Everything read from content/: hub.yaml and the paper files that could be read."""

    hub: Document
    papers: tuple[PaperDocument, ...]
    # Every paper id whose file exists, readable or not: a broken file must not also
    # produce "unknown paper" errors in every file that cites it.
    known_ids: frozenset[str]
    reused: tuple[object, ...] = ()  # what `earlier` gave for files whose YAML was not read


def load_content(
    content_dir: Path, diagnostics: Diagnostics, earlier: Earlier | None = None
) -> RawContent:
    if not content_dir.is_dir():
        # Most likely the wrong folder: passing silently would "check" nothing at all.
        diagnostics.error(content_dir, 1, "folder not found: a hub keeps its papers in "
                                          "content/papers/ (`citehub init DIR` makes a new hub)")
    hub = load_yaml_file(content_dir / HUB_FILE, content_dir, diagnostics, required=False)
    papers: list[PaperDocument] = []
    reused: list[object] = []
    paths = paper_files(content_dir, diagnostics)
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
        stat_key = _stat_key(path)
        found = earlier.by_stat(path, stat_key, known_ids) if earlier and stat_key else None
        if found is not None:
            reused.append(found)
            continue
        text = read_text(path, content_dir, diagnostics)
        if text is None:
            continue
        digest = text_digest(text)
        found = earlier.by_text(path, digest, known_ids) if earlier else None
        if found is not None:
            reused.append(found)
            continue
        document = paper_document(path, paper_id, text, digest, stat_key, diagnostics)
        if document is not None:
            papers.append(document)
    return RawContent(hub, tuple(papers), known_ids, tuple(reused))


def read_paper_file(
    path: Path, content_dir: Path, diagnostics: Diagnostics
) -> PaperDocument | None:
    """The file of a paper already known (its id was accepted when content/ was loaded)."""
    text = read_text(path, content_dir, diagnostics)
    if text is None:
        return None
    return paper_document(path, path.stem, text, text_digest(text), _stat_key(path),
                          diagnostics)


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    """(size, mtime, inode) of a regular file not modified in the last seconds; else None.

    A link gets none: it is read, so that `read_text` judges where it leads every time."""
    try:
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_mtime_ns >= time.time_ns() - RACY_NANOSECONDS:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def paper_files(content_dir: Path, diagnostics: Diagnostics) -> list[Path]:
    folder = content_dir / PAPERS_FOLDER
    if not folder.is_dir():
        return []
    if escapes(folder, content_dir):
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


def escapes(path: Path, root: Path) -> bool:
    """True when `path`, symbolic links followed, lies outside `root`."""
    return not path.resolve().is_relative_to(root.resolve())


def refuse_link(diagnostics: Diagnostics, path: Path, outside: str) -> None:
    """Report a link that leads out of the hub; the caller reads nothing from it."""
    diagnostics.error(path, 1, f"is a symbolic link to {path.resolve()}, outside {outside}; "
                               "refusing to read it")


def read_text(path: Path, root: Path, diagnostics: Diagnostics) -> str | None:
    """The file's text, or None after reporting why it may not or cannot be read.

    Content comes from pull requests: a paper file may be a link to /etc/passwd, a FIFO that
    blocks forever, or gigabytes of text. None of those is read.
    """
    # Its folder was checked already (content/, content/papers/), so only a file that is a
    # link itself can lead elsewhere; resolving every path of a large hub would be slow.
    if path.is_symlink() and escapes(path, root):
        refuse_link(diagnostics, path, f"{root.name}/")
        return None
    try:
        info = path.stat()
    except OSError as error:
        diagnostics.error(path, 1, f"cannot read file: {error.strerror or error}")
        return None
    if not stat.S_ISREG(info.st_mode):
        diagnostics.error(path, 1, "is not a regular file; refusing to read it")
        return None
    if info.st_size > MAX_FILE_BYTES:
        diagnostics.error(path, 1, f"file is {info.st_size / 1048576:.1f} MiB; content files "
                                   f"may be at most {MAX_FILE_BYTES // 1048576} MiB")
        return None
    try:
        data = path.read_bytes()
    except OSError as error:
        diagnostics.error(path, 1, f"cannot read file: {error.strerror or error}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        diagnostics.error(
            path, line,
            f"file is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save it as UTF-8",
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    stat_key: tuple[int, int, int] | None,
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
