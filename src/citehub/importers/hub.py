"""Imported records into a hub: matched with its papers (same arXiv id or DOI, never a
duplicate), new ones named (arXiv id, else a slug of the DOI, else the source's id), and
written as ordinary paper files a person can edit. Existing files change only with `force`.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from citehub.config import Vocabulary, read_config
from citehub.diagnostics import Diagnostics
from citehub.hubfiles import MAX_FILE_BYTES, HubLayout, escapes, read_text
from citehub.importers.records import (
    Bibliography,
    Cite,
    Record,
    arxiv_id,
    as_dict,
    clean,
    doi,
    today,
)
from citehub.load import PAPER_ID, Document, is_null, load_yaml_file, paper_document, text_digest
from citehub.scaffold import yaml_scalar
from citehub.validate import PAPER_KEYS, KnownPapers, read_paper

ID_LENGTH = 80  # longer source ids are cut: file names stay manageable


@dataclass
class Paper:
    """A paper file's content, as this module reads and writes it."""

    fields: dict[str, Any]  # front matter: str, list[str], dict[str, str] and, in cites, dicts
    abstract: str


@dataclass
class Existing:
    path: Path
    paper: Paper
    arxiv: str | None
    doi: str | None
    text: str = ""  # the file as it is: citations are added to it in place
    front_matter: Document | None = None


@dataclass
class Outcome:
    created: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what was left alone, and why

    def summary(self) -> str:
        return (f"{len(self.created)} created, {len(self.updated)} updated, "
                f"{len(self.skipped)} skipped")


def import_into(hub_dir: Path, bibliography: Bibliography, source: Path,
                diagnostics: Diagnostics, *, force: bool = False) -> Outcome:
    """Write the bibliography's papers into the hub; nothing is written when there are
    errors (an unknown paper named on the command line, say)."""
    hub = HubLayout(hub_dir)
    papers_dir = hub.papers
    outcome = Outcome()
    for folder in (hub.content, papers_dir):
        if escapes(folder, hub_dir):  # a link a pull request committed: never write there
            diagnostics.error(folder, 1, f"is a symbolic link to {folder.resolve()}, outside "
                                         "the hub folder; refusing to write there")
            return outcome
    existing = read_existing(papers_dir, diagnostics)
    outcome.skipped += [f"{source}:{line}: {why}" for line, why in bibliography.skipped]
    ids = name_records(bibliography.records, existing)
    cites = resolve_cites(bibliography.cites, ids, existing, source, diagnostics)
    if diagnostics.has_errors:
        return outcome
    planned: dict[str, Paper] = {}
    for key, record in bibliography.records.items():
        paper_id = ids[key]
        incoming = paper_of(record)
        planned[paper_id] = merged(planned[paper_id], incoming) if paper_id in planned \
            else incoming
    for citing_id, cited_id, cite in cites:
        if citing_id not in planned:  # an existing paper named with --citing
            planned[citing_id] = Paper({}, "")
        add_citation(planned[citing_id], cited_id, cite)
    writes: list[tuple[Path, str, bool]] = []  # (path, text, whether it is created)
    for paper_id in sorted(planned):
        paper = planned[paper_id]
        found = existing.get(paper_id.casefold())
        if found is None:
            paper.fields.setdefault("added", today())
            writes.append((papers_dir / f"{paper_id}.md", paper_text(paper), True))
            continue
        combined = merged(found.paper, paper)
        if combined == found.paper:
            outcome.skipped.append(f"{found.path}: already has everything imported")
            continue
        if force:
            writes.append((found.path, paper_text(combined), False))
            continue
        # Citations are what --cited and --citing are for: they are added to the file as
        # it is (comments and order kept); the rest waits for --force.
        new_cites = [entry for entry in paper.fields.get("cites", ())
                     if not cites_paper(found.paper, str(entry["paper"]))]
        if new_cites and found.front_matter is not None:
            edited = with_citations(found.text, found.front_matter, new_cites)
            if not adds_exactly(found, edited, new_cites):
                diagnostics.error(found.path, 1, "cannot add the citations to this file as it "
                                  "is written (its front matter has a form this edit does not "
                                  "know); --force rewrites its front matter with them")
                continue
            writes.append((found.path, edited, False))
            if merged(found.paper, Paper({"cites": new_cites}, "")) != combined:
                outcome.skipped.append(f"{found.path}: citations added; the rest of the "
                                       "import needs --force")
        else:
            outcome.skipped.append(f"{found.path}: exists (--force merges the import into it)")
    writes = [write for write in writes if _within_size(write, outcome)]
    known = frozenset({*(paper.path.stem for paper in existing.values()), *planned})
    vocabulary = read_vocabulary_of(hub)
    for path, text, _ in writes:
        refused(path, text, known, vocabulary, diagnostics)
    if diagnostics.has_errors:
        return outcome  # nothing is written that check would refuse
    papers_dir.mkdir(parents=True, exist_ok=True)
    for path, text, created in writes:
        write_text(path, text)
        (outcome.created if created else outcome.updated).append(path)
    return outcome


