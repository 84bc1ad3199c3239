"""What is reused between builds: a build whose inputs have not changed is not redone, and a
paper file whose text has not changed is not parsed again.

The inputs of a build are the hub's content, its templates and static files, the default
theme, citehub's own code and the build options. Their digest is written into the output
folder's marker; when the next build finds the same digest there, the site on disk is
already exactly what it would write, and the warnings of that build are replayed from
`.citehub-cache/` in the hub folder.

The content cache keeps each paper as validation made it, keyed by its file's path and the
digest of its text. It is a pickle, and unpickling runs code: a pull request could commit a
crafted `.citehub-cache/`. So the file is signed with a key that lives outside the hub (in
the user's cache folder, made on first use) and is read only when the signature holds.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import pickle
import secrets
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from citehub.diagnostics import Diagnostic, Diagnostics
from citehub.load import RACY_NANOSECONDS, PaperDocument, escapes
from citehub.model import Paper

CACHE_FOLDER = ".citehub-cache"
PACKAGE = Path(__file__).parent


def input_files(root: Path) -> list[Path]:
    """Every file below `root` a build may read, in a stable order."""
    found: list[Path] = []
    if not root.exists():
        return found
    for directory, folders, files in os.walk(root, followlinks=True):
        folders[:] = sorted(name for name in folders
                            if not name.startswith(".") and name != "__pycache__")
        found.extend(Path(directory) / name for name in sorted(files)
                     if not name.startswith("."))
    return found


def layout_digest(hub_dir: Path, options: dict[str, object]) -> str:
    """A digest of what every page depends on: the build options, citehub, the hub's
    templates and static files, and hub.yaml."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(json.dumps(options, sort_keys=True).encode())
    digest.update(code_digest().encode())
    for root in ("templates", "static"):
        _digest_files(digest, input_files(hub_dir / root), hub_dir)
    _digest_files(digest, [hub_dir / "content" / "hub.yaml"], hub_dir)
    return digest.hexdigest()


@dataclass(frozen=True)
class Inputs:
    """What a build read, in short: same inputs, same site."""

    digest: str
    # Content files modified in the seconds before the build, by the digest of their text.
    racy: dict[str, str]
    files: frozenset[str]  # every content file, relative to the hub


def input_digest(hub_dir: Path, layout: str) -> Inputs:
    """A digest of every input of a build.

    Content files count by their size, modification time and inode rather than their text,
    so that deciding that nothing changed costs no read of ten thousand files. A file
    modified in the seconds before the build could be saved again within the file system's
    clock tick at the same size, unseen by its stat: its text is digested too, and `recall`
    compares it again (git's "racy clean" problem, solved the same way).
    """
    digest = hashlib.blake2b(layout.encode(), digest_size=20)
    recent = time.time_ns() - RACY_NANOSECONDS
    racy: dict[str, str] = {}
    files: set[str] = set()
    for path in input_files(hub_dir / "content"):
        name = path.relative_to(hub_dir).as_posix()
        files.add(name)
        try:
            info = path.lstat()  # a file replaced by a link to it is a change
        except OSError:
            digest.update(f"\0{name}\0unreadable".encode())
            continue
        digest.update(f"\0{name}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ino}".encode())
        if info.st_mtime_ns >= recent:
            racy[name] = _text_digest(path)
    return Inputs(digest.hexdigest(), racy, frozenset(files))


def _text_digest(path: Path) -> str:
    return hashlib.blake2b(_read_regular(path), digest_size=20).hexdigest()



@functools.cache
def code_digest() -> str:
    """citehub's own code and default theme: a new version may build a different site."""
    digest = hashlib.blake2b(digest_size=20)
    _digest_files(digest, input_files(PACKAGE), PACKAGE)
    return digest.hexdigest()


