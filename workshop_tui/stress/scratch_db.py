"""A scratch database for the stress run and the benchmarks, and a small shop in it.

`scratch_database` creates a uniquely named database on the configured server
(or the embedded one), migrates it, and drops it again however the block ends.
`seed_shop` writes sellers, products (with their initial stock movement) and
accounts straight through SQL: set-up only; the work itself goes through services.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from workshop_tui.config import Settings
from workshop_tui.db import models as m
from workshop_tui.db.engine import Database, DatabaseUnavailable, mask_url, normalise_url
from workshop_tui.db.migrate import upgrade
from workshop_tui.services import convert
from workshop_tui.services.passwords import hash_secret
from workshop_tui.services.types import Account

log = logging.getLogger(__name__)


def server_url(settings: Settings) -> str:
    """The configured server, or the embedded one under the data dir (its `postgres` db)."""
    if settings.database_url:
        return normalise_url(settings.database_url)
    from workshop_tui.db.embedded import start_embedded

    return normalise_url(start_embedded(settings.data_dir, database="postgres"))


def _admin_engine(url: str) -> Engine:
    """An autocommit connection able to CREATE/DROP DATABASE: the URL's own db, else postgres."""
    last: Exception | None = None
    for database in (make_url(url).database, "postgres"):
        engine = create_engine(
            make_url(url).set(database=database),
            isolation_level="AUTOCOMMIT",
            poolclass=NullPool,
            connect_args={"connect_timeout": 5, "application_name": "workshop-stress"},
        )
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return engine
        except DBAPIError as exc:
            last = exc
            engine.dispose()
    reason = str(getattr(last, "orig", last)).strip().splitlines()[0]
    raise DatabaseUnavailable(f"cannot connect to {mask_url(url)}: {reason}")


@contextmanager
def scratch_database(
    settings: Settings, *, prefix: str = "workshop_stress", pool_size: int = 10
) -> Iterator[Database]:
    """A new, migrated database on the server; dropped (WITH FORCE) when the block ends."""
    server = server_url(settings)
    admin = _admin_engine(server)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as exc:
        admin.dispose()
        reason = str(exc.orig).strip().splitlines()[0]
        raise DatabaseUnavailable(
            f"cannot create a scratch database on {mask_url(server)}: {reason}"
        ) from exc
    db: Database | None = None
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        db = Database(settings.model_copy(update={"database_url": url}), pool_size=pool_size)
        upgrade(db)
        yield db
    finally:
        if db is not None:
            db.dispose()
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except DBAPIError:
            log.exception("could not drop the scratch database %s", name)
        admin.dispose()


@dataclass(frozen=True)
class Shop:
    staff: Account
    customers: tuple[Account, ...]
    sellers: tuple[int, ...]
    products: dict[int, tuple[int, ...]]  # seller id -> its product ids
    initial_stock: int


def seed_shop(
    db: Database,
    *,
    sellers: int,
    products: int,
    stock: int,
    customers: int,
    price: Decimal = Decimal("149.50"),
    tag: str = "stress",
) -> Shop:
    """Sellers, products dealt round-robin to them (each with `stock` units), customers, one staff.

    `tag` keeps names unique when one database gets several shops."""
    secret = hash_secret("246810")
    with db.begin() as s:
        seller_ids = list(
            s.scalars(
                insert(m.Seller).returning(m.Seller.id, sort_by_parameter_order=True),
                [{"name": f"{tag} seller {n}", "rating": Decimal("4.2")} for n in range(sellers)],
            )
        )
        category_id = s.scalar(insert(m.Category).values(name=tag).returning(m.Category.id))
        product_ids = list(
            s.scalars(
                insert(m.Product).returning(m.Product.id, sort_by_parameter_order=True),
                [
                    {
                        "seller_id": seller_ids[n % sellers],
                        "category_id": category_id,
                        "sku": f"{tag[:30]}-{n:06d}",
                        "name": f"{tag} item {n}",
                        "price": price + n % 7,
                    }
                    for n in range(products)
                ],
            )
        )
        s.execute(
            insert(m.Inventory),
            [
                {
                    "product_id": p,
                    "seller_id": seller_ids[n % sellers],
                    "stock_remaining": stock,
                    "initial_stock": stock,
                }
                for n, p in enumerate(product_ids)
            ],
        )
        if stock:
            s.execute(
                insert(m.StockMovement),
                [
                    {
                        "product_id": p,
                        "seller_id": seller_ids[n % sellers],
                        "delta": stock,
                        "reason": "initial",
                    }
                    for n, p in enumerate(product_ids)
                ],
            )
        people = [
            m.Customer(username=f"{tag}{n}", name=f"{tag} customer {n}", password_hash=secret)
            for n in range(customers)
        ]
        staff = m.Customer(
            username=f"{tag}-staff", name=f"{tag} staff", role="staff", password_hash=secret
        )
        s.add_all([*people, staff])
        s.flush()
        by_seller: dict[int, list[int]] = {sid: [] for sid in seller_ids}
        for n, pid in enumerate(product_ids):
            by_seller[seller_ids[n % sellers]].append(pid)
        shop = Shop(
            staff=convert.account(staff),
            customers=tuple(convert.account(p) for p in people),
            sellers=tuple(seller_ids),
            products={sid: tuple(pids) for sid, pids in by_seller.items()},
            initial_stock=stock,
        )
    # Bulk-loaded tables have no statistics until autovacuum's next pass (up to a minute);
    # until then the planner guesses, and a catalog page took 3.8 ms instead of 0.25 ms.
    with db.begin() as s:
        s.execute(text("ANALYZE sellers, categories, products, inventory, customers"))
    return shop
