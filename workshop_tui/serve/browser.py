"""`workshop serve browser`: the app in a browser tab, one app process per tab (textual-serve)."""

from __future__ import annotations

import logging
import os
import shlex

from aiohttp import web
from textual_serve.server import Server

from workshop_tui.serve.sessions import AppCommand, SessionCap

log = logging.getLogger("workshop_tui.serve")


class CappedServer(Server):
    """textual-serve behind the session cap, logging each tab's session."""

    def __init__(self, command: AppCommand, cap: SessionCap, host: str, port: int) -> None:
        super().__init__(shlex.join(command.argv()), host=host, port=port, title="Workshop")
        self.cap = cap

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        peer = request.remote or "unknown"
        token = object()
        if not self.cap.acquire(token):
            log.warning("session refused: all %d in use (browser %s)", self.cap.limit, peer)
            websocket = web.WebSocketResponse()
            await websocket.prepare(request)
            await websocket.send_bytes(self.cap.refusal.encode())  # shown in the page's terminal
            await websocket.close()
            return websocket
        log.info("session start: browser %s (%d of %d)", peer, len(self.cap.active), self.cap.limit)
        try:
            return await super().handle_websocket(request)
        finally:
            self.cap.release(token)
            log.info("session end: browser %s", peer)


def serve_browser(command: AppCommand, cap: SessionCap, host: str, port: int) -> None:
    # textual-serve starts each tab's app with this process's environment.
    os.environ.update(
        {k: command.env()[k] for k in ("WORKSHOP_DATABASE_URL", "WORKSHOP_POOL_SIZE")}
    )
    CappedServer(command, cap, host, port).serve()
