"""Accounts under hostile use: the walk-in account, reserved names, weak PINs, throttling, sessions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from psycopg2 import sql
from sqlalchemy.engine import make_url

from tests import factories as f
from tests.conftest import _psycopg_dsn, _server_url
from workshop_tui.config import Settings
from workshop_tui.db.engine import Database
from workshop_tui.db.migrate import upgrade
from workshop_tui.services.errors import AuthFailed, InvalidInput, RateLimited

# --- the walk-in customer -------------------------------------------------------


@pytest.fixture
def fresh_database() -> Iterator[Database]:
    """An empty database of its own, for running the migrations from the start."""
    server = _server_url()
    name = f"workshop_migrate_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(**_psycopg_dsn(server))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    db = Database(Settings(database_url=url), pool_size=1)
    yield db
    db.dispose()
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


def _walk_in_rows(db: Database) -> list[tuple]:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT role, is_active, password_hash FROM customers WHERE username = 'walk-in'"
        ).all()


def test_the_walk_in_account_exists_from_the_migration_on_and_cannot_log_in(fresh_database):
    upgrade(fresh_database)
    assert _walk_in_rows(fresh_database) == [("customer", False, "!")]


def test_the_migration_takes_back_a_walk_in_login_someone_registered(fresh_database):
    upgrade(fresh_database, "0003")
    f.account(fresh_database, username="walk-in", secret="274913")
    upgrade(fresh_database)
    assert _walk_in_rows(fresh_database) == [("customer", False, "!")]


def test_the_counter_books_walk_ins_to_the_one_unusable_account(services, shop):
    walk_in = services.auth.walk_in_customer(shop.staff)
    assert services.auth.walk_in_customer(shop.staff).id == walk_in.id
    for spelling in ("walk-in", "WALK-IN", "walkin"):
        with pytest.raises((AuthFailed, InvalidInput)):
            services.auth.login_or_register(spelling, "274913")
        with pytest.raises(AuthFailed):
            services.auth.login(spelling, "274913")


@pytest.mark.parametrize(
    "login",
    ["walk-in", "Walk-In", "walkin", "admin", "Admin2", "staff-asha", "root", "system1",
     "manager.x", "cashier9", "support", "workshop_bot"],
)  # fmt: skip
def test_registration_with_a_reserved_login_is_invalid_input(services, login):
    with pytest.raises(InvalidInput):
        services.auth.login_or_register(login, "274913")
    assert not services.auth.exists(login)


def test_workshop_user_add_may_make_a_reserved_login_but_not_the_walk_in(services):
    assert services.auth.create_user(username="admin2", password="long enough", role="admin")
    with pytest.raises(InvalidInput):
        services.auth.create_user(username="walkin", password="long enough", role="staff")


# --- weak PINs and passwords ------------------------------------------------------


@pytest.mark.parametrize(
    "pin", ["123456", "654321", "121212", "111111", "000000", "234567", "987654", "123123",
            "159753", "147258", "12341234", "0000000"],
)  # fmt: skip
def test_registration_refuses_a_common_pin_with_a_clear_message(services, pin):
    with pytest.raises(InvalidInput, match="choose another PIN"):
        services.auth.login_or_register("9876543210", pin)
    assert not services.auth.exists("9876543210")


def test_the_counter_refuses_a_common_pin_for_a_new_customer(services, shop):
    with pytest.raises(InvalidInput, match="choose another PIN"):
        services.auth.register_customer(shop.staff, "9000000001", "111111")


def test_an_existing_account_with_a_common_pin_still_logs_in(services, shop):
    assert services.auth.login_or_register("9876543210", "123456").account.id == shop.customer.id


def test_user_add_refuses_a_whitespace_only_password(services):
    with pytest.raises(InvalidInput):
        services.auth.create_user(username="newbie", password=" " * 12, role="staff")


def test_a_control_character_in_a_name_is_invalid_input(services, shop):
    with pytest.raises(InvalidInput):
        services.auth.login_or_register("9000000002", "274913", name="Asha\x00")
    with pytest.raises(InvalidInput):
        services.auth.register_customer(shop.staff, "9000000003", "274913", "Ravi\x1b[2J")


# --- throttling ---------------------------------------------------------------------


def test_one_client_guessing_across_many_phones_is_throttled(make_services):
    services = make_services(login_max_failures=2, login_lockout_seconds=60)
    for n in range(8):  # the address allows 4 x 2 failures, whichever logins they name
        f.account(services.db, phone=f"+91900000{n:04d}")
    failures = 0
    with pytest.raises(RateLimited):
        for n in range(8):
            with pytest.raises(AuthFailed):
                services.auth.login_or_register(f"900000{n:04d}", "000001", source="web:6.6.6.6")
            failures += 1
        services.auth.login_or_register("9000000000", "123456", source="web:6.6.6.6")
    assert failures == 8
    # another client is not slowed by it
    assert services.auth.login_or_register("9000000000", "123456", source="web:7.7.7.7")


def test_registrations_from_one_client_are_throttled(make_services):
    services = make_services(login_max_failures=1)
    for n in range(4):
        services.auth.login_or_register(f"90000001{n:02d}", "274913", source="web:6.6.6.6")
    with pytest.raises(RateLimited):
        services.auth.login_or_register("9000000199", "274913", source="web:6.6.6.6")


def test_web_failures_never_lock_staff_out_of_the_terminal(make_services, shop):
    services = make_services(login_max_failures=3, login_lockout_seconds=60)
    for _ in range(3):
        with pytest.raises(AuthFailed):
            services.auth.login_or_register("counter", "wrong-password", source="web:6.6.6.6")
    with pytest.raises(RateLimited):
        services.auth.login_or_register("counter", "staffpass1", source="web:6.6.6.6")
    assert services.auth.login_or_register("counter", "staffpass1").account.id == shop.staff.id
    assert services.auth.login("counter", "staffpass1").id == shop.staff.id


def test_the_delay_grows_with_each_failure_past_the_free_ones(make_services, shop, database):
    services = make_services(login_max_failures=2, login_lockout_seconds=10)
    waits = []
    for _ in range(4):
        try:
            services.auth.login_or_register("9876543210", "000001", source="web:1.2.3.4")
        except AuthFailed:
            pass
        except RateLimited as refused:
            waits.append(refused.details["retry_after"])
        with database.engine.begin() as conn:  # let the block run out, keep the count
            conn.exec_driver_sql("UPDATE auth_throttle SET blocked_until = now()")
    with database.engine.connect() as conn:
        blocked = conn.exec_driver_sql("SELECT failures FROM auth_throttle WHERE scope = 'account'")
        assert blocked.scalar() == 4
    with database.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE auth_throttle SET blocked_until = NULL")
    with pytest.raises(AuthFailed):
        services.auth.login_or_register("9876543210", "000001", source="web:1.2.3.4")
    with pytest.raises(RateLimited) as refused:
        services.auth.login_or_register("9876543210", "123456", source="web:1.2.3.4")
    assert refused.value.details["retry_after"] > 20  # 10 s x 2^(5 - 2)


# --- sessions -----------------------------------------------------------------------


def test_a_session_is_stored_only_as_the_hash_of_its_id(services, shop, database):
    token = services.sessions.start(shop.customer)
    assert services.sessions.account(token).id == shop.customer.id
    with database.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash FROM sessions").scalars().all()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_an_ended_session_never_works_again(services, shop):
    token = services.sessions.start(shop.customer)
    services.sessions.end(token)
    assert services.sessions.account(token) is None


def test_deactivating_an_account_revokes_its_sessions(services, shop, database):
    token = services.sessions.start(shop.customer)
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE customers SET is_active = false WHERE id = %s", (shop.customer.id,)
        )
        conn.exec_driver_sql(
            "UPDATE customers SET is_active = true WHERE id = %s", (shop.customer.id,)
        )
    assert services.sessions.account(token) is None


def test_a_password_change_revokes_the_sessions(services, shop, database):
    token = services.sessions.start(shop.customer)
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE customers SET password_hash = 'x' WHERE id = %s", (shop.customer.id,)
        )
    assert services.sessions.account(token) is None


def test_an_idle_session_expires_and_the_absolute_end_holds(services, shop, database):
    idle, old = services.sessions.start(shop.customer), services.sessions.start(shop.customer)
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE sessions SET expires_at = now() - interval '1 s' WHERE token_hash = %s",
            (_hash(idle),),
        )
        conn.exec_driver_sql(
            "UPDATE sessions SET absolute_expires_at = now() - interval '1 s', "
            "last_seen_at = now() - interval '1 hour' WHERE token_hash = %s",
            (_hash(old),),
        )
    assert services.sessions.account(idle) is None
    assert services.sessions.account(old) is None


def test_using_a_session_slides_its_expiry(services, shop, database):
    token = services.sessions.start(shop.customer)
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE sessions SET last_seen_at = now() - interval '1 hour', "
            "expires_at = now() + interval '1 minute'"
        )
    assert services.sessions.account(token) is not None
    with database.engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT expires_at - now() FROM sessions").scalar()
    assert left.total_seconds() > 3600


def _hash(token: str) -> str:
    from workshop_tui.services.sessions import token_hash

    return token_hash(token)


def test_customers_failing_at_a_kiosk_never_slow_the_staff_unlock_there(make_services, shop):
    services = make_services(login_max_failures=1, login_lockout_seconds=60)
    for n in range(12):
        f.account(services.db, phone=f"+91900000{n:04d}")
        with pytest.raises(AuthFailed):
            services.auth.login_or_register(f"900000{n:04d}", "000001")
    assert services.auth.login("counter", "staffpass1").id == shop.staff.id
