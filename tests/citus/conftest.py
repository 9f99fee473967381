"""A Citus cluster (a coordinator and two workers) for the whole session, sharded by seller.

Citus is built from ../shared/vendor/citus (build.sh) into the venv's embedded PostgreSQL;
without that directory the group is skipped, saying why. The engine's own test fixtures
(`database`, `services`, `shop`) then run against the coordinator's database after
`db upgrade` and `db distribute`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import TABLES
from workshop_tui.config import Settings
from workshop_tui.db import Database
from workshop_tui.db.distribute import distribute
from workshop_tui.db.migrate import upgrade

VENDOR = Path(__file__).resolve().parents[2].parent / "shared" / "vendor" / "citus"
PORT = 9740


@pytest.fixture(scope="session")
def citus_url() -> Iterator[str]:
    if not (VENDOR / "build.sh").exists():
        pytest.skip(f"no Citus source at {VENDOR}: the citus group needs ../shared/vendor/citus")
    built = subprocess.run(
        ["bash", str(VENDOR / "build.sh"), sys.executable], capture_output=True, text=True
    )
    if built.returncode != 0:
        pytest.fail(f"building Citus failed:\n{built.stdout}{built.stderr}")
    # Under /tmp itself: the servers may run as another user, who must reach the directory.
    data = Path(tempfile.mkdtemp(prefix="workshop-citus-"))
    data.chmod(0o777)
    cluster = ["bash", str(VENDOR / "cluster.sh")]
    started = subprocess.run(
        [*cluster, "start", str(data), str(PORT), "2", sys.executable],
        capture_output=True,
        text=True,
    )
    try:
        if started.returncode != 0:
            pytest.fail(f"starting the cluster failed:\n{started.stdout}{started.stderr}")
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([*cluster, "stop", str(data)], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def test_database_url(citus_url: str) -> str:
    """The coordinator's database, migrated and distributed (Citus does not make databases)."""
    db = Database(Settings(database_url=citus_url), pool_size=2)
    upgrade(db)
    distribute(db, shards=4)  # few shards: a test empties every one of them between tests
    db.dispose()
    return citus_url


def empty_distributed_tables(db: Database) -> None:
    # The append-only guards run on every shard, where a coordinator's replica role does not
    # reach: they are switched off for the TRUNCATE (tests alone empty the ledger).
    with db.engine.begin() as conn:
        conn.execute(text("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'"))
        conn.execute(text("SET LOCAL statement_timeout = 0"))
        conn.execute(text("SET LOCAL citus.enable_unsafe_triggers TO on"))
        for table in ("transactions", "stock_movements"):
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
        for table in ("transactions", "stock_movements"):
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


@pytest.fixture
def database(session_database: Database, isolated_data_dir: Path) -> Database:
    empty_distributed_tables(session_database)
    session_database.settings = Settings(
        database_url=session_database.url, data_dir=isolated_data_dir
    )
    return session_database


from tests.engine.conftest import shop  # noqa: E402,F401  (the engine tests' fixture)
