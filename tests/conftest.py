"""Every test gets a real PostgreSQL: the embedded one by default, or the server
named by WORKSHOP_TEST_DATABASE_URL. Each test run (and xdist worker) creates its
own database, migrated once; each test starts from empty tables.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from psycopg2 import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from workshop_tui.config import Settings
from workshop_tui.db import Database
from workshop_tui.db.migrate import upgrade
from workshop_tui.db.models import Base
from workshop_tui.services import Services

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EMBEDDED_TEST_DIR = Path(os.environ.get("WORKSHOP_TEST_PG_DIR", "/tmp/workshop-test-pg"))

TABLES = ", ".join(Base.metadata.tables)

# Settings read WORKSHOP_* variables; a developer's exported ones must not change what a
# test sees (WORKSHOP_TEST_* configure the suite itself and stay).
for _name in [n for n in os.environ if n.startswith("WORKSHOP_") and "_TEST_" not in n]:
    del os.environ[_name]


def _server_url() -> str:
    url = os.environ.get("WORKSHOP_TEST_DATABASE_URL")
    if url:
        return url
    from workshop_tui.db.embedded import start_embedded

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return start_embedded(EMBEDDED_TEST_DIR, database="postgres")


def _psycopg_dsn(url: str) -> dict[str, Any]:
    u = make_url(url)
    kwargs: dict[str, Any] = {"dbname": u.database, "user": u.username or "postgres"}
    if u.password:
        kwargs["password"] = u.password
    if u.host:
        kwargs["host"] = u.host
    if u.port:
        kwargs["port"] = u.port
    kwargs.update({k: v for k, v in u.query.items() if isinstance(v, str)})
    return kwargs


@pytest.fixture(scope="session")
def test_database_url(worker_id: str) -> Iterator[str]:
    server = _server_url()
    name = f"workshop_test_{uuid.uuid4().hex[:8]}_{worker_id}"
    admin = psycopg2.connect(**_psycopg_dsn(server))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    db = Database(Settings(database_url=url), pool_size=2)
    upgrade(db)
    db.dispose()
    yield url
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


def empty_all_tables(db: Database) -> None:
    with db.engine.begin() as conn:
        # replica mode skips the append-only triggers: only tests empty the ledger.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def session_database(test_database_url: str) -> Iterator[Database]:
    db = Database(Settings(database_url=test_database_url), pool_size=20)
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test writes into the user's real data directory."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def no_scanner_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot types at machine speed, which is how a barcode scanner types: with the scanner
    on, every single-key press would wait out the scanner's gap before it acts. Tests of
    the scanner turn it on (`scanner_max_gap_ms`); the others press keys as people do."""
    monkeypatch.setenv("WORKSHOP_SCANNER_MAX_GAP_MS", "0")


@pytest.fixture
def database(session_database: Database, isolated_data_dir: Path) -> Database:
    empty_all_tables(session_database)
    # The engine is shared across tests; the settings are fresh for each.
    session_database.settings = Settings(
        database_url=session_database.url, data_dir=isolated_data_dir
    )
    return session_database


@pytest.fixture
def services(database: Database) -> Services:
    return Services(database)


@pytest.fixture
def make_services(database: Database) -> Iterator[Callable[..., Services]]:
    """Services with other settings (a short return window, a tiny payment TTL...)."""
    made: list[Database] = []

    def factory(**overrides: Any) -> Services:
        db = Database(database.settings.model_copy(update=overrides), pool_size=5)
        made.append(db)
        return Services(db)

    yield factory
    for db in made:
        db.dispose()


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright: Debian's chromium, never `playwright install`."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # pytest-playwright's sync fixtures leave an asyncio loop running: Textual tests after
    # them would fail, so browser tests run last.
    items.sort(key=lambda item: item.get_closest_marker("web") is not None)
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} missing: apt-get install -y chromium")
        for item in items:
            if item.get_closest_marker("web"):
                item.add_marker(skip)
