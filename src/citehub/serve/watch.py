"""The preview's watcher: bursts of changes to the hub's inputs, handed on as one save."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import watchfiles

from citehub.hubfiles import HubLayout

# Editors save in bursts (a temporary file, a rename, a backup): changes closer together than
# this are one rebuild; no burst is held back longer than the second number.
QUIET_MS, LONGEST_MS = 20, 400


async def watch(hub: HubLayout, stop: asyncio.Event,
                saved: Callable[[set[Path]], None]) -> None:
    """Hand every burst of changes in content/, templates/ and static/ to `saved`, until
    `stop`. The hub folder itself is watched too (not below it: the preview's own folders
    are there), so a templates/ or static/ made while serving is watched from then on."""
    watched_names = {folder.name for folder in hub.watched()}
    while not stop.is_set():
        folders = [folder for folder in hub.watched() if folder.is_dir()]
        moved = asyncio.Event()  # a watched folder appeared or went: watch again
        either = _Either(stop, moved)
        watching_root = asyncio.create_task(_watch_root(hub.root, watched_names, moved, either))
        async for changes in watchfiles.awatch(*folders, stop_event=either, step=QUIET_MS,
                                               debounce=LONGEST_MS):
            saved({Path(name) for _, name in changes})
        await watching_root
        if moved.is_set() and not stop.is_set():
            saved(set(folders))


async def _watch_root(root: Path, names: set[str], moved: asyncio.Event,
                      either: _Either) -> None:
    async for changes in watchfiles.awatch(root, stop_event=either, step=QUIET_MS,
                                           debounce=LONGEST_MS, recursive=False):
        if {Path(name).name for _, name in changes} & names:
            moved.set()


class _Either:
    """Set when either event is (what watchfiles asks of a stop event)."""

    def __init__(self, first: asyncio.Event, second: asyncio.Event) -> None:
        self.first, self.second = first, second

    def is_set(self) -> bool:
        return self.first.is_set() or self.second.is_set()
