"""The load stage on its own: files → YAML nodes with their lines, and the paper files an
earlier build saw handed on unparsed (by their stat key, or by their text)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import yaml

from citehub.diagnostics import Diagnostics
from citehub.hubfiles import HubLayout, stat_key
from citehub.load import EarlierFile, RawContent, load_content, text_digest

from conftest import Hub

LONG_AGO = time.time_ns() - 3600 * 10**9  # older than the racy window


def aged(path: Path) -> Path:
    os.utime(path, ns=(LONG_AGO, LONG_AGO))
    return path


def loaded(hub: Hub,
           earlier: dict[str, EarlierFile] | None = None) -> tuple[RawContent, Diagnostics]:
    diagnostics = Diagnostics()
    return load_content(HubLayout(hub.root), diagnostics, earlier), diagnostics


def test_documents_keep_the_line_of_every_value(hub: Hub) -> None:
    hub.paper("a", "title: A\ncites:\n  - paper: 2306.08540", "\n\nThe abstract.\n")
    raw, diagnostics = loaded(hub)
    assert not diagnostics.items
    (document,) = raw.papers
    assert document.paper_id == "a" and document.body == "The abstract."
    assert document.body_line == 8  # after '---', three YAML lines, '---' and two blank lines
    root = document.front_matter.root
    assert isinstance(root, yaml.MappingNode)
    cites = root.value[1][1]
    paper_id = cites.value[0].value[0][1]
    assert paper_id.value == "2306.08540"  # the text, not a float
    assert document.front_matter.line(paper_id) == 4


def test_every_paper_id_is_known_even_when_its_file_is_broken(hub: Hub) -> None:
    hub.paper("good", "title: Good")
    hub.raw("broken.md", "no front matter")
    hub.raw("Bad id!.md", "---\ntitle: x\n---\n")
    hub.raw("GOOD.md", "---\ntitle: twin\n---\n")
    raw, diagnostics = loaded(hub)
    assert raw.known_ids == {"good", "broken", "Bad id!", "GOOD"}
    # The first in file name order is the paper; its case twin is the error.
    assert [document.paper_id for document in raw.papers] == ["GOOD"]
    messages = {Path(item.path).name: item.message for item in diagnostics.errors}
    assert sorted(messages) == ["Bad id!.md", "broken.md", "good.md"]
    assert "not a valid paper id" in messages["Bad id!.md"]
    assert "starts with front matter" in messages["broken.md"]
    assert "only in letter case" in messages["good.md"]


def test_a_file_as_an_earlier_build_saw_it_is_not_read_at_all(hub: Hub) -> None:
    path = aged(hub.paper("a", "title: A"))
    key = stat_key(path)
    assert key is not None
    earlier = {str(path): EarlierFile(key, "digest of the text then", frozenset())}
    raw, _ = loaded(hub, earlier)
    assert raw.papers == ()
    (unchanged,) = raw.unchanged
    assert (unchanged.paper_id, unchanged.stat_key) == ("a", key)


def test_a_touched_file_with_the_same_text_is_read_but_not_parsed(hub: Hub) -> None:
    path = aged(hub.paper("a", "title: A"))
    text_then = path.read_text()
    earlier = {str(path): EarlierFile(stat_key(path), text_digest(text_then), frozenset())}
    os.utime(path, ns=(LONG_AGO + 10**9, LONG_AGO + 10**9))  # touched, as a checkout does
    raw, _ = loaded(hub, earlier)
    assert raw.papers == ()
    (unchanged,) = raw.unchanged
    assert unchanged.stat_key == stat_key(path)  # the new key, for the next build to use


def test_a_changed_file_is_parsed(hub: Hub) -> None:
    path = aged(hub.paper("a", "title: A"))
    earlier = {str(path): EarlierFile(None, "another text", frozenset())}
    raw, _ = loaded(hub, earlier)
    assert [document.paper_id for document in raw.papers] == ["a"]
    assert raw.unchanged == ()


def test_a_file_citing_a_paper_now_gone_is_parsed_again(hub: Hub) -> None:
    """What was made of it names a paper that no longer exists: reading it again is what
    reports the error."""
    path = aged(hub.paper("a", "title: A\ncites: [{paper: gone}]"))
    earlier = {str(path): EarlierFile(stat_key(path), text_digest(path.read_text()),
                                      frozenset({"gone"}))}
    raw, _ = loaded(hub, earlier)
    assert [document.paper_id for document in raw.papers] == ["a"]


def test_a_file_modified_just_now_has_no_stat_key(hub: Hub) -> None:
    path = hub.paper("a", "title: A")
    assert stat_key(path) is None  # a second save within the clock tick could keep it
    (document,) = loaded(hub)[0].papers
    assert document.stat_key is None


def test_a_content_folder_linked_out_of_the_hub_is_not_read(hub: Hub, tmp_path: Path) -> None:
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    (hub.root / "content").rename(elsewhere)
    (hub.root / "content").symlink_to(elsewhere)
    raw, diagnostics = loaded(hub)
    assert raw.known_ids == frozenset() and raw.hub.root is None
    assert "outside the hub folder" in diagnostics.errors[0].message
