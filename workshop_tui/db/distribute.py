"""`workshop db distribute`: shard the shop by seller on a Citus coordinator.

Citus (PostgreSQL's distributed extension) splits a table into shards by one column and
routes a statement to one shard when its WHERE or VALUES names that column's value. So:

- every table of a sale is distributed by `seller_id`, all co-located (a seller's
  products, stock, orders, payments and ledger chain share one shard): checkout,
  payment, cancel and returns name the seller and run on that shard alone;
- the cart's lines are their seller's rows too (a checkout empties them on its shard);
- distributed by `customer_id`, co-located: the cart row (which seller the cart is for,
  locked by every change to it) and `idempotency_claims` (a customer's keys);
- small, rarely written tables shared by every sale are reference tables (a copy on
  every node, joined locally): sellers, categories, accounts, drawer sessions;
- the rest stays on the coordinator: web sessions and login throttling (hot writes
  that a reference table would copy to every node), and alembic's version.

A distributed table can only hold a unique key or foreign key that includes its
distribution column. Migration 0007 gave every sale table `seller_id` under composite
keys; here the single-column ones Citus cannot hold are dropped, and each unique key
is re-made with `seller_id` added. Nothing is lost: a row's seller is fixed by its
composite foreign key, ids come from the coordinator's sequences, and idempotency keys
stay unique per customer through their claims. The fill-in triggers go too (every
statement must name the seller on a sharded database); the append-only triggers stay,
on every shard.

Run after `workshop db upgrade`; running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database

REFERENCE = ("sellers", "categories", "customers", "cash_sessions", "cash_movements")
# In dependency order: each is distributed after the tables its foreign keys reach.
BY_SELLER = (
    "products",
    "inventory",
    "orders",
    "order_items",
    "payments",
    "transactions",
    "ledger_heads",
    "stock_movements",
    "cancellations",
    "returns",
    "order_discounts",
    "receipt_prints",
    "session_orders",
    "session_payments",
    "cart_items",
)
BY_CUSTOMER = ("carts", "idempotency_claims")
COORDINATOR = ("sessions", "auth_throttle", "alembic_version")


class NotCitus(Exception):
    """The server has no Citus extension (message is safe to print)."""


@dataclass(frozen=True)
class Placement:
    table: str
    kind: str  # 'distributed', 'reference', 'local' (on the coordinator), 'plain'
    column: str | None
    shards: int


def any_distributed(cursor: Any, tables: tuple[str, ...]) -> bool:
    """Whether any of `tables` is a Citus distributed or reference table, asked on a DBAPI
    cursor (the engine's hot path and the seed loader ask on their own connections)."""
    cursor.execute("SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL")
    if not cursor.fetchone()[0]:  # Citus's catalog exists only where Citus is installed
        return False
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition"
        " WHERE logicalrelid = ANY(CAST(%s AS regclass[])))",
        (list(tables),),
    )
    return bool(cursor.fetchone()[0])


def is_citus(db: Database) -> bool:
    with db.engine.connect() as conn:
        return bool(
            conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'citus'")).scalar()
        )


def placements(db: Database) -> list[Placement]:
    """Each table of the schema and where its rows live."""
    tables = [t.name for t in m.Base.metadata.sorted_tables]
    if not is_citus(db):
        return [Placement(t, "plain", None, 1) for t in tables]
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT table_name::text, citus_table_type, distribution_column, shard_count"
                " FROM citus_tables"
            )
        ).all()
    found = {r[0]: r for r in rows}
    out = []
    for t in tables:
        r = found.get(t)
        if r is None or r[1] == "local":
            out.append(Placement(t, "local", None, 1))
        else:
            column = None if r[2] in (None, "<none>") else str(r[2])
            out.append(Placement(t, str(r[1]), column, int(r[3])))
    return out


