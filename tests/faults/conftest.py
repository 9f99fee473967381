"""Fault tests run against a PostgreSQL server they own: they stop it, crash it, start it.

One server per test module (initdb takes about a second), migrated once; each test
starts with the server up and the tables empty, on a fresh engine (so a pool warmed by
one test never serves another).
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from bench._controlled_pg import ControlledServer
from tests import factories as f
from tests.conftest import empty_all_tables
from workshop_tui.config import Settings
from workshop_tui.db import Database
from workshop_tui.db.migrate import upgrade
from workshop_tui.services import Services
from workshop_tui.services.types import Account

DATABASE = "shop"

# Each test module marks itself `xdist_group("faults")`: they stop servers and time waits,
# so they share one worker instead of racing each other for the two cores.
FAULTS = pytest.mark.xdist_group("faults")


@pytest.fixture(scope="session")
def migrated_server() -> Iterator[ControlledServer]:
    """A stopped server with the shop's database migrated, for modules to copy."""
    pg = ControlledServer(Path(tempfile.mkdtemp(prefix="workshop-faults-"))).init()
    pg.start()
    try:
        admin = psycopg2.connect(pg.dsn())
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DATABASE}")
        admin.close()
        db = Database(Settings(database_url=pg.url(DATABASE)), pool_size=1)
        upgrade(db)
        db.dispose()
        pg.stop("fast")
        yield pg
    finally:
        pg.destroy()


@pytest.fixture(scope="module")
def server(migrated_server: ControlledServer) -> Iterator[ControlledServer]:
    pg = migrated_server.clone(Path(tempfile.mkdtemp(prefix="workshop-faults-")))
    pg.start()
    try:
        yield pg
    finally:
        pg.destroy()


@pytest.fixture
def database(server: ControlledServer, isolated_data_dir: Path) -> Iterator[Database]:
    if not server.running():
        server.start()  # an earlier test left it down
    # A short reconnect wait: a test of an outage waits it out once or twice.
    settings = Settings(
        database_url=server.url(DATABASE), data_dir=isolated_data_dir, reconnect_wait_ms=1000
    )
    db = Database(settings, pool_size=10)
    empty_all_tables(db)
    yield db
    db.dispose()


@pytest.fixture
def make_database(
    server: ControlledServer, database: Database
) -> Iterator[Callable[..., Database]]:
    """Another engine on the fault server, with other settings or another URL (the proxy's)."""
    made: list[Database] = []

    def factory(url: str | None = None, **overrides: object) -> Database:
        settings = database.settings.model_copy(
            update={"database_url": url or database.url, **overrides}
        )
        db = Database(settings, pool_size=10)
        made.append(db)
        return db

    yield factory
    for db in made:
        db.dispose()


@dataclass
class Shop:
    hammer: int  # 250.00, stock 100
    saw: int  # 120.50, stock 100
    customer: Account
    staff: Account


@pytest.fixture
def shop(database: Database) -> Shop:
    acme = f.seller(database, "Acme Tools")
    return Shop(
        hammer=f.product(
            database, acme, name="Claw Hammer", sku="HAM-001", price="250.00", stock=100
        ),
        saw=f.product(database, acme, name="Hand Saw", sku="SAW-002", price="120.50", stock=100),
        customer=f.account(database, phone="+919876543210", name="Asha"),
        staff=f.account(database, role="staff", username="counter", secret="staffpass1"),
    )


@pytest.fixture
def services(database: Database) -> Services:
    return Services(database)


def warm_pool(db: Database, connections: int = 6) -> None:
    """Fill the pool with idle connections, opened from threads the way terminals' workers do."""
    barrier = threading.Barrier(connections)
    held = []
    lock = threading.Lock()

    def take() -> None:
        conn = db.engine.raw_connection()
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
        conn.commit()
        with lock:
            held.append(conn)
        barrier.wait(10)  # all open at once, so each is a connection of its own

    threads = [threading.Thread(target=take) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    for conn in held:
        conn.close()  # back to the pool, idle
    assert db.engine.pool.checkedin() >= connections


def admin(server: ControlledServer) -> psycopg2.extensions.connection:
    conn = psycopg2.connect(server.dsn(DATABASE))
    conn.autocommit = True
    return conn
