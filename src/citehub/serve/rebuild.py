"""The preview's builds: saves into builds, one at a time, in a build process of their own,
and the open papers' pages shown ahead of each build from the patched model."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NamedTuple, TypeVar

from citehub.build import BuildOptions, BuildResult, Model, build, load_model, patch_model
from citehub.diagnostics import ContentError
from citehub.hubfiles import HubLayout, OutputError, read_bytes
from citehub.pages import Planner
from citehub.render import TemplateProblem, make_environment, render_files
from citehub.serve.http import OpenPages

T = TypeVar("T")
# After showing pages ahead, the build waits for them to be loaded again (on two cores it
# would take CPU from the browser loading them), but not longer than this.
RELOAD_GRACE_SECONDS = 1.0


@dataclass
class Preview:
    """The state of a preview: where the site is, and the errors of the last build if it
    failed (then the site in place is the last good one, or none)."""

    hub_dir: Path
    out_dir: Path
    options: BuildOptions = field(default_factory=BuildOptions)
    errors: list[str] = field(default_factory=list)
    base_path: str = "/"
    built: bool = False  # a good site is in out_dir
    # What the site in out_dir (or a newer save, patched in) was made from; None until known.
    model: Model | None = None
    # Pages rendered ahead of the build from the patched model, by output path, with the
    # number of the save they show; served instead of the file until the build is in place.
    ahead: dict[str, tuple[bytes, int]] = field(default_factory=dict)

    @property
    def hub(self) -> HubLayout:
        return HubLayout(self.hub_dir)

    def rebuild(self, changed: Iterable[str] = (), *,
                workers: int | None = 1) -> BuildResult | None:
        """Build; on content errors keep the last good site and remember the errors."""
        started = time.perf_counter()
        # No search index: it is rebuilt whole on every save (seconds for a large hub), and
        # the preview is for reading pages while writing them.
        options = replace(self.options, search=False, workers=workers)
        try:
            result = build(self.hub_dir, self.out_dir, options)
        except ContentError as error:
            self.errors = list(error.diagnostics.formatted())
            for line in self.errors:
                print(line, file=sys.stderr, flush=True)
            kept = "still serving the last good site" if self.built else "nothing to serve yet"
            print(f"build failed: {error.diagnostics.summary()}; {kept}", file=sys.stderr,
                  flush=True)
            return None
        except OutputError as error:
            self.errors = [f"error: {error}"]
            print(self.errors[0], file=sys.stderr, flush=True)
            return None
        self.errors = []
        self.built = True
        self.base_path = result.base_path
        for line in result.diagnostics.formatted():
            print(line, file=sys.stderr, flush=True)
        print(_summary(result, changed, time.perf_counter() - started), flush=True)
        return result

    def render_ahead(self, model: Model, paths: Iterable[str],
                     save: int) -> tuple[list[str], Callable[[], None]]:
        """The papers' pages among `paths` (output paths) that can be shown from `model`, and
        what renders them, to be served until the build is in place. Split in two so that
        the browsers can be told to reload before the rendering: their requests come in
        while it runs, and are answered as soon as it is done."""
        planner = Planner(model.corpus.config, model.site)
        files = [file for file in map(planner.paper_file, sorted(set(paths))) if file]

        def render() -> None:
            environment = make_environment(self.hub, model.corpus.config)
            try:
                for output in render_files(files, environment):
                    self.ahead[output.path] = (output.data, save)
            except TemplateProblem:
                pass  # the build reports it, with where it is

        return [file.path for file in files], render


def _summary(result: BuildResult, changed: Iterable[str], seconds: float) -> str:
    names = sorted(changed)
    what = "built" if not names else "rebuilt after " + (
        names[0] if len(names) == 1 else f"{len(names)} changes")
    written = "nothing to write" if result.unchanged else f"{result.written} files written"
    return f"{what}: {written}, {result.pages} pages, in {seconds:.2f} s"


class Rebuilder:
    """Turns saves into builds, one at a time, in the build process (the server keeps
    answering), and shows the open papers' pages ahead of each build."""

    def __init__(self, preview: Preview, pages: OpenPages) -> None:
        self.preview = preview
        self.pages = pages
        self.saves = 0  # bursts of changes seen so far
        self.model_save = 0  # the last save the preview's model shows
        self.unapplied: list[tuple[int, set[Path]]] = []  # saves since, not patched in
        self.pending: set[str] = set()  # what changed since the last build started
        self.wanted = asyncio.Event()
        self.reading: asyncio.Task[None] | None = None  # the hub being read again

    def saved(self, paths: set[Path]) -> None:
        self.saves += 1
        self.unapplied.append((self.saves, paths))
        root = self.preview.hub_dir
        self.pending |= {path.relative_to(root).as_posix() if path.is_relative_to(root)
                         else str(path) for path in paths}
        self.show_ahead()
        self.wanted.set()

    def show_ahead(self) -> None:
        """Patch the model with the saves not in it yet and, if that works, render the open
        papers' pages from it and reload them."""
        preview = self.preview
        changed = {path for _, paths in self.unapplied for path in paths}
        with paused_collector():
            model = patch_model(preview.model, preview.hub_dir, changed, preview.options) if (
                preview.model is not None and not preview.errors) else None
            if model is None:
                # A save the model cannot take (a paper added, hub.yaml, a fix after an
                # error): read the hub again while the build runs, in its own process.
                self.read_again()
                return
            preview.model, self.model_save, self.unapplied = model, self.saves, []
            open_pages = self.pages.paths(preview.base_path)
            shown, render = preview.render_ahead(model, open_pages.values(), self.saves)
            if self.pages.reload_ahead([page for page, path in open_pages.items()
                                        if path in shown], self.pending):
                render()

    async def run(self, builds: BuildProcess) -> None:
        preview = self.preview
        if preview.model is None and preview.built:
            self.read_again()  # the first build had nothing to do, so made no model
        while True:
            await self.wanted.wait()
            if self.pages.reloading:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self.pages.reloaded.wait(), RELOAD_GRACE_SECONDS)
            self.wanted.clear()
            covers, changed, self.pending = self.saves, self.pending, set()
            outcome = await builds.build(changed)
            same_errors = bool(outcome.errors) and outcome.errors == preview.errors
            preview.errors, preview.built, preview.base_path = outcome
            # Reload with a model that has the saves in it, so that the next save is shown
            # ahead again.
            if self.reading is not None:
                await self.reading
            if not outcome.errors and any(save <= covers for save, _ in self.unapplied):
                await self.read_model()  # saved again while the hub was being read
            if not same_errors:  # failing again the same way changes no page
                self.built(not outcome.errors, covers, changed)

    def read_again(self) -> None:
        if self.reading is None or self.reading.done():
            self.reading = asyncio.create_task(self.read_model())

    async def read_model(self) -> None:
        """Read the whole hub again (in a thread: the server keeps answering)."""
        start = self.saves
        try:
            model = await in_thread(load_model, self.preview.hub_dir, self.preview.options)
        except ContentError:
            return  # the build says what is wrong
        if start >= self.model_save:
            self.preview.model, self.model_save = model, start
            self.unapplied = [(save, paths) for save, paths in self.unapplied if save > start]

    def built(self, succeeded: bool, covers: int, changed: set[str]) -> None:
        """After the build that covers the saves up to `covers`: reload the open pages,
        but not those shown ahead whose bytes the build confirmed. After a failed build the
        pages shown ahead stay: they are the last good version of those pages."""
        preview = self.preview
        confirmed: set[str] = set()
        for path, (data, save) in list(preview.ahead.items()):
            if succeeded and save <= covers:
                del preview.ahead[path]
                if read_bytes(preview.out_dir / path) == data:
                    confirmed.add(path)  # the page shown ahead is the page built
        # Pages still shown ahead show a later save than this build (or, if it failed, the
        # last good version; they reload for the overlay).
        kept = set(preview.ahead) if succeeded else set()
        open_pages = self.pages.paths(preview.base_path)
        self.pages.reload(changed, only=[page for page, path in open_pages.items()
                                         if path not in confirmed and path not in kept])


