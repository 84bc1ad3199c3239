"""Files → raw documents: YAML compose nodes that keep the line of every value.

Nothing here knows what a paper is; `validate` reads the nodes. Keeping YAML nodes instead of
constructed Python objects is what lets every later problem name its line, and lets ids be
read as the text that was written (`paper: 2306.08540` is that text, not a float).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from citehub.diagnostics import Diagnostics

try:  # libyaml's parser is several times faster; the pure-Python one gives the same nodes.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

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


@dataclass(frozen=True)
class RawContent:
    """Everything read from content/: hub.yaml and the paper files that could be read."""

    hub: Document
    papers: tuple[PaperDocument, ...]
    # Every paper id whose file exists, readable or not: a broken file must not also
    # produce "unknown paper" errors in every file that cites it.
    known_ids: frozenset[str]


def load_content(content_dir: Path, diagnostics: Diagnostics) -> RawContent:
    hub = load_yaml_file(content_dir / HUB_FILE, diagnostics, required=False)
    papers: list[PaperDocument] = []
    known_ids: set[str] = set()
    for path in paper_files(content_dir):
        paper_id = path.stem
        if not PAPER_ID.match(paper_id):
            diagnostics.error(
                path, 1,
                f"file name '{path.name}' is not a valid paper id: an id starts with a letter "
                "or digit and has only letters, digits, '.', '_' and '-'",
            )
            continue
        known_ids.add(paper_id)
        document = load_paper_file(path, paper_id, diagnostics)
        if document is not None:
            papers.append(document)
    return RawContent(hub, tuple(papers), frozenset(known_ids))


def paper_files(content_dir: Path) -> list[Path]:
    folder = content_dir / PAPERS_FOLDER
    if not folder.is_dir():
        return []
    # Hidden files are editor droppings (.#paper.md, ._paper.md), not papers.
    papers = (path for path in folder.iterdir()
              if path.suffix == ".md" and not path.name.startswith("."))
    return sorted(papers, key=lambda path: path.name)


def read_text(path: Path, diagnostics: Diagnostics) -> str | None:
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


def load_yaml_file(path: Path, diagnostics: Diagnostics, *, required: bool) -> Document:
    if not path.is_file():
        if required:
            diagnostics.error(path, 1, "file not found")
        return Document(path, None, 1)
    text = read_text(path, diagnostics)
    if text is None:
        return Document(path, None, 1, failed=True)
    return compose(path, text, 1, diagnostics)


def load_paper_file(path: Path, paper_id: str, diagnostics: Diagnostics) -> PaperDocument | None:
    text = read_text(path, diagnostics)
    if text is None:
        return None
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
    body = "\n".join(lines[closing + 1:]).strip("\n")
    body_line = closing + 2
    return PaperDocument(paper_id, front_matter, body, body_line)


def compose(path: Path, text: str, first_line: int, diagnostics: Diagnostics) -> Document:
    """Parse YAML text into nodes, reporting syntax errors at their line."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        col = mark.column + 1 if mark else None
        problem = error.problem or error.context or "malformed YAML"
        diagnostics.error(path, line, f"invalid YAML: {problem}", col=col)
        return Document(path, None, first_line, failed=True)
    except yaml.YAMLError as error:
        diagnostics.error(path, first_line, f"invalid YAML: {error}")
        return Document(path, None, first_line, failed=True)
    except RecursionError:
        diagnostics.error(path, first_line, "invalid YAML: nested too deeply")
        return Document(path, None, first_line, failed=True)
    document = Document(path, root, first_line)
    if root is not None and not _check_tree(document, diagnostics):
        return Document(path, None, first_line, failed=True)
    return document


def _check_tree(document: Document, diagnostics: Diagnostics) -> bool:
    """Refuse aliases and absurd nesting before anything walks the tree.

    PyYAML's composer hands back an alias as the very node it names, so a node met twice is
    an alias; expanding them is how a few lines of YAML become gigabytes ("billion laughs").
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(document.root, 1)] if document.root else []
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            diagnostics.error(
                document.path, document.line(node),
                "YAML anchors and aliases (&name, *name) are not allowed; write the value out",
            )
            return False
        seen.add(id(node))
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
