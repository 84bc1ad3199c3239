"""`citehub serve`: build, serve the site at its base path, rebuild on change, reload the page.

The preview is built into a folder of its own (never the hub's site/ unless asked), served by
tornado on loopback and mounted at the base path of base_url, so links behave as they will
on GitHub Pages. Pages open in a browser reload through livereload's websocket protocol
after each rebuild. A rebuild that fails keeps the last good site and lays an overlay with
its errors over every page, until a fix clears it. Rebuilds are incremental (see build.py):
an edit renders only the pages that show what changed.

An author watches one page while typing, so that page comes first: after a save, the model
kept from the last build is patched with the saved papers (build.patch_model: milliseconds,
where reading a large hub again takes seconds), the papers' pages open in a browser are
rendered from it and those browsers reload at once; the build itself runs next, in a build
process of its own, so the server keeps answering, and pages whose bytes it confirms are not
reloaded a second time.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import ipaddress
import json
import mimetypes
import multiprocessing
import signal
import socket
import sys
import threading
import time
import types
import webbrowser
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NamedTuple, TypeVar
from urllib.parse import urlsplit

import watchfiles
from livereload.handlers import (  # type: ignore[import-untyped]
    LiveReloadHandler,
    LiveReloadJSHandler,
)
from markupsafe import escape
from tornado import web
from tornado.httpserver import HTTPServer

from citehub.build import BuildResult, Model, build, load_model, patch_model
from citehub.diagnostics import ContentError, Diagnostics
from citehub.pages import Planner
from citehub.render import TemplateProblem, make_environment, render_files
from citehub.report import Reporter
from citehub.write import OutputError

T = TypeVar("T")
# What the preview adds to the server, outside any hub's URLs.
TOOLS = "/__citehub/"
WATCHED = ("content", "templates", "static")
# After showing pages ahead, the build waits for them to be loaded again (on two cores it
# would take CPU from the browser loading them), but not longer than this.
RELOAD_GRACE_SECONDS = 1.0
# Editors save in bursts (a temporary file, a rename, a backup): changes closer together than
# this are one rebuild; no burst is held back longer than the second number.
QUIET_MS, LONGEST_MS = 20, 400

OVERLAY_CSS = b"""\
.citehub-overlay { position: fixed; inset: 0 0 auto 0; z-index: 2147483647; max-height: 60vh;
  overflow: auto; margin: 0; padding: 1rem 1.25rem; background: #2b0d0d; color: #ffe9e9;
  font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  border-bottom: 3px solid #ff6b6b; box-shadow: 0 4px 24px rgba(0, 0, 0, .4); }
.citehub-overlay h2 { margin: 0 0 .5rem; font-size: 16px; color: #fff; }
.citehub-overlay pre { margin: 0 0 .5rem; white-space: pre-wrap; }
.citehub-overlay p { margin: 0; color: #ffc9c9; }
"""


@dataclass
class Preview:
    """The state of a preview: where the site is, and the errors of the last build if it
    failed (then the site in place is the last good one, or none)."""

    hub_dir: Path
    out_dir: Path
    include_drafts: bool = False
    errors: list[str] = field(default_factory=list)
    base_path: str = "/"
    built: bool = False  # a good site is in out_dir
    # What the site in out_dir (or a newer save, patched in) was made from; None until known.
    model: Model | None = None
    # Pages rendered ahead of the build from the patched model, by output path, with the
    # number of the save they show; served instead of the file until the build is in place.
    ahead: dict[str, tuple[bytes, int]] = field(default_factory=dict)

    def rebuild(self, changed: Iterable[str] = (), *,
                workers: int | None = 1) -> BuildResult | None:
        """Build; on content errors keep the last good site and remember the errors."""
        started = time.perf_counter()
        try:
            # No search index: it is rebuilt whole on every save (seconds for a large hub),
            # and the preview is for reading pages while writing them.
            result = build(self.hub_dir, self.out_dir, include_drafts=self.include_drafts,
                           reporter=Reporter(), workers=workers, search=False)
        except ContentError as error:
            self.errors = list(error.diagnostics.formatted())
            for line in self.errors:
                print(line, file=sys.stderr, flush=True)
            kept = "still serving the last good site" if self.built else "nothing to serve yet"
            print(f"build failed: {_count(error.diagnostics)}; {kept}", file=sys.stderr,
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
            environment = make_environment(self.hub_dir, model.corpus.config)
            try:
                for output in render_files(files, environment):
                    self.ahead[output.path] = (output.data, save)
            except TemplateProblem:
                pass  # the build reports it, with where it is

        return [file.path for file in files], render


def _count(diagnostics: Diagnostics) -> str:
    errors = len(diagnostics.errors)
    return f"{errors} error{'s' * (errors != 1)}"


def _summary(result: BuildResult, changed: Iterable[str], seconds: float) -> str:
    names = sorted(changed)
    what = "built" if not names else "rebuilt after " + (
        names[0] if len(names) == 1 else f"{len(names)} changes")
    written = "nothing to write" if result.unchanged else f"{result.written} files written"
    return f"{what}: {written}, {result.pages} pages, in {seconds:.2f} s"


# -- HTTP ------------------------------------------------------------------------------------


class SiteHandler(web.RequestHandler):
    """Serves the site at its base path, as GitHub Pages would, with the reload hook and,
    after a failed rebuild, the error overlay added to every page."""

    def initialize(self, preview: Preview, port: int) -> None:
        self.preview = preview
        self.port = port

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")  # a preview is always the newest build

    def head(self, path: str) -> None:
        self.get(path)

    def get(self, path: str) -> None:
        base = self.preview.base_path
        url = "/" + path
        if not url.startswith(base):
            if url == "/":
                self.redirect(base)
                return
            self.not_found()
            return
        relative = url[len(base):]
        target = _inside(self.preview.out_dir, relative)
        if target is not None and target.is_dir():
            if not url.endswith("/"):
                self.redirect(url + "/")  # as GitHub Pages does
                return
            target = target / "index.html"
        ahead = self.preview.ahead.get(
            target.relative_to(self.preview.out_dir).as_posix()) if target else None
        if ahead is not None:
            self.set_header("X-Citehub-Preview", "ahead of the build")
            self.write_html(ahead[0])
            return
        if target is None or not target.is_file():
            self.not_found()
            return
        self.send(target, 200)

    def not_found(self) -> None:
        page = _inside(self.preview.out_dir, "404.html")
        if page is not None and page.is_file():
            self.send(page, 404)
        elif self.preview.errors:
            self.set_status(500)
            self.write_html(b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                            b"<title>Build failed</title></head><body></body></html>")
        else:
            self.set_status(404)
            self.write_html(b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                            b"<title>Not found</title></head><body><p>Not found.</p></body>"
                            b"</html>")

    def send(self, path: Path, status: int) -> None:
        self.set_status(status)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = path.read_bytes()
        if kind == "text/html":
            self.write_html(data)
            return
        if kind.startswith("text/") or kind in ("application/json", "application/xml"):
            kind += "; charset=utf-8"
        self.set_header("Content-Type", kind)
        self.finish(data)

    def write_html(self, page: bytes) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(with_preview_tools(page, self.port, self.preview.errors, self.preview.built))


def with_preview_tools(page: bytes, port: int, errors: list[str], built: bool = True) -> bytes:
    """The page with the reload hook and, if the last build failed, the error overlay.

    Both are files of the preview server, not inline code: the pages' Content-Security-Policy
    allows scripts and styles from the site's own origin only, and the preview keeps it.
    """
    head = f'<script src="/livereload.js?port={port}" defer></script>'
    if errors:  # a stylesheet holds up the first paint: only when there is an overlay
        head += f'<link rel="stylesheet" href="{TOOLS}overlay.css">'
    page = page.replace(b"</head>", head.encode() + b"</head>", 1)
    if not errors:
        return page
    below = "The page below is the last good build." if built else "Nothing has built yet."
    overlay = (
        '<div class="citehub-overlay" role="alert"><h2>citehub: the last change does not '
        'build</h2><pre>' + "\n".join(str(escape(line)) for line in errors) + f"</pre><p>"
        f"{below} Fix the file and save: this goes away.</p></div>"
    ).encode()
    at = page.find(b"<body")
    end = page.find(b">", at) + 1 if at >= 0 else -1
    return page[:end] + overlay + page[end:] if end > 0 else page + overlay


def _inside(root: Path, relative: str) -> Path | None:
    """`root/relative` if it stays inside root (no '..', no link out of the site)."""
    parts = [part for part in relative.split("/") if part]
    if any(part in (".", "..") or "\\" in part for part in parts):
        return None
    target = root.joinpath(*parts)
    try:
        if not target.resolve().is_relative_to(root.resolve()):
            return None
    except OSError:
        return None
    return target


class OverlayStyleHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/css; charset=utf-8")
        self.finish(OVERLAY_CSS)


class PageSocket(LiveReloadHandler):  # type: ignore[misc]
    """livereload's socket, remembering which page each browser has open (livereload.js
    says so in its "info" message)."""

    url_path: str | None = None
    # Told of every page that connects (a page reloaded ahead of a build is back).
    connected: Callable[[], None] = staticmethod(lambda: None)

    def on_message(self, message: str | bytes) -> None:
        super().on_message(message)
        try:
            said = json.loads(message)
        except ValueError:
            return
        if isinstance(said, dict) and said.get("command") == "info":
            self.url_path = urlsplit(str(said.get("url", ""))).path
            PageSocket.connected()


def make_application(preview: Preview, port: int) -> web.Application:
    LiveReloadHandler.live_css = True
    # livereload's own polling watcher is not used (watchfiles tells us what changed); its
    # handler only reads the watcher's last path for a log line.
    LiveReloadHandler.watcher = types.SimpleNamespace(filepath=None)
    return web.Application([
        (r"/livereload", PageSocket),
        (r"/livereload\.js", LiveReloadJSHandler),
        (TOOLS + r"overlay\.css", OverlayStyleHandler),
        (r"/(.*)", SiteHandler, {"preview": preview, "port": port}),
    ])


def open_pages(base_path: str) -> dict[PageSocket, str]:
    """The browsers connected, with the output path of the page each has open."""
    pages = {}
    for socket_ in LiveReloadHandler.waiters:
        url_path = getattr(socket_, "url_path", None)
        if url_path and url_path.startswith(base_path):
            relative = url_path[len(base_path):]
            pages[socket_] = relative + "index.html" if relative.endswith("/") or not relative \
                else relative
    return pages


def reload_pages(changed: Iterable[str], only: Iterable[PageSocket] | None = None) -> None:
    """Tell open pages (all, or `only` these) to reload: only their stylesheets when only CSS
    changed."""
    names = sorted(changed)
    only_css = bool(names) and all(name.endswith(".css") for name in names)
    message = {"command": "reload", "path": names[0] if only_css else "/",
               "liveCSS": True, "liveImg": True}
    for socket_ in list(LiveReloadHandler.waiters if only is None else only):
        try:
            socket_.write_message(message)
        except Exception:  # a browser gone away: tornado says so on close
            LiveReloadHandler.waiters.discard(socket_)


# -- serving ---------------------------------------------------------------------------------


class PortInUse(Exception):
    pass


class NothingToServe(Exception):
    """The folder is no hub (it has no content/ to build or watch)."""


def bind(host: str, port: int, *, next_free: bool) -> tuple[list[socket.socket], int]:
    """Sockets listening on host:port, or on the next free port when `next_free`."""
    from tornado.netutil import bind_sockets

    for candidate in range(port, port + (20 if next_free else 1)):
        try:
            return bind_sockets(candidate, address=host), candidate
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
    raise PortInUse(port)


def serve(
    preview: Preview,
    host: str,
    sockets: list[socket.socket],
    port: int,
    *,
    open_browser: bool = False,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve until Ctrl-C (or SIGTERM), rebuilding and reloading on every change."""
    # Forked before the server and the watcher start any thread.
    builds = BuildProcess(preview, sockets)
    asyncio.run(_serve(preview, builds, host, sockets, port, open_browser, announce))


async def _serve(
    preview: Preview,
    builds: BuildProcess,
    host: str,
    sockets: list[socket.socket],
    port: int,
    open_browser: bool,
    announce: Callable[[str], None],
) -> None:
    server = HTTPServer(make_application(preview, port))
    server.add_sockets(sockets)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}{preview.base_path}"
    announce(f"serving {preview.hub_dir} at {url} (Ctrl-C to stop)")
    if open_browser:
        webbrowser.open(url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    rebuilder = Rebuilder(preview)
    building = asyncio.create_task(rebuilder.run(builds))
    building.add_done_callback(lambda _: stop.set())  # it only ends by failing
    try:
        await watch(preview, stop, rebuilder.saved)
    finally:
        building.cancel()
        builds.stop()
        server.stop()
        await server.close_all_connections()
        announce("stopped")
    if building.done() and not building.cancelled():
        building.result()  # a failure in the builder is a bug: show it


class Rebuilder:
    """Turns saves into builds, one at a time, in the build process (the server keeps
    answering), and shows the open papers' pages ahead of each build."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        self.saves = 0  # bursts of changes seen so far
        self.model_save = 0  # the last save the preview's model shows
        self.unapplied: list[tuple[int, set[Path]]] = []  # saves since, not patched in
        self.pending: set[str] = set()  # what changed since the last build started
        self.wanted = asyncio.Event()
        self.reloading: set[PageSocket] = set()  # pages shown ahead, not loaded again yet
        self.reloaded = asyncio.Event()
        self.reading: asyncio.Task[None] | None = None  # the hub being read again
        PageSocket.connected = self.page_connected

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
            model = patch_model(preview.model, preview.hub_dir, changed,
                                include_drafts=preview.include_drafts) if (
                preview.model is not None and not preview.errors) else None
            if model is None:
                # A save the model cannot take (a paper added, hub.yaml, a fix after an
                # error): read the hub again while the build runs, in its own process.
                self.read_again()
                return
            preview.model, self.model_save, self.unapplied = model, self.saves, []
            pages = open_pages(preview.base_path)
            shown, render = preview.render_ahead(model, pages.values(), self.saves)
            self.reloading = {page for page, path in pages.items() if path in shown}
            if self.reloading:
                self.reloaded.clear()
                reload_pages(self.pending, only=self.reloading)
                render()

    def page_connected(self) -> None:
        # A reloaded page opens a new socket; the old one closes when the page goes.
        self.reloading &= LiveReloadHandler.waiters
        if not self.reloading:
            self.reloaded.set()

    async def run(self, builds: BuildProcess) -> None:
        preview = self.preview
        if preview.model is None and preview.built:
            self.read_again()  # the first build had nothing to do, so made no model
        while True:
            await self.wanted.wait()
            if self.reloading:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self.reloaded.wait(), RELOAD_GRACE_SECONDS)
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
            model = await in_thread(load_model, self.preview.hub_dir,
                                    include_drafts=self.preview.include_drafts)
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
                if _reads(preview.out_dir / path) == data:
                    confirmed.add(path)  # the page shown ahead is the page built
        # Pages still shown ahead show a later save than this build (or, if it failed, the
        # last good version; they reload for the overlay).
        kept = set(preview.ahead) if succeeded else set()
        pages = open_pages(preview.base_path)
        reload_pages(changed, only=[page for page, path in pages.items()
                                    if path not in confirmed and path not in kept])


class BuildProcessGone(Exception):
    """The build process ended without answering (its exit code, if known)."""


class Outcome(NamedTuple):
    """What the preview needs to know of a build made in the build process."""

    errors: list[str]
    built: bool
    base_path: str


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


def _reads(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


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


async def watch(preview: Preview, stop: asyncio.Event,
                saved: Callable[[set[Path]], None]) -> None:
    """Hand every burst of changes in content/, templates/ and static/ to `saved`, until
    `stop`. The hub folder itself is watched too (not below it: the preview's own folders
    are there), so a templates/ or static/ made while serving is watched from then on."""
    while not stop.is_set():
        folders = [preview.hub_dir / name for name in WATCHED
                   if (preview.hub_dir / name).is_dir()]
        moved = asyncio.Event()  # a watched folder appeared or went: watch again
        either = _Either(stop, moved)
        watching_root = asyncio.create_task(_watch_root(preview.hub_dir, moved, either))
        async for changes in watchfiles.awatch(*folders, stop_event=either, step=QUIET_MS,
                                               debounce=LONGEST_MS):
            saved({Path(name) for _, name in changes})
        await watching_root
        if moved.is_set() and not stop.is_set():
            saved(set(folders))


async def _watch_root(hub_dir: Path, moved: asyncio.Event, either: _Either) -> None:
    async for changes in watchfiles.awatch(hub_dir, stop_event=either, step=QUIET_MS,
                                           debounce=LONGEST_MS, recursive=False):
        if {Path(name).name for _, name in changes} & set(WATCHED):
            moved.set()


class _Either:
    """Set when either event is (what watchfiles asks of a stop event)."""

    def __init__(self, first: asyncio.Event, second: asyncio.Event) -> None:
        self.first, self.second = first, second

    def is_set(self) -> bool:
        return self.first.is_set() or self.second.is_set()


def run(hub_dir: Path, out_dir: Path, *, host: str, port: int, port_given: bool,
        open_browser: bool, include_drafts: bool, announce: Callable[[str], None]) -> None:
    """Build, then serve and rebuild until stopped; PortInUse when the port asked for is
    taken (without --port, the next free one is used and said)."""
    preview = Preview(hub_dir.absolute(), out_dir.absolute(), include_drafts)
    if not (hub_dir / "content").is_dir():
        preview.rebuild()  # says what is missing, as `citehub build` would
        raise NothingToServe(hub_dir)
    sockets, bound = bind(host, port, next_free=not port_given)
    if not all(ipaddress.ip_address(listening.getsockname()[0]).is_loopback
               for listening in sockets):
        announce(f"warning: listening on {host}: other machines that can reach it see the "
                 "preview")
    if bound != port:
        announce(f"port {port} is in use; serving on port {bound} instead")
    # The first build may use every core (no watcher thread yet); rebuilds render in-process.
    first = preview.rebuild(workers=None)
    preview.model = first.model if first else None
    serve(preview, host, sockets, bound, open_browser=open_browser, announce=announce)
