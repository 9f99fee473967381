"""Load the 11 CSV files with COPY, in one transaction, then derive what the engine keeps.

    workshop seed load data/seed [--replace]

Steps, all in ONE transaction (any failure rolls everything back):
1. every file present (case-insensitive: Sellers.csv is fine), headers = the
   table's columns (any order);
2. refuse a database that already holds data, unless `replace` (then empty it:
   the append-only triggers on the ledger and stock movements are disabled for
   that TRUNCATE only, inside the transaction);
3. COPY each file in dependency order; the schema's keys, foreign keys and
   CHECKs catch bad numbers, dates, duplicates and dangling references (a file that
   carries `seller_id` skips the fill-in trigger; the composite keys check it);
4. cross-table rules (totals, one seller per order, returns, charges, ledger
   links), then the stock movements (initial, sale, cancel/expiry, return) and
   the ledger heads are derived in SQL, stock is reconciled and every ledger
   hash is re-computed in SQL (checked against ledger_codec on a sample);
5. every id sequence is moved past the loaded ids, so the app can insert at once.
On a database sharded by seller (Citus) steps 3-4 run on temporary tables of the
coordinator and their rows then go to the shards, still in the one transaction
(seed.staging).
Bad input raises LoadError("<file>: line <n>: <reason>").
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2

from seed import TABLES, staging
from seed.load_checks import (
    RULES,
    STOCK_RULE,
    LoadError,
    check_rules,
    copy_error,
    verify_ledger,
)
from seed.vocab import EXPIRY_REASON
from workshop_tui.db import models as m
from workshop_tui.db.distribute import any_distributed
from workshop_tui.db.engine import Database
from workshop_tui.services.auth import WALK_IN_USERNAME as WALK_IN
from workshop_tui.services.passwords import UNUSABLE_HASH

__all__ = ["LoadError", "load", "TABLES"]

DERIVED = tuple(
    t
    for t in ("stock_movements", "ledger_heads", "order_discounts", "idempotency_claims")
    if t in m.Base.metadata.tables
)
# Columns where an empty field means "" rather than NULL (their server default is '').
EMPTY_IS_TEXT = {"products": ("description",), "customers": ("name",), "returns": ("reason",)}

DERIVE_MOVEMENTS = f"""
INSERT INTO stock_movements (product_id, seller_id, delta, reason, order_id, actor_id, created_at)
SELECT moves.product_id, p.seller_id, delta, reason, order_id, actor_id, moves.created_at FROM (
    SELECT i.product_id, i.initial_stock AS delta, 'initial' AS reason, NULL::int AS order_id,
           NULL::int AS actor_id, p.created_at, 0 AS step
      FROM inventory i JOIN products p ON p.id = i.product_id WHERE i.initial_stock > 0
    UNION ALL
    SELECT oi.product_id, -oi.quantity, 'sale', o.id, COALESCE(o.placed_by, o.customer_id),
           o.created_at, 1
      FROM order_items oi JOIN orders o ON o.id = oi.order_id
    UNION ALL
    SELECT oi.product_id, oi.quantity,
           CASE WHEN c.cancelled_by IS NULL AND c.reason = '{EXPIRY_REASON}'
                THEN 'expiry' ELSE 'cancel' END,
           c.order_id, c.cancelled_by, c.created_at, 2
      FROM cancellations c JOIN order_items oi ON oi.order_id = c.order_id
    UNION ALL
    SELECT r.product_id, r.quantity, 'return', r.order_id, r.processed_by, r.created_at, 3
      FROM returns r
) moves
-- The seller named here, not looked up row by row by the insert trigger (migration 0007).
JOIN products p ON p.id = moves.product_id
ORDER BY moves.created_at, step, order_id NULLS FIRST, moves.product_id
"""
# Counter discounts live in their own table too (one whole-order fixed discount per order).
DERIVE_DISCOUNTS = """
INSERT INTO order_discounts (order_id, seller_id, product_id, kind, value, amount, reason,
                             granted_by, created_at)
SELECT id, seller_id, NULL, 'fixed', discount_total, discount_total, 'counter discount',
       COALESCE(placed_by, customer_id), created_at
  FROM orders WHERE discount_total > 0 ORDER BY id
