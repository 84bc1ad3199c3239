"""The search cache: the last Pagefind bundles, each by a digest of every record it indexed.

Pagefind indexes a bundle whole and takes seconds on a large one; a bundle whose records an
edit left as they were (a citation's context, a role, a summary; the papers of the other
bundles, see `urls.SEARCH_BUNDLE_PAPERS`) is reused instead. The digest covers the records,
their paths, Pagefind's version and citehub's code, so a bundle is reused only where
Pagefind would write the same one. Within one process (a preview) the last bundles stay in
memory.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections.abc import Iterable
from importlib.metadata import version

from citehub.hubfiles import HubLayout, cache_folder
from citehub.incremental.inputs import code_digest
from citehub.incremental.signing import read_signed, write_signed

SEARCH_CACHE = "search.pickle"
SALT = "search"

Bundle = list[tuple[str, bytes]]  # (path in the bundle, data), in path order
Kept = dict[str, tuple[str, Bundle]]  # bundle folder → (digest of its records, bundle)

_LAST: dict[str, Kept] = {}  # hub folder → its bundles


@functools.cache
def _programs() -> bytes:
    """Pagefind's version and citehub's code, once per process (asked once per bundle)."""
    return f"{version('pagefind_bin')}\0{code_digest()}\0".encode()


def records_digest(records: Iterable[tuple[str, str]]) -> str:
    """What a bundle depends on: each record's page path and text, Pagefind, citehub."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(_programs())
    for path, text in records:
        data = text.encode()
        digest.update(f"\0{path}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def recall_bundle(hub: HubLayout, folder: str, digest: str) -> Bundle | None:
    """The bundle of `folder` indexed from records with this digest, when the last build
    made it."""
    key = str(hub.root.absolute())
    kept = _LAST.get(key)
    if kept is None:
        cache = cache_folder(hub, make=False)
        data = read_signed(cache / SEARCH_CACHE, SALT) if cache else None
        if data is None:
            return None
        kept = pickle.loads(data)  # signed by us: see signing's docstring
        if not isinstance(kept, dict):
            return None
        _LAST[key] = kept
    kept_digest, bundle = kept.get(folder, ("", []))
    return bundle if kept_digest == digest else None


def remember_bundles(hub: HubLayout, bundles: Kept) -> None:
    """Every bundle of the site just built, for the next build."""
    _LAST[str(hub.root.absolute())] = bundles
    cache = cache_folder(hub)
    if cache is not None:
        write_signed(cache / SEARCH_CACHE, SALT,
                     pickle.dumps(bundles, protocol=pickle.HIGHEST_PROTOCOL))
