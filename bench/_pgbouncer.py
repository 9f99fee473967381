"""A private pgbouncer (Debian's package) in transaction mode in front of a PostgreSQL URL.

The configuration is the README's: one wildcard database entry whose `connect_query`
gives every server connection the session settings a Workshop connection sets
(a client's own SET does not follow it from one server connection to the next).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy.engine import make_url

from workshop_tui.config import Settings

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
MISSING = "pgbouncer is not installed (Debian: apt-get install -y pgbouncer)"


def available() -> bool:
    return os.path.exists(PGBOUNCER)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(server_url: str, port: int, folder: Path, pool_size: int) -> str:
    url = make_url(server_url)
    host = url.host or url.query.get("host") or "127.0.0.1"
    settings = Settings()
    target = f"host={host} port={url.port or 5432} user={url.username or 'postgres'}"
    if url.password:
        target += f" password={url.password}"
    connect_query = (
        f"SET lock_timeout = {settings.lock_timeout_ms}; "
        f"SET statement_timeout = {settings.statement_timeout_ms}"
    )
    return f"""\
[databases]
* = {target} connect_query='{connect_query}'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 2000
max_db_connections = {pool_size}
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


def _run_as(server_url: str) -> str:
    """The system user pgbouncer runs as: one that can reach the server's unix socket."""
    url = make_url(server_url)
    host = url.host or url.query.get("host")
    if isinstance(host, str) and host.startswith("/"):
        owner = pwd.getpwuid(os.stat(host).st_uid).pw_name
        if owner != "root":
            return owner  # the embedded server's own user (socket dirs are private)
    return "postgres"


@contextmanager
def pgbouncer(server_url: str, pool_size: int = 20) -> Iterator[str]:
    """Yield `server_url` as seen through a new pgbouncer (same database, user)."""
    folder = Path(tempfile.mkdtemp(prefix="workshop-pgbouncer-"))
    port = _free_port()
    user = make_url(server_url).username or "postgres"
    (folder / "pgbouncer.ini").write_text(config(server_url, port, folder, pool_size))
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    argv = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        account = pwd.getpwnam(_run_as(server_url))
        os.chown(folder, account.pw_uid, account.pw_gid)
        folder.chmod(0o755)
        argv[1:1] = ["-u", account.pw_name]
    # A service of its own (its own CPU share), as it would run beside a real server.
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = folder / "pgbouncer.log"
                    raise RuntimeError(
                        "pgbouncer did not start: "
                        + (log.read_text() if log.exists() else proc.stderr.read().decode())
                    ) from None
                time.sleep(0.05)
        url = make_url(server_url).set(host="127.0.0.1", port=port, query={})
        yield url.render_as_string(hide_password=False)
    finally:
        with suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)  # an immediate shutdown (SIGINT waits for clients)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)
