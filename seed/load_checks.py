"""What the loader checks beyond the schema's own constraints, and how it names the line.

PostgreSQL reports COPY errors with the table and line; foreign keys and the
cross-table rules below are found by key, so the key is looked up in the file
to name its line too. Every message reads "<file>: line <n>: <reason>".
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg2

from workshop_tui.services.ledger_codec import (
    GENESIS_HASH,
    HASH_VERSION,
    canonical_content,
    entry_hash,
)
from workshop_tui.services.states import SOLD, OrderStatus, sql_list


class LoadError(Exception):
    """Bad input: the message names the file, the line and the reason. Nothing was loaded."""


def line_of(path: Path, column: str, value: object, occurrence: int = 1) -> int | None:
    """The physical line of the n-th row whose `column` holds `value` (None if absent).

    A key of several columns is given as PostgreSQL names it: "a, b" holding "1, 2"."""
    columns = [c.strip() for c in column.split(",")]
    wanted = [v.strip() for v in str(value).split(",")] if len(columns) > 1 else [str(value)]
    if len(wanted) != len(columns):
        return None
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        if any(c not in header for c in columns):
            return None
        indexes = [header.index(c) for c in columns]
        seen = 0
        for row in reader:
            if all(
                i < len(row) and row[i].strip() == w for i, w in zip(indexes, wanted, strict=True)
            ):
                seen += 1
                if seen == occurrence:
                    return reader.line_num
    return None


def located(path: Path, line: int | None, reason: str) -> LoadError:
    return LoadError(f"{path.name}: line {line}: {reason}" if line else f"{path.name}: {reason}")


_CONTEXT = re.compile(r"COPY (\w+), line (\d+)")
_KEY = re.compile(r"Key \((?P<cols>[^)]*)\)=\((?P<vals>.*)\)")


def unterminated_quote_line(path: Path) -> int | None:
    """The physical line where a quoted field opens and never closes (None if every one closes).

    COPY only notices at the end of the file and names the last line read.
    """
    opened_at = None
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if raw.count(b'"') % 2:  # "" inside a quoted field is even, so only odd counts flip
                opened_at = number if opened_at is None else None
    return opened_at


def copy_error(exc: psycopg2.Error, path: Path) -> LoadError:
    """Turn a failed COPY into one located message."""
    diag = exc.diag
    reason = (diag.message_primary or str(exc)).strip()
    detail = (diag.message_detail or "").strip()
    found = _CONTEXT.search(diag.context or "")
    line = int(found.group(2)) if found else None
    if "unterminated CSV quoted field" in reason:
        line = unterminated_quote_line(path) or line
    key = _KEY.search(detail)
    one_column = key is not None and "," not in key.group("cols")
    if key and exc.pgcode == "23503":  # foreign key: the value refers to nothing
        column, value = key.group("cols"), key.group("vals")
        table = re.search(r'table "(\w+)"', detail)
        target = table.group(1) if table else "the referenced table"
        if "," in column:  # a composite key: a row's seller_id that is not its order's, say
            reason = f"({column}) = ({value}) matches no row of {target} ({diag.constraint_name})"
        else:
            reason = f"{column} {value} refers to no row of {target}"
        line = line or line_of(path, column, value)
    elif key and one_column and exc.pgcode == "23505":
        # unique: the second row with this key is the duplicate
        column, value = key.group("cols"), key.group("vals")
        reason = f"duplicate {column} {value}"
        line = line or line_of(path, column, value, occurrence=2)
    elif detail and not one_column and exc.pgcode not in ("22P02", "22007", "22008", "22003"):
        reason = f"{reason} ({detail})"
    return located(path, line, reason)


Query = Callable[[str], list[tuple]]

# (description, SQL returning the offending key first, the file/column holding that key)
RULES: tuple[tuple[str, str, str, str], ...] = (
    (
        "order {0}: subtotal {1} is not the sum of its items ({2})",
        """SELECT o.id, o.subtotal, COALESCE(x.s, 0) FROM orders o
           LEFT JOIN (SELECT order_id, SUM(quantity * unit_price) s FROM order_items GROUP BY 1) x
             ON x.order_id = o.id
           WHERE x.s IS NULL OR o.subtotal <> x.s ORDER BY o.id LIMIT 1""",
        "orders",
        "id",
    ),
    (
        "order item {0}: product {1} is sold by seller {2}, not by the order's seller {3}",
        """SELECT oi.id, oi.product_id, p.seller_id, o.seller_id FROM order_items oi
           JOIN orders o ON o.id = oi.order_id JOIN products p ON p.id = oi.product_id
           WHERE p.seller_id <> o.seller_id ORDER BY oi.id LIMIT 1""",
        "order_items",
        "id",
    ),
    (
        "return {0}: product {1} is not a line of order {2}",
        """SELECT r.id, r.product_id, r.order_id FROM returns r
           LEFT JOIN order_items oi ON oi.order_id = r.order_id AND oi.product_id = r.product_id
           WHERE oi.id IS NULL ORDER BY r.id LIMIT 1""",
        "returns",
        "id",
    ),
    (
        "return {0}: {1} units of product {2} returned from order {3}, which bought {4}",
        """SELECT r.id, b.q, r.product_id, r.order_id, oi.quantity FROM returns r
           JOIN (SELECT order_id, product_id, SUM(quantity) q FROM returns GROUP BY 1, 2) b
             ON b.order_id = r.order_id AND b.product_id = r.product_id
           JOIN order_items oi ON oi.order_id = r.order_id AND oi.product_id = r.product_id
           WHERE b.q > oi.quantity ORDER BY r.id LIMIT 1""",
        "returns",
        "id",
    ),
    (
        "order item {0}: returned_qty {1} but the returns rows add up to {2}",
        """SELECT oi.id, oi.returned_qty, COALESCE(r.q, 0) FROM order_items oi
           LEFT JOIN (SELECT order_id, product_id, SUM(quantity) q FROM returns GROUP BY 1, 2) r
             ON r.order_id = oi.order_id AND r.product_id = oi.product_id
           WHERE oi.returned_qty <> COALESCE(r.q, 0) ORDER BY oi.id LIMIT 1""",
        "order_items",
        "id",
    ),
    (
        "order {0} is {1} but has {2} cancellation rows",
        f"""SELECT o.id, o.status, COUNT(c.id) FROM orders o
           LEFT JOIN cancellations c ON c.order_id = o.id GROUP BY o.id, o.status
           HAVING (o.status IN {sql_list((OrderStatus.CANCELLED,))}) <> (COUNT(c.id) = 1)
           ORDER BY o.id LIMIT 1""",
        "orders",
        "id",
    ),
    (
        "order {0} is {1} but has no succeeded charge in payments",
        f"""SELECT o.id, o.status FROM orders o
           WHERE o.status IN {sql_list(SOLD)}
             AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id
                             AND p.kind = 'charge' AND p.status = 'succeeded')
           ORDER BY o.id LIMIT 1""",
        "orders",
        "id",
    ),
    (
        "payment {0}: a charge of {1} for order {2}, whose total is {3}",
        """SELECT p.id, p.amount, o.id, o.total FROM payments p JOIN orders o ON o.id = p.order_id
           WHERE p.kind = 'charge' AND p.status = 'succeeded' AND p.amount <> o.total
           ORDER BY p.id LIMIT 1""",
        "payments",
        "id",
    ),
    (
        "payment {0}: the refunds of order {1} add up to {2}, more than the {3} charged",
        """SELECT MAX(p.id), p.order_id, SUM(p.amount), COALESCE(MAX(c.charged), 0)
             FROM payments p LEFT JOIN (
                  SELECT order_id, SUM(amount) charged FROM payments
                   WHERE kind = 'charge' AND status = 'succeeded' GROUP BY 1) c
               ON c.order_id = p.order_id
            WHERE p.kind = 'refund' AND p.status = 'succeeded'
            GROUP BY p.order_id HAVING SUM(p.amount) > COALESCE(MAX(c.charged), 0)
            ORDER BY 1 LIMIT 1""",
        "payments",
        "id",
    ),
    (
        "transaction {0}: chain {1} seq {2} does not follow seq {3} of its chain (gap-free from 1, "
        "prev_hash = the previous row's hash)",
        f"""SELECT id, chain, seq, COALESCE(prev_seq, 0) FROM (
              SELECT id, chain, seq, prev_hash, LAG(seq) OVER w AS prev_seq, LAG(hash) OVER w AS prev
              FROM transactions WINDOW w AS (PARTITION BY chain ORDER BY seq)) t
            WHERE seq <> COALESCE(prev_seq, 0) + 1 OR prev_hash <> COALESCE(prev, '{GENESIS_HASH}')
            ORDER BY id LIMIT 1""",
        "transactions",
        "id",
    ),
)

STOCK_RULE = (
    "product {0}: stock_remaining {1}, but its initial stock less what live orders hold "
    "(returns and cancellations given back) is {2}",
    """SELECT i.product_id, i.stock_remaining, COALESCE(s.total, 0) FROM inventory i
       LEFT JOIN (SELECT product_id, SUM(delta) total FROM stock_movements GROUP BY 1) s
         ON s.product_id = i.product_id
       WHERE i.stock_remaining <> COALESCE(s.total, 0) ORDER BY i.product_id LIMIT 1""",
    "inventory",
    "product_id",
)


def check_rules(
    query: Query, files: dict[str, Path], rules: Iterable[tuple[str, str, str, str]]
) -> None:
    for message, sql, table, column in rules:
        rows = query(sql)
        if rows:
            row = rows[0]
            path = files[table]
            raise located(path, line_of(path, column, row[0]), message.format(*row))


SAMPLE_EVERY = 997

# Each row's hash recomputed by the server: the canonical JSON is concatenated in the
# order of sorted keys, its text values (chain, kind, method, payload) looked up in arrays
# Python fills with json.dumps of each distinct value (a few thousand at most). Arrays, not
# a CTE or temp table, so the scan can run in parallel workers (they share the transaction).
CANON_COLUMNS = ("chain", "kind", "method", "payload")


def _canon(col: str) -> str:
    return (
        f"(SELECT * FROM unnest(%({col}_raw)s::text[], %({col}_json)s::text[])) {col}_c(raw, json)"
    )


_DIGESTS = f"""
WITH rows AS (
    SELECT t.id, t.chain, t.seq, t.kind, t.order_id, t.payment_id, t.hash,
           (t.amount * 100)::bigint AS paise, t.method, t.payload::text AS payload, t.prev_hash,
           to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"') AS stamp,
           chain_c.json AS chain_json, kind_c.json AS kind_json,
           COALESCE(method_c.json, 'null') AS method_json, payload_c.json AS payload_json
      FROM transactions t
      JOIN {_canon("chain")} ON chain_c.raw = t.chain
      JOIN {_canon("kind")} ON kind_c.raw = t.kind
      JOIN {_canon("payload")} ON payload_c.raw = t.payload::text
      LEFT JOIN {_canon("method")} ON method_c.raw = t.method
), digests AS (
    SELECT rows.*, encode(sha256(convert_to(
               %(version)s || E'\\n' || seq || E'\\n' || prev_hash || E'\\n'
               || '{{"amount_paise":' || paise || ',"chain":' || chain_json
               || ',"created_at":"' || stamp || '","kind":' || kind_json
               || ',"method":' || method_json
               || ',"order_id":' || COALESCE(order_id::text, 'null')
               || ',"payload":' || payload_json
               || ',"payment_id":' || COALESCE(payment_id::text, 'null') || '}}',
           'UTF8')), 'hex') AS actual
      FROM rows
)
"""
LEDGER_MISMATCH = (
    _DIGESTS + "SELECT id, chain, seq FROM digests WHERE actual IS DISTINCT FROM hash "
    "ORDER BY chain, seq, id LIMIT 1"
)
LEDGER_SAMPLE = (
    _DIGESTS + "SELECT id, chain, seq, kind, order_id, payment_id, paise, method, payload, stamp, "
    "prev_hash, actual FROM digests WHERE id %% %(every)s = 1 ORDER BY id"
)
LEDGER_TEXTS = """
SELECT chain, kind, method, payload::text FROM transactions
 GROUP BY GROUPING SETS ((chain), (kind), (method), (payload::text))
