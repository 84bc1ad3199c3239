"""The hub's folders, and every read and write of a file that a pull request could plant.

Content, templates and static files come from strangers: a paper file may be a link to
/etc/passwd, a FIFO that blocks forever, or gigabytes of text; a committed `.citehub-cache`
may be a link that would have the build write wherever it points. This module is where the
build touches such files, so that hostile file access is audited in one place:

- `HubLayout` knows the hub's folders (content/, content/papers/, hub.yaml, templates/,
  static/, the cache folder), so no other module spells them.
- Reading: `read_text` (size limit, UTF-8, no link out of the hub, no FIFO or device),
  `read_regular` (bytes for a digest, never blocking), `walk_files` (templates/ and
  static/, links out refused), `input_files` (what a build may read, for digests).
- Writing: `confined` (a path that cannot leave its root), `linked_folder` (a link on the
  way to it), `write_files` and `remove_empty_folders` (the output, below the staged or the
  in-place folder), `cache_folder` and
  `write_private` (the cache folder: never through a committed link).
- Serving: `inside` (what the preview may serve: nothing outside the site).
- Other revisions: `export_revision` (a git revision of the hub's content, read from git's
  object store into a folder of ours; nothing lands outside it, no link is made).

`write` decides where the output goes and when (the atomic swap); this module makes sure
no write lands anywhere else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from citehub.diagnostics import Diagnostics, printable

PACKAGE_DIR = Path(__file__).parent
THEME_DIR = PACKAGE_DIR / "theme"
CACHE_FOLDER = ".citehub-cache"
# The longest real abstract is a few kB; a larger file is a mistake or an attack.
MAX_FILE_BYTES = 1024 * 1024
# The longest file name most file systems take, in bytes.
NAME_MAX = 255
# A file modified this recently may be saved again within the file system's clock tick.
RACY_NANOSECONDS = 3_000_000_000


@dataclass(frozen=True)
class HubLayout:
    """Where a hub keeps what: the one place that names its folders."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def papers(self) -> Path:
        return self.content / "papers"

    @property
    def hub_yaml(self) -> Path:
        return self.content / "hub.yaml"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    @property
    def cache(self) -> Path:
        """What rebuilds reuse; kept out of git (the folder has a .gitignore of its own)."""
        return self.root / CACHE_FOLDER

    @property
    def site(self) -> Path:
        """Where `citehub build` writes unless told otherwise."""
        return self.root / "site"

    @property
    def preview(self) -> Path:
        """Where `citehub serve` builds unless told otherwise: never the site."""
        return self.cache / "preview"

    def watched(self) -> tuple[Path, ...]:
        """The folders whose files are inputs of a build, as a preview watches them."""
        return (self.content, self.templates, self.static)

    def template_folders(self) -> list[Path]:
        """The hub's own templates/ first, so it overrides the default theme file by file."""
        return [folder for folder, _ in reversed(self.template_sources())]

    def template_sources(self) -> list[tuple[Path, Path]]:
        """(folder, root it must stay inside) of the theme's templates, then the hub's."""
        return [(THEME_DIR / "templates", THEME_DIR), (self.templates, self.root)]

    def static_sources(self) -> list[tuple[Path, Path]]:
        """(folder, root it must stay inside) of the theme's static files, then the hub's,
        which override them file by file."""
        return [(THEME_DIR / "static", THEME_DIR), (self.static, self.root)]

    def relative(self, path: Path) -> str:
        """`path` as a name relative to the hub (for digests and messages)."""
        return path.relative_to(self.root).as_posix()


# -- reading ---------------------------------------------------------------------------------


def escapes(path: Path, root: Path) -> bool:
    """True when `path`, symbolic links followed, lies outside `root` (or leads nowhere: a
    loop of links is never inside)."""
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
        return True


def _hidden(path: Path, root: Path) -> bool:
    """True when `path`, links followed, is (or is inside) a hidden file or folder of `root`:
    `.env`, `.git`, `.citehub-cache` are never published, whatever links to them."""
    relative = path.resolve().relative_to(root.resolve())
    return any(part.startswith(".") for part in relative.parts)


def refuse_link(diagnostics: Diagnostics, path: Path, outside: str) -> None:
    """Report a link that leads out of the hub; the caller reads nothing from it."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError):
        diagnostics.error(path, 1, "is a loop of symbolic links; refusing to read it")
        return
    diagnostics.error(path, 1, f"is a symbolic link to {target}, outside {outside}; "
                               "refusing to read it")


class StatKey(NamedTuple):
    """What says, without reading it, that a file is as it was: git's index does the same."""

    size: int
    mtime_ns: int
    inode: int


def lstat_key(path: Path) -> tuple[StatKey, bool] | None:
    """The key of whatever is at `path` (a link itself, not where it leads) and whether it
    is a regular file; None when there is nothing to stat."""
    try:
        info = path.lstat()
    except OSError:
        return None
    return StatKey(info.st_size, info.st_mtime_ns, info.st_ino), stat.S_ISREG(info.st_mode)


