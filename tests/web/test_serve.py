"""`workshop web`: several server processes that behave as one site."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import factories as f
from workshop_tui.db.engine import Database
from workshop_tui.web.security import SECRET_KEY_FILE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(database: Database, isolated_data_dir: Path) -> Iterator[int]:
    """`workshop web --workers 3` on the test database; its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "WORKSHOP_SECRET_KEY"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workshop_tui.cli",
            "--database-url",
            database.url,
            "web",
            "--port",
            str(port),
            "--workers",
            "3",
            "--threads",
            "2",
        ],  # fmt: skip
        env=env | {"WORKSHOP_DATA_DIR": str(isolated_data_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            pytest.fail(f"workshop web exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("workshop web did not listen within 30 s")
            time.sleep(0.1)
    yield port
    proc.terminate()
    proc.wait(15)


def call(port: int, method: str, path: str, body=None, headers=None):
    """One request on a new connection (each may land on another worker process)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent = {"Accept": "application/json", **(headers or {})}
    if body is not None:
        sent["Content-Type"] = "application/json"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    return response, json.loads(raw) if raw else None


def test_a_session_started_on_one_worker_is_honoured_by_every_worker(
    served, database, isolated_data_dir
):
    f.account(database, phone="+919876543210", name="Asha")
    response, body = call(
        served, "POST", "/api/auth/login", {"login": "9876543210", "password": "123456"}
    )
    assert response.status == 200
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    for _ in range(12):  # new connections, spread over the three processes
        response, me = call(served, "GET", "/api/me", headers={"Cookie": cookie})
        assert response.status == 200
        assert me["account"]["name"] == "Asha"
    key_file = isolated_data_dir / SECRET_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_the_served_product_list_shows_live_stock(served, database):
    acme = f.seller(database, "Acme Tools")
    f.product(database, acme, name="Claw Hammer", stock=5)
    f.product(database, acme, name="Sold Out Vice", stock=0)
    response, page = call(served, "GET", "/api/products")
    assert response.status == 200
    assert [(p["name"], p["stock"]) for p in page["items"]] == [("Claw Hammer", 5)]
