"""`citehub serve`: the preview answers at the base path, rebuilds on change, shows build
errors over the last good site, and stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from citehub.serve import PortInUse, bind
from citehub.serve.http import with_preview_tools
from citehub.serve.rebuild import BUILD_NICENESS
from serve_helpers import CITEHUB, free_port, serving

from conftest import Hub


def write_hub(hub: Hub) -> None:
    hub.config("title: Preview hub\nbase_url: https://example.github.io/preview/\n")
    hub.paper("a", "title: Alpha\ndate: 2024-01-02", "The first abstract.\n")
    hub.paper("b", "title: Beta\ndate: 2025-03-04\ncites:\n  - {paper: a, role: method}",
              "The second abstract.\n")


def test_preview_answers_at_the_base_path_with_the_reload_hook(hub: Hub) -> None:
    write_hub(hub)
    with serving(hub.root) as served:
        status, page = served.get("/preview/papers/a/")
        assert status == 200 and "<h1>Alpha</h1>" in page
        assert f'<script src="/livereload.js?port={served.port}" defer></script>' in page
        assert served.get("/livereload.js")[0] == 200
        # `/` and folders without their slash redirect, as on GitHub Pages.
        assert served.get("/")[1] == served.get("/preview/")[1]
        assert served.get("/preview/papers/a")[1] == page
        status, missing = served.get("/preview/nowhere/")
        assert status == 404 and "Page not found" in missing
        assert served.get("/preview/../../etc/passwd")[0] == 404
        assert f"at http://127.0.0.1:{served.port}/preview/" in served.output()
    # The preview has its own folder: a real build's site/ is never touched.
    assert not (hub.root / "site").exists()
    assert (hub.root / ".citehub-cache" / "preview" / "papers" / "a" / "index.html").is_file()


def test_an_edit_shows_up_and_a_broken_edit_keeps_the_last_good_page(hub: Hub) -> None:
    write_hub(hub)
    with serving(hub.root) as served:
        hub.paper("a", "title: Alpha edited\ndate: 2024-01-02", "The first abstract.\n")
        served.wait_for("/preview/papers/a/", lambda page: "<h1>Alpha edited</h1>" in page)
        # A broken file: the error is printed and laid over every page; the old page stays.
        hub.paper("a", "titel: Alpha broken\ndate: 2024-01-02")
        page = served.wait_for("/preview/papers/a/", lambda page: "citehub-overlay" in page)
        assert "<h1>Alpha edited</h1>" in page
        assert "content/papers/a.md:2: error: unknown key &#39;titel&#39;" in page
        assert "unknown key 'titel'" in served.output()
        assert "citehub-overlay" in served.get("/preview/papers/b/")[1]
        # The fix clears it.
        hub.paper("a", "title: Alpha fixed\ndate: 2024-01-02")
        # (The build process writes the page a moment before the server hears it succeeded.)
        served.wait_for("/preview/papers/a/",
                        lambda page: "Alpha fixed" in page and "citehub-overlay" not in page)


def test_ctrl_c_stops_the_preview_cleanly(hub: Hub) -> None:
    write_hub(hub)
    with serving(hub.root) as served:
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=10) == 0
        assert "stopped" in served.output()
        assert "Traceback" not in served.output()


def test_ctrl_c_also_stops_the_build_process(hub: Hub) -> None:
    write_hub(hub)
    with serving(hub.root) as served:
        children = build_processes(served.process.pid)
        assert len(children) == 1
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=10) == 0
    assert not Path(f"/proc/{children[0]}").exists() or "zombie" in Path(
        f"/proc/{children[0]}/status").read_text().lower()


def test_the_build_process_gives_way_to_the_server(hub: Hub) -> None:
    """On two cores a full rebuild would take the CPU the server needs to show the next save
    ahead: the build process runs at a lower priority (a higher niceness)."""
    write_hub(hub)
    with serving(hub.root) as served:
        server = os.getpriority(os.PRIO_PROCESS, served.process.pid)
        children = build_processes(served.process.pid)
        assert [os.getpriority(os.PRIO_PROCESS, child) for child in children] == [
            min(19, server + BUILD_NICENESS)]


def test_a_build_process_that_dies_is_said_not_hung_on(hub: Hub) -> None:
    write_hub(hub)
    with serving(hub.root) as served:
        for child in build_processes(served.process.pid):
            os.kill(child, signal.SIGKILL)
        hub.paper("a", "title: Alpha again\ndate: 2024-01-02", "The first abstract.\n")
        assert served.process.wait(timeout=20) == 1
        assert "error: the build process stopped unexpectedly (exit code -9)" in served.output()
        assert "Traceback" not in served.output()


def build_processes(pid: int) -> list[int]:
    return [int(child) for child in
            Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_a_port_in_use_is_said_or_skipped() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUse):
            bind("127.0.0.1", port, next_free=False)
        sockets, bound = bind("127.0.0.1", port, next_free=True)
        for listening in sockets:
            listening.close()
        assert bound != port


def test_an_explicit_port_in_use_is_a_clear_error(hub: Hub) -> None:
    write_hub(hub)
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        run = subprocess.run([str(CITEHUB), "serve", str(hub.root), "--port", str(port)],
                             capture_output=True, text=True, timeout=30)
    assert run.returncode == 2
    assert f"port {port} is in use" in run.stderr


def test_errors_in_the_overlay_are_escaped() -> None:
    page = b"<html><head></head><body class=x><p>old</p></body></html>"
    shown = with_preview_tools(page, 8000, ["x.md:1: error: <script>alert(1)</script>"])
    assert b"<script>alert(1)" not in shown
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert shown.index(b"citehub-overlay") > shown.index(b"<body class=x>")
    assert b"<p>old</p>" in shown


def test_a_hub_that_does_not_build_yet_is_served_once_fixed(hub: Hub) -> None:
    hub.paper("a", "titel: Alpha")
    with serving(hub.root) as served:
        status, page = served.get("/")
        assert status == 500 and "Nothing has built yet." in page
        assert "nothing to serve yet" in served.output()
        hub.paper("a", "title: Alpha")
        served.wait_for("/papers/a/",
                        lambda page: "<h1>Alpha</h1>" in page and "citehub-overlay" not in page)


def test_a_folder_that_is_no_hub_is_an_error_not_an_empty_preview(tmp_path: Path) -> None:
    run = subprocess.run([str(CITEHUB), "serve", str(tmp_path / "nowhere"), "--port",
                          str(free_port())], capture_output=True, text=True, timeout=30)
    assert run.returncode == 1
    assert "content:1: error: folder not found" in run.stdout + run.stderr


def test_a_templates_folder_made_while_serving_is_watched(hub: Hub) -> None:
    write_hub(hub)
    assert not (hub.root / "templates").exists()
    with serving(hub.root) as served:
        hub.file("templates/404.html",
                 '{% extends "base.html" %}{% block main %}<h1>Lost here</h1>{% endblock %}\n')
        served.wait_for("/preview/nowhere/", lambda page: "Lost here" in page)
        # And edits inside it count from then on.
        hub.file("templates/404.html",
                 '{% extends "base.html" %}{% block main %}<h1>Lost again</h1>{% endblock %}\n')
        served.wait_for("/preview/nowhere/", lambda page: "Lost again" in page)


def test_a_burst_of_saves_is_one_rebuild(hub: Hub) -> None:
    write_hub(hub)
    with serving(hub.root) as served:
        for number in range(6):  # an editor writing a file several times in a row
            hub.paper("a", f"title: Alpha {number}\ndate: 2024-01-02", "The first abstract.\n")
        served.wait_for("/preview/papers/a/", lambda page: "<h1>Alpha 5</h1>" in page)
        rebuilds = served.output().count("rebuilt after")
        assert 1 <= rebuilds <= 2, served.output()


def raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def test_only_the_preview_s_own_address_is_answered(hub: Hub) -> None:
    """DNS rebinding: a page of evil.example resolves its name to 127.0.0.1 and reads the
    (perhaps --drafts) preview; its requests say `Host: evil.example`. Its script may not
    open the reload socket either."""
    write_hub(hub)
    with serving(hub.root) as served:
        ok = raw_request(served.port, f"GET /preview/ HTTP/1.1\r\nHost: 127.0.0.1:"
                                      f"{served.port}\r\n\r\n".encode())
        assert ok.startswith(b"HTTP/1.1 200")
        for host in (f"evil.example:{served.port}", "evil.example", "127.0.0.1:1"):
            answer = raw_request(served.port, f"GET /preview/ HTTP/1.1\r\nHost: {host}\r\n"
                                              "\r\n".encode())
            assert answer.startswith(b"HTTP/1.1 403"), (host, answer[:80])
        upgrade = ("GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n")
        own = raw_request(served.port, upgrade.format(
            port=served.port, origin=f"http://127.0.0.1:{served.port}").encode())
        assert own.startswith(b"HTTP/1.1 101")
        other = raw_request(served.port, upgrade.format(
            port=served.port, origin="http://evil.example").encode())
        assert other.startswith(b"HTTP/1.1 403")


def test_odd_paths_are_not_found_not_a_server_error(hub: Hub) -> None:
    write_hub(hub)
    with serving(hub.root) as served:
        for path in ("/preview/%00", "/preview/papers/a%00/", "/preview/" + "x" * 5000 + "/",
                     "/preview/papers/a/index.html/x"):
            status, body = served.get(path)
            assert status == 404, path
            assert "Traceback" not in body


def test_a_committed_cache_link_is_refused_as_the_preview_folder(
        hub: Hub, tmp_path: Path) -> None:
    write_hub(hub)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    (hub.root / ".citehub-cache").symlink_to(elsewhere)
    result = subprocess.run([str(CITEHUB), "serve", str(hub.root), "--port",
                             str(free_port())], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 1
    assert ".citehub-cache is a symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []
