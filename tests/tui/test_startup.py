"""Start-up: the login screen paints before the database is reached, and a dead one ends the app."""

from __future__ import annotations

import threading

import psycopg2
import pytest
from sqlalchemy.engine import make_url
from textual.widgets import Input

from tests.conftest import _psycopg_dsn
from tests.tui.conftest import log_in
from workshop_tui.app import make_app
from workshop_tui.cli import open_checked_services
from workshop_tui.config import Settings
from workshop_tui.pending_services import StartupFailed


async def test_the_login_screen_is_ready_while_the_database_is_still_being_reached(
    database, services, customer
):
    reachable = threading.Event()
    waited_in_vain: list[bool] = []

    def connect():
        # Were it run before the first paint, nobody could set the event in time.
        waited_in_vain.append(not reachable.wait(3))
        return services

    app = make_app(database.settings, connect=connect)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert app.current_mode == "login"
        assert isinstance(app.screen.focused, Input) and app.screen.focused.id == "login"
        await pilot.press(*"98765")  # typing goes on while the engine loads
        reachable.set()
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "startup"])
        assert waited_in_vain == [False]
        assert app.services is services
        await log_in(pilot)
        assert app.current_mode == "shop"
        assert app.session.account is not None and app.session.account.id == customer.id


async def test_an_unreachable_database_ends_the_app_with_its_reason(database):
    def connect():
        raise StartupFailed("cannot connect to postgresql://x@127.0.0.1:1/x: refused")

    app = make_app(database.settings, connect=connect)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
    assert app.return_code == 2
    assert app.startup_error == "cannot connect to postgresql://x@127.0.0.1:1/x: refused"


def test_connecting_to_a_server_that_refuses_gives_one_line(tmp_path):
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/x", data_dir=tmp_path)
    with pytest.raises(StartupFailed, match=r"^cannot connect to .*127\.0\.0\.1:1/x: "):
        open_checked_services(settings)


def test_connecting_to_a_database_without_the_schema_says_to_upgrade(test_database_url, tmp_path):
    name = make_url(test_database_url).database + "_empty"
    admin = psycopg2.connect(**_psycopg_dsn(test_database_url))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(test_database_url).set(database=name).render_as_string(hide_password=False)
        with pytest.raises(StartupFailed, match=r"at migration none, .*run `workshop db upgrade`"):
            open_checked_services(Settings(database_url=url, data_dir=tmp_path))
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


async def test_quitting_while_the_database_is_being_reached_ends_at_once(database, services):
    release = threading.Event()

    def connect():
        release.wait(10)
        return services

    app = make_app(database.settings, connect=connect)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.1)
            await pilot.press("ctrl+q")
            await pilot.pause(0.1)
        assert app.return_code == 0
        assert app.startup_error is None
    finally:
        release.set()
