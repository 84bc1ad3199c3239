"""The inputs of a build, in one digest, and the whole-build skip.

The inputs of a build are the hub's content, its templates and static files, the default
theme, citehub's own code and the build options. Their digest is kept in the record of the
build, in the cache folder, beside the digest of the site it wrote; the output folder's
marker names that site digest (a function of the content alone: the marker is published).
When the next build has the same inputs and finds the recorded site in place, that site is
already exactly what it would write, and the warnings of the build are replayed.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from citehub.diagnostics import Diagnostic, Diagnostics
from citehub.hubfiles import (
    PACKAGE_DIR,
    HubLayout,
    cache_folder,
    input_files,
    is_racy,
    lstat_key,
    read_regular,
    write_private,
)
from citehub.write import site_line


@functools.cache
def code_digest() -> str:
    """citehub's own code and default theme: a new version may build a different site."""
    digest = hashlib.blake2b(digest_size=20)
    digest_files(digest, input_files(PACKAGE_DIR), PACKAGE_DIR)
    return digest.hexdigest()


def digest_files(digest: hashlib.blake2b, paths: list[Path], root: Path) -> None:
    for path in paths:
        data = read_regular(path)
        digest.update(f"\0{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)


def layout_digest(hub: HubLayout, options: dict[str, object]) -> str:
    """A digest of what every page depends on: the build options that change output,
    citehub, the hub's templates and static files, and hub.yaml."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(json.dumps(options, sort_keys=True).encode())
    digest.update(code_digest().encode())
    for folder in (hub.templates, hub.static):
        digest_files(digest, input_files(folder), hub.root)
    digest_files(digest, [hub.hub_yaml], hub.root)
    return digest.hexdigest()


@dataclass(frozen=True)
class Inputs:
    """What a build read, in short: same inputs, same site."""

    layout: str  # the layout digest: what every page depends on
    digest: str  # of everything: the layout and every content file
    # Content files modified in the seconds before the build, by the digest of their text.
    racy: dict[str, str]
    files: frozenset[str]  # every content file, relative to the hub


def input_digest(hub: HubLayout, layout: str) -> Inputs:
    """A digest of every input of a build.

    Content files count by their stat key (size, modification time, inode) rather than their
    text, so that deciding that nothing changed costs no read of ten thousand files. A file
    modified in the seconds before the build could be saved again within the file system's
    clock tick at the same size, unseen by its stat: its text is digested too, and `recall`
    compares it again (git's "racy clean" problem, solved the same way).
    """
    digest = hashlib.blake2b(layout.encode(), digest_size=20)
    racy: dict[str, str] = {}
    files: set[str] = set()
    for path in input_files(hub.content):
        name = hub.relative(path)
        files.add(name)
        found = lstat_key(path)  # a file replaced by a link to it is a change
        if found is None:
            digest.update(f"\0{name}\0unreadable".encode())
            continue
        key = found[0]
        digest.update(f"\0{name}\0{key.size}\0{key.mtime_ns}\0{key.inode}".encode())
        if is_racy(key.mtime_ns):
            racy[name] = text_digest(path)
    return Inputs(layout, digest.hexdigest(), racy, frozenset(files))


def text_digest(path: Path) -> str:
    return hashlib.blake2b(read_regular(path), digest_size=20).hexdigest()


def record_path(hub: HubLayout, out_dir: Path) -> Path:
    """Where what the build into `out_dir` left for the next one is kept (one per output)."""
    key = hashlib.blake2b(str(out_dir.absolute()).encode(), digest_size=8).hexdigest()
    return hub.cache / f"build-{key}.json"


@dataclass(frozen=True)
class Summary:
    """What the last build's one line said, for a build that finds nothing to do."""

    site: str  # the digest the marker of its site names
    papers: int
    pages: int
    files: int
    bytes: int
    base_path: str
    origin: str = ""  # scheme://host of base_url: "" when it is a path (no feeds, no sitemap)


def remember(hub: HubLayout, out_dir: Path, inputs: Inputs, summary: Summary,
             diagnostics: Diagnostics) -> None:
    """Keep what the next build needs to skip itself; a failure here only costs that skip."""
    if cache_folder(hub) is None:
        return
    write_private(record_path(hub, out_dir), json.dumps({
        "digest": inputs.digest,
        "racy": inputs.racy,
        "summary": dataclasses.asdict(summary),
        "diagnostics": [
            [item.path, item.line, item.col, item.severity, item.message, item.code]
            for item in diagnostics.items
        ],
    }).encode())


def recall(hub: HubLayout, out_dir: Path, inputs: Inputs,
           marker: str) -> tuple[Summary, Diagnostics] | None:
    """The summary and warnings of the last build, if it had exactly these inputs and its
    site is still in place (the marker names the site it recorded)."""
    try:
        data = json.loads(read_regular(record_path(hub, out_dir)))
        if not isinstance(data, dict) or data.get("digest") != inputs.digest:
            return None
        if site_line(str(data["summary"]["site"])) not in marker:
            return None
        # Same stat for every file; those that were fresh then must also have the same text.
        racy = data.get("racy", {})
        if not isinstance(racy, dict) or any(
                name not in inputs.files or text_digest(hub.root / name) != text
                for name, text in racy.items()):
            return None
        summary = Summary(**data["summary"])
        if not all(isinstance(getattr(summary, name.name), str if name.type == "str" else int)
                   for name in dataclasses.fields(Summary)):
            return None
        diagnostics = Diagnostics([Diagnostic(*item) for item in data["diagnostics"]])
    except (ValueError, KeyError, TypeError):
        return None
    return summary, diagnostics
