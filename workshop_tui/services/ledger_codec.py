"""How a ledger row is hashed. Shared by the engine, the verifier and the seed generator.

hash = SHA-256( "ws-ledger-v1" \n seq \n prev_hash \n canonical JSON of the content )
Canonical JSON: sorted keys, no spaces, money as integer paise, times as UTC ISO 8601
with microseconds. Changing any of this is a new version tag, never an edit.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

HASH_VERSION = "ws-ledger-v1"
GENESIS_HASH = "0" * 64


def chain_for_seller(seller_id: int) -> str:
    """One chain per seller: payments for different sellers never wait on each other."""
    return f"seller-{seller_id}"


def to_paise(amount: Decimal) -> int:
    paise = (Decimal(amount) * 100).to_integral_exact()
    return int(paise)


def utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_content(
    *,
    chain: str,
    kind: str,
    order_id: int | None,
    payment_id: int | None,
    amount: Decimal,
    method: str | None,
    created_at: datetime,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "chain": chain,
        "kind": kind,
        "order_id": order_id,
        "payment_id": payment_id,
        "amount_paise": to_paise(amount),
        "method": method,
        "created_at": utc_iso(created_at),
        "payload": payload or {},
    }


def entry_hash(seq: int, prev_hash: str, content: dict[str, Any]) -> str:
    body = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    material = f"{HASH_VERSION}\n{seq}\n{prev_hash}\n{body}".encode()
    return hashlib.sha256(material).hexdigest()


def short_hash(full: str) -> str:
    return full[:12]
