"""A TCP proxy in front of a PostgreSQL unix socket that can lose a COMMIT's answer.

The kernel here has no netem and no iptables, so network faults are made in Python.
Armed with a marker (bytes of a statement, e.g. b"INSERT INTO orders"), the proxy
forwards the COMMIT of the first transaction that sent the marker, lets the server
answer it, and then cuts the connection before the answer reaches the client: the
client cannot tell whether its transaction committed (it did).

It reads the frontend protocol just far enough for that: the untyped start-up
messages, then typed messages (psycopg2 sends every statement as a simple Query, 'Q').
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from pathlib import Path

UNTYPED_REQUESTS = {80877103, 80877104}  # SSLRequest, GSSENCRequest: the start-up message follows


class _Link:
    def __init__(self, proxy: FaultProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server = server
        self.marked = False  # the open transaction sent the armed marker
        self.cut = threading.Event()  # the COMMIT went out: drop the answer and hang up

    def client_to_server(self) -> None:
        buffer = b""
        started = False
        try:
            while chunk := self.client.recv(65536):
                buffer += chunk
                while True:
                    message, buffer, started = _next_message(buffer, started)
                    if message is None:
                        break
                    self._inspect(message, started)
                    self.server.sendall(message)
                    if self.cut.is_set():
                        return
        except OSError:
            pass
        finally:
            if not self.cut.is_set():
                self.close()

    def server_to_client(self) -> None:
        try:
            while chunk := self.server.recv(65536):
                if self.cut.is_set():
                    self.proxy.cuts += 1  # the COMMIT's answer arrived: it never reaches the client
                    break
                self.client.sendall(chunk)
        except OSError:
            pass
        finally:
            self.close()

    def _inspect(self, message: bytes, started: bool) -> None:
        if not started or message[:1] != b"Q":
            return
        query = message[5:].rstrip(b"\x00").strip()
        marker = self.proxy.armed
        if marker is not None and marker in query:
            self.marked = True
        verb = query[:8].upper()
        # The hot path sends a transaction's last statement and its COMMIT in one message
        # (a sale's NOTIFY may follow the COMMIT there).
        parts = [part.strip().upper() for part in query.split(b";")]
        if any(part.startswith((b"COMMIT", b"END")) for part in parts):
            with self.proxy.lock:
                if self.marked and self.proxy.armed is not None:
                    self.proxy.armed = None
                    self.cut.set()
            self.marked = False
        elif verb.startswith(b"ROLLBACK"):
            self.marked = False

    def close(self) -> None:
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def _next_message(buffer: bytes, started: bool) -> tuple[bytes | None, bytes, bool]:
    """Split one whole message off the front of buffer: (message or None, rest, started)."""
    if not started:
        if len(buffer) < 8:
            return None, buffer, started
        (length,) = struct.unpack("!I", buffer[:4])
        if len(buffer) < length:
            return None, buffer, started
        (code,) = struct.unpack("!I", buffer[4:8])
        return buffer[:length], buffer[length:], code not in UNTYPED_REQUESTS
    if len(buffer) < 5:
        return None, buffer, started
    (length,) = struct.unpack("!I", buffer[1:5])
    if len(buffer) < 1 + length:
        return None, buffer, started
    return buffer[: 1 + length], buffer[1 + length :], started


class FaultProxy:
    """127.0.0.1:<port> -> the server's unix socket, one pair of threads per connection."""

    def __init__(self, unix_socket: Path) -> None:
        self.unix_socket = str(unix_socket)
        self.lock = threading.Lock()
        self.armed: bytes | None = None
        self.cuts = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._links: list[_Link] = []
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._thread.start()

    def lose_commit_answer(self, marker: bytes) -> None:
        """Cut the connection after the next COMMIT of a transaction that sent `marker`."""
        with self.lock:
            self.armed = marker

    def url(self, database: str) -> str:
        return (
            f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"
            "?sslmode=disable&gssencmode=disable"
        )

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                server.connect(self.unix_socket)
            except OSError:
                client.close()  # the server is down: the client sees a refused start-up
                server.close()
                continue
            link = _Link(self, client, server)
            self._links.append(link)
            for pump in (link.client_to_server, link.server_to_client):
                threading.Thread(target=pump, daemon=True).start()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._listener.close()
        for link in self._links:
            link.close()
        self._thread.join(5)
