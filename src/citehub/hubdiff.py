"""`citehub diff BASE HEAD`: what a change does to a hub, at the level its users think in.

Papers added, removed and edited (which fields); citations added, removed and reclassified;
hubs whose citing count, shares or kind change; problems the change brings. Both sides are
read the way `check` reads a hub (so a broken file is a problem in the report, never a
traceback), and compared as models, not as text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from citehub.aggregate import Hub, SiteAggregates, aggregate
from citehub.build import BuildOptions, load_corpus
from citehub.config import HubConfig
from citehub.diagnostics import Diagnostic, Diagnostics, printable
from citehub.hubfiles import (
    HubLayout,
    Revision,
    RevisionError,
    export_revision,
    input_files,
    read_regular,
)
from citehub.model import Citation, Corpus, Paper
from citehub.views import percent

# The fields of a paper, as a reader names them, and how each is compared.
PAPER_FIELDS = ("title", "authors", "date", "categories", "venue", "links", "verdict",
                "novelty", "summary", "draft", "abstract")


@dataclass(frozen=True)
class Side:
    """One hub as `check` reads it: its corpus, aggregates and problems (paths relative to
    the hub, so that the same problem on both sides is the same), and its theme files."""

    corpus: Corpus
    site: SiteAggregates
    problems: frozenset[tuple[str, str, str]]  # (severity, path, message)
    theme: dict[str, str]  # templates/ and static/ files → git object id

    @classmethod
    def read(cls, hub_dir: Path, revision: Revision | None = None) -> Side:
        """The hub in `hub_dir`; `revision`: what exporting it from git left out and the
        object ids of its files, when it came from there."""
        diagnostics = Diagnostics()
        corpus = load_corpus(hub_dir, diagnostics, BuildOptions(cache=False))
        problems = {(item.severity, _relative(item, hub_dir), item.text)
                    for item in diagnostics}
        if revision is not None:
            problems |= {("error", path, why) for path, why in revision.left_out}
            theme = {path: blob for path, blob in revision.blobs.items()
                     if path.split("/")[0] in THEME_FOLDERS}
        else:
            layout = HubLayout(hub_dir)
            theme = {layout.relative(path): _blob_id(read_regular(path))
                     for folder in (layout.templates, layout.static)
                     for path in input_files(folder)}
        return cls(corpus, aggregate(corpus), frozenset(problems), theme)


THEME_FOLDERS = ("templates", "static")


def _blob_id(data: bytes) -> str:
    """What git names a file with these bytes, so that a folder compares with a revision."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def read_side(value: str, hub_dir: Path, scratch: Path) -> Side:
    """BASE or HEAD: a git revision of the hub in `hub_dir` (exported below `scratch`), or
    else a hub folder. A revision comes first: in a pull request's checkout, a committed
    folder named `HEAD` or after the base commit must not stand in for either."""
    if not value:
        raise RevisionError("an empty name is neither a revision nor a folder")
    try:
        scratch.mkdir()
        return Side.read(scratch, export_revision(hub_dir, value, scratch))
    except RevisionError as error:
        if Path(value).is_dir():
            return Side.read(Path(value))
        raise RevisionError(f"{value} is neither a git revision of {hub_dir} nor a hub "
                            f"folder: {error}") from None


def _relative(item: Diagnostic, hub_dir: Path) -> str:
    path = Path(os.path.normpath(Path.cwd() / item.path))
    try:
        return path.relative_to(os.path.normpath(hub_dir.absolute())).as_posix()
    except ValueError:
        return item.path


@dataclass(frozen=True)
class Edited:
    paper: Paper
    fields: tuple[str, ...]


@dataclass(frozen=True)
class CitationChange:
    """One citation as BASE and HEAD have it."""

    before: Citation
    after: Citation


@dataclass(frozen=True)
class HubChange:
    paper: Paper
    changes: tuple[str, ...]  # "citing papers 5 → 6", "kind Canonical reference → Contested"


@dataclass
class HubDiff:
    """What changed from BASE to HEAD."""

    added: list[Paper] = field(default_factory=list)
    removed: list[Paper] = field(default_factory=list)
    unreadable: list[Paper] = field(default_factory=list)  # its file is there, with errors
    edited: list[Edited] = field(default_factory=list)
    cited: list[Citation] = field(default_factory=list)  # citations added
    uncited: list[Citation] = field(default_factory=list)  # citations removed
    reclassified: list[CitationChange] = field(default_factory=list)
    recontexted: list[CitationChange] = field(default_factory=list)  # refs or contexts changed
    hubs: list[HubChange] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)  # hub.yaml keys whose value changed
    theme: list[str] = field(default_factory=list)  # "templates/paper.html (changed)"
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # new in HEAD
    fixed: int = 0  # problems of BASE that HEAD no longer has

    @property
    def empty(self) -> bool:
        return not any(getattr(self, item.name) for item in dataclasses.fields(self))


