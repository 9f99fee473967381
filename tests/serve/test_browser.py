"""`workshop serve browser`: the app in a browser tab, over textual-serve's websocket."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.web
ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_browser(url: str, data_dir: Path, *extra: str) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "workshop_tui.cli", "--database-url", url, "serve", "browser",
         "--port", str(port), *extra],
        stdout=subprocess.DEVNULL, stderr=(data_dir / "serve.log").open("w"), text=True,
        env={**os.environ, "WORKSHOP_DATA_DIR": str(data_dir)},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert server.poll() is None, (data_dir / "serve.log").read_text()
                assert time.monotonic() < deadline, "the browser server did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


@pytest.fixture
def served(database, isolated_data_dir) -> Iterator[str]:
    yield from serve_browser(database.url, isolated_data_dir)


@pytest.fixture
def served_one(database, isolated_data_dir) -> Iterator[str]:
    yield from serve_browser(database.url, isolated_data_dir, "--max-sessions", "1")


class Wire:
    """What the page's websocket received, as terminal text with escapes removed."""

    def __init__(self, page: Page) -> None:
        self.received = b""
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, bytes):
            self.received += ESCAPES.sub(b"", payload)

    def wait_for(self, page: Page, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.received:
            assert time.monotonic() < deadline, f"{text!r} never arrived: {self.received[-300:]!r}"
            page.wait_for_timeout(100)


def test_the_page_loads_and_the_login_screen_arrives_over_its_websocket(page: Page, served):
    wire = Wire(page)
    assert page.goto(served).ok
    wire.wait_for(page, "Phone number or username")


def test_a_tab_past_the_cap_is_told_the_server_is_full(page: Page, served_one):
    first = Wire(page)
    page.goto(served_one)
    first.wait_for(page, "Phone number or username")
    second_page = page.context.new_page()
    second = Wire(second_page)
    second_page.goto(served_one)
    second.wait_for(second_page, "all 1 sessions of this server are in use")


def app_pids(data_dir: Path) -> list[int]:
    return [int(pid) for pid in re.findall(r"pid (\d+)", (data_dir / "serve.log").read_text())]


def test_closing_the_tab_ends_its_app(page: Page, served, isolated_data_dir):
    wire = Wire(page)
    page.goto(served)
    wire.wait_for(page, "Phone number or username")
    (pid,) = app_pids(isolated_data_dir)
    page.close()
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}"):
        assert time.monotonic() < deadline, f"app {pid} still running after its tab closed"
        time.sleep(0.05)
