"""An SSH server on the test database, and clients that read its screens as a terminal would."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncssh
import pyte
import pytest

from tests import factories as f
from workshop_tui.db import Database
from workshop_tui.serve.sessions import AppCommand, SessionCap
from workshop_tui.serve.ssh import SSHServe

PHONE, PIN = "9876543210", "123456"


@pytest.fixture
def shop(database: Database) -> dict[str, Any]:
    acme = f.seller(database, "Acme Tools")
    hammer = f.product(database, acme, name="Claw Hammer", price="250.00", stock=5)
    customer = f.account(database, phone="+91" + PHONE, name="Asha Rao", secret=PIN)
    return {"hammer": hammer, "customer": customer}


@pytest.fixture
def client_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


@pytest.fixture
def authorized_keys(tmp_path: Path, client_key: asyncssh.SSHKey) -> Path:
    path = tmp_path / "authorized_keys"
    path.write_bytes(client_key.export_public_key())
    return path


class Served:
    """A running SSHServe: its port, and a way to connect as a client."""

    def __init__(self, serve: SSHServe, port: int, key: asyncssh.SSHKey) -> None:
        self.serve, self.port, self.key = serve, port, key

    async def connect(self, key: asyncssh.SSHKey | None = None) -> asyncssh.SSHClientConnection:
        return await asyncssh.connect(
            "127.0.0.1",
            self.port,
            username="till",
            client_keys=[key or self.key],
            known_hosts=None,
            agent_path=None,
            config=[],
        )


@pytest.fixture
async def ssh_server(
    database: Database,
    isolated_data_dir: Path,
    authorized_keys: Path,
    client_key: asyncssh.SSHKey,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[Served]:
    caplog.set_level(logging.INFO, logger="workshop_tui.serve")
    serve = SSHServe(AppCommand(database.url), SessionCap(4), isolated_data_dir, authorized_keys)
    port = await serve.start("127.0.0.1", 0)
    yield Served(serve, port, client_key)
    await serve.close()


class Screen:
    """A client's terminal: what the app drew, as a VT100 would show it."""

    def __init__(self, process: asyncssh.SSHClientProcess, columns: int, lines: int) -> None:
        self.process = process
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def wait_for(self, text: str, timeout: float = 20.0) -> str:
        return await self.wait_until(lambda shown: text in shown, repr(text), timeout)

    async def wait_until(self, condition, what: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while not condition(self.text()):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{what} not on screen:\n{self.text()}")
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), left)
            except TimeoutError:
                continue
            if not chunk:
                raise AssertionError(f"the session ended before {what}:\n{self.text()}")
            self.raw += chunk
            self.stream.feed(chunk)
        return self.text()

    async def settle(self, quiet: float = 0.3) -> None:
        while True:
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), quiet)
            except TimeoutError:
                return
            if not chunk:
                return
            self.stream.feed(chunk)

    def send(self, keys: str) -> None:
        self.process.stdin.write(keys.encode())

    def resize(self, columns: int, lines: int) -> None:
        self.screen.resize(lines, columns)
        self.process.change_terminal_size(columns, lines)