def _within_size(write: tuple[Path, str, bool], outcome: Outcome) -> bool:
    path, text, _ = write
    if len(text.encode()) <= MAX_FILE_BYTES:
        return True
    # What `check` would refuse is not written in the first place.
    outcome.skipped.append(f"{path.stem}: the paper file would be over "
                           f"{MAX_FILE_BYTES // 2**20} MiB (its abstract is too long)")
    return False


def refused(path: Path, text: str, known: frozenset[str], vocabulary: Vocabulary,
            diagnostics: Diagnostics) -> bool:
    """Whether `check` would refuse the file the import is about to write; each reason is
    an error naming the file and its line."""
    found = Diagnostics()
    document = paper_document(path, path.stem, text, text_digest(text), None, found)
    if document is not None:
        read_paper(document, KnownPapers(known), vocabulary, found)
    errors = [item for item in found if item.severity == "error"]
    for item in errors:
        diagnostics.error(path, item.line, f"the import would write this, which check "
                                           f"refuses: {item.message}")
    return bool(errors)


def read_vocabulary_of(hub: HubLayout) -> Vocabulary:
    """The hub's roles and polarities (the defaults when hub.yaml has problems: check
    reports those)."""
    quiet = Diagnostics()
    return read_config(load_yaml_file(hub.hub_yaml, hub.root, quiet, required=False),
                       quiet).vocabulary


def adds_exactly(found: Existing, edited: str, entries: list[dict[str, Any]]) -> bool:
    """Whether the edited file reads as the old one with `entries` appended to its cites, the
    abstract and every other value unchanged (a `#` line in a quoted or block value, a front
    matter closed by '...', would otherwise swallow or move them)."""
    quiet = Diagnostics()
    document = paper_document(found.path, found.path.stem, edited, text_digest(edited), None,
                              quiet)
    if document is None or document.front_matter.failed:
        return False
    fields = plain(document.front_matter)
    old = dict(found.paper.fields)
    expected_cites = [*(old.pop("cites", None) or []), *entries]
    cites = fields.pop("cites", None)
    return (document.body == found.paper.abstract and fields == old
            and cites == as_read(expected_cites))