class BuildProcessGone(Exception):
    """The build process ended without answering (its exit code, if known)."""


class Outcome(NamedTuple):
    """What the preview needs to know of a build made in the build process."""

    errors: list[str]
    built: bool
    base_path: str


# How far below the server the build process runs (it renders on every core meanwhile).
BUILD_NICENESS = 10


class BuildProcess:
    """Rebuilds in a process of their own, forked once the first build is done (so it starts
    with that build's caches warm): the server's process keeps its interpreter to itself for
    showing pages ahead and answering requests while a build runs."""

    def __init__(self, preview: Preview, sockets: list[socket.socket]) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_keep_building, args=(preview, theirs, sockets),
                                       name="citehub-build", daemon=True)
        self.process.start()
        theirs.close()

    async def build(self, changed: set[str]) -> Outcome:
        try:
            self.connection.send(sorted(changed))
        except OSError:
            raise BuildProcessGone(self.process.exitcode) from None
        loop = asyncio.get_running_loop()
        answered: asyncio.Future[None] = loop.create_future()
        descriptor = self.connection.fileno()

        def readable() -> None:
            if not answered.done():
                answered.set_result(None)

        loop.add_reader(descriptor, readable)
        try:
            await answered
        finally:
            loop.remove_reader(descriptor)
        try:
            outcome: Outcome = self.connection.recv()
        except EOFError:  # killed (out of memory, say): say so rather than hang or trace
            self.process.join(5)
            raise BuildProcessGone(self.process.exitcode) from None
        return outcome

    def stop(self) -> None:
        # A build cut short leaves the preview's folder marked as being updated: the next
        # build there rebuilds it whole.
        self.process.terminate()
        self.process.join(10)
        self.connection.close()


def _keep_building(preview: Preview, connection: Connection,
                   sockets: list[socket.socket]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    # Behind the server, which shows the next save ahead while this builds the last one: on
    # two cores a full rebuild would otherwise take the CPU that the next save needs.
    os.nice(BUILD_NICENESS)
    for listening in sockets:
        listening.close()
    preview.model = None  # the server's to patch; a build here makes its own
    while True:
        try:
            changed = connection.recv()
        except EOFError:
            return
        # This process has no other thread: a large rebuild may render on every core.
        preview.rebuild(changed, workers=None)
        connection.send(Outcome(preview.errors, preview.built, preview.base_path))


async def in_thread(function: Callable[..., T], *args: object, **options: object) -> T:
    """`function(*args, **options)` in a daemon thread: one still running when the preview
    stops does not hold the process up."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def work() -> None:
        try:
            outcome: tuple[T | None, BaseException | None] = (function(*args, **options), None)
        except BaseException as error:  # handed to the loop, which raises it
            outcome = (None, error)
        with suppress(RuntimeError):  # the loop is closed: the preview stopped meanwhile
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=work, name="citehub-read", daemon=True).start()
    return await future


@contextmanager
def paused_collector() -> Iterator[None]:
    """No full collection in the middle of showing a page ahead: with a large hub's model in
    memory one takes longer than the whole patch."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
