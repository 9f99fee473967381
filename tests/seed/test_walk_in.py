"""The seed loads into a freshly migrated database, which holds the walk-in account."""

from __future__ import annotations

from pathlib import Path

import pytest

from seed.loader import LoadError, load
from workshop_tui.db import Database
from workshop_tui.services import Services
from workshop_tui.services.errors import AuthFailed

MIGRATED_WALK_IN = (
    "INSERT INTO customers (username, name, role, password_hash, is_active) "
    "VALUES ('walk-in', 'Walk-in customer', 'customer', '!', false)"
)


def _walk_in(db: Database) -> tuple:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT id, is_active, password_hash, (SELECT MAX(id) FROM customers "
            "WHERE username IS DISTINCT FROM 'walk-in') FROM customers WHERE username = 'walk-in'"
        ).one()


@pytest.mark.parametrize("replace", [False, True])
def test_the_seed_loads_beside_the_walk_in_account_and_keeps_it_unusable(
    database: Database, small_set: Path, replace: bool
) -> None:
    with database.engine.begin() as conn:
        conn.exec_driver_sql(MIGRATED_WALK_IN)
    load(database, small_set, replace=replace)
    walk_in_id, active, hashed, last_loaded = _walk_in(database)
    assert walk_in_id > last_loaded and not active and hashed == "!"
    with pytest.raises(AuthFailed):
        Services(database).auth.login("walk-in", "274913")


def test_a_database_with_more_than_the_walk_in_is_still_refused(
    database: Database, small_set: Path
) -> None:
    with database.engine.begin() as conn:
        conn.exec_driver_sql(MIGRATED_WALK_IN)
        conn.exec_driver_sql(
            "INSERT INTO customers (username, role, password_hash) VALUES ('someone', 'customer', 'x')"
        )
    with pytest.raises(LoadError, match="not empty"):
        load(database, small_set)