"""
# Each chain's last row by a hash aggregate and join: no sort of the whole ledger
# ((chain, seq) is unique by now, so one row per chain).
DERIVE_HEADS = """
INSERT INTO ledger_heads (chain, seller_id, seq, hash)
SELECT t.chain, t.seller_id, t.seq, t.hash
  FROM transactions t JOIN (SELECT chain, MAX(seq) AS seq FROM transactions GROUP BY chain) h
    ON h.chain = t.chain AND h.seq = t.seq
 ORDER BY t.chain
"""

# The keys the loaded orders and payments used, bound to their sellers (as checkout and
# payment bind a key on first use: services.routing), so a reused key finds its seller.
DERIVE_CLAIMS = """
INSERT INTO idempotency_claims (customer_id, scope, key, seller_id, created_at)
SELECT customer_id, 'order', idempotency_key, seller_id, created_at
  FROM orders WHERE idempotency_key IS NOT NULL
UNION ALL
SELECT customer_id, 'payment', idempotency_key, seller_id, created_at
  FROM payments WHERE idempotency_key IS NOT NULL
"""

Progress = Callable[[str, int], None]


def expected_columns(table: str) -> list[str]:
    """The columns a file must have: the table's, less a seller_id its trigger fills."""
    filled = {"seller_id"} if table in m.SELLER_FILLED else set()
    return [c.name for c in m.Base.metadata.tables[table].columns if c.name not in filled]


def allowed_columns(table: str) -> list[str]:
    return [c.name for c in m.Base.metadata.tables[table].columns]


def find_files(directory: Path) -> dict[str, Path]:
    directory = Path(directory)
    if not directory.is_dir():
        raise LoadError(f"{directory}: no such directory")
    by_name = {p.name.lower(): p for p in directory.iterdir() if p.is_file()}
    missing = [f"{t}.csv" for t in TABLES if f"{t}.csv" not in by_name]
    if missing:
        raise LoadError(f"{directory}: missing file(s) {', '.join(missing)}")
    return {t: by_name[f"{t}.csv"] for t in TABLES}


def read_header(table: str, path: Path) -> list[str]:
    _require_utf8(path)
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise LoadError(f"{path.name}: line 1: empty file; expected the header row")
    header = [h.strip() for h in header]
    wanted = expected_columns(table)
    missing = [c for c in wanted if c not in header]
    unknown = [c for c in header if c not in allowed_columns(table)]
    doubled = sorted({c for c in header if header.count(c) > 1})
    for problem, names in (("missing", missing), ("unknown", unknown), ("repeated", doubled)):
        if names:
            raise LoadError(f"{path.name}: line 1: {problem} column(s) {', '.join(names)}")
    return header


NEWLINE = b"\n"
COPY_CHUNK = 1 << 18  # bytes per CopyData message: fewer Python calls than the default 8 KiB