def as_read(value: Any) -> Any:
    """`value` as `plain` reads it back from a file: every scalar as its text."""
    if isinstance(value, dict):
        return {str(key): as_read(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_read(item) for item in value]
    return None if value is None else str(value)


def cites_paper(paper: Paper, cited_id: str) -> bool:
    return any(isinstance(entry, dict) and str(entry.get("paper")) == cited_id
               for entry in paper.fields.get("cites") or ())


# -- the hub's papers ------------------------------------------------------------------------


def read_existing(papers_dir: Path, diagnostics: Diagnostics) -> dict[str, Existing]:
    """The hub's paper files by case-folded id. A file that cannot be read is an error: an
    import must not create a duplicate of a paper it could not see."""
    found: dict[str, Existing] = {}
    if not papers_dir.is_dir():
        return found
    for path in sorted(papers_dir.glob("*.md")):
        if path.name.startswith("."):
            continue
        text = read_text(path, papers_dir, diagnostics)
        if text is None:
            continue
        document = paper_document(path, path.stem, text, text_digest(text), None, diagnostics)
        if document is None or document.front_matter.failed:
            continue
        fields = plain(document.front_matter)
        links = as_dict(fields.get("links"))
        found[path.stem.casefold()] = Existing(
            path, Paper(fields, document.body), arxiv_id(links.get("arxiv")),
            (doi(links.get("doi")) or "").lower() or None, text, document.front_matter)
    return found


def plain(document: Document) -> dict[str, Any]:
    """The front matter as plain data, every scalar as the text written (so an id such as
    2306.08540 stays text)."""
    def value(node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return {str(key.value): value(item) for key, item in node.value
                    if isinstance(key, yaml.ScalarNode)}
        if isinstance(node, yaml.SequenceNode):
            return [value(item) for item in node.value]
        return None if node.tag.endswith(":null") else str(node.value)

    root = document.root
    return value(root) if isinstance(root, yaml.MappingNode) else {}


# -- naming ----------------------------------------------------------------------------------


def name_records(records: dict[str, Record], existing: dict[str, Existing]) -> dict[str, str]:
    """A hub id for every record: the existing paper with its arXiv id or DOI, else a new id
    (arXiv id, else DOI slug, else the source's id), made unique."""
    by_arxiv = {paper.arxiv: paper.path.stem for paper in existing.values() if paper.arxiv}
    by_doi = {paper.doi: paper.path.stem for paper in existing.values() if paper.doi}
    # A long title is an identifier too: a conference paper's BibTeX rarely has the arXiv id
    # of its preprint, and the same paper must not get two files.
    by_title: dict[str, tuple[str, str | None, str | None]] = {
        title_key(paper.paper.fields.get("title")): (paper.path.stem, paper.arxiv, paper.doi)
        for paper in existing.values() if title_key(paper.paper.fields.get("title"))}
    taken = set(existing)
    ids: dict[str, str] = {}
    for key, record in records.items():
        record_doi = record.doi.lower() if record.doi else None
        known = (by_arxiv.get(record.arxiv) if record.arxiv else None) or (
            by_doi.get(record_doi) if record_doi else None)
        titled = by_title.get(title_key(record.title))
        if known is None and titled is not None and not (
                record.arxiv and titled[1] and record.arxiv != titled[1]) and not (
                record_doi and titled[2] and record_doi != titled[2]):
            known = titled[0]
        if known is None:
            wanted = proposed_id(record)
            same = existing.get(wanted.casefold())
            if same is not None and same_paper(same, record):
                known = same.path.stem
            else:
                known = unique(wanted, taken)
                taken.add(known.casefold())
        ids[key] = known
        if record.arxiv:
            by_arxiv.setdefault(record.arxiv, known)
        if record_doi:
            by_doi.setdefault(record_doi, known)
        if title_key(record.title):
            by_title.setdefault(title_key(record.title), (known, record.arxiv, record_doi))
    return ids


def title_key(title: object) -> str:
    """A title reduced to its letters and digits, if long enough to name one paper."""
    key = "".join(character for character in clean(title).casefold() if character.isalnum())
    return key if len(key) >= 20 else ""


def proposed_id(record: Record) -> str:
    if record.arxiv:
        return record.arxiv.replace("/", "-")  # cs/0112017 → cs-0112017, as SPEC says
    if record.doi:
        return slug(record.doi.lower())
    return slug(record.source_id or record.key)


def slug(text: str) -> str:
    """A valid paper id from any text: letters, digits, '.', '_' and '-'."""
    value = re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip()).strip("-._")
    value = re.sub(r"-{2,}", "-", value)[:ID_LENGTH].rstrip("-._")
    return value if value and PAPER_ID.match(value) else "paper"


def unique(wanted: str, taken: set[str]) -> str:
    candidate, number = wanted, 2
    while candidate.casefold() in taken:
        candidate, number = f"{wanted}-{number}", number + 1
    return candidate


def same_paper(existing: Existing, record: Record) -> bool:
    """An existing file named as the record would be: the same paper unless an identifier
    differs, or, with no identifier on either side, the title does."""
    if existing.arxiv and record.arxiv:
        return existing.arxiv == record.arxiv
    if existing.doi and record.doi:
        return existing.doi == record.doi.lower()
    title = clean(existing.paper.fields.get("title")).casefold()
    return title == record.title.casefold()


# -- citations -------------------------------------------------------------------------------


def resolve_cites(cites: list[Cite], ids: dict[str, str], existing: dict[str, Existing],
                  source: Path, diagnostics: Diagnostics) -> list[tuple[str, str, Cite]]:
    """(citing id, cited id, citation) for each citation; an end that is no record must be a
    paper of the hub (named on the command line)."""
    resolved: list[tuple[str, str, Cite]] = []
    unknown: set[str] = set()
    for cite in cites:
        ends = []
        for end in (cite.citing, cite.cited):
            if end in ids:
                ends.append(ids[end])
            elif end.casefold() in existing:
                ends.append(existing[end.casefold()].path.stem)
            else:
                if end not in unknown:
                    diagnostics.error(source, cite.line, f"'{end}' is no paper of the hub: "
                                      "import or create it first (citehub new)")
                unknown.add(end)
                ends.append("")
        if all(ends) and ends[0] != ends[1]:
            resolved.append((ends[0], ends[1], cite))
    return resolved


def add_citation(paper: Paper, cited_id: str, cite: Cite) -> None:
    cites = paper.fields.setdefault("cites", [])
    entry = next((entry for entry in cites if isinstance(entry, dict)
                  and str(entry.get("paper")) == cited_id), None)
    if entry is None:
        entry = {"paper": cited_id}
        cites.append(entry)
    if cite.role and not entry.get("role"):
        entry["role"] = cite.role
    if cite.influential:
        entry["influential"] = "true"
    contexts = context_list(entry.get("context"))
    contexts += [context for context in cite.contexts if context not in contexts]
    if contexts:
        entry["context"] = contexts
        entry["refs"] = str(max(len(contexts), int(entry.get("refs") or 0)))


def context_list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)] if value else []


