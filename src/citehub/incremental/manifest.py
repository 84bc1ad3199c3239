"""The pages of the site in place: each file's fingerprint and size, and what a rebuild has
left to do given them (`Work`)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import orjson

from citehub.hubfiles import HubLayout, cache_folder
from citehub.incremental.inputs import record_path
from citehub.incremental.signing import read_signed, write_signed
from citehub.pages import PlannedFile
from citehub.write import site_line

# path → (fingerprint, size) of every file of a site
Manifest = dict[str, tuple[str, int]]

# A rebuild that changes at most this many files, or this share of the site, updates the
# site in place; a larger one writes a whole new site beside it (and swaps).
INCREMENTAL_MIN_FILES = 200
INCREMENTAL_SHARE = 0.25


def _manifest_file(hub: HubLayout, out_dir: Path) -> Path:
    return record_path(hub, out_dir).with_suffix(".pages")


def remember_pages(hub: HubLayout, out_dir: Path, site: str, manifest: Manifest) -> None:
    """The fingerprint and size of every file of the site just written into `out_dir`."""
    if cache_folder(hub) is None:
        return
    # orjson: 57,000 entries at 10k papers took the json module most of a second.
    data = orjson.dumps({"site": site, "pages": manifest})
    write_signed(_manifest_file(hub, out_dir), "pages", data)


def recall_pages(hub: HubLayout, out_dir: Path, marker: str) -> Manifest | None:
    """What `remember_pages` kept for the site in `out_dir`, if that site is still the one
    it describes (its marker names the same site)."""
    data = read_signed(_manifest_file(hub, out_dir), "pages")
    if data is None:
        return None
    try:
        record = orjson.loads(data)
        if site_line(str(record["site"])) not in marker:
            return None
        return {path: (str(fingerprint), int(size))
                for path, (fingerprint, size) in record["pages"].items()}
    except (ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class Work:
    """What a build writes, given the site in place (its manifest, if it has one)."""

    fingerprints: dict[str, str]  # every file of the new site
    render: list[PlannedFile]  # the planned files to render
    copy: dict[str, Path]  # the static files to copy
    removed: list[PurePosixPath]  # files of the site in place the new one no longer has
    in_place: bool  # update the site in place, rather than write a whole new one
    kept_sizes: Mapping[str, int]  # the size of every file of the site in place

    @classmethod
    def of(cls, planned: list[PlannedFile], statics: dict[str, Path], layout: str,
           manifest: Manifest | None) -> Work:
        # Static files depend on nothing but the layout, which is in every fingerprint.
        fingerprints = {file.path: file.fingerprint for file in planned}
        fingerprints.update((path, layout) for path in statics)
        if manifest is None:
            return cls(fingerprints, planned, statics, [], in_place=False, kept_sizes={})
        sizes = {path: size for path, (_, size) in manifest.items()}

        def changed(path: str, fingerprint: str) -> bool:
            kept = manifest.get(path)
            return kept is None or kept[0] != fingerprint

        render = [file for file in planned if changed(file.path, file.fingerprint)]
        copy = {path: source for path, source in statics.items() if changed(path, layout)}
        removed = sorted(PurePosixPath(path) for path in manifest if path not in fingerprints)
        if len(render) + len(copy) + len(removed) > max(
                INCREMENTAL_MIN_FILES, len(fingerprints) * INCREMENTAL_SHARE):
            return cls(fingerprints, planned, statics, [], in_place=False, kept_sizes=sizes)
        return cls(fingerprints, render, copy, removed, in_place=True, kept_sizes=sizes)

    def paths(self) -> list[str]:
        """Every path this work writes or removes."""
        return [*(file.path for file in self.render), *self.copy,
                *(path.as_posix() for path in self.removed)]

    @functools.cached_property
    def site(self) -> str:
        """A digest of the site this work makes: of every file's fingerprint, which depends
        on the content alone (never on when a file was saved), so that the marker published
        with the site does too."""
        digest = hashlib.blake2b(digest_size=20)
        for path, fingerprint in sorted(self.fingerprints.items()):
            digest.update(f"{path}\0{fingerprint}\0".encode())
        return digest.hexdigest()

    def manifest(self, sizes: Mapping[str, int]) -> Manifest:
        """The manifest of the site this work makes, given the sizes of what it wrote."""
        return {path: (fingerprint, sizes[path] if path in sizes else self.kept_sizes[path])
                for path, fingerprint in self.fingerprints.items()}