def distribute(db: Database, *, shards: int | None = None) -> list[str]:
    """Distribute the schema (see the module's docstring); the steps taken, [] when done before."""
    if not is_citus(db):
        raise NotCitus(
            "this server has no Citus extension: `db distribute` needs a Citus coordinator"
        )
    done: list[str] = []
    with db.engine.begin() as conn:
        known = {
            str(r[0])
            for r in conn.execute(
                text("SELECT table_name::text FROM citus_tables WHERE citus_table_type <> 'local'")
            )
        }
        todo_ref = [t for t in REFERENCE if t not in known]
        todo_seller = [t for t in BY_SELLER if t not in known]
        todo_customer = [t for t in BY_CUSTOMER if t not in known]
        if not (todo_ref or todo_seller or todo_customer):
            return done
        conn.execute(text("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'"))
        conn.execute(text("SET LOCAL statement_timeout = 0"))
        if shards is not None:
            conn.execute(text(f"SET LOCAL citus.shard_count = {int(shards)}"))
        for table in todo_seller:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_fill_seller ON {table}"))
        _refit_keys(conn, todo_seller, "seller_id", done)
        _refit_keys(conn, todo_customer, "customer_id", done)
        # A cart row is its customer's, its lines their seller's: the key between them
        # cannot cross shards. The cart's lock still holds one seller per cart (every line
        # is written under it, for the cart's seller; services.cart).
        conn.execute(
            text("ALTER TABLE cart_items DROP CONSTRAINT IF EXISTS fk_cart_items_cart_seller")
        )
        # Citus takes a foreign key only between tables it already places: lift the keys
        # of every table placed here, and put them back once all are placed.
        keys = _lift_foreign_keys(conn, [*todo_ref, *todo_seller, *todo_customer])
        for table in todo_ref:
            triggers = _lift_triggers(conn, table)
            conn.execute(text("SELECT create_reference_table(:t)"), {"t": table})
            _put_back_triggers(conn, triggers)
            done.append(f"{table}: reference table")
        for table in todo_seller:
            triggers = _lift_triggers(conn, table)
            conn.execute(
                text("SELECT create_distributed_table(:t, 'seller_id', colocate_with => :with)"),
                {"t": table, "with": "default" if table == "products" else "products"},
            )
            _put_back_triggers(conn, triggers)
            done.append(f"{table}: distributed by seller_id")
        for table in todo_customer:
            first = table == BY_CUSTOMER[0]
            conn.execute(
                text("SELECT create_distributed_table(:t, 'customer_id', colocate_with => :with)"),
                {"t": table, "with": "none" if first else BY_CUSTOMER[0]},
            )
            done.append(f"{table}: distributed by customer_id")
        for table, ddl in keys:
            conn.execute(text(f"ALTER TABLE {table} ADD {ddl}"))
        # The sale's statements join on the seller and stay on one shard; reports and checks
        # that join across sellers (by product or order id alone) are allowed to reshuffle.
        conn.execute(
            text(
                "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET citus.enable_repartition_joins"
                " = on', current_database()); END $$"
            )
        )
    return done


def _refit_keys(conn: Any, tables: list[str], column: str, done: list[str]) -> None:
    """Drop the keys Citus cannot hold on `tables`; re-make each unique key with `column`."""
    fks = conn.execute(
        text(
            """SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c
                WHERE c.contype = 'f' AND c.confrelid::regclass::text = ANY(:t)
                  AND NOT EXISTS (SELECT 1 FROM unnest(c.conkey) k
                                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k
                                  WHERE a.attname = :col)"""
        ),
        {"t": tables, "col": column},
    ).all()
    for table, name in fks:
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    uniques = conn.execute(
        text(
            """SELECT c.conrelid::regclass::text, c.conname, c.contype,
                      array_agg(a.attname::text ORDER BY k.i) AS cols
                 FROM pg_constraint c, unnest(c.conkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON true
                WHERE a.attrelid = c.conrelid AND a.attnum = k.n
                  AND c.contype IN ('p', 'u') AND c.conrelid::regclass::text = ANY(:t)
                GROUP BY 1, 2, 3
               HAVING NOT :col = ANY(array_agg(a.attname::text))"""
        ),
        {"t": tables, "col": column},
    ).all()
    existing = {
        (str(r[0]), tuple(r[1]))
        for r in conn.execute(
            text(
                """SELECT c.conrelid::regclass::text,
                          array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                                 ORDER BY k.i)
                     FROM pg_constraint c WHERE c.contype IN ('p', 'u')"""
            )
        )
    }
    for table, name, kind, cols in uniques:
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        wider = (*cols, column)
        if (table, wider) in existing:
            continue
        what = "PRIMARY KEY" if kind == "p" else "UNIQUE"
        conn.execute(
            text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {what} ({", ".join(wider)})')
        )
        done.append(f"{table}: {name} now ({', '.join(wider)})")


def _lift_foreign_keys(conn: Any, tables: list[str]) -> list[tuple[str, str]]:
    """Drop the foreign keys from or to `tables`; (table, constraint DDL) to put each back."""
    keys = [
        (str(r[0]), str(r[1]), str(r[2]))
        for r in conn.execute(
            text(
                """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                     FROM pg_constraint WHERE contype = 'f'
                      AND (conrelid::regclass::text = ANY(:t) OR confrelid::regclass::text = ANY(:t))"""
            ),
            {"t": tables},
        )
    ]
    for table, name, _ in keys:
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    return [(table, f'CONSTRAINT "{name}" {ddl}') for table, name, ddl in keys]


def _lift_triggers(conn: Any, table: str) -> list[str]:
    """Drop the table's own triggers (Citus distributes no table that has one); their DDL."""
    defs = [
        (str(r[0]), str(r[1]))
        for r in conn.execute(
            text(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                " WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal"
            ),
            {"t": table},
        )
    ]
    for name, _ in defs:
        conn.execute(text(f'DROP TRIGGER "{name}" ON {table}'))
    return [ddl for _, ddl in defs]


def _put_back_triggers(conn: Any, ddls: list[str]) -> None:
    # Citus runs a distributed table's triggers on each shard (a reference table's on each
    # copy): the append-only guards refuse a change to their own row and read nothing else,
    # and the session revocation's UPDATE is the same wherever it runs.
    if not ddls:
        return
    conn.execute(text("SET LOCAL citus.enable_unsafe_triggers TO on"))
    for ddl in ddls:
        conn.execute(text(ddl))