# -- papers as files -------------------------------------------------------------------------


def paper_of(record: Record) -> Paper:
    links = {kind: value for kind, value in (("arxiv", record.arxiv), ("doi", record.doi),
                                             ("pdf", record.pdf), ("url", record.url))
             if value}
    counts = [{"source": count.source, "count": str(count.count),
               **({"influential": str(count.influential)}
                  if count.influential is not None else {}),
               "date": count.date} for count in record.counts]
    fields: dict[str, Any] = {"title": record.title}
    for name, value in (("authors", record.authors), ("date", record.date),
                        ("type", record.type), ("categories", record.categories),
                        ("venue", record.venue), ("volume", record.volume),
                        ("issue", record.issue), ("pages", record.pages),
                        ("publisher", record.publisher), ("institution", record.institution),
                        ("links", links), ("citation_counts", counts),
                        ("summary", record.summary)):
        if value:
            fields[name] = value
    return Paper(fields, record.abstract)


def merged(kept: Paper, incoming: Paper) -> Paper:
    """`kept` with what `incoming` adds: its values where `kept` has none, its links and
    citations that `kept` lacks. What a person wrote is never replaced."""
    fields = {key: value for key, value in kept.fields.items()}
    for key, value in incoming.fields.items():
        if key == "links" and isinstance(fields.get("links"), dict):
            fields["links"] = {**value, **fields["links"]}
        elif key == "cites" and isinstance(fields.get("cites"), list):
            cited = {str(entry.get("paper")) for entry in fields["cites"]
                     if isinstance(entry, dict)}
            fields["cites"] = [*fields["cites"],
                               *(entry for entry in value if entry["paper"] not in cited)]
        elif not fields.get(key):
            fields[key] = value
    return Paper(fields, kept.abstract or incoming.abstract)


