"""`workshop serve ssh`: one app process per SSH session, on a pty at the client's size."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import asyncssh

from workshop_tui.serve.keys import host_key, read_authorized_keys
from workshop_tui.serve.pty_app import PtyApp
from workshop_tui.serve.sessions import AppCommand, SessionCap

if TYPE_CHECKING:
    from asyncssh.connection import SSHConnection

log = logging.getLogger("workshop_tui.serve")

NO_PTY = (
    b"workshop: this is a terminal app and needs a terminal: connect with `ssh -t` "
    b"(not -T, and not with a command)\r\n"
)
OPEN_WARNING = (
    "WARNING: --open: ANY client that reaches {where} gets the login screen, without a key. "
    "Only the app's own login protects the shop."
)


@dataclass
class SSHServe:
    """The server's state: its options, its live sessions and the cap on them."""

    command: AppCommand
    cap: SessionCap
    data_dir: Path
    authorized_keys: Path | None = None  # None: --open
    sessions: set[PtyApp] = field(default_factory=set)
    _acceptor: asyncssh.SSHAcceptor | None = None

    @property
    def open(self) -> bool:
        return self.authorized_keys is None

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the port (useful when 0 asked for a free one)."""
        self._acceptor = await asyncssh.create_server(
            lambda: _Gate(self),
            host,
            port,
            server_host_keys=[host_key(self.data_dir)],
            process_factory=self._session,
            encoding=None,
            line_editor=False,
            allow_scp=False,
            agent_forwarding=False,
            x11_forwarding=False,
            # A login screen, not a shell: no password prompts, keys only (or --open).
            password_auth=False,
            kbdint_auth=False,
        )
        bound: int = self._acceptor.sockets[0].getsockname()[1]  # (host, port[, ...])
        return bound

    async def close(self) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
        await asyncio.gather(*(app.stop() for app in list(self.sessions)))

    async def _session(self, process: asyncssh.SSHServerProcess[bytes]) -> None:
        conn = process.channel.get_connection()
        peer = _peer(conn)
        key = conn.get_extra_info("workshop_key", "none (--open)")
        term = process.get_terminal_type()
        columns, lines = process.get_terminal_size()[:2]
        if not term or columns <= 0 or lines <= 0:
            log.info("session refused: no terminal (client %s, key %s)", peer, key)
            process.stdout.write(NO_PTY)
            process.exit(1)
            return
        token = object()
        if not self.cap.acquire(token):
            log.warning(
                "session refused: all %d in use (client %s, key %s)", self.cap.limit, peer, key
            )
            process.stdout.write(self.cap.refusal.encode())
            process.exit(1)
            return
        try:
            await self._run(process, peer, key, term, columns, lines)
        finally:
            self.cap.release(token)

    async def _run(
        self,
        process: asyncssh.SSHServerProcess[bytes],
        peer: str,
        key: str,
        term: str,
        columns: int,
        lines: int,
    ) -> None:
        extra = {name: value for name, value in _client_env(process).items() if name == "COLORTERM"}
        app = await PtyApp.start(self.command.argv(), self.command.env(term, extra), columns, lines)
        self.sessions.add(app)
        log.info(
            "session start: client %s, key %s, pid %d, %dx%d %s (%d of %d)",
            *(peer, key, app.pid, columns, lines, term, len(self.cap.active), self.cap.limit),
        )
        output_done = asyncio.Event()

        def to_client(data: bytes) -> None:
            with suppress(Exception):  # the client may be gone already: the app is ended next
                process.stdout.write(data)

        app.pump_output(to_client, output_done)
        keys = asyncio.create_task(_forward_keys(process, app))
        ended = asyncio.create_task(output_done.wait())
        how = "ended by the server"
        try:
            await asyncio.wait({keys, ended}, return_when=asyncio.FIRST_COMPLETED)
            client_left = not ended.done()
            status = await app.stop()
            how = "client disconnected" if client_left else f"app exited with {status}"
            if not client_left:
                with suppress(Exception):
                    process.exit(status if status >= 0 else 1)
        finally:
            keys.cancel()
            ended.cancel()
            await app.stop()
            self.sessions.discard(app)
        log.info("session end: client %s, key %s, pid %d, %s", peer, key, app.pid, how)


async def _forward_keys(process: asyncssh.SSHServerProcess[bytes], app: PtyApp) -> None:
    """Client input to the app until the client goes; resizes to the pty."""
    while True:
        try:
            data = await process.stdin.read(65536)
        except asyncssh.TerminalSizeChanged as change:
            app.resize(change.width, change.height)
            continue
        except (asyncssh.BreakReceived, asyncssh.SignalReceived):
            continue
        except (asyncssh.Error, ConnectionError, OSError):
            return
        if not data:
            return  # EOF: the client closed the session
        await app.write(data)


class _Gate(asyncssh.SSHServer):
    """Public-key authentication against the authorized_keys file (read at each login)."""

    def __init__(self, serve: SSHServe) -> None:
        self.serve = serve
        self.conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn

    def begin_auth(self, username: str) -> bool:
        return not self.serve.open  # False: no authentication needed

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        assert self.conn is not None and self.serve.authorized_keys is not None
        keys = read_authorized_keys(self.serve.authorized_keys)
        host, address = self.conn.get_extra_info("peername", ("", 0))[:2]
        fingerprint = key.get_fingerprint()
        if keys is None or keys.validate(key, str(host), str(host)) is None:
            log.info("key refused: client %s:%s, key %s", host, address, fingerprint)
            return False
        self.conn.set_extra_info(workshop_key=fingerprint)
        return True


def _peer(conn: SSHConnection) -> str:
    peer = conn.get_extra_info("peername")
    return f"{peer[0]}:{peer[1]}" if peer else "unknown"


def _client_env(process: asyncssh.SSHServerProcess[bytes]) -> dict[str, str]:
    env = process.env or {}
    return {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
        for k, v in env.items()
    }


def serve_forever(serve: SSHServe, host: str, port: int, announce: Callable[[int], None]) -> None:
    """Run until SIGINT or SIGTERM; every session's app is ended on the way out."""

    async def main() -> None:
        bound = await serve.start(host, port)
        announce(bound)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await serve.close()

    asyncio.run(main())
