"""The content cache: each paper as validation made it, by its file, for the next build.

A file counts as unchanged when its stat key is the one recorded when it was read, or else
when its text has the recorded digest (`load` decides which, from `earlier()`, and hands on
the files it did not parse). Only papers read without any message are kept, so reusing one
can never hide a warning; a kept paper whose citations name a paper that no longer exists is
read again, so that the error comes out. The salt covers what else a paper depends on
(hub.yaml, citehub). Within one process (a preview rebuilding after every save) the cache
stays in memory between builds.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable

from citehub.hubfiles import HubLayout, cache_folder, read_regular
from citehub.incremental.inputs import code_digest
from citehub.incremental.signing import read_signed, write_signed
from citehub.load import EarlierFile, RawContent, UnchangedFile
from citehub.model import Paper

CONTENT_CACHE = "content.pickle"
# Rewrite the cache when more than this many papers (or a fiftieth of them) are new.
REWRITE_MIN_FRESH = 20

Entry = tuple[EarlierFile, Paper]


def content_salt(hub: HubLayout) -> str:
    """What a paper depends on besides its own file: hub.yaml (vocabulary, warning levels)
    and citehub itself."""
    hub_yaml = read_regular(hub.hub_yaml)
    return f"{code_digest()}:{hashlib.blake2b(hub_yaml, digest_size=16).hexdigest()}"


class ContentCache:
    """Papers by the path of their file, as the last build left them."""

    def __init__(self, hub: HubLayout, salt: str) -> None:
        self.hub = hub
        self.salt = salt
        self.entries: dict[str, Entry] = {}  # path → entry, as the build started
        self.kept: dict[str, Entry] = {}  # what this build read or reused

    @classmethod
    def open(cls, hub: HubLayout) -> ContentCache:
        salt = content_salt(hub)
        key = (str(hub.root.absolute()), salt)
        cache = _OPEN.get(key)
        if cache is not None:
            cache.entries, cache.kept = {**cache.entries, **cache.kept}, {}
            return cache
        cache = _OPEN[key] = cls(hub, salt)
        folder = cache_folder(hub, make=False)
        data = read_signed(folder / CONTENT_CACHE, salt) if folder else None
        if data is not None:
            entries = pickle.loads(data)  # signed by us: see signing's docstring
            cache.entries = entries if isinstance(entries, dict) else {}
        return cache

    def earlier(self) -> dict[str, EarlierFile]:
        """What `load` needs to know of each file to leave it unparsed."""
        return {path: entry[0] for path, entry in self.entries.items()}

    def papers(self, unchanged: Iterable[UnchangedFile]) -> list[Paper]:
        """The papers of the files `load` found unchanged, kept for the next build (with the
        file's new stat key, when only its text said it was unchanged)."""
        papers = []
        for file in unchanged:
            path = str(file.path)
            seen, paper = entry = self.entries[path]
            if seen.stat_key != file.stat_key:
                entry = (EarlierFile(file.stat_key, seen.digest, seen.needs), paper)
            self.kept[path] = entry
            papers.append(paper)
        return papers

    def keep(self, raw: RawContent, clean: Iterable[Paper]) -> None:
        """Keep the papers read without any message (reusing them cannot hide one)."""
        documents = {document.paper_id: document for document in raw.papers}
        for paper in clean:
            document = documents[paper.id]
            needs = frozenset(citation.cited_id for citation in paper.cites)
            self.kept[str(paper.source)] = (
                EarlierFile(document.stat_key, document.digest, needs), paper)

    def save(self) -> None:
        """Write what this build read, when enough of it is new: rewriting ten thousand
        papers after one edit would cost more than reading that one file again next time.
        (Entries of deleted files drop out with the next write.)"""
        fresh = sum(1 for path, entry in self.kept.items() if self.entries.get(path) is not entry)
        if fresh <= max(REWRITE_MIN_FRESH, len(self.kept) // 50) and self.entries:
            return
        folder = cache_folder(self.hub)
        if folder is not None:
            write_signed(folder / CONTENT_CACHE, self.salt,
                         pickle.dumps(self.kept, protocol=pickle.HIGHEST_PROTOCOL))


_OPEN: dict[tuple[str, str], ContentCache] = {}
