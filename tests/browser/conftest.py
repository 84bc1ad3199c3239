"""Browser and validity harness: built hubs, a GitHub-Pages-like server, Chromium, axe, vnu.

Session fixtures build two hubs once (the seed-like hub of tests/seed_hub.py and this
repository's demo hub, plus the seed hub paginated by 10) and serve each *mounted at its base
path*, as GitHub Pages does: `/kd-hub/…` maps into the site folder, `/` redirects to the base
path and every other path gets the site's 404.html with status 404.

Chromium is Debian's (/usr/bin/chromium) driven by Playwright; Java runs the Nu HTML Checker
from node_modules/vnu-jar; axe-core comes from node_modules/axe-core. `make test` installs all
three (scripts/install-system-deps.sh, npm ci). Nothing here skips: a missing tool fails the
test and says how to install it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    sync_playwright,
)

from citehub.cli import main

from conftest import Hub
from seed_hub import write_seed_hub

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "docs" / "screenshots"

# Without the background-networking flags Chromium's own connections are refused here, and
# /dev/shm is tiny in containers.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
TIMEOUT_MS = 20_000

INSTALL_HINT = (
    "run `make test` (it installs everything: scripts/install-system-deps.sh for Chromium and "
    "Java, as root; npm ci for vnu-jar and axe-core), or run those two steps yourself"
)


def require(*, chromium: bool = False, java: bool = False, axe: bool = False,
            vnu: bool = False) -> None:
    """Fail (never skip) when a tool the browser tests need is not installed."""
    missing = []
    if chromium and not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (Debian package chromium)")
    if java and shutil.which("java") is None:
        missing.append("java (Debian package default-jre-headless)")
    if axe and not AXE_JS.is_file():
        missing.append(f"{AXE_JS.relative_to(REPO)} (npm axe-core)")
    if vnu and not VNU_JAR.is_file():
        missing.append(f"{VNU_JAR.relative_to(REPO)} (npm vnu-jar)")
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: {INSTALL_HINT}", pytrace=False)


# --- Built sites -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Site:
    """A built hub: its output folder and the path part of its base_url ("/kd-hub/")."""

    root: Path
    base_path: str

    def html_pages(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))


def base_path_of(source: Path) -> str:
    config = source / "content" / "hub.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else None
    base_url = (data or {}).get("base_url") or "/"
    path = urlsplit(str(base_url)).path or "/"
    return path if path.endswith("/") else path + "/"


def build_site(source: Path, out: Path) -> Site:
    """`citehub build SOURCE -o OUT`, in-process; a failed build fails the test with its errors."""
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(out)],
                                catch_exceptions=False)
    if result.exit_code != 0:
        pytest.fail(f"citehub build {source} -o {out} exited {result.exit_code}:\n"
                    f"{result.stderr}", pytrace=False)
    return Site(out, base_path_of(source))


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """tests/seed_hub.py's hub (base_url https://example.github.io/kd-hub/)."""
    hub = Hub(tmp_path_factory.mktemp("seed-hub"))
    write_seed_hub(hub)
    return build_site(hub.root, tmp_path_factory.mktemp("seed-site") / "site")


@pytest.fixture(scope="session")
def paged_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The seed hub with `paginate: 10`: the index and the survey's lists continue on page/N/."""
    hub = Hub(tmp_path_factory.mktemp("paged-hub"))
    write_seed_hub(hub)
    config = hub.root / "content" / "hub.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "paginate: 10\n", encoding="utf-8")
    return build_site(hub.root, tmp_path_factory.mktemp("paged-site") / "site")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """This repository's demo hub (content/, its templates/ and static/)."""
    return build_site(REPO, tmp_path_factory.mktemp("demo-site") / "site")


# --- Static server mounted at the base path ----------------------------------------------------

