"""`workshop serve ssh`: one app per SSH session, at the client's size, and nothing left behind."""

from __future__ import annotations

import asyncio
import os
import time

import asyncssh
import pytest

from tests.serve.conftest import PHONE, PIN, Screen
from workshop_tui.services import Services


async def gone(pid: int, timeout: float = 5.0) -> bool:
    """True once no process has this pid (the server reaped it, so it is not a zombie either)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_session_logs_in_adds_to_the_cart_resizes_and_leaves_no_process(
    ssh_server, shop, services: Services, caplog, monkeypatch
):
    # The serving shell's own size must not pin the sessions' (it beats the pty's in Python).
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    conn = await ssh_server.connect()
    process = await conn.create_process(
        term_type="xterm-256color", term_size=(80, 24), encoding=None
    )
    term = Screen(process, 80, 24)
    await term.wait_for("Phone number or username")
    (app,) = ssh_server.serve.sessions
    await term.settle()
    term.send(PHONE + "\r")
    await term.wait_for("PIN or password")
    await term.settle()
    term.send(PIN + "\r")
    await term.wait_for("Claw Hammer")
    await term.settle()
    term.send("+")
    await term.wait_for("Cart: 1 item")
    assert services.cart.get(shop["customer"]).quantity_of(shop["hammer"]) == 1

    narrow = term.text().splitlines()
    assert len(narrow) == 24 and max(len(line.rstrip()) for line in narrow) <= 80
    term.resize(120, 40)

    def wide_layout(shown: str) -> bool:
        lines = shown.splitlines()
        # The app drew to the new width, and down to the new last line (its footer).
        return max(len(line.rstrip()) for line in lines) > 80 and bool(lines[-1].strip())

    wide = (await term.wait_until(wide_layout, "the 120x40 layout")).splitlines()
    assert len(wide) == 40 and "Cart: 1 item" in "\n".join(wide)

    conn.close()
    await conn.wait_closed()
    assert await gone(app.pid)
    assert not ssh_server.serve.sessions
    fingerprint = ssh_server.key.get_fingerprint()
    started = [r.getMessage() for r in caplog.records if "session start" in r.getMessage()]
    ended = [r.getMessage() for r in caplog.records if "session end" in r.getMessage()]
    assert fingerprint in started[0] and "127.0.0.1:" in started[0]
    assert fingerprint in ended[0] and "client disconnected" in ended[0]


async def test_a_key_not_in_the_authorized_keys_file_is_refused(ssh_server):
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    with pytest.raises(asyncssh.PermissionDenied):
        await ssh_server.connect(stranger)
    assert not ssh_server.serve.sessions


async def test_sessions_past_the_cap_are_refused_with_a_message(ssh_server, shop):
    ssh_server.serve.cap.limit = 2
    conns = [await ssh_server.connect() for _ in range(3)]
    try:
        for conn in conns[:2]:
            process = await conn.create_process(
                term_type="xterm", term_size=(80, 24), encoding=None
            )
            await Screen(process, 80, 24).wait_for("Phone number or username")
        third = await conns[2].create_process(term_type="xterm", term_size=(80, 24))
        said = await asyncio.wait_for(third.stdout.read(), 10)
        await third.wait_closed()
        assert "all 2 sessions of this server are in use" in said
        assert third.exit_status == 1
        assert len(ssh_server.serve.sessions) == 2
    finally:
        for conn in conns:
            conn.close()


async def test_a_client_without_a_terminal_gets_one_line_and_is_disconnected(ssh_server):
    conn = await ssh_server.connect()
    try:
        result = await asyncio.wait_for(conn.run(), 10)  # like `ssh -T`: no pty
    finally:
        conn.close()
    assert result.stdout.count("\n") == 1
    assert "needs a terminal" in result.stdout
    assert result.exit_status == 1
    assert not ssh_server.serve.sessions


async def test_the_app_exiting_ends_the_session(ssh_server, shop):
    conn = await ssh_server.connect()
    process = await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
    term = Screen(process, 80, 24)
    await term.wait_for("Phone number or username")
    (app,) = ssh_server.serve.sessions
    await term.settle()
    term.send("\x11")  # ctrl+q
    await asyncio.wait_for(process.wait_closed(), 10)
    assert process.exit_status == 0
    assert await gone(app.pid)
    conn.close()


def test_the_host_key_is_made_once_private_and_reused(tmp_path):
    from workshop_tui.serve.keys import HOST_KEY_NAME, host_key

    first = host_key(tmp_path)
    assert (tmp_path / HOST_KEY_NAME).stat().st_mode & 0o777 == 0o600
    again = host_key(tmp_path)
    assert again.get_fingerprint() == first.get_fingerprint()
