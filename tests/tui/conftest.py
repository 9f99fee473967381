"""TUI fixtures: the real app on the test database, driven by Pilot at 80x24."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests import factories as f
from workshop_tui.app import WorkshopApp, make_app
from workshop_tui.db import Database
from workshop_tui.services import Services

PIN = "123456"


@pytest.fixture
def shop_data(database: Database) -> dict[str, Any]:
    """Two sellers; Acme has four products (one named like markup), Bolt one."""
    acme = f.seller(database, "Acme Tools")
    bolt = f.seller(database, "Bolt Hardware")
    tools = f.category(database, "Tools")
    paint = f.category(database, "Paint")
    ids = {
        "hammer": f.product(
            database,
            acme,
            name="Claw Hammer",
            price="250.00",
            stock=5,
            category_id=tools,
            sku="ACME-001",
        ),
        "sale": f.product(
            database,
            acme,
            name="[Sale] Hammer",
            price="199.00",
            stock=3,
            category_id=tools,
            sku="ACME-002",
        ),
        "saw": f.product(
            database,
            acme,
            name="Hand Saw",
            price="420.50",
            stock=2,
            category_id=tools,
            sku="ACME-003",
        ),
        "brush": f.product(
            database,
            acme,
            name="Paint Brush",
            price="80.00",
            stock=9,
            category_id=paint,
            sku="ACME-004",
        ),
        "drill": f.product(
            database,
            bolt,
            name="Cordless Drill",
            price="3499.00",
            stock=4,
            category_id=tools,
            sku="BOLT-001",
        ),
    }
    return {"acme": acme, "bolt": bolt, "tools": tools, "paint": paint, **ids}


@pytest.fixture
def customer(database: Database):
    return f.account(database, phone="+919876543210", name="Asha Rao", secret=PIN)


@pytest.fixture
def staff(database: Database):
    return f.account(database, role="staff", username="sam", name="Sam Staff", secret="staffpass1")


@pytest.fixture
def app_factory(services: Services, database: Database) -> Callable[..., WorkshopApp]:
    def factory(**overrides: Any) -> WorkshopApp:
        settings = database.settings.model_copy(update=overrides)
        return make_app(settings, services)

    return factory


async def settle(pilot, pause: float = 0.02) -> None:
    """Let thread workers finish and their messages be handled: done after two quiet rounds
    in a row (a handler may start another worker, or push a screen that starts one)."""
    app = pilot.app
    quiet = 0
    for _ in range(50):
        busy = [w for w in app.workers if w.group != "events" and not w.is_finished]
        if busy:
            quiet = 0
            await app.workers.wait_for_complete(busy)
        else:
            quiet += 1
            if quiet == 2:
                return
        await pilot.pause(pause)


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Pause until `condition()` holds: for work queued after a refresh, which settle() can
    return before (no worker is running yet when it looks)."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await settle(pilot)
        await pilot.pause(0.02)
    raise AssertionError("the condition never held")


async def type_into(pilot, selector: str, text: str) -> None:
    """Fill an Input at once (typing key by key costs ~60 ms a key under Pilot)."""
    from textual.widgets import Input

    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = text
    await pilot.pause()


async def log_in(pilot, login: str = "9876543210", secret: str = PIN) -> None:
    await pilot.pause()
    await type_into(pilot, "#login", login)
    await pilot.press("enter")
    await settle(pilot)
    await type_into(pilot, "#secret", secret)
    await pilot.press("enter")
    await settle(pilot)


def money(value: str) -> Decimal:
    return Decimal(value)


def shown(app) -> str:
    """The screen's text as rendered (from the SVG screenshot), for "is it on screen"."""
    svg = app.export_screenshot(simplify=True)
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def rows(app) -> list[str]:
    """The product names in the shop table, top to bottom."""
    from textual.widgets import DataTable

    table = app.screen.query_one("#products", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def open_shop(pilot, account) -> None:
    """Start as `account` without typing (test_login.py covers the typing and the PINs)."""
    from workshop_tui.messages import LoggedIn

    await pilot.pause()
    pilot.app.post_message(LoggedIn(account))
    await settle(pilot)


async def select_product(pilot, name: str) -> None:
    from textual.widgets import DataTable

    table = pilot.app.screen.query_one("#products", DataTable)
    table.focus()
    table.move_cursor(row=rows(pilot.app).index(name))
    await pilot.pause()
