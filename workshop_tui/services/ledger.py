"""The hash-chained ledger of every money movement.

One chain per seller (an order has one seller): appending locks only that
chain's head row, so payments to different sellers never queue behind each
other. Within a chain the sequence is gap-free and each row's hash covers its
content and the previous row's hash (see ledger_codec). Rows are never updated
or deleted (a trigger refuses); corrections are new rows.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services import _sql as sql
from workshop_tui.services import locks
from workshop_tui.services._sql import PlainTx, Tx
from workshop_tui.services._tx import read_only
from workshop_tui.services.errors import InvalidInput
from workshop_tui.services.ledger_codec import (
    GENESIS_HASH,
    canonical_content,
    chain_for_seller,
    entry_hash,
    short_hash,
)
from workshop_tui.services.types import ChainHead, LedgerRef, VerifyReport


def append(
    s: Tx,
    *,
    seller_id: int,
    kind: str,
    amount: Decimal,
    order_id: int | None = None,
    payment_id: int | None = None,
    method: str | None = None,
    payload: dict[str, Any] | None = None,
) -> LedgerRef:
    """Append one row to the seller's chain. Takes the chain head's lock: call it last."""
    entry = {
        "kind": kind,
        "amount": amount,
        "order_id": order_id,
        "payment_id": payment_id,
        "method": method,
        "payload": payload,
    }
    return append_entries(s, seller_id, [entry])[-1]


# The new rows and the moved head in one statement (the head is locked: locks.ledger_head).
# The rows go in as a VALUES list of their own length: a statement on the seller's shard
# alone when sharded by seller (rows selected from an unnest would pass the coordinator).
_ENTRY = ("seq", "kind", "order_id", "payment_id", "amount", "method", "payload", "prev", "hash")
_ENTRY_TYPES = ("bigint", "text", "integer", "integer", "numeric", "text", "text", "text", "text")


@functools.cache
def append_statement(entries: int) -> sql.Planned:
    rows = ", ".join(
        f"(%(chain)s, %(seller)s, %(seq_{n})s, %(kind_{n})s, %(order_id_{n})s, %(payment_id_{n})s,"
        f" %(amount_{n})s, %(method_{n})s, CAST(%(payload_{n})s AS jsonb), %(created_at)s,"
        f" %(prev_{n})s, %(hash_{n})s)"
        for n in range(entries)
    )
    text = f"""
    WITH added AS (
        INSERT INTO transactions (chain, seller_id, seq, kind, order_id, payment_id, amount, method,
                                  payload, created_at, prev_hash, hash)
        VALUES {rows}
    )
    UPDATE ledger_heads SET seq = %(last_seq)s, hash = %(last_hash)s
     WHERE seller_id = %(seller)s AND chain = %(chain)s
    """
    types = {
        "chain": "text",
        "seller": "integer",
        "created_at": "timestamptz",
        "last_seq": "bigint",
        "last_hash": "text",
    }
    for n in range(entries):
        types |= {f"{name}_{n}": kind for name, kind in zip(_ENTRY, _ENTRY_TYPES, strict=True)}
    return sql.Planned(f"ledger_append_{entries}", text, types)


def append_entries(
    s: Tx,
    seller_id: int,
    entries: list[dict[str, Any]],
    *,
    last: bool = False,
    before: Sequence[tuple[sql.Planned, dict[str, Any]]] = (),
) -> list[LedgerRef]:
    """Append several rows to one chain under one lock of its head (the last lock a transaction takes).

    `last`: nothing follows in the transaction. On the hot path (a PlainTx) COMMIT then
    goes with the append, so the chain head, the shop's most contended row, is released
    one round trip sooner. `before`: writes whose results are not needed, sent in the
    message that locks the head (one round trip fewer).
    """
    chain = chain_for_seller(seller_id)
    seq, prev = locks.ledger_head(s, seller_id, chain, before=before)
    now = datetime.now(UTC)
    rows, refs = [], []
    for entry in entries:
        seq += 1
        full = {
            "order_id": None,
            "payment_id": None,
            "method": None,
            **entry,
            "payload": entry.get("payload") or {},
        }
        digest = entry_hash(seq, prev, canonical_content(chain=chain, created_at=now, **full))
        rows.append((seq, full, prev, digest))
        refs.append(LedgerRef(chain=chain, seq=seq, short_hash=short_hash(digest)))
        prev = digest
    params: dict[str, Any] = {
        "chain": chain,
        "seller": seller_id,
        "created_at": now,
        "last_seq": seq,
        "last_hash": prev,
    }
    for n, (row_seq, full, row_prev, digest) in enumerate(rows):
        values = (
            row_seq,
            full["kind"],
            full["order_id"],
            full["payment_id"],
            full["amount"],
            full["method"],
            json.dumps(full["payload"]),
            row_prev,
            digest,
        )
        params |= {f"{name}_{n}": value for name, value in zip(_ENTRY, values, strict=True)}
    statement = append_statement(len(rows))
    if last and isinstance(s, PlainTx):
        s.run_and_commit(statement, params)
    else:
        sql.run_planned(s, statement, params)
    return refs


def row_hash(row: m.Transaction) -> str:
    content = canonical_content(
        chain=row.chain,
        kind=row.kind,
        order_id=row.order_id,
        payment_id=row.payment_id,
        amount=row.amount,
        method=row.method,
        created_at=row.created_at,
        payload=row.payload,
    )
    return entry_hash(row.seq, row.prev_hash, content)


def verify_rows(
    rows: Iterable[m.Transaction], heads: dict[str, tuple[int, str]]
) -> tuple[int, set[str], list[str]]:
    """Walk rows ordered by (chain, seq); return (rows, chains, problems)."""
    problems: list[str] = []
    count = 0
    state: dict[str, tuple[int, str]] = {}
    for row in rows:
        count += 1
        where = f"chain {row.chain} seq {row.seq} (transaction id {row.id})"
        last_seq, last_hash = state.get(row.chain, (0, GENESIS_HASH))
        if row.seq != last_seq + 1:
            problems.append(f"{where}: expected seq {last_seq + 1}; a row is missing or moved")
        elif row.prev_hash != last_hash:
            problems.append(
                f"{where}: prev_hash does not match the previous row; a row was removed, inserted or reordered"
            )
        elif row_hash(row) != row.hash:
            problems.append(f"{where}: hash does not match its content; the row was edited")
        state[row.chain] = (row.seq, row.hash)
    for chain, (seq, digest) in heads.items():
        if state.get(chain, (0, GENESIS_HASH)) != (seq, digest):
            problems.append(
                f"chain {chain}: head says seq {seq} but the rows end at seq {state.get(chain, (0, ''))[0]}"
            )
    return count, set(state) | set(heads), problems


class LedgerService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def heads(self) -> list[ChainHead]:
        rows = read_only(
            self.db,
            lambda s: s.execute(select(m.LedgerHead).order_by(m.LedgerHead.chain)).scalars().all(),
        )
        return [ChainHead(r.chain, r.seq, r.hash) for r in rows]

    def verify(self, witness: list[ChainHead] | None = None) -> VerifyReport:
        """Check every chain end to end (and heads recorded earlier, when given)."""

        def work(s: Session) -> VerifyReport:
            heads = {h.chain: (h.seq, h.hash) for h in s.scalars(select(m.LedgerHead))}
            rows = s.scalars(
                select(m.Transaction)
                .order_by(m.Transaction.chain, m.Transaction.seq, m.Transaction.id)
                .execution_options(yield_per=2000)
            )
            count, chains, problems = verify_rows(rows, heads)
            for head in witness or []:
                found = s.scalar(
                    select(m.Transaction.hash).where(
                        m.Transaction.chain == head.chain, m.Transaction.seq == head.seq
                    )
                )
                if found != head.hash:
                    problems.append(
                        f"chain {head.chain} seq {head.seq}: the witness recorded {short_hash(head.hash)}, "
                        f"the ledger has {short_hash(found) if found else 'no such row'}; the chain was rewritten"
                    )
            return VerifyReport(
                ok=not problems,
                rows_checked=count,
                chains_checked=len(chains),
                problems=tuple(problems),
            )

        return read_only(self.db, work)

    def export_witness(self) -> str:
        """One line per chain: 'chain seq hash'. Keep it somewhere the database's owner cannot edit."""
        return "".join(f"{h.chain} {h.seq} {h.hash}\n" for h in self.heads())

    @staticmethod
    def read_witness(text: str) -> list[ChainHead]:
        heads = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 64:
                raise InvalidInput(f"witness line {number}: expected 'chain seq sha256-hex'")
            heads.append(ChainHead(parts[0], int(parts[1]), parts[2]))
        return heads