def stat_key(path: Path) -> StatKey | None:
    """The file's key, or None when it cannot be trusted to say the file is unchanged: not
    a regular file (a link is read every time, so that where it leads is judged every time),
    unreadable, or modified in the last seconds (a save within the same clock tick would
    keep all three)."""
    found = lstat_key(path)
    if found is None or not found[1] or is_racy(found[0].mtime_ns):
        return None
    return found[0]


def is_racy(mtime_ns: int) -> bool:
    return mtime_ns >= time.time_ns() - RACY_NANOSECONDS


def read_text(path: Path, root: Path, diagnostics: Diagnostics) -> str | None:
    """The file's text, or None after reporting why it may not or cannot be read.

    None of a link out of `root`, a FIFO, a device, more than MAX_FILE_BYTES or text that
    is not UTF-8 is read.
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


def read_regular(path: Path) -> bytes:
    """A file's bytes for a digest; never blocks on a FIFO or reads a device endlessly (a
    pull request can add `content/papers/x.md -> /dev/zero`: the build refuses it, the
    digest must not hang on it first)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return b"\0not a regular file"
        return path.read_bytes()
    except OSError:
        return b"\0unreadable"


def input_files(root: Path) -> list[Path]:
    """Every visible file below `root` a build may read, in a stable order."""
    found: list[Path] = []
    if not root.exists():
        return found
    for directory, folders, files in os.walk(root, followlinks=True):
        folders[:] = sorted(name for name in folders
                            if not name.startswith(".") and name != "__pycache__")
        found.extend(Path(directory) / name for name in sorted(files)
                     if not name.startswith("."))
    return found


def walk_files(folder: Path, root: Path, diagnostics: Diagnostics) -> Iterator[Path]:
    """Every visible file below `folder`, refusing links that lead outside `root`.

    A pull request can add `static/passwd -> /etc/passwd`; followed blindly, the build would
    publish the CI machine's files. Links that stay inside the hub are fine (this repository's
    own templates/ is one).
    """
    if not folder.exists():
        return
    if escapes(folder, root):
        refuse_link(diagnostics, folder, "the hub folder")
        return
    visited: set[Path] = set()
    for directory, subfolders, files in os.walk(folder, followlinks=True):
        here = Path(directory)
        real = here.resolve()
        if real in visited:  # a link loop
            subfolders.clear()
            continue
        visited.add(real)
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in list(subfolders):
            if escapes(here / name, root):
                refuse_link(diagnostics, here / name, "the hub folder")
                subfolders.remove(name)
        for name in sorted(files):
            path = here / name
            if name.startswith("."):
                continue
            if escapes(path, root):
                refuse_link(diagnostics, path, "the hub folder")
                continue
            if _hidden(path, root):
                diagnostics.error(path, 1, f"is a symbolic link to {path.resolve()}, a hidden "
                                           "file of the hub; refusing to publish it")
                continue
            yield path


# -- writing ---------------------------------------------------------------------------------


class OutputError(Exception):
    """The output folder cannot be written as asked."""


@dataclass(frozen=True)
class WriteStats:
    files: int
    bytes: int


def confined(root: Path, path: str | PurePosixPath) -> Path:
    """`root/path`, refusing any path that could land outside `root`."""
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise OutputError(f"refusing to write {relative}: outside the output folder")
    return root.joinpath(*relative.parts)


def remove_empty_folders(root: Path, folder: Path) -> None:
    """`folder` and the folders above it, up to `root`, for as long as they are empty."""
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def linked_folder(root: Path, paths: Iterable[str | PurePosixPath]) -> Path | None:
    """The first folder on the way from `root` to any of `paths` that is a symbolic link (or
    no folder at all), or None when every way is clear; a missing folder is clear (it will
    be made). Writing through such a link would write wherever it points."""
    clear: set[Path] = {root}
    for path in paths:
        folder = root
        for part in PurePosixPath(path).parts[:-1]:
            folder = folder / part
            if folder in clear:
                continue
            try:
                mode = folder.lstat().st_mode
            except FileNotFoundError:
                break
            if not stat.S_ISDIR(mode):
                return folder
            clear.add(folder)
    return None


def write_files(
    root: Path, files: Iterable[tuple[str | PurePosixPath, bytes | Path]]
) -> WriteStats:
    """Write each (path under root, bytes or a file to copy); returns how many and how much."""
    count = 0
    total = 0
    made: set[Path] = {root}
    for relative, content in files:
        target = confined(root, relative)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
            total += target.stat().st_size
        else:
            target.write_bytes(content)
            total += len(content)
        count += 1
    return WriteStats(count, total)


def cache_folder(hub: HubLayout, *, make: bool = True) -> Path | None:
    """The hub's cache folder (made if need be and `make`); None when it may not or cannot
    be used (a link out of the hub would have the build write wherever a pull request
    points it)."""
    folder = hub.cache
    try:
        if folder.is_symlink() or (folder.exists() and escapes(folder, hub.root)):
            return None
        if not make:
            return folder
        folder.mkdir(exist_ok=True)
    except OSError:
        return None
    write_private(folder / ".gitignore", b"*\n")
    return folder


def write_private(path: Path, data: bytes) -> None:
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


# -- another revision of the hub ---------------------------------------------------------------