def _require_utf8(path: Path) -> None:
    """Name the first line that is not UTF-8 (COPY would fail on it with a worse message)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = lines + chunk.count(NEWLINE, 0, max(0, exc.start - pending)) + 1
                raise LoadError(
                    f"{path.name}: line {line}: not UTF-8 text; save the file as UTF-8"
                ) from None
            lines += chunk.count(NEWLINE)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise LoadError(f"{path.name}: line {lines + 1}: not UTF-8 text at the end") from None


def load(
    database: Database,
    directory: Path | str,
    *,
    replace: bool = False,
    verify_hashes: bool = True,
    progress: Progress | None = None,
) -> dict[str, int]:
    """COPY the 11 files into the database; return rows per table (derived tables too)."""
    files = find_files(Path(directory))
    headers = {t: read_header(t, files[t]) for t in TABLES}
    raw = database.engine.raw_connection()
    conn = raw.driver_connection
    try:
        with conn.cursor() as cur:
            cur.execute("SET LOCAL statement_timeout = 0")
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # The checks hash-join and sort whole tables: in memory, not in batches spilled to disk.
            cur.execute("SET LOCAL work_mem = '128MB'")
            # Compiling each one-off check costs more than it saves (measured: the ledger check
            # ran 40 % faster without).
            cur.execute("SET LOCAL jit = off")
            _require_schema(cur)
            sharded = any_distributed(cur, TABLES + DERIVED)
            if sharded:
                staging.begin_sharded(cur)
            _refuse_or_empty(cur, replace)
            if sharded:
                staging.stage(cur, TABLES + DERIVED)
            restore = detach(cur)
            unfilled = _unfilled(headers)
            _fill_triggers(cur, unfilled, "DISABLE")
            counts = {t: _copy(cur, t, files[t], headers[t], progress) for t in TABLES}
            _attach(cur, [r for r in restore if r[0] in TABLES], files)
            # Rough statistics are enough for the checks' hash joins, and a tenth of the sample is
            # a fifth of the time; autovacuum re-analyzes at the full target after the commit.
            cur.execute("SET LOCAL default_statistics_target = 10")
            cur.execute(f"ANALYZE {', '.join(TABLES)}")
            cur.execute("RESET default_statistics_target")
            # Whole-table checks: hash joins (the lookup arrays of the ledger check have no
            # statistics, and a misestimate must not turn into sorting the ledger for a merge).
            cur.execute("SET LOCAL enable_nestloop = off")
            cur.execute("SET LOCAL enable_mergejoin = off")

            def query(sql: str, params: Any = None) -> list[tuple]:
                cur.execute(sql, params)
                return cur.fetchall()

            check_rules(query, files, RULES)
            cur.execute(DERIVE_MOVEMENTS)
            counts["stock_movements"] = cur.rowcount
            check_rules(query, files, (STOCK_RULE,))
            cur.execute(DERIVE_HEADS)
            counts["ledger_heads"] = cur.rowcount
            if "order_discounts" in DERIVED:
                cur.execute(DERIVE_DISCOUNTS)
                counts["order_discounts"] = cur.rowcount
            if "idempotency_claims" in DERIVED:
                cur.execute(DERIVE_CLAIMS)
                counts["idempotency_claims"] = cur.rowcount
            _attach(cur, [r for r in restore if r[0] not in TABLES], files)
            _fill_triggers(cur, unfilled, "ENABLE")
            if verify_hashes:
                verify_ledger(query, files["transactions"])
            cur.execute("RESET enable_nestloop")
            cur.execute("RESET enable_mergejoin")
            if sharded:
                staging.publish(cur, TABLES + DERIVED)
            _reset_sequences(cur)
            _ensure_walk_in(cur)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        raw.close()
    return counts


def _unfilled(headers: dict[str, list[str]]) -> list[str]:
    """The tables whose rows all arrive with their seller: the files that carry `seller_id`,
    and the derived tables (their statements name it). Their insert trigger (migration
    0007) is set aside for the load: a function call per row, for a value already there.
    The foreign keys put back after the COPY check every row's seller against its order's,
    product's or payment's, and the ledger's CHECK its chain's."""
    carried = [t for t in TABLES if "seller_id" in headers[t]]
    return [t for t in m.SELLER_FILLED if t in carried or t in DERIVED]


def _fill_triggers(cur: Any, tables: list[str], action: str) -> None:
    """ENABLE or DISABLE the seller fill-in triggers of `tables`, inside the load's transaction.

    On a sharded database the names are the staged temporary tables (seed.staging)."""
    for table in tables:
        cur.execute(f"ALTER TABLE {table} {action} TRIGGER {table}_fill_seller")


def detach(cur: Any) -> list[tuple[str, str]]:
    """Drop the foreign keys, secondary unique constraints and indexes of the tables being filled.

    Returns (table, SQL) to put each back: building an index by sorting and checking
    a key with one join are far faster than per-row maintenance (bulk-load practice),
    and putting them back still refuses any duplicate or dangling reference. The files'
    primary keys stay, so a duplicate id is reported by COPY with its line; the derived
    tables' go too (their rows come from one statement each). All of this is inside the
    load's transaction.
    """
    targets = list(TABLES + DERIVED)
    cur.execute(
        """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
             FROM pg_constraint c
            WHERE c.conrelid = ANY(%(t)s::regclass[])
              AND (c.contype = 'f' OR (c.contype IN ('u', 'p') AND c.conindid NOT IN (
                   SELECT f.conindid FROM pg_constraint f
                    WHERE f.contype = 'f' AND NOT f.conrelid = ANY(%(t)s::regclass[]))))
              AND (c.contype <> 'p' OR c.conrelid = ANY(%(derived)s::regclass[]))
            ORDER BY c.contype DESC, 1, 2""",
        {"t": targets, "derived": list(DERIVED)},
    )
    constraints = cur.fetchall()  # unique ones and primary keys first, then foreign keys
    cur.execute(
        """SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,
                  pg_get_indexdef(i.indexrelid)
             FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1, 2""",
        (targets,),
    )
    indexes = cur.fetchall()
    for table, name, _, _ in reversed(constraints):
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for _, name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    return [(table, ddl) for table, _, ddl in indexes] + [
        (table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}')
        for table, name, ddl, _ in constraints
    ]


def _attach(cur: Any, restore: list[tuple[str, str]], files: dict[str, Path]) -> None:
    for table, ddl in restore:
        try:
            cur.execute(ddl)
        except psycopg2.Error as exc:
            if table in files:
                raise copy_error(exc, files[table]) from None
            raise


def _require_schema(cur: Any) -> None:
    names = [t.name for t in m.Base.metadata.sorted_tables]
    cur.execute(
        "SELECT name FROM unnest(%s::text[]) name WHERE to_regclass(name) IS NULL", (names,)
    )
    absent = [row[0] for row in cur.fetchall()]
    if absent:
        raise LoadError(
            f"the database lacks the tables {', '.join(absent)}: run `workshop db upgrade` first"
        )


def _refuse_or_empty(cur: Any, replace: bool) -> None:
    tables = [t.name for t in m.Base.metadata.sorted_tables]
    # The walk-in account of the migration alone does not make a database "not empty".
    holds = {t: f"SELECT 1 FROM {t}" for t in tables}
    holds["customers"] = f"SELECT 1 FROM customers WHERE username IS DISTINCT FROM '{WALK_IN}'"
    cur.execute(" UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS ({q})" for t, q in holds.items()))
    holding = [row[0] for row in cur.fetchall()]
    if not holding:
        cur.execute("DELETE FROM customers")  # its id may be one the files use: made again after
        return
    if not replace:
        raise LoadError(
            f"the database is not empty ({', '.join(holding)} hold rows): load into an empty "
            "database, or pass --replace to delete everything in it first"
        )
    for table in m.APPEND_ONLY_TABLES:
        cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    for table in m.APPEND_ONLY_TABLES:
        cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def copy_sql(table: str, header: list[str]) -> str:
    """The COPY statement for one file (also the benchmark's bare baseline)."""
    options = ["FORMAT csv", "HEADER true"]
    keep = [c for c in EMPTY_IS_TEXT.get(table, ()) if c in header]
    if keep:
        options.append(f"FORCE_NOT_NULL ({', '.join(keep)})")
    return f"COPY {table} ({', '.join(header)}) FROM STDIN WITH ({', '.join(options)})"


def _copy(cur: Any, table: str, path: Path, header: list[str], progress: Progress | None) -> int:
    sql = copy_sql(table, header)
    try:
        with path.open("rb") as handle:
            cur.copy_expert(sql, _Counting(handle, table, progress), size=COPY_CHUNK)
    except psycopg2.Error as exc:
        raise copy_error(exc, path) from None
    return cur.rowcount


class _Counting:
    """A file wrapper that reports bytes read (for a progress bar)."""

    def __init__(self, handle: Any, table: str, progress: Progress | None) -> None:
        self.handle, self.table, self.progress = handle, table, progress

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        if self.progress:
            self.progress(self.table, len(data))
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size) if size > 0 else self.handle.readline()


def _ensure_walk_in(cur: Any) -> None:
    """The counter's walk-in account, after the loaded ids; never one that can log in."""
    cur.execute(
        "INSERT INTO customers (username, name, role, password_hash, is_active) "
        "VALUES (%(name)s, 'Walk-in customer', 'customer', %(hash)s, false) "
        "ON CONFLICT (username) DO UPDATE SET password_hash = %(hash)s, is_active = false, "
        "role = 'customer'",
        {"name": WALK_IN, "hash": UNUSABLE_HASH},
    )


def _reset_sequences(cur: Any) -> None:
    for table in m.Base.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
        )
