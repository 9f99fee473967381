"""`workshop serve browser`: the app in a browser tab, one app process per tab (textual-serve)."""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import cast

from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from workshop_tui.serve.pty_app import STOP_GRACE_SECONDS
from workshop_tui.serve.sessions import AppCommand, SessionCap

log = logging.getLogger("workshop_tui.serve")


class CappedServer(Server):
    """textual-serve behind the session cap: each tab's session logged, its app ended and reaped."""

    def __init__(self, command: AppCommand, cap: SessionCap, host: str, port: int) -> None:
        # textual-serve runs the command through /bin/sh: `exec` makes the app the process
        # it holds, so ending that process ends the app (not only the shell in front of it).
        argv = "exec " + shlex.join(command.argv())
        super().__init__(argv, host=host, port=port, title="Workshop")
        self.cap = cap
        self.websockets: set[web.WebSocketResponse] = set()

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        peer = request.remote or "unknown"
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        token = object()
        if not self.cap.acquire(token):
            log.warning("session refused: all %d in use (browser %s)", self.cap.limit, peer)
            await websocket.send_bytes(self.cap.refusal.encode())  # shown in the page's terminal
            await websocket.close()
            return websocket
        self.websockets.add(websocket)
        service = AppService(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            # textual-serve only awaits close() and ignores its answer; its annotation asks
            # for None where aiohttp's close() answers a bool (textual-serve passes it too).
            close=cast("Callable[[], Awaitable[None]]", websocket.close),
            download_manager=self.download_manager,
            debug=self.debug,
        )
        try:
            await service.start(_size(request, "width", 80), _size(request, "height", 24))
            pid = service._process.pid if service._process else -1
            log.info(
                "session start: browser %s, pid %d (%d of %d)",
                *(peer, pid, len(self.cap.active), self.cap.limit),
            )
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            pass
        finally:
            await _end(service)
            self.websockets.discard(websocket)
            self.cap.release(token)
            await websocket.close()
            log.info("session end: browser %s", peer)
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        # Open tabs would hold the shutdown for aiohttp's minute: close them, ending their apps.
        for websocket in list(self.websockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY)


async def _end(service: AppService) -> None:
    """Ask the app to quit; a process that does not is killed, and always reaped."""
    process = service._process
    with suppress(Exception):
        await asyncio.wait_for(service.stop(), STOP_GRACE_SECONDS)
    if process is not None and process.returncode is None:
        with suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def _size(request: web.Request, name: str, default: int) -> int:
    try:
        return max(1, int(request.query.get(name, default)))
    except ValueError:
        return default


def serve_browser(command: AppCommand, cap: SessionCap, host: str, port: int) -> None:
    # textual-serve starts each tab's app with this process's environment.
    os.environ.update(
        {k: command.env()[k] for k in ("WORKSHOP_DATABASE_URL", "WORKSHOP_POOL_SIZE")}
    )
    CappedServer(command, cap, host, port).serve()
