"""The write stage on its own: a staged output goes into place whole or not at all, in one
swap or as an in-place update, and no write or removal lands outside the output folder."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from citehub import write as write_module
from citehub.hubfiles import OutputError, confined, write_files
from citehub.write import MARKER, read_marker, recover_abandoned, retire, staged_output


def files_of(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def beside(out: Path) -> list[str]:
    return sorted(path.name for path in out.parent.iterdir() if path.name != out.name)


def site(out: Path, files: dict[str, bytes], inputs: str = "first") -> None:
    with staged_output(out, inputs) as root:
        write_files(root, files.items())


def test_a_whole_site_goes_into_place_with_its_marker(tmp_path: Path) -> None:
    out = tmp_path / "site"
    site(out, {"index.html": b"one", "papers/a/index.html": b"a"})
    assert files_of(out) == {MARKER: files_of(out)[MARKER], "index.html": b"one",
                             "papers/a/index.html": b"a"}
    assert "site: first\n" in read_marker(out)
    site(out, {"index.html": b"two"}, "second")
    assert sorted(files_of(out)) == [MARKER, "index.html"]  # the old site is gone whole
    assert "site: second\n" in read_marker(out)
    assert beside(out) == []


@pytest.mark.parametrize("in_place", [False, True])
def test_a_block_that_raises_leaves_the_site_as_it_was(tmp_path: Path, in_place: bool) -> None:
    out = tmp_path / "site"
    site(out, {"index.html": b"one"})
    before = files_of(out)
    with pytest.raises(KeyboardInterrupt), staged_output(out, "second", in_place=in_place,
                                                         removed=[PurePosixPath("index.html")]
                                                         ) as root:
        write_files(root, [("index.html", b"half")])
        raise KeyboardInterrupt
    assert files_of(out) == before
    assert beside(out) == []


def test_an_in_place_update_moves_in_the_changed_files_and_removes_the_gone(
        tmp_path: Path) -> None:
    out = tmp_path / "site"
    site(out, {"index.html": b"one", "papers/a/index.html": b"a", "papers/b/index.html": b"b"})
    with staged_output(out, "second", in_place=True,
                       removed=[PurePosixPath("papers/b/index.html")]) as root:
        write_files(root, [("papers/a/index.html", b"a, edited")])
        assert (out / "papers" / "a" / "index.html").read_bytes() == b"a"  # not yet
    assert files_of(out) == {MARKER: files_of(out)[MARKER], "index.html": b"one",
                             "papers/a/index.html": b"a, edited"}
    assert not (out / "papers" / "b").exists()  # the folder it leaves empty goes too
    assert "site: second\n" in read_marker(out)
    assert beside(out) == []


def test_a_folder_citehub_did_not_make_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "home"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    with pytest.raises(OutputError, match="not made by citehub"), staged_output(out, "x"):
        pass
    assert files_of(out) == {"thesis.tex": b"years of work"}


def test_a_site_moved_aside_by_a_killed_build_is_put_back(tmp_path: Path) -> None:
    out = tmp_path / "site"
    site(out, {"index.html": b"one"})
    dead = 2**22 + 12345  # above any pid this machine hands out
    retire(out, tmp_path / f".site.citehub-old-{dead}")
    (tmp_path / f".site.citehub-new-{dead}").mkdir()
    recover_abandoned(out)
    assert files_of(out)["index.html"] == b"one"
    assert beside(out) == []


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "a/../../b", ""])
def test_no_write_lands_outside_the_output_folder(tmp_path: Path, path: str) -> None:
    with pytest.raises(OutputError, match="outside the output folder"):
        confined(tmp_path, path)
    with pytest.raises(OutputError):
        write_files(tmp_path / "out", [(path, b"x")])


def test_removing_a_file_never_follows_a_link(tmp_path: Path) -> None:
    out, precious = tmp_path / "out", tmp_path / "precious.txt"
    precious.write_text("keep me")
    site(out, {"index.html": b"one"})
    (out / "papers").mkdir()
    os.symlink(precious, out / "papers" / "link.html")
    with staged_output(out, "second", in_place=True,
                       removed=[PurePosixPath("papers/link.html")]):
        pass
    assert precious.read_text() == "keep me"


def elsewhere_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name, data in files.items():
        (elsewhere / name).write_bytes(data)
    return elsewhere


@pytest.mark.parametrize("change", ["write", "remove"])
def test_an_in_place_update_never_writes_through_a_link_in_the_site(
        tmp_path: Path, change: str) -> None:
    out = tmp_path / "site"
    site(out, {"index.html": b"one", "papers/a/index.html": b"a"})
    shutil.rmtree(out / "papers")
    elsewhere = elsewhere_with(tmp_path, {"index.html": b"precious"})
    (out / "papers").mkdir()
    os.symlink(elsewhere, out / "papers" / "a")
    before = files_of(out)
    removed = [PurePosixPath("papers/a/index.html")] if change == "remove" else []
    with pytest.raises(OutputError, match="symbolic link inside the site"), staged_output(
            out, "second", in_place=True, removed=removed) as root:
        if change == "write":
            write_files(root, [("papers/a/index.html", b"written through")])
    assert files_of(elsewhere) == {"index.html": b"precious"}
    assert files_of(out) == before
    assert beside(out) == ["elsewhere"]


def first_site(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "site"
    site(out, {"index.html": b"one", "papers/a/index.html": b"a", "papers/b/index.html": b"b",
               "papers/c/index.html": b"c"})
    return out, files_of(out)


def update_with_moves_failing(out: Path, monkeypatch: pytest.MonkeyPatch,
                              fail: Callable[[], None]) -> None:
    """An in-place update of 3 files (2 replaced, 1 new) and a removal, with `fail` called
    at the third move of a file."""
    moves = 0
    real_replace = os.replace

    def replace(source: object, target: object) -> None:
        nonlocal moves
        moves += 1
        if moves == 3:
            fail()
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(write_module.os, "replace", replace)
    with staged_output(out, "second", in_place=True,
                       removed=[PurePosixPath("papers/c/index.html")]) as root:
        write_files(root, [("index.html", b"two"), ("papers/a/index.html", b"a, edited"),
                           ("papers/new/index.html", b"new")])


def test_an_in_place_update_that_fails_midway_puts_every_file_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full() -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    out, before = first_site(tmp_path)
    with pytest.raises(OSError, match="No space"):
        update_with_moves_failing(out, monkeypatch, disk_full)
    assert files_of(out) == before  # the marker too: it names the first site again
    assert not (out / "papers" / "new").exists()
    assert beside(out) == []


@pytest.mark.parametrize("receiver", ["main thread", "another thread"])
def test_sigterm_during_an_in_place_update_waits_until_the_site_is_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: str) -> None:
    """SIGTERM (a stopped CI job) midway through the moves: the site is never a mix. The
    kernel may hand a process's signal to any of its threads (a pool's helper threads, say);
    Python then runs the handler in the main thread all the same."""
    def stop(signal_number: int, _frame: object) -> None:
        raise SystemExit(128 + signal_number)

    idle = threading.Event()
    other = threading.Thread(target=idle.wait)
    other.start()

    def send() -> None:
        if receiver == "main thread":
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGTERM)
        else:
            signal.pthread_kill(other.ident or 0, signal.SIGTERM)

    out, _ = first_site(tmp_path)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(SystemExit):
            update_with_moves_failing(out, monkeypatch, send)
    finally:
        signal.signal(signal.SIGTERM, previous)
        idle.set()
        other.join()
    assert files_of(out) == {MARKER: files_of(out)[MARKER], "index.html": b"two",
                             "papers/a/index.html": b"a, edited",
                             "papers/b/index.html": b"b", "papers/new/index.html": b"new"}
    assert "site: second\n" in read_marker(out)
    assert beside(out) == []
