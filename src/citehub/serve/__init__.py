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

The parts, as MkDocs splits its livereload server: `http` (handlers, the open pages, the
overlay), `rebuild` (the preview's state, the rebuilder and the build process), `watch` (the
watcher); this module starts them and stops them.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import signal
import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path

from tornado.httpserver import HTTPServer

from citehub.build import BuildOptions
from citehub.hubfiles import HubLayout
from citehub.serve.http import OpenPages, loopback_hosts, make_application
from citehub.serve.rebuild import BuildProcess, BuildProcessGone, Preview, Rebuilder
from citehub.serve.watch import watch

__all__ = ["BuildProcessGone", "NothingToServe", "PortInUse", "bind", "run", "serve"]


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
    pages = OpenPages()
    server = HTTPServer(make_application(preview, pages, port, loopback_hosts(host, port)))
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
    rebuilder = Rebuilder(preview, pages)
    building = asyncio.create_task(rebuilder.run(builds))
    building.add_done_callback(lambda _: stop.set())  # it only ends by failing
    try:
        await watch(preview.hub, stop, rebuilder.saved)
    finally:
        building.cancel()
        builds.stop()
        server.stop()
        await server.close_all_connections()
        announce("stopped")
    if building.done() and not building.cancelled():
        building.result()  # a failure in the builder is a bug: show it


def run(hub_dir: Path, out_dir: Path, *, host: str, port: int, port_given: bool,
        open_browser: bool, options: BuildOptions, announce: Callable[[str], None]) -> None:
    """Build, then serve and rebuild until stopped; PortInUse when the port asked for is
    taken (without --port, the next free one is used and said)."""
    preview = Preview(hub_dir.absolute(), out_dir.absolute(), options)
    if not HubLayout(hub_dir).content.is_dir():
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
