"""`citehub serve`: build, serve the site at its base path, rebuild on change, reload the page.

The preview is built into a folder of its own (never the hub's site/ unless asked), served by
tornado on loopback and mounted at the base path of base_url, so links behave as they will
on GitHub Pages. Pages open in a browser reload through livereload's websocket protocol
after each rebuild. A rebuild that fails keeps the last good site and lays an overlay with
its errors over every page, until a fix clears it. Rebuilds are incremental (see build.py):
an edit renders only the pages that show what changed.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import mimetypes
import signal
import socket
import sys
import time
import types
import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles
from livereload.handlers import (  # type: ignore[import-untyped]
    LiveReloadHandler,
    LiveReloadJSHandler,
)
from markupsafe import escape
from tornado import web
from tornado.httpserver import HTTPServer

from citehub.build import BuildResult, build
from citehub.diagnostics import ContentError, Diagnostics
from citehub.report import Reporter
from citehub.write import OutputError

# What the preview adds to the server, outside any hub's URLs.
TOOLS = "/__citehub/"
WATCHED = ("content", "templates", "static")
# Editors save in bursts (a temporary file, a rename, a backup): changes closer together than
# this are one rebuild; no burst is held back longer than the second number.
QUIET_MS, LONGEST_MS = 40, 400

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

    def rebuild(self, changed: Iterable[str] = (), *, workers: int | None = 1) -> bool:
        """Build; on content errors keep the last good site and remember the errors."""
        started = time.perf_counter()
        try:
            result = build(self.hub_dir, self.out_dir, include_drafts=self.include_drafts,
                           reporter=Reporter(), workers=workers)
        except ContentError as error:
            self.errors = list(error.diagnostics.formatted())
            for line in self.errors:
                print(line, file=sys.stderr, flush=True)
            kept = "still serving the last good site" if self.built else "nothing to serve yet"
            print(f"build failed: {_count(error.diagnostics)}; {kept}", file=sys.stderr,
                  flush=True)
            return False
        except OutputError as error:
            self.errors = [f"error: {error}"]
            print(self.errors[0], file=sys.stderr, flush=True)
            return False
        self.errors = []
        self.built = True
        self.base_path = result.base_path
        for line in result.diagnostics.formatted():
            print(line, file=sys.stderr, flush=True)
        print(_summary(result, changed, time.perf_counter() - started), flush=True)
        return True


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
    head = (f'<script src="/livereload.js?port={port}" defer></script>'
            f'<link rel="stylesheet" href="{TOOLS}overlay.css">').encode()
    page = page.replace(b"</head>", head + b"</head>", 1)
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


def make_application(preview: Preview, port: int) -> web.Application:
    LiveReloadHandler.live_css = True
    # livereload's own polling watcher is not used (watchfiles tells us what changed); its
    # handler only reads the watcher's last path for a log line.
    LiveReloadHandler.watcher = types.SimpleNamespace(filepath=None)
    return web.Application([
        (r"/livereload", LiveReloadHandler),
        (r"/livereload\.js", LiveReloadJSHandler),
        (TOOLS + r"overlay\.css", OverlayStyleHandler),
        (r"/(.*)", SiteHandler, {"preview": preview, "port": port}),
    ])


def reload_pages(changed: Iterable[str]) -> None:
    """Tell every open page to reload (only its stylesheets, when only CSS changed)."""
    names = sorted(changed)
    only_css = bool(names) and all(name.endswith(".css") for name in names)
    LiveReloadHandler.reload_waiters(names[0] if only_css else "/")


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
    asyncio.run(_serve(preview, host, sockets, port, open_browser, announce))


async def _serve(
    preview: Preview,
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
    try:
        await watch(preview, stop)
    finally:
        server.stop()
        await server.close_all_connections()
        announce("stopped")


async def watch(preview: Preview, stop: asyncio.Event) -> None:
    """Rebuild after every burst of changes in content/, templates/ and static/, until
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
            _rebuild_and_reload(preview, {name for _, name in changes})
        await watching_root
        if moved.is_set() and not stop.is_set():
            _rebuild_and_reload(preview, {str(folder) for folder in folders})


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


def _rebuild_and_reload(preview: Preview, names: set[str]) -> None:
    root = str(preview.hub_dir) + "/"
    changed = {name[len(root):] if name.startswith(root) else name for name in names}
    # Rendering here, on the loop, keeps the preview simple: requests wait for a rebuild
    # rather than see half of one.
    preview.rebuild(changed)
    reload_pages(changed)


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
    preview.rebuild(workers=None)
    serve(preview, host, sockets, bound, open_browser=open_browser, announce=announce)
