"""The preview's HTTP side: the site at its base path, the reload socket, the error overlay.

Pages are served as GitHub Pages would serve them, with livereload.js added to each and,
after a failed rebuild, an overlay with the build's errors. Each browser's socket says which
page it has open (livereload's "info" message); `OpenPages` keeps them, and is handed to the
handlers and to the rebuilder that reloads them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from livereload.handlers import LiveReloadJSHandler  # type: ignore[import-untyped]
from markupsafe import escape
from tornado import web
from tornado.websocket import WebSocketHandler

from citehub.hubfiles import inside

if TYPE_CHECKING:
    from citehub.serve.rebuild import Preview

# What the preview adds to the server, outside any hub's URLs.
TOOLS = "/__citehub/"
# The reply to livereload.js's "hello": the protocol its pages speak.
HANDSHAKE = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
             "serverName": "citehub"}

OVERLAY_CSS = b"""\
.citehub-overlay { position: fixed; inset: 0 0 auto 0; z-index: 2147483647; max-height: 60vh;
  overflow: auto; margin: 0; padding: 1rem 1.25rem; background: #2b0d0d; color: #ffe9e9;
  font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  border-bottom: 3px solid #ff6b6b; box-shadow: 0 4px 24px rgba(0, 0, 0, .4); }
.citehub-overlay h2 { margin: 0 0 .5rem; font-size: 16px; color: #fff; }
.citehub-overlay pre { margin: 0 0 .5rem; white-space: pre-wrap; }
.citehub-overlay p { margin: 0; color: #ffc9c9; }
"""


class OpenPages:
    """The browsers connected to the preview, each with the URL path of the page it shows."""

    def __init__(self) -> None:
        self.sockets: dict[PageSocket, str] = {}
        # Pages told to reload ahead of a build, whose new page has not connected yet.
        self.reloading: set[PageSocket] = set()
        self.reloaded = asyncio.Event()

    def opened(self, page: PageSocket, url_path: str) -> None:
        self.sockets[page] = url_path
        # A reloaded page opens a new socket; the old one closes when the page goes.
        self.reloading &= set(self.sockets)
        if not self.reloading:
            self.reloaded.set()

    def closed(self, page: PageSocket) -> None:
        self.sockets.pop(page, None)

    def paths(self, base_path: str) -> dict[PageSocket, str]:
        """The output path of the page each browser has open, for those inside the site."""
        pages = {}
        for page, url_path in self.sockets.items():
            if url_path.startswith(base_path):
                relative = url_path[len(base_path):]
                pages[page] = relative + "index.html" if relative.endswith("/") or not relative \
                    else relative
        return pages

    def reload(self, changed: Iterable[str], only: Iterable[PageSocket] | None = None) -> None:
        """Tell open pages (all, or `only` these) to reload: only their stylesheets when only
        CSS changed."""
        names = sorted(changed)
        only_css = bool(names) and all(name.endswith(".css") for name in names)
        message = {"command": "reload", "path": names[0] if only_css else "/",
                   "liveCSS": True, "liveImg": True}
        for page in list(self.sockets if only is None else only):
            try:
                page.write_message(message)
            except Exception:  # a browser gone away: tornado says so on close
                self.closed(page)

    def reload_ahead(self, pages: Iterable[PageSocket], changed: Iterable[str]) -> bool:
        """Reload these pages ahead of a build; `reloaded` is set once they are all back.
        False when there is none."""
        self.reloading = set(pages)
        if not self.reloading:
            return False
        self.reloaded.clear()
        self.reload(changed, only=self.reloading)
        return True


class KnownHosts:
    """Answers only requests made to the preview's own address: a web page elsewhere can
    point a name of its own at 127.0.0.1 (DNS rebinding) and read the preview through it,
    but its requests then carry that name in their Host header."""

    hosts: frozenset[str] | None = None  # None: any (the preview was exposed with --host)

    def prepare(self) -> None:
        host = self.request.host.lower()  # type: ignore[attr-defined]
        if self.hosts is not None and host not in self.hosts:
            raise web.HTTPError(403, "unknown Host header")


def loopback_hosts(host: str, port: int) -> frozenset[str] | None:
    """The Host headers a browser sends to a preview on `host`:`port`; None when the
    preview listens beyond loopback (then any name may lead to it)."""
    names = {"127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host}
    if host not in ("127.0.0.1", "localhost", "::1"):
        try:
            if not ipaddress.ip_address(host).is_loopback:
                return None
        except ValueError:
            return None
    return frozenset(f"{name}:{port}" for name in names)


class PageSocket(KnownHosts, WebSocketHandler):
    """livereload's socket: the handshake, then the page it has open. Only pages of the
    preview itself may connect (tornado's same-origin check, and the Host check)."""

    def initialize(self, pages: OpenPages, hosts: frozenset[str] | None) -> None:
        self.pages = pages
        self.hosts = hosts

    def on_message(self, message: str | bytes) -> None:
        try:
            said = json.loads(message)
        except ValueError:
            return
        if not isinstance(said, dict):
            return
        if said.get("command") == "hello":
            self.write_message(HANDSHAKE)
        elif said.get("command") == "info" and "url" in said:
            self.pages.opened(self, urlsplit(str(said["url"])).path)

    def on_close(self) -> None:
        self.pages.closed(self)


class SiteHandler(KnownHosts, web.RequestHandler):
    """Serves the site at its base path, as GitHub Pages would, with the reload hook and,
    after a failed rebuild, the error overlay added to every page."""

    def initialize(self, preview: Preview, port: int, hosts: frozenset[str] | None) -> None:
        self.preview = preview
        self.port = port
        self.hosts = hosts

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
        target = inside(self.preview.out_dir, relative)
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
        page = inside(self.preview.out_dir, "404.html")
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


class OverlayStyleHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/css; charset=utf-8")
        self.finish(OVERLAY_CSS)


def make_application(preview: Preview, pages: OpenPages, port: int,
                     hosts: frozenset[str] | None) -> web.Application:
    routes: list[Any] = [
        (r"/livereload", PageSocket, {"pages": pages, "hosts": hosts}),
        (r"/livereload\.js", LiveReloadJSHandler),
        (TOOLS + r"overlay\.css", OverlayStyleHandler),
        (r"/(.*)", SiteHandler, {"preview": preview, "port": port, "hosts": hosts}),
    ]
    return web.Application(routes)
