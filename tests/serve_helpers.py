"""`citehub serve` in a subprocess on a free port, and waiting for what it serves."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

CITEHUB = Path(sys.executable).parent / "citehub"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    def __init__(self, process: subprocess.Popen[str], port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.log = log

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url(path), timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def output(self) -> str:
        return self.log.read_text()

    def wait_for(self, path: str, condition: Callable[[str], bool], seconds: float = 20) -> str:
        """The page at `path` once `condition` holds for it; fails with the server's output."""
        deadline = time.monotonic() + seconds
        body = ""
        while time.monotonic() < deadline:
            try:
                _, body = self.get(path)
            except (urllib.error.URLError, ConnectionError):
                body = ""
            if body and condition(body):
                return body
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{path} never matched; server said:\n{self.output()}")


@contextmanager
def serving(hub: Path, *options: str) -> Iterator[Served]:
    port = free_port()
    log = hub.parent / f"serve-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(CITEHUB), "serve", str(hub), "--port", str(port), *options],
            stdout=output, stderr=subprocess.STDOUT, text=True,
        )
    served = Served(process, port, log)
    try:
        served.wait_for("/", lambda body: True)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
