"""`workshop web`: the Flask companion under granian, in several processes.

One Python process runs one request's Python at a time (the GIL); a page of the
catalog is mostly Python (routing, rows to JSON), so the server runs a few
processes, each with a few request threads for the time a request waits on
PostgreSQL. granian's HTTP handling is native code, which leaves the CPU to the
application (bench/web.py prints what that buys).

The parent resolves the database once (starting the embedded server if no URL
was given, and keeping it alive) and writes the session secret before any worker
starts, so every worker signs cookies with the same key.
"""

from __future__ import annotations

from functools import partial

from flask import Flask

from workshop_tui.config import Settings
from workshop_tui.db.engine import Database
from workshop_tui.services import Services
from workshop_tui.services.sweeper import ExpirySweeper
from workshop_tui.web.app import create_app
from workshop_tui.web.security import load_secret_key


def worker_app(settings: Settings) -> Flask:
    """The app in one worker process: its own engine and pool, opened on first request.

    Each worker also expires unpaid orders in the background (services.sweeper), so no
    customer's checkout has to.
    """
    app = create_app(services_factory=lambda: Services(Database(settings)), settings=settings)
    holder = app.extensions["workshop"]
    app.extensions["workshop_sweeper"] = ExpirySweeper(
        holder.get, settings.expiry_sweep_seconds
    ).start()
    return app


def serve_database(database: Database, *, host: str, port: int, workers: int, threads: int) -> None:
    """Serve until interrupted; the workers connect to `database` (already checked) by URL."""
    from granian.constants import Interfaces
    from granian.server import Server

    settings = database.settings.model_copy(update={"database_url": database.url})
    # Workers open their own connections; none of this process's may leak into them.
    database.dispose()
    load_secret_key(settings.data_dir)  # created here once, not raced by the workers
    server = Server(
        "workshop_tui.web.serve:worker_app",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        log_access=False,
        websockets=False,
        respawn_failed_workers=True,
        # Ctrl+C signals every process at once; now and then (3 of 19 tries here) a worker
        # then missed its stop (granian 2.8) and hung the shutdown: now it is killed after 3 s.
        workers_kill_timeout=3,
    )
    server.serve(target_loader=partial(worker_app, settings), wrap_loader=False)
