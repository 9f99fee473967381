"""Fixtures for the orders, counter, stock and sales screens.

`shop` seeds two sellers, a few products and four orders in every state that
matters, with fixed times (and a frozen ledger clock, so hashes repeat), so
snapshots are deterministic. `open_mode` logs an account in the way the app's
login does (account set, mode switched) and waits for the screen's workers.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from tests import factories as f
from workshop_tui.app import WorkshopApp, make_app
from workshop_tui.screens import sales as sales_screen
from workshop_tui.services import Services
from workshop_tui.services import ledger as ledger_module
from workshop_tui.services.types import Account
from workshop_tui.session import ShopSession

FIXED_NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


class FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return FIXED_NOW if tz else FIXED_NOW.replace(tzinfo=None)


@dataclass(frozen=True)
class Shop:
    customer: Account  # Asha, phone +919876543210
    other: Account  # Ravi
    staff: Account
    hammer: int
    screwdrivers: int
    nails: int
    drill: int
    spanner: int
    fulfilled: int  # Asha: hammer x2, nails x3, fulfilled
    paid: int  # Asha: screwdrivers x1, paid
    pending: int  # Asha: hammer x1, unpaid
    ravi_paid: int  # Ravi: spanner x2 from the other seller, paid


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch):
    """Times on screen are local: make local UTC so every machine shows the same."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(ledger_module, "datetime", FrozenDatetime)
    monkeypatch.setattr(sales_screen, "clock", lambda: FIXED_NOW)
    return FIXED_NOW


def buy(services: Services, who: Account, items: dict[int, int], key: str, *, pay: bool) -> int:
    for product_id, qty in items.items():
        services.cart.set_quantity(who, product_id, qty)
    order = services.orders.checkout(who, key)
    if pay:
        services.payments.pay(who, order.id, method="upi", idempotency_key=f"pay-{key}")
    return order.id


def set_times(database, order_id: int, placed: datetime) -> None:
    """Pin an order's times and its payments' times and (random) references.

    fulfilled_at stays real, so the return window is open.
    """
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE orders SET created_at = :t,"
                " paid_at = CASE WHEN paid_at IS NULL THEN NULL ELSE :t2 END,"
                " expires_at = :t4 WHERE id = :id"
            ),
            {
                "t": placed,
                "t2": placed + timedelta(minutes=2),
                "t4": placed + timedelta(days=365),
                "id": order_id,
            },
        )
        conn.execute(
            text(
                "UPDATE payments SET created_at = :t,"
                " reference = upper(method) || '-' || order_id || '-' || id WHERE order_id = :id"
            ),
            {"t": placed + timedelta(minutes=2), "id": order_id},
        )


@pytest.fixture
def shop(services: Services, database, frozen_clock: datetime) -> Shop:
    acme = f.seller(database, "Acme Tools")
    bolt = f.seller(database, "Bolt & Co")
    tools = f.category(database, "Hand tools")
    hammer = f.product(
        database,
        acme,
        name="Claw hammer",
        price="250.00",
        stock=20,
        sku="ACM-HAM",
        category_id=tools,
    )
    screwdrivers = f.product(
        database,
        acme,
        name="Screwdriver set",
        price="120.00",
        stock=4,
        sku="ACM-SCR",
        category_id=tools,
    )
    nails = f.product(
        database, acme, name="Nails 1kg", price="40.00", stock=9, sku="ACM-NAI", category_id=tools
    )
    drill = f.product(
        database,
        bolt,
        name="[Sale] Drill",
        price="1500.00",
        stock=0,
        sku="BLT-DRL",
        category_id=tools,
    )
    spanner = f.product(
        database, bolt, name="Spanner", price="300.00", stock=7, sku="BLT-SPN", category_id=tools
    )
    asha = f.account(database, phone="+919876543210", name="Asha Rao")
    ravi = f.account(database, phone="+919811122233", name="Ravi")
    staff = f.account(database, role="staff", username="counter1", name="Counter One")
    fulfilled = buy(services, asha, {hammer: 2, nails: 3}, "o1", pay=True)
    services.orders.fulfil(staff, fulfilled)
    paid = buy(services, asha, {screwdrivers: 1}, "o2", pay=True)
    ravi_paid = buy(services, ravi, {spanner: 2}, "o3", pay=True)
    pending = buy(services, asha, {hammer: 1}, "o4", pay=False)
    base = FIXED_NOW.replace(hour=9)
    for n, order_id in enumerate((fulfilled, paid, ravi_paid, pending)):
        set_times(database, order_id, base + timedelta(minutes=35 * n))
    return Shop(
        asha,
        ravi,
        staff,
        hammer,
        screwdrivers,
        nails,
        drill,
        spanner,
        fulfilled,
        paid,
        pending,
        ravi_paid,
    )


@pytest.fixture
def app(services: Services, database) -> WorkshopApp:
    return make_app(database.settings, services)


async def settle(pilot: Pilot) -> None:
    """Wait until the screens' service calls (not the app's live-stock listener) are done."""
    await pilot.pause()
    for _ in range(5):
        busy = [w for w in pilot.app.workers if w.group != "events" and not w.is_finished]
        if not busy:
            break
        with contextlib.suppress(WorkerCancelled):  # a newer call replaced a stale one
            await pilot.app.workers.wait_for_complete(busy)
        await pilot.pause()
    await pilot.pause()


async def open_mode(pilot: Pilot, account: Account, mode: str) -> None:
    """Log in as `account` (what the login screen does on success) and open `mode`."""
    app = pilot.app
    app.session = ShopSession(account=account)
    await app.switch_mode(mode)
    await settle(pilot)


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
