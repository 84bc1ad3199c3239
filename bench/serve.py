"""Preview latency: from saving a paper file to its new title on screen in `citehub serve`.

For each corpus size it writes the seeded corpus (bench/corpus.py) on tmpfs, starts the real
`citehub serve` on a free port, opens the paper's page in Chromium (Debian's, driven by
Playwright), waits until livereload is connected, then edits the title several times and
measures, for each save, the time until the page shows the new title (the page reloads
itself). Reports the median and range.

    python bench/serve.py                      # N = 1000, 10000; 11 edits each
    python bench/serve.py --sizes 1000 --edits 11
"""

from __future__ import annotations

import argparse
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from corpus import write_corpus

CITEHUB = Path(sys.executable).parent / "citehub"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking"]
CONNECTED = "() => window.LiveReload !== undefined && window.LiveReload.connector.protocol > 0"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_served(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("citehub serve exited before serving")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing served at {url} after {seconds} s")


def measure(size: int, edits: int, root: Path) -> list[float]:
    hub = root / str(size)
    print(f"N={size}: writing the corpus to {hub}", flush=True)
    write_corpus(size, hub)
    papers = sorted((hub / "content" / "papers").glob("*.md"))
    target = papers[len(papers) // 7]  # the same typical paper bench/run.py edits
    original = target.read_text()
    port = free_port()
    process = subprocess.Popen([str(CITEHUB), "serve", str(hub), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds: list[float] = []
    try:
        page_url = f"http://127.0.0.1:{port}/bench/papers/{target.stem}/"
        wait_until_served(page_url, process, 900)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(page_url)
            page.wait_for_function(CONNECTED, timeout=60_000)
            for number in range(edits):
                title = f"Edited title number {number}"
                text = original.replace("\ntitle: ", f"\ntitle: {title} — ", 1)
                saved = time.perf_counter()
                target.write_text(text)
                page.wait_for_function(
                    "title => document.querySelector('h1') !== null && "
                    "document.querySelector('h1').textContent.startsWith(title)",
                    arg=title, timeout=120_000, polling="raf")
                seconds.append(time.perf_counter() - saved)
                print(f"  edit {number + 1}/{edits}: {seconds[-1] * 1000:.0f} ms", flush=True)
                page.wait_for_function(CONNECTED, timeout=60_000)
                time.sleep(0.5)  # let the server settle, as a person types
            browser.close()
    finally:
        target.write_text(original)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--edits", type=int, default=11)
    parser.add_argument("--root", type=Path, default=Path("/dev/shm/citehub-bench"))
    arguments = parser.parse_args()
    rows = []
    for size in arguments.sizes:
        seconds = measure(size, arguments.edits, arguments.root)
        rows.append(f"| {size:,} | {statistics.median(seconds) * 1000:.0f} ms | "
                    f"{min(seconds) * 1000:.0f}–{max(seconds) * 1000:.0f} ms | "  # noqa: RUF001
                    f"{len(seconds)} |")
    print("\n".join(["| papers | save → visible, median | range | edits |",
                     "|---:|---:|---|---:|", *rows]))


if __name__ == "__main__":
    main()
