from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests import factories as f
from workshop_tui.cli import main
from workshop_tui.db import Database
from workshop_tui.services.types import Account


@dataclass
class Shop:
    acme: int
    bolt: int
    hammer: int  # acme, 250.00, stock 5
    saw: int  # acme, 120.50, stock 2
    drill: int  # bolt, 3999.00, stock 1
    customer: Account
    other: Account
    staff: Account


@pytest.fixture
def shop(database: Database) -> Shop:
    acme = f.seller(database, "Acme Tools")
    bolt = f.seller(database, "Bolt & Sons")
    return Shop(
        acme=acme,
        bolt=bolt,
        hammer=f.product(
            database, acme, name="Claw Hammer", sku="HAM-001", price="250.00", stock=5
        ),
        saw=f.product(database, acme, name="Hand Saw", sku="SAW-002", price="120.50", stock=2),
        drill=f.product(database, bolt, name="Drill", sku="DRL-003", price="3999.00", stock=1),
        customer=f.account(database, phone="+919876543210", name="Asha"),
        other=f.account(database, phone="+919812345678", name="Vikram"),
        staff=f.account(database, role="staff", username="counter", secret="staffpass1"),
    )


def stock_of(services, product_id: int) -> int:
    return services.catalog.get(product_id).stock


def paid_order(services, shop: Shop, *, qty: int = 2, key: str = "k1"):
    services.cart.set_quantity(shop.customer, shop.hammer, qty)
    order = services.orders.checkout(shop.customer, key)
    services.payments.pay(shop.customer, order.id, method="card", idempotency_key=f"pay-{key}")
    return order


def run_cli(url: str, *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["--database-url", url, *args], input=stdin)


@pytest.fixture
def scratch_url(database):
    """A brand-new empty database on the test server."""
    name = f"workshop_cli_{uuid.uuid4().hex[:8]}"
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database.url).set(database=name).render_as_string(hide_password=False)
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # The app's statement timeout is for sales; dropping waits on a checkpoint, which
        # on a loaded machine takes longer.
        conn.execute(text("SET statement_timeout = 0"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
