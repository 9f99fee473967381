"""The `workshop serve` commands as an operator starts them."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import asyncssh
import pytest

from tests.serve.conftest import Screen


def start(args: list[str], env_extra: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, **env_extra}
    return subprocess.Popen(
        [sys.executable, "-m", "workshop_tui.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def announced_port(server: subprocess.Popen) -> int:
    line = server.stdout.readline()
    found = re.search(r"on 127\.0\.0\.1:(\d+)", line)
    assert found, line + server.stderr.read()
    return int(found.group(1))


def stop(server: subprocess.Popen) -> str:
    server.send_signal(signal.SIGTERM)
    _, err = server.communicate(timeout=15)
    return err


async def test_open_mode_warns_loudly_and_lets_a_keyless_client_reach_the_login_screen(
    database, isolated_data_dir: Path
):
    server = start(
        ["--database-url", database.url, "serve", "ssh", "--open", "--port", "0"],
        {"WORKSHOP_DATA_DIR": str(isolated_data_dir)},
    )
    try:
        port = announced_port(server)
        conn = await asyncssh.connect(
            "127.0.0.1", port, username="anyone", known_hosts=None, client_keys=None,
            agent_path=None, config=[],
        )  # fmt: skip
        process = await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
        await Screen(process, 80, 24).wait_for("Phone number or username")
        conn.close()
        await conn.wait_closed()
    finally:
        err = stop(server)
    assert server.returncode == 0
    assert "WARNING: --open: ANY client" in err
    assert "session start: client 127.0.0.1:" in err and "key none (--open)" in err


def test_serving_without_an_authorized_key_is_refused_with_a_hint(database, isolated_data_dir):
    server = start(
        ["--database-url", database.url, "serve", "ssh", "--port", "0"],
        {"WORKSHOP_DATA_DIR": str(isolated_data_dir)},
    )
    _, err = server.communicate(timeout=30)
    assert server.returncode == 2
    assert f"no public keys in {isolated_data_dir / 'authorized_keys'}" in err
    assert "--open" in err


def test_a_taken_port_is_one_line_and_exit_2(database, isolated_data_dir):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = start(
            ["--database-url", database.url, "serve", "ssh", "--open", "--port", str(port)],
            {"WORKSHOP_DATA_DIR": str(isolated_data_dir)},
        )
        _, err = server.communicate(timeout=30)
    assert server.returncode == 2
    assert err.strip().splitlines()[-1].startswith(f"workshop: cannot listen on 127.0.0.1:{port}")


def test_kiosk_sessions_run_the_kiosk_mode():
    from workshop_tui.serve.sessions import AppCommand

    assert AppCommand("postgresql://x/y", kiosk=True).argv()[-1] == "--kiosk"
    assert "--kiosk" not in AppCommand("postgresql://x/y").argv()


def test_the_default_cap_follows_the_servers_max_connections(database):
    from workshop_tui.serve.sessions import CONNECTIONS_PER_SESSION, default_max_sessions
    from workshop_tui.services._sql import value

    with database.begin() as s:
        limit = int(value(s, "SHOW max_connections"))
        reserved = int(value(s, "SHOW superuser_reserved_connections"))
    cap = default_max_sessions(database.url)
    assert cap * CONNECTIONS_PER_SESSION <= limit - reserved
    assert cap >= 1


def test_a_served_app_gets_a_small_pool(database):

    from workshop_tui.db import Database

    db = Database(database.settings.model_copy(update={"pool_size": 2}), pool_size=10)
    try:
        assert db.engine.pool.size() == 2
    finally:
        db.dispose()


@pytest.mark.slow
async def test_without_a_url_sessions_share_the_data_dirs_embedded_server():
    # A short path: the server's unix socket lives in it (107 bytes at most). A directory
    # the embedded server makes itself (run as root, it hands it to its own user).
    root = Path(tempfile.mkdtemp(prefix="ws-"))
    env = {"WORKSHOP_DATA_DIR": str(root / "data"), "WORKSHOP_DATABASE_URL": ""}
    upgrade = subprocess.run(
        [sys.executable, "-m", "workshop_tui.cli", "db", "upgrade"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert upgrade.returncode == 0, upgrade.stderr
    server = start(["serve", "ssh", "--open", "--port", "0"], env)
    try:
        port = announced_port(server)
        conn = await asyncssh.connect(
            "127.0.0.1", port, username="anyone", known_hosts=None, client_keys=None,
            agent_path=None, config=[],
        )  # fmt: skip
        process = await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
        term = Screen(process, 80, 24)
        await term.wait_for("Phone number or username")
        await term.settle()
        term.send("9000000001\r")
        await term.wait_for("New here?")  # the app looked the number up in the embedded server
        conn.close()
        await conn.wait_closed()
    finally:
        stop(server)
        shutil.rmtree(root, ignore_errors=True)
    assert server.returncode == 0
