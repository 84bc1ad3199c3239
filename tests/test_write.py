"""The write stage on its own: a staged output goes into place whole or not at all, in one
swap or as an in-place update, and no write or removal lands outside the output folder."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from citehub.hubfiles import OutputError, confined, remove_file, write_files
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
    (out / "papers").mkdir(parents=True)
    os.symlink(precious, out / "papers" / "link.html")
    remove_file(out, "papers/link.html")
    assert precious.read_text() == "keep me"
    with pytest.raises(OutputError):
        remove_file(out, "../precious.txt")
    assert precious.exists()