ORDER = PAPER_KEYS
# Numbers and booleans: written as they were.
RAW = ("novelty", "draft", "refs", "count", "influential")
DATES = ("date", "added")
DATE = re.compile(r"^\d{4}(?:-\d{2}){0,2}\Z")


def paper_text(paper: Paper) -> str:
    lines = ["---"]
    keys = [key for key in ORDER if key in paper.fields]
    keys += [key for key in paper.fields if key not in ORDER]  # kept, for check to report
    for key in keys:
        lines += field_lines(key, paper.fields[key], "")
    lines.append("---")
    body = paper.abstract.strip("\n")
    return "\n".join(lines) + "\n" + (body + "\n" if body else "")


def field_lines(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, dict):
        lines = [f"{indent}{key}:"]
        for name, item in value.items():
            lines += field_lines(name, item, indent + "  ")
        return lines
    if isinstance(value, list):
        if not value:
            return [f"{indent}{key}: []"]
        lines = [f"{indent}{key}:"]
        for item in value:
            if isinstance(item, dict):
                entry = [line for name, part in item.items()
                         for line in field_lines(name, part, indent + "    ")]
                lines.append(indent + "  - " + entry[0].lstrip())
                lines += entry[1:]
            else:
                lines.append(f"{indent}  - {yaml_scalar(str(item))}")
        return lines
    if value is None:
        return [f"{indent}{key}:"]  # as it was written: nothing
    text = str(value)
    plain_text = (key in RAW and text) or (key in DATES and DATE.match(text))
    return [f"{indent}{key}: {text if plain_text else yaml_scalar(text)}"]


def write_text(path: Path, text: str) -> None:
    """Written beside and renamed over: an interrupted import leaves no half file."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=".",
                                     suffix=".md.tmp", delete=False, newline="") as temporary:
        temporary.write(text)
    os.replace(temporary.name, path)


# -- citations added to a file as it is ------------------------------------------------------


def with_citations(text: str, front_matter: Document, entries: list[dict[str, Any]]) -> str:
    """The paper file `text` with `entries` appended to its `cites`, every other line as it
    was (comments, order, quoting): a block list gets block entries indented as its own, a
    flow list (`cites: []`) flow ones, and a file without `cites` the key at the end of its
    front matter."""
    lines = text.split("\n")
    root = front_matter.root
    cites = next((value for key, value in root.value
                  if isinstance(key, yaml.ScalarNode) and key.value == "cites"), None) \
        if isinstance(root, yaml.MappingNode) else None

    def index(mark: yaml.Mark) -> int:  # the mark's line, as an index into `lines`
        return int(mark.line) + front_matter.first_line - 1

    block = field_lines("cites", entries, "")[1:]  # "  - paper: x", "    role: method"
    if isinstance(cites, yaml.SequenceNode) and cites.value and not cites.flow_style:
        indent = " " * int(cites.start_mark.column)
        end = cites.value[-1].end_mark
        last = index(end) - (1 if end.column == 0 else 0)
        while last > index(cites.start_mark) and (
                not lines[last].strip() or lines[last].lstrip().startswith("#")):
            last -= 1
        lines[last + 1:last + 1] = [indent + line[2:] for line in block]
    elif isinstance(cites, yaml.SequenceNode):  # [] or [{paper: a}]
        row, column = index(cites.end_mark), int(cites.end_mark.column) - 1  # at its ']'
        added = ", ".join(flow(entry) for entry in entries)
        separator = ", " if cites.value else ""
        lines[row] = lines[row][:column] + separator + added + lines[row][column:]
    elif cites is not None and is_null(cites):  # `cites:` with nothing after it
        lines[index(cites.start_mark) + 1:index(cites.start_mark) + 1] = block
    else:  # no cites yet: before the closing '---'
        closing = next((number for number in range(1, len(lines))
                        if lines[number].rstrip() in ("---", "...")), len(lines))
        lines[closing:closing] = ["cites:", *block]
    return "\n".join(lines)


def flow(value: Any) -> str:
    """`value` in YAML's flow style, as `{paper: x, role: method}`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {flow(item) if key not in RAW else item}"
                               for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    return yaml_scalar(str(value))