"""


def verify_ledger(query: Callable[..., list[tuple]], path: Path) -> int:
    """Re-hash every ledger row in SQL; raise on the first whose hash does not match its content.

    One statement over the loaded rows (sha256 in the server, no row crosses the wire);
    Python encodes each distinct text value once, exactly as ledger_codec does. A sample
    of rows is also hashed through ledger_codec itself, so the two can never silently
    disagree. Returns the number of rows sampled.
    """
    params: dict[str, Any] = {"version": HASH_VERSION, "every": SAMPLE_EVERY}
    for col in CANON_COLUMNS:
        params[f"{col}_raw"], params[f"{col}_json"] = [], []
    for row in query(LEDGER_TEXTS, {}):
        for col, value in zip(CANON_COLUMNS, row, strict=True):
            if value is None:
                continue
            if col == "payload":
                text = json.dumps(
                    json.loads(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
                )
            else:
                text = json.dumps(value, ensure_ascii=False)
            params[f"{col}_raw"].append(value)
            params[f"{col}_json"].append(text)
    sample = query(LEDGER_SAMPLE, params)
    for (
        tid,
        chain,
        seq,
        kind,
        order_id,
        payment_id,
        paise,
        method,
        payload,
        stamp,
        prev,
        actual,
    ) in sample:
        content = canonical_content(
            chain=chain,
            kind=kind,
            order_id=order_id,
            payment_id=payment_id,
            amount=Decimal(paise) / 100,
            method=method,
            created_at=datetime.fromisoformat(stamp),
            payload=json.loads(payload),
        )
        if entry_hash(seq, prev, content) != actual:
            raise RuntimeError(f"transaction {tid}: the loader's hash differs from ledger_codec's")
    bad = query(LEDGER_MISMATCH, params)
    if bad:
        tid, chain, seq = bad[0]
        raise located(
            path,
            line_of(path, "id", tid),
            f"chain {chain} seq {seq} (transaction id {tid}): hash does not match its content; "
            "the row was edited",
        )
    return len(sample)
