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
)
from citehub.load import PAPER_ID, Document, paper_document, text_digest
from citehub.scaffold import yaml_scalar

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
    papers_dir.mkdir(parents=True, exist_ok=True)
    for paper_id in sorted(planned):
        paper = planned[paper_id]
        found = existing.get(paper_id.casefold())
        if len(paper_text(paper).encode()) > MAX_FILE_BYTES:
            # What `check` would refuse is not written in the first place.
            outcome.skipped.append(f"{paper_id}: the paper file would be over "
                                   f"{MAX_FILE_BYTES // 2**20} MiB (its abstract is too long)")
            continue
        if found is None:
            write_paper(papers_dir / f"{paper_id}.md", paper)
            outcome.created.append(papers_dir / f"{paper_id}.md")
            continue
        combined = merged(found.paper, paper)
        if combined == found.paper:
            outcome.skipped.append(f"{found.path}: already has everything imported")
        elif not force:
            outcome.skipped.append(f"{found.path}: exists (--force merges the import into it)")
        else:
            write_paper(found.path, combined)
            outcome.updated.append(found.path)
    return outcome


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
            (doi(links.get("doi")) or "").lower() or None)
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
        return "" if node.tag.endswith(":null") else str(node.value)

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
    fields: dict[str, Any] = {"title": record.title}
    for name, value in (("authors", record.authors), ("date", record.date),
                        ("categories", record.categories), ("venue", record.venue),
                        ("links", links), ("summary", record.summary)):
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


ORDER = ("title", "authors", "date", "categories", "venue", "links", "verdict", "novelty",
         "summary", "draft", "cites")
RAW = ("novelty", "draft", "refs")  # numbers and booleans: written as they were
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
    text = str(value)
    plain_text = (key in RAW and text) or (key == "date" and DATE.match(text))
    return [f"{indent}{key}: {text if plain_text else yaml_scalar(text)}"]


def write_paper(path: Path, paper: Paper) -> None:
    """Written beside and renamed over: an interrupted import leaves no half file."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=".",
                                     suffix=".md.tmp", delete=False) as temporary:
        temporary.write(paper_text(paper))
    os.replace(temporary.name, path)
