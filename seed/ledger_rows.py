"""transactions.csv: the hash-chained ledger rows the engine would have written.

Per payment attempt an `attempt` row (payload {"outcome": ...}) then a `charge`
or `decline` row; per refund a `refund` row (payload {"for", "reason"}), as in
services/payments.py and services/orders.py. One chain per seller
(ledger_codec.chain_for_seller), gap-free seq from 1.

Hashing is the one sequential step (each row covers the previous hash), so the
canonical JSON is built by string formatting, ~4x faster than a dict per row.
It is checked against ledger_codec.canonical_content/entry_hash on a sample of
rows every run, and `workshop ledger verify` re-hashes every row after a load.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

from seed.flows import DECLINE, FOR_CANCELLATION, REFUND, Payments
from seed.fmt import iso_times, money
from seed.orders import METHODS
from workshop_tui.services.ledger_codec import (
    GENESIS_HASH,
    HASH_VERSION,
    canonical_content,
    chain_for_seller,
    entry_hash,
)

COLUMNS = (
    "id",
    "chain",
    "seller_id",
    "seq",
    "kind",
    "order_id",
    "payment_id",
    "amount",
    "method",
    "payload",
    "created_at",
    "prev_hash",
    "hash",
)
CHECK_EVERY = 997
CHUNK = 50_000


class LedgerMismatch(RuntimeError):
    """The fast canonical form disagreed with ledger_codec: a bug, never bad data."""


def write_transactions(
    p: Payments, path: Path, progress: Callable[[int], None] | None = None
) -> int:
    count = len(p.order)
    per_payment = np.where(p.kind == REFUND, 1, 2)
    pay = np.repeat(np.arange(count), per_payment)
    sub = np.arange(len(pay)) - np.repeat(np.cumsum(per_payment) - per_payment, per_payment)
    seller = p.seller[pay]
    by_chain = np.argsort(seller, kind="stable")
    seq = np.empty(len(pay), dtype=np.int64)
    sorted_seller = seller[by_chain]
    seq[by_chain] = np.arange(len(pay)) - np.searchsorted(sorted_seller, sorted_seller) + 1

    kinds = _kinds(p.kind[pay], sub)
    payloads = _payloads(p, pay, sub)
    stamps = iso_times(p.created[pay] + 100 * (sub + 1))
    amounts = money(p.amount[pay])
    paise = p.amount[pay].tolist()
    methods = METHODS[p.method[pay]].tolist()
    orders = p.order[pay].tolist()
    payment_ids = (pay + 1).tolist()
    chains = [chain_for_seller(s) for s in range(int(seller.max(initial=0)) + 1)]
    seller_list = seller.tolist()
    seq_list = seq.tolist()

    row_chains = [chains[s] for s in seller_list]
    payload_jsons = [j for j, _ in payloads]
    heads: dict[int, str] = {}
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(",".join(COLUMNS) + "\n")
        for begin in range(0, len(pay), CHUNK):
            w = slice(begin, begin + CHUNK)
            # The canonical JSON does not involve the previous hash: built for the chunk first.
            bodies = [
                f'{{"amount_paise":{a},"chain":"{c}","created_at":"{t}","kind":"{k}",'
                f'"method":"{m}","order_id":{o},"payload":{j},"payment_id":{y}}}'
                for a, c, t, k, m, o, j, y in zip(
                    paise[w],
                    row_chains[w],
                    stamps[w],
                    kinds[w],
                    methods[w],
                    orders[w],
                    payload_jsons[w],
                    payment_ids[w],
                    strict=True,
                )
            ]
            prevs, digests = _chain_hashes(heads, seller_list[w], seq_list[w], bodies)
            for i in range(-begin % CHECK_EVERY, len(bodies), CHECK_EVERY):
                _check(
                    begin + i,
                    row_chains[begin + i],
                    kinds,
                    orders,
                    payment_ids,
                    amounts,
                    methods,
                    stamps,
                    payload_jsons[begin + i],
                    seq_list,
                    prevs[i],
                    digests[i],
                )
            out.write(
                "".join(
                    f"{i},{c},{s},{q},{k},{o},{y},{a},{m},{j},{t},{v},{d}\n"
                    for i, c, s, q, k, o, y, a, m, (_, j), t, v, d in zip(
                        range(begin + 1, begin + len(bodies) + 1),
                        row_chains[w],
                        seller_list[w],
                        seq_list[w],
                        kinds[w],
                        orders[w],
                        payment_ids[w],
                        amounts[w],
                        methods[w],
                        payloads[w],
                        stamps[w],
                        prevs,
                        digests,
                        strict=True,
                    )
                )
            )
            if progress:
                progress(len(bodies))
    return len(pay)


def _chain_hashes(
    heads: dict[int, str], sellers: list[int], seqs: list[int], bodies: list[str]
) -> tuple[list[str], list[str]]:
    """(previous hash, hash) per row: the one sequential step, each row covering its chain's last.

    `heads` (seller -> last hash) carries the chains from one chunk of rows to the next.
    """
    prevs: list[str] = []
    digests: list[str] = []
    sha256 = hashlib.sha256
    for seller, seq, body in zip(sellers, seqs, bodies, strict=True):
        prev = heads.get(seller, GENESIS_HASH)
        digest = sha256(f"{HASH_VERSION}\n{seq}\n{prev}\n{body}".encode()).hexdigest()
        heads[seller] = digest
        prevs.append(prev)
        digests.append(digest)
    return prevs, digests


def _kinds(kind: np.ndarray, sub: np.ndarray) -> list[str]:
    result = np.where(kind == DECLINE, "decline", "charge").astype(object)
    result[sub == 0] = "attempt"
    result[kind == REFUND] = "refund"
    return result.tolist()


def _payloads(p: Payments, pay: np.ndarray, sub: np.ndarray) -> list[tuple[str, str]]:
    """(canonical JSON, CSV field) per row; few distinct values, each encoded once.

    As services/payments.py: the attempt records the outcome; the charge or decline
    of a discounted order records its discounts (services/pricing.ledger_payload:
    here one whole-order fixed discount, the row the loader derives in order_discounts).
    """
    cache: dict[tuple, tuple[str, str]] = {}
    result = []
    for kind, s, refund_for, reason, subtotal, discount, granted_by in zip(
        p.kind[pay].tolist(),
        sub.tolist(),
        p.refund_for[pay].tolist(),
        p.reason[pay].tolist(),
        p.subtotal[pay].tolist(),
        p.discount[pay].tolist(),
        p.granted_by[pay].tolist(),
        strict=True,
    ):
        if kind == REFUND:
            detail = "cancellation" if refund_for == FOR_CANCELLATION else "return"
            key: tuple = ("refund", detail, reason)
            payload: dict = {"for": detail, "reason": reason[:200]}
        elif s == 0:
            outcome = "declined" if kind == DECLINE else "succeeded"
            key, payload = ("attempt", outcome), {"outcome": outcome}
        elif discount:
            key = ("discounted", subtotal, discount, granted_by)
            payload = {
                "subtotal_paise": subtotal,
                "discount_paise": discount,
                "discounts": [
                    {
                        "kind": "fixed",
                        "value": f"{discount // 100}.{discount % 100:02d}",
                        "product_id": None,
                        "amount_paise": discount,
                        "granted_by": granted_by,
                    }
                ],
            }
        else:
            key, payload = ("result",), {}
        if key not in cache:
            text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            cache[key] = (text, '"' + text.replace('"', '""') + '"')
        result.append(cache[key])
    return result


def _check(
    i, chain, kinds, orders, payment_ids, amounts, methods, stamps, payload_json, seq, prev, digest
) -> None:
    content = canonical_content(
        chain=chain,
        kind=kinds[i],
        order_id=orders[i],
        payment_id=payment_ids[i],
        amount=Decimal(amounts[i]),
        method=methods[i],
        created_at=datetime.fromisoformat(stamps[i]),
        payload=json.loads(payload_json),
    )
    if entry_hash(seq[i], prev, content) != digest:
        raise LedgerMismatch(f"ledger row {i + 1}: the fast hash differs from ledger_codec's")