def compare(base: Side, head: Side) -> HubDiff:
    diff = HubDiff()
    before, after = base.corpus.papers, head.corpus.papers
    diff.added = [after[paper_id] for paper_id in sorted(after.keys() - before.keys())]
    gone = sorted(before.keys() - after.keys())
    diff.removed = [before[paper_id] for paper_id in gone
                    if paper_id not in head.corpus.known_ids]
    diff.unreadable = [before[paper_id] for paper_id in gone
                       if paper_id in head.corpus.known_ids]
    for paper_id in sorted(before.keys() & after.keys()):
        old, new = before[paper_id], after[paper_id]
        fields = tuple(name for name in PAPER_FIELDS if getattr(old, name) != getattr(new, name))
        if fields:
            diff.edited.append(Edited(new, fields))
    old_citations, new_citations = _citations(base.corpus), _citations(head.corpus)
    diff.cited = [new_citations[key] for key in sorted(new_citations.keys() - old_citations.keys())]
    diff.uncited = [old_citations[key]
                    for key in sorted(old_citations.keys() - new_citations.keys())]
    for key in sorted(old_citations.keys() & new_citations.keys()):
        old_citation, new_citation = old_citations[key], new_citations[key]
        if (old_citation.role, old_citation.polarity) != (new_citation.role,
                                                          new_citation.polarity):
            diff.reclassified.append(CitationChange(old_citation, new_citation))
        elif (old_citation.refs, old_citation.contexts) != (new_citation.refs,
                                                            new_citation.contexts):
            diff.recontexted.append(CitationChange(old_citation, new_citation))
    for paper_id in sorted(base.site.hubs.keys() & head.site.hubs.keys()):
        changes = tuple(_hub_changes(base.site.hubs[paper_id], head.site.hubs[paper_id]))
        if changes:
            diff.hubs.append(HubChange(head.site.hubs[paper_id].paper, changes))
    diff.settings = [item.name for item in dataclasses.fields(HubConfig)
                     if getattr(base.corpus.config, item.name) !=
                     getattr(head.corpus.config, item.name)]
    for path in sorted(base.theme.keys() | head.theme.keys()):
        if path not in head.theme:
            diff.theme.append(f"{path} (removed)")
        elif path not in base.theme:
            diff.theme.append(f"{path} (added)")
        elif base.theme[path] != head.theme[path]:
            diff.theme.append(f"{path} (changed)")
    diff.problems = sorted(head.problems - base.problems)
    diff.fixed = len(base.problems - head.problems)
    return diff


def _citations(corpus: Corpus) -> dict[tuple[str, str], Citation]:
    return {(citation.citing_id, citation.cited_id): citation
            for paper in corpus.papers.values() for citation in paper.cites}


def _hub_changes(old: Hub, new: Hub) -> Iterator[str]:
    if old.citing_count != new.citing_count:
        yield f"citing papers {old.citing_count} → {new.citing_count}"
    old_kind = old.kind.label if old.kind else "no kind"
    new_kind = new.kind.label if new.kind else "no kind"
    if old_kind != new_kind:
        yield f"{old_kind} → {new_kind}"
    for axis, old_counts, new_counts in (("role", old.roles, new.roles),
                                         ("polarity", old.polarities, new.polarities)):
        for term in sorted(old_counts.keys() | new_counts.keys()):
            old_share = percent(old.share(old_counts.get(term, 0)))
            new_share = percent(new.share(new_counts.get(term, 0)))
            if old_share != new_share:
                yield f"{axis} {term} {old_share}% → {new_share}%"


# -- as text ---------------------------------------------------------------------------------

def _plain(text: object) -> str:
    return printable(str(text))


def _markdown(text: object) -> str:
    """Content in a job summary, as a code span: shown as written, never as a link (GitHub
    links bare URLs and e-mail addresses whatever is escaped), an image, HTML or math."""
    shown = printable(str(text))
    fence = "`" * (max((len(run) for run in re.findall("`+", shown)), default=0) + 1)
    return f"{fence} {shown} {fence}"


def _paper(paper: Paper) -> str:
    return f"{paper.id} “{paper.title}”"


def _term(citation: Citation) -> str:
    return f"{citation.role or 'no role'}, {citation.polarity or 'no polarity'}"


def report(diff: HubDiff, *, markdown: bool = False) -> str:
    """The diff as a terminal shows it, or as Markdown (a job summary)."""
    text = _markdown if markdown else _plain
    sections: list[tuple[str, list[str]]] = [
        ("Papers added", [text(_paper(paper)) for paper in diff.added]),
        ("Papers removed", [text(_paper(paper)) for paper in diff.removed]),
        ("Papers that no longer read (see the problems)",
         [text(_paper(paper)) for paper in diff.unreadable]),
        ("Papers edited", [text(f"{_paper(item.paper)}: {', '.join(item.fields)}")
                           for item in diff.edited]),
        ("Citations added", [text(f"{c.citing_id} → {c.cited_id} ({_term(c)})")
                             for c in diff.cited]),
        ("Citations removed", [text(f"{c.citing_id} → {c.cited_id} ({_term(c)})")
                               for c in diff.uncited]),
        ("Citations reclassified", [
            text(f"{item.after.citing_id} → {item.after.cited_id}: {_term(item.before)} → "
                 f"{_term(item.after)}") for item in diff.reclassified]),
        ("Citations whose refs or contexts change", [
            text(f"{item.after.citing_id} → {item.after.cited_id}") for item in diff.recontexted]),
        ("Hubs that change", [text(f"{_paper(item.paper)}: {'; '.join(item.changes)}")
                              for item in diff.hubs]),
        ("Settings changed (content/hub.yaml)", [text(name) for name in diff.settings]),
        ("Theme files changed (code: review them as code)",
         [text(line) for line in diff.theme]),
        ("New problems", [text(f"{path}: {severity}: {message}")
                          for severity, path, message in diff.problems]),
    ]
    shown = [(title, lines) for title, lines in sections if lines]
    lines: list[str] = []
    if markdown:
        lines.append("## What this change does to the hub")
    if diff.empty:
        lines.append("No change to papers, citations or hubs.")
    for title, items in shown:
        if markdown:
            lines += ["", f"### {title} ({len(items)})", ""]
            lines += [f"- {item}" for item in items]
        else:
            lines += ["", f"{title} ({len(items)}):"]
            lines += [f"  {item}" for item in items]
    if diff.fixed:
        lines += ["", f"{diff.fixed} problem{'s' * (diff.fixed != 1)} of the base fixed."]
    return "\n".join(lines).lstrip("\n") + "\n"
