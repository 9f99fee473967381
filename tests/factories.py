"""Test data written straight through the models (set-up only: tests then act via services)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from workshop_tui.db import Database
from workshop_tui.db.models import Category, Customer, Inventory, Product, Seller, StockMovement
from workshop_tui.services.passwords import hash_secret
from workshop_tui.services.types import Account

_counter = itertools.count(1)
_PIN_HASH: dict[str, str] = {}


def seller(db: Database, name: str = "Acme Tools", rating: str = "4.5") -> int:
    with db.begin() as s:
        row = Seller(name=name, rating=Decimal(rating))
        s.add(row)
        s.flush()
        return row.id


def category(db: Database, name: str | None = None) -> int:
    with db.begin() as s:
        row = Category(name=name or f"Category {next(_counter)}")
        s.add(row)
        s.flush()
        return row.id


def product(
    db: Database,
    seller_id: int,
    *,
    name: str | None = None,
    price: str = "100.00",
    stock: int = 10,
    category_id: int | None = None,
    sku: str | None = None,
    threshold: int = 5,
) -> int:
    n = next(_counter)
    if category_id is None:
        category_id = category(db)
    with db.begin() as s:
        row = Product(
            seller_id=seller_id,
            category_id=category_id,
            sku=sku or f"SKU-{n:05d}",
            name=name or f"Product {n}",
            price=Decimal(price),
        )
        s.add(row)
        s.flush()
        s.add(
            Inventory(
                product_id=row.id,
                seller_id=seller_id,
                stock_remaining=stock,
                initial_stock=stock,
                low_stock_threshold=threshold,
            )
        )
        if stock:
            s.add(
                StockMovement(product_id=row.id, seller_id=seller_id, delta=stock, reason="initial")
            )
        return row.id


def account(
    db: Database,
    *,
    role: str = "customer",
    username: str | None = None,
    phone: str | None = None,
    secret: str = "123456",
    name: str = "",
) -> Account:
    if secret not in _PIN_HASH:
        _PIN_HASH[secret] = hash_secret(secret)
    if username is None and phone is None:
        username = f"user{next(_counter)}"
    with db.begin() as s:
        row = Customer(
            username=username,
            phone=phone,
            name=name or (username or phone or ""),
            role=role,
            password_hash=_PIN_HASH[secret],
        )
        s.add(row)
        s.flush()
        return Account(
            id=row.id,
            username=row.username,
            phone=row.phone,
            name=row.name,
            role=row.role,
            created_at=row.created_at,
        )
