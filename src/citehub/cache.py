"""What is reused between builds: a build whose inputs have not changed is not redone.

The inputs of a build are the hub's content, its templates and static files, the default
theme, citehub's own code and the build options. Their digest is written into the output
folder's marker; when the next build finds the same digest there, the site on disk is
already exactly what it would write, and the warnings of that build are replayed from
`.citehub-cache/` in the hub folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from citehub.diagnostics import Diagnostic, Diagnostics

CACHE_FOLDER = ".citehub-cache"
PACKAGE = Path(__file__).parent


def input_files(hub_dir: Path) -> list[Path]:
    """Every file a build reads, in a stable order."""
    roots = [hub_dir / "content", hub_dir / "templates", hub_dir / "static", PACKAGE]
    found: list[Path] = []
    for root in roots:
        if not root.exists():
            continue
        for directory, folders, files in os.walk(root, followlinks=True):
            folders[:] = sorted(name for name in folders
                                if not name.startswith(".") and name != "__pycache__")
            found.extend(Path(directory) / name for name in sorted(files)
                         if not name.startswith("."))
    return found


def input_digest(hub_dir: Path, options: dict[str, object]) -> str:
    """A digest of every input of a build: same digest, same site."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(json.dumps(options, sort_keys=True).encode())
    for path in input_files(hub_dir):
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0unreadable"
        name = path.relative_to(PACKAGE if path.is_relative_to(PACKAGE) else hub_dir)
        digest.update(f"\0{name.as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _record(hub_dir: Path, out_dir: Path) -> Path:
    key = hashlib.blake2b(str(out_dir.absolute()).encode(), digest_size=8).hexdigest()
    return hub_dir / CACHE_FOLDER / f"build-{key}.json"


def remember(hub_dir: Path, out_dir: Path, digest: str, summary: dict[str, object],
             diagnostics: Diagnostics) -> None:
    """Keep what the next build needs to skip itself; a failure here only costs that skip."""
    record = _record(hub_dir, out_dir)
    try:
        record.parent.mkdir(exist_ok=True)
        (record.parent / ".gitignore").write_text("*\n")
        record.write_text(json.dumps({
            "digest": digest,
            "summary": summary,
            "diagnostics": [
                [item.path, item.line, item.col, item.severity, item.message, item.code]
                for item in diagnostics.items
            ],
        }))
    except OSError:
        pass


def recall(hub_dir: Path, out_dir: Path, digest: str,
           marker: str) -> tuple[dict[str, object], Diagnostics] | None:
    """The summary and warnings of the last build, if it had exactly these inputs and its
    site is still in place (its marker names the same digest)."""
    if digest not in marker:
        return None
    try:
        data = json.loads(_record(hub_dir, out_dir).read_text())
    except (OSError, ValueError):
        return None
    if data.get("digest") != digest:
        return None
    diagnostics = Diagnostics([Diagnostic(*item) for item in data["diagnostics"]])
    return data["summary"], diagnostics