class RevisionError(Exception):
    """A git revision of the hub cannot be read (its message says why)."""


# What one revision's content/ may hold before reading it is refused: far more than any hub.
MAX_REVISION_FILES = 100_000
MAX_REVISION_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Revision:
    """A revision of the hub, exported: its folder's files, and what was left out."""

    left_out: list[tuple[str, str]]  # (path in the hub, why)
    blobs: dict[str, str]  # path in the hub → git object id, for every file (theme files too)


def export_revision(hub_dir: Path, revision: str, destination: Path,
                    folders: tuple[str, ...] = ("content",)) -> Revision:
    """The hub's `folders` as they are in git `revision`, written into `destination` (a
    folder of ours); the object id of every file below the hub is listed too.

    Files are read from git's object store one by one (`ls-tree`, then `cat-file`), never
    through `git archive`, whose output the revision itself steers (`.gitattributes`) and
    whose tar a crafted tree can make escape its folder. Each path is confined to
    `destination`; links are left out (named, with why); a file over MAX_FILE_BYTES is
    written as a sparse file of its size, so that reading it refuses it as a checkout would.
    """
    git = shutil.which("git")
    if git is None:
        raise RevisionError("git is not installed; compare two folders instead")

    def run(*arguments: str, stdin: bytes | None = None) -> bytes:
        try:
            done = subprocess.run([git, "-C", str(hub_dir), *arguments], input=stdin,
                                  capture_output=True, check=False, timeout=300)
        except subprocess.TimeoutExpired:
            raise RevisionError(f"git {arguments[0]} took too long") from None
        if done.returncode != 0:
            reason = done.stderr.decode(errors="replace").strip().splitlines()
            raise RevisionError(printable(reason[-1] if reason else
                                          f"git {arguments[0]} failed"))
        return done.stdout

    commit = run("rev-parse", "--verify", "--quiet", "--end-of-options",
                 f"{revision}^{{commit}}").decode().strip()
    prefix = run("rev-parse", "--show-prefix").decode().strip()
    listing = run("ls-tree", "-r", "-z", "-l", "--full-tree", f"{commit}:{prefix}")
    revision_files = Revision([], {})
    wanted: list[tuple[str, str, int]] = []
    total = 0
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, object_id, size_text = meta.split()
        path = raw_path.decode("utf-8", errors="replace")
        if kind != b"blob":
            continue  # a submodule: nothing of the hub
        revision_files.blobs[path] = object_id.decode()
        if path.split("/")[0] not in folders:
            continue
        if mode == b"120000":
            revision_files.left_out.append((path, "is a symbolic link; left out of the diff"))
            continue
        size = int(size_text)
        wanted.append((path, object_id.decode(), size))
        total += min(size, MAX_FILE_BYTES + 1)
        if len(wanted) > MAX_REVISION_FILES or total > MAX_REVISION_BYTES:
            raise RevisionError(f"{revision} has more in {', '.join(folders)}/ than a hub "
                                f"can hold ({MAX_REVISION_FILES} files, "
                                f"{MAX_REVISION_BYTES // 2**20} MiB)")
    contents = iter(_cat_blobs(run, [object_id for _, object_id, size in wanted
                                     if size <= MAX_FILE_BYTES]))
    for path, _, size in wanted:
        data = next(contents) if size <= MAX_FILE_BYTES else None
        try:
            target = confined(destination, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as file:
                if data is None:
                    file.truncate(size)
                else:
                    file.write(data)
        except (OSError, OutputError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            revision_files.left_out.append((path, f"cannot be written here ({reason}); "
                                                  "left out of the diff"))
    return revision_files


def _cat_blobs(run: Callable[..., bytes], object_ids: list[str]) -> Iterator[bytes]:
    """The contents of these blobs, in order, from one `git cat-file --batch`."""
    if not object_ids:
        return
    output = run("cat-file", "--batch", stdin="".join(f"{oid}\n" for oid in object_ids).encode())
    offset = 0
    for _ in object_ids:
        header_end = output.index(b"\n", offset)
        size = int(output[offset:header_end].split()[2])
        start = header_end + 1
        yield output[start:start + size]
        offset = start + size + 1  # the newline after each object


# -- serving ---------------------------------------------------------------------------------


def inside(root: Path, relative: str) -> Path | None:
    """`root/relative` if it stays inside root (no '..', no link out of the site)."""
    parts = [part for part in relative.split("/") if part]
    if any(part in (".", "..") or "\\" in part or "\0" in part
           or len(part.encode("utf-8", "surrogateescape")) > NAME_MAX for part in parts):
        return None  # nothing the site has; a NUL or an over-long name would raise below
    target = root.joinpath(*parts)
    try:
        if not target.resolve().is_relative_to(root.resolve()):
            return None
        target.stat()
    except FileNotFoundError:
        return target  # the caller says "not found", as for any missing page
    except (OSError, RuntimeError, ValueError):
        return None
    return target


def read_bytes(path: Path) -> bytes | None:
    """A file of the site, or None when it is not there (a build may be replacing it)."""
    try:
        return path.read_bytes()
    except OSError:
        return None