def _digest_files(digest: hashlib.blake2b, paths: list[Path], root: Path) -> None:
    for path in paths:
        data = _read_regular(path)
        digest.update(f"\0{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)


def _read_regular(path: Path) -> bytes:
    """A file's bytes; never blocks on a FIFO or reads a device endlessly (a pull request
    can add `content/papers/x.md -> /dev/zero`: the build refuses it, the digest must not
    hang on it first)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return b"\0not a regular file"
        return path.read_bytes()
    except OSError:
        return b"\0unreadable"


def content_salt(hub_dir: Path) -> str:
    """What a paper depends on besides its own file: hub.yaml (vocabulary, warning levels)
    and citehub itself."""
    hub_yaml = _read_regular(hub_dir / "content" / "hub.yaml")
    return f"{code_digest()}:{hashlib.blake2b(hub_yaml, digest_size=16).hexdigest()}"


def cache_folder(hub_dir: Path, *, make: bool = True) -> Path | None:
    """The hub's cache folder (made if need be and `make`); None when it may not or cannot
    be used (a link out of the hub would have the build write wherever a pull request
    points it)."""
    folder = hub_dir / CACHE_FOLDER
    try:
        if folder.is_symlink() or (folder.exists() and escapes(folder, hub_dir)):
            return None
        if not make:
            return folder
        folder.mkdir(exist_ok=True)
    except OSError:
        return None
    _write_private(folder / ".gitignore", b"*\n")
    return folder


def _write_private(path: Path, data: bytes) -> None:
    """Write a file of the cache folder without following a link a pull request may have
    committed in its place (`build-….json -> ~/.bashrc`): a new file is made beside it and
    renamed over it, and a rename replaces a link rather than writing through it. A failure
    only costs what the file would have saved."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.unlink(missing_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                             0o644)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _record(hub_dir: Path, out_dir: Path) -> Path:
    key = hashlib.blake2b(str(out_dir.absolute()).encode(), digest_size=8).hexdigest()
    return hub_dir / CACHE_FOLDER / f"build-{key}.json"


def remember(hub_dir: Path, out_dir: Path, inputs: Inputs, summary: dict[str, object],
             diagnostics: Diagnostics) -> None:
    """Keep what the next build needs to skip itself; a failure here only costs that skip."""
    if cache_folder(hub_dir) is None:
        return
    _write_private(_record(hub_dir, out_dir), json.dumps({
        "digest": inputs.digest,
        "racy": inputs.racy,
        "summary": summary,
        "diagnostics": [
            [item.path, item.line, item.col, item.severity, item.message, item.code]
            for item in diagnostics.items
        ],
    }).encode())


def recall(hub_dir: Path, out_dir: Path, inputs: Inputs,
           marker: str) -> tuple[dict[str, object], Diagnostics] | None:
    """The summary and warnings of the last build, if it had exactly these inputs and its
    site is still in place (its marker names the same digest)."""
    if f"inputs: {inputs.digest}\n" not in marker:
        return None
    try:
        data = json.loads(_read_regular(_record(hub_dir, out_dir)))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("digest") != inputs.digest:
        return None
    # Same stat for every file; those that were fresh then must also have the same text.
    racy = data.get("racy", {})
    if not isinstance(racy, dict) or any(
            name not in inputs.files or _text_digest(hub_dir / name) != text
            for name, text in racy.items()):
        return None
    diagnostics = Diagnostics([Diagnostic(*item) for item in data["diagnostics"]])
    return data["summary"], diagnostics


# -- the content cache -----------------------------------------------------------------------

CONTENT_CACHE = "content.pickle"
REWRITE_MIN_FRESH = 20


Entry = tuple[str, tuple[int, int, int] | None, Paper]  # text digest, stat key, paper


class ContentCache:
    """Papers as validation made them from a file's text, for the next build to reuse.

    A file counts as unchanged when its size, time and inode are those recorded when it was
    read (files read just after a change record none: see load.Earlier), or else when its
    text has the recorded digest. Only papers read without any message are kept, so reusing
    one can never hide a warning; a kept paper whose citations name a paper that no longer
    exists is read again, so that the error comes out. `salt` covers what else a paper
    depends on (hub.yaml, citehub). Within one process (a preview rebuilding after every
    save) the cache stays in memory between builds.
    """

    def __init__(self, hub_dir: Path, salt: str) -> None:
        self.hub_dir = hub_dir
        self.salt = salt
        self.entries: dict[str, Entry] = {}  # path → entry, as the build started
        self.kept: dict[str, Entry] = {}  # what this build read or reused

    @classmethod
    def open(cls, hub_dir: Path, salt: str) -> ContentCache:
        key = (str(hub_dir.absolute()), salt)
        cache = _OPEN.get(key)
        if cache is not None:
            cache.entries, cache.kept = {**cache.entries, **cache.kept}, {}
            return cache
        cache = _OPEN[key] = cls(hub_dir, salt)
        folder = cache_folder(hub_dir, make=False)
        data = _read_signed(folder / CONTENT_CACHE, salt) if folder else None
        if data is not None:
            entries = pickle.loads(data)  # signed by us: see the module's docstring
            cache.entries = entries if isinstance(entries, dict) else {}
        return cache

    def by_stat(self, path: Path, stat_key: tuple[int, int, int],
                known_ids: frozenset[str]) -> Paper | None:
        entry = self.entries.get(str(path))
        return self._use(path, entry) if entry and entry[1] == stat_key and self._citable(
            entry[2], known_ids) else None

    def by_text(self, path: Path, digest: str, known_ids: frozenset[str]) -> Paper | None:
        entry = self.entries.get(str(path))
        return self._use(path, entry) if entry and entry[0] == digest and self._citable(
            entry[2], known_ids) else None

    @staticmethod
    def _citable(paper: Paper, known_ids: frozenset[str]) -> bool:
        return all(citation.cited_id in known_ids for citation in paper.cites)

    def _use(self, path: Path, entry: Entry) -> Paper:
        self.kept[str(path)] = entry
        return entry[2]

    def keep(self, document: PaperDocument, paper: Paper) -> None:
        self.kept[str(paper.source)] = (document.digest, document.stat_key, paper)

    def save(self) -> None:
        """Write what this build read, when enough of it is new: rewriting ten thousand
        papers after one edit would cost more than reading that one file again next time.
        (Entries of deleted files drop out with the next write.)"""
        fresh = sum(1 for path, entry in self.kept.items() if self.entries.get(path) is not entry)
        if fresh <= max(REWRITE_MIN_FRESH, len(self.kept) // 50) and self.entries:
            return
        folder = cache_folder(self.hub_dir)
        if folder is not None:
            _write_signed(folder / CONTENT_CACHE, self.salt,
                          pickle.dumps(self.kept, protocol=pickle.HIGHEST_PROTOCOL))


_OPEN: dict[tuple[str, str], ContentCache] = {}


def _key() -> bytes | None:
    """This user's signing key, outside any hub (so no pull request can know it)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "citehub"
    path = base / "signing-key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_bytes(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(key)
        return key
    except FileExistsError:  # another build made it just now
        return path.read_bytes()
    except OSError:
        return None


def _signature(key: bytes, salt: str, data: bytes) -> bytes:
    return hmac.new(key, salt.encode() + b"\0" + data, hashlib.sha256).digest()


def _read_signed(path: Path, salt: str) -> bytes | None:
    """The data of a file `_write_signed` wrote with this salt; None for anything else (not
    ours, another salt, damaged, missing): the caller then does the work again."""
    key = _key()
    blob = _read_regular(path)
    if key is None or not hmac.compare_digest(blob[:32], _signature(key, salt, blob[32:])):
        return None
    return blob[32:]


def _write_signed(path: Path, salt: str, data: bytes) -> None:
    key = _key()
    if key is not None:
        _write_private(path, _signature(key, salt, data) + data)


# -- the pages of the site in place ----------------------------------------------------------

# path → (fingerprint, size) of every file of a site
Manifest = dict[str, tuple[str, int]]


def _manifest_file(hub_dir: Path, out_dir: Path) -> Path:
    return _record(hub_dir, out_dir).with_suffix(".pages")


def remember_pages(hub_dir: Path, out_dir: Path, inputs: str, manifest: Manifest) -> None:
    """The fingerprint and size of every file of the site just written into `out_dir`."""
    if cache_folder(hub_dir) is None:
        return
    data = json.dumps({"inputs": inputs, "pages": manifest}, separators=(",", ":"))
    _write_signed(_manifest_file(hub_dir, out_dir), "pages", data.encode())


def recall_pages(hub_dir: Path, out_dir: Path, marker: str) -> Manifest | None:
    """What `remember_pages` kept for the site in `out_dir`, if that site is still the one
    it describes (its marker names the same inputs)."""
    data = _read_signed(_manifest_file(hub_dir, out_dir), "pages")
    if data is None:
        return None
    try:
        record = json.loads(data)
        if f"inputs: {record['inputs']}\n" not in marker:
            return None
        return {path: (str(fingerprint), int(size))
                for path, (fingerprint, size) in record["pages"].items()}
    except (ValueError, KeyError, TypeError):
        return None