@dataclass(frozen=True)
class Served:
    """One request the server answered: method, path (with query) and status."""

    method: str
    path: str
    status: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that closes a connection early is not a test failure; anything else is
        # printed as usual.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _MountedHandler(SimpleHTTPRequestHandler):
    """GitHub Pages for one project site: the site lives under its base path."""

    extensions_map = {  # noqa: RUF012 - the base class declares it a plain dict
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".svg": "image/svg+xml",
        ".xml": "application/xml",
        ".txt": "text/plain; charset=utf-8",
        ".png": "image/png",
        ".ico": "image/vnd.microsoft.icon",
    }

    def __init__(self, *args: Any, site: Site, log: list[Served], **kwargs: Any) -> None:
        self.site = site
        self.served = log
        super().__init__(*args, directory=str(site.root), **kwargs)

    def _path(self) -> str:
        return urlsplit(self.path).path

    def _redirected_to_base(self) -> bool:
        base = self.site.base_path
        if base == "/" or self._path() not in ("/", base.rstrip("/")):
            return False
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", base)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return True

    def do_GET(self) -> None:
        if not self._redirected_to_base():
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._redirected_to_base():
            super().do_HEAD()

    def send_head(self) -> Any:
        if not self._path().startswith(self.site.base_path):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        # Only called from send_head, for paths under the base path.
        return super().translate_path("/" + path[len(self.site.base_path):])

    def list_directory(self, path: Any) -> None:
        self.send_error(HTTPStatus.NOT_FOUND)  # GitHub Pages lists no folders
        return None

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        page = self.site.root / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = int(code) if str(code).isdigit() else 0
        self.served.append(Served(self.command or "", self.path, status))

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class SiteServer:
    """A running server for one site; `url("papers/x/")` is under the base path."""

    site: Site
    origin: str
    served: list[Served] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.origin + self.site.base_path

    def url(self, relative: str = "") -> str:
        return self.base_url + relative.lstrip("/")

    def paths_served(self) -> list[str]:
        return [entry.path for entry in list(self.served)]


def serve(site: Site) -> Iterator[SiteServer]:
    """Serve SITE on 127.0.0.1 (a free port) in a thread until the generator is closed."""
    log: list[Served] = []
    server = _Server(("127.0.0.1", 0), partial(_MountedHandler, site=site, log=log))
    server.timeout = 0.05  # handle_request() returns this often to look at `stopping`
    stopping = threading.Event()

    def loop() -> None:
        while not stopping.is_set():
            server.handle_request()

    host, port = server.server_address[:2]
    thread = threading.Thread(target=loop, name=f"site-server-{port}", daemon=True)
    thread.start()
    try:
        yield SiteServer(site, f"http://{host!s}:{port}", log)
    finally:
        # Unlike server.shutdown(), never waits forever (say, for a thread frozen at exit).
        stopping.set()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture(scope="session")
def seed_server(seed_site: Site) -> Iterator[SiteServer]:
    yield from serve(seed_site)


@pytest.fixture(scope="session")
def paged_server(paged_site: Site) -> Iterator[SiteServer]:
    yield from serve(paged_site)


@pytest.fixture(scope="session")
def demo_server(demo_site: Site) -> Iterator[SiteServer]:
    yield from serve(demo_site)


# --- Chromium through Playwright ---------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    require(chromium=True)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless; Playwright never downloads a browser here."""
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
    yield launched
    launched.close()


