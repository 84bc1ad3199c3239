"""The search cache: the last Pagefind bundle, by a digest of every record it indexed.

Pagefind indexes the whole site or nothing, and takes seconds on a large hub; an edit that
leaves every record as it was (a citation's context, a role, a summary) reuses the bundle
instead. The digest covers the records, their paths, Pagefind's version and citehub's code,
so a bundle is reused only where Pagefind would write the same one. Within one process (a
preview) the last bundle stays in memory.
"""

from __future__ import annotations

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

_LAST: dict[str, tuple[str, Bundle]] = {}  # hub folder → (digest, bundle)


def records_digest(records: Iterable[tuple[str, str]]) -> str:
    """What a bundle depends on: each record's page path and text, Pagefind, citehub."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{version('pagefind_bin')}\0{code_digest()}\0".encode())
    for path, text in records:
        data = text.encode()
        digest.update(f"\0{path}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def recall_bundle(hub: HubLayout, digest: str) -> Bundle | None:
    """The bundle indexed from records with this digest, when the last build made it."""
    key = str(hub.root.absolute())
    last = _LAST.get(key)
    if last is None:
        folder = cache_folder(hub, make=False)
        data = read_signed(folder / SEARCH_CACHE, SALT) if folder else None
        if data is None:
            return None
        last = pickle.loads(data)  # signed by us: see signing's docstring
        if not (isinstance(last, tuple) and len(last) == 2):
            return None
        _LAST[key] = last
    kept_digest, bundle = last
    return bundle if kept_digest == digest else None


def remember_bundle(hub: HubLayout, digest: str, bundle: Bundle) -> None:
    _LAST[str(hub.root.absolute())] = (digest, bundle)
    folder = cache_folder(hub)
    if folder is not None:
        write_signed(folder / SEARCH_CACHE, SALT,
                     pickle.dumps((digest, bundle), protocol=pickle.HIGHEST_PROTOCOL))