class WatchedPage:
    """A page that records console errors and warnings, uncaught errors, failed requests and
    HTTP error responses, so a test can assert that none happened."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        context.set_default_timeout(TIMEOUT_MS)
        self.page = context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        self._in_flight: set[Request] = set()
        page = self.page
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(
            f"uncaught error: {error.name}: {error.message}\n{error.stack or ''}".rstrip()))
        page.on("request", self._on_request)
        page.on("requestfinished", self._on_request_finished)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            where = message.location.get("url", "")
            line = message.location.get("lineNumber")
            where += f":{line}" if where and line is not None else ""
            self.problems.append(f"console {message.type}: {message.text}"
                                 + (f" ({where})" if where else ""))

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)
        self._in_flight.add(request)

    def _on_request_finished(self, request: Request) -> None:
        self._in_flight.discard(request)

    def _on_request_failed(self, request: Request) -> None:
        self._in_flight.discard(request)
        self.problems.append(f"request failed: {request.method} {request.url}: "
                             f"{request.failure or 'unknown error'}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.request.method} "
                                 f"{response.url}")

    def goto(self, url: str) -> Response:
        response = self.page.goto(url, wait_until="load")
        assert response is not None, f"no response for {url}"
        return response

    def settle(self) -> None:
        """Wait until the page has loaded, its fonts are ready and no request is in flight."""
        page = self.page
        page.wait_for_load_state("load")
        page.evaluate("() => document.fonts.ready.then(() => undefined)")
        self.wait_until(lambda: not self._in_flight, lambda: "requests still in flight: "
                        + ", ".join(request.url for request in self._in_flight))

    def wait_until(self, condition: Callable[[], bool],
                   describe: Callable[[], str] = lambda: "condition",
                   timeout_ms: int = TIMEOUT_MS) -> None:
        """Poll a Python-side CONDITION (say, on recorded events or the server's log) until it
        holds; each poll is a round trip to the page, which delivers the events sent before it."""
        polls = timeout_ms // 25
        while not condition():
            assert polls > 0, f"timed out after {timeout_ms} ms waiting for {describe()}"
            self.page.evaluate("() => new Promise(resolve => setTimeout(resolve, 25))")
            polls -= 1

    def assert_clean(self, *, allow: Sequence[str] = ()) -> None:
        """No console error or warning, uncaught error, failed request or HTTP error so far,
        except problems that contain one of the `allow` strings."""
        self.settle()
        unexpected = [problem for problem in self.problems
                      if not any(allowed in problem for allowed in allow)]
        assert not unexpected, "the page had problems:\n" + "\n".join(unexpected)


def _watched(browser: Browser, **options: Any) -> Iterator[WatchedPage]:
    context = browser.new_context(**options)
    try:
        yield WatchedPage(context)
    finally:
        context.close()


@pytest.fixture
def watched(browser: Browser) -> Iterator[WatchedPage]:
    """A fresh page (own context, 1280x900) that records problems; see WatchedPage."""
    yield from _watched(browser, viewport={"width": 1280, "height": 900})


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[WatchedPage]:
    """Like `watched`, in a context that bypasses the site's Content-Security-Policy
    (`script-src 'self'` would refuse the injected axe-core script)."""
    require(axe=True)
    yield from _watched(browser, viewport={"width": 1280, "height": 900}, bypass_csp=True)


def wait_for_rendering(page: Page) -> None:
    """Fonts loaded and every CSS transition or animation finished (e.g. after a switch to dark
    mode), so colours are final."""
    page.evaluate("""async () => {
        await document.fonts.ready;
        await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        await Promise.all(document.getAnimations()
            .filter(animation => animation.effect?.getTiming().iterations !== Infinity)
            .map(animation => animation.finished.catch(() => undefined)));
    }""")


# --- axe-core ----------------------------------------------------------------------------------

_AXE_RUN = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    return results.violations.map(violation => ({
        id: violation.id, impact: violation.impact, help: violation.help,
        helpUrl: violation.helpUrl,
        nodes: violation.nodes.map(node => ({
            target: node.target.map(part => Array.isArray(part) ? part.join(' >> ') : part),
            summary: node.failureSummary || ''})),
    }));
}"""


def format_violation(violation: dict[str, Any]) -> str:
    lines = [f"{violation['id']} ({violation['impact']}): {violation['help']} "
             f"<{violation['helpUrl']}>"]
    for node in violation["nodes"]:
        lines.append(f"    {', '.join(node['target'])}")
        lines.extend(f"        {line.strip()}" for line in node["summary"].splitlines()
                     if line.strip())
    return "\n".join(lines)


def axe(page: Page, dark: bool) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the loaded page, in light or dark colour scheme,
    one readable entry each (rule id, impact, help, target selectors, what to fix).

    The page must come from a context with bypass_csp=True (the `axe_page` fixture)."""
    require(axe=True)
    page.emulate_media(color_scheme="dark" if dark else "light")
    wait_for_rendering(page)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=AXE_JS)
        page.wait_for_function("() => typeof window.axe === 'object'")
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN, list(AXE_TAGS))
    return [format_violation(violation) for violation in violations]


# --- Nu HTML Checker ---------------------------------------------------------------------------

@dataclass(frozen=True)
class VnuMessage:
    file: str
    line: int | None
    column: int | None
    type: str
    message: str
    extract: str

    def __str__(self) -> str:
        where = self.file + "".join(f":{n}" for n in (self.line, self.column) if n is not None)
        extract = f"\n    {self.extract.strip()}" if self.extract.strip() else ""
        return f"{where}: {self.type}: {self.message}{extract}"


def _batches(files: list[str], limit: int = 500_000) -> Iterator[list[str]]:
    """Split a long file list so a command line stays far below ARG_MAX."""
    batch: list[str] = []
    size = 0
    for name in files:
        if batch and size + len(name) + 1 > limit:
            yield batch
            batch, size = [], 0
        batch.append(name)
        size += len(name) + 1
    if batch:
        yield batch


def vnu(paths: Iterable[Path], root: Path | None = None) -> list[VnuMessage]:
    """The Nu HTML Checker's errors for PATHS, checked in one JVM run (file names relative to
    ROOT when given)."""
    require(java=True, vnu=True)
    files = [str(path) for path in paths]
    assert files, "vnu: no files to check"
    messages: list[VnuMessage] = []
    for batch in _batches(files):
        command = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout",
                   *batch]
        run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        try:
            report = json.loads(run.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"vnu.jar exited {run.returncode} without a JSON report:\n"
                        f"{run.stdout[-2000:]}{run.stderr[-4000:]}", pytrace=False)
        for entry in report.get("messages", []):
            name = urlsplit(entry.get("url", "")).path or entry.get("url", "?")
            if root is not None and Path(name).is_relative_to(root):
                name = str(Path(name).relative_to(root))
            messages.append(VnuMessage(
                name, entry.get("lastLine"), entry.get("firstColumn"),
                entry.get("subType") or entry.get("type", "error"), entry.get("message", ""),
                entry.get("extract", "")))
    return messages


# --- Screenshots -------------------------------------------------------------------------------

VIEWPORTS = {"phone": (360, 800), "desktop": (1280, 900)}


def save_screenshots(browser: Browser, url: str, name: str,
                     folder: Path = SCREENSHOTS) -> list[Path]:
    """Screenshots of URL on a phone (360x800) and a desktop (1280x900), light and dark:
    FOLDER/NAME-phone-light.png and so on. Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for device, (width, height) in VIEWPORTS.items():
        for scheme in ("light", "dark"):
            phone = device == "phone"
            context = browser.new_context(
                viewport={"width": width, "height": height}, device_scale_factor=1,
                is_mobile=phone, has_touch=phone, color_scheme=scheme)
            try:
                watched = WatchedPage(context)
                watched.goto(url)
                watched.assert_clean()
                wait_for_rendering(watched.page)
                target = folder / f"{name}-{device}-{scheme}.png"
                image = watched.page.screenshot(animations="disabled", caret="hide")
                # Atomically, so a reader never sees half a file.
                partial_file = target.with_name(f".{target.name}.{os.getpid()}.tmp")
                partial_file.write_bytes(image)
                partial_file.replace(target)
                written.append(target)
            finally:
                context.close()
    return written
