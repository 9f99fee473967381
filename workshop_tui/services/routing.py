"""Which seller a sale belongs to, found before the sale's transaction starts.

On a database sharded by seller (Citus, `workshop db distribute`) a transaction whose
every statement names one seller runs on that seller's shard alone. Checkout, payment,
cancel, fulfilment, returns and expiry therefore learn their seller first, in short statements of their own, and then run
their transaction with it:

- checkout reads the actor's cart row (the cart's seller) and claims the idempotency key;
- payment, cancel, fulfilment and returns take the order's seller from the caller
  (`OrderRoute`, `Order.route`: the terminal holds the order it acts on) or, without
  it, read it by the order's id (on a sharded database that read asks every shard, in
  a statement of its own, before the transaction); the expiry sweep finds its orders
  with their sellers;
- a key is claimed for the customer in one statement (`idempotency_claims`, on the
  customer's shard): the first use binds it to its seller, and a reuse with another
  seller is routed to the seller it was bound to, which answers with the first result
  (or refuses it, as for a key used with another order). So a key used twice makes one
  order and one charge, across sellers too, on both kinds of database.

The same statements run on plain PostgreSQL, so the engine behaves the same on both.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg2

from workshop_tui.db.distribute import any_distributed
from workshop_tui.db.engine import Database
from workshop_tui.services import _sql as sql
from workshop_tui.services._sql import Tx
from workshop_tui.services.states import OrderStatus
from workshop_tui.services.types import OrderRoute as OrderRoute  # re-exported

ORDER_ROUTE = "SELECT seller_id, customer_id FROM orders WHERE id = %(id)s"
CART = "SELECT id, seller_id FROM carts WHERE customer_id = %(owner)s"
# The first use binds the key to its seller; a reuse reads the binding (one statement
# either way on the usual path: the INSERT returns nothing only when the key was bound).
CLAIM = """
    INSERT INTO idempotency_claims (customer_id, scope, key, seller_id)
    VALUES (%(customer)s, %(scope)s, %(key)s, %(seller)s)
    ON CONFLICT (customer_id, scope, key) DO NOTHING
    RETURNING seller_id
"""
BOUND = (
    "SELECT seller_id FROM idempotency_claims"
    " WHERE customer_id = %(customer)s AND scope = %(scope)s AND key = %(key)s"
)
REBIND = (
    "UPDATE idempotency_claims SET seller_id = %(seller)s"
    " WHERE customer_id = %(customer)s AND scope = %(scope)s AND key = %(key)s"
)
# The unpaid orders a customer placed themselves and can still pay, across sellers.
UNPAID = f"""
    SELECT count(*) FROM orders
     WHERE customer_id = %(customer)s AND placed_by IS NULL
       AND status = '{OrderStatus.PENDING_PAYMENT.value}'
       AND (expires_at IS NULL OR expires_at > now())
"""


# Every sale runs these: planned once per connection (services._sql.Planned), as the
# sale's own statements are (planning the count alone cost the server more than running it).
_ORDER_ROUTE = sql.Planned("route_order", ORDER_ROUTE, {"id": "integer"})
_CART = sql.Planned("route_cart", CART, {"owner": "integer"})
_CLAIM_TYPES = {"customer": "integer", "scope": "text", "key": "text"}
_CLAIM = sql.Planned("claim_key", CLAIM, _CLAIM_TYPES | {"seller": "integer"})
_BOUND = sql.Planned("bound_key", BOUND, _CLAIM_TYPES)
_UNPAID = sql.Planned("unpaid_orders", UNPAID, {"customer": "integer"})


def sharded(db: Database, tx: Tx) -> bool:
    """Whether the sales are sharded by seller (the orders are distributed): asked once
    per Database, on the first sale's connection."""
    if db.sharded is None:
        db.sharded = any_distributed(tx.cursor, ("orders",))
    return db.sharded


def order_route(tx: Tx, order_id: int) -> OrderRoute | None:
    found = sql.planned_row(tx, _ORDER_ROUTE, {"id": order_id})
    return None if found is None else OrderRoute(int(found[0]), int(found[1]))


def cart_of(tx: Tx, owner_id: int) -> tuple[int, int | None] | None:
    """The owner's cart (id, seller), not locked: the sale locks its lines."""
    found = sql.planned_row(tx, _CART, {"owner": owner_id})
    return None if found is None else (int(found[0]), found[1])


def claim(tx: Tx, customer_id: int, scope: str, key: str, seller_id: int) -> int:
    """The seller `key` is bound to for this customer: `seller_id` when this is its first use."""
    at = {"customer": customer_id, "scope": scope, "key": key}
    bound = sql.planned_value(tx, _CLAIM, {**at, "seller": seller_id})
    if bound is None:
        bound = sql.planned_value(tx, _BOUND, at)
    return int(bound) if bound is not None else seller_id


def bound_seller(tx: Tx, customer_id: int, scope: str, key: str) -> int | None:
    found = sql.planned_value(tx, _BOUND, {"customer": customer_id, "scope": scope, "key": key})
    return None if found is None else int(found)


def rebind(tx: Tx, customer_id: int, scope: str, key: str, seller_id: int) -> None:
    """Move a key that made nothing with its first seller to this one."""
    sql.run(tx, REBIND, {"customer": customer_id, "scope": scope, "key": key, "seller": seller_id})


def unpaid_orders(tx: Tx, customer_id: int) -> int:
    return int(sql.planned_value(tx, _UNPAID, {"customer": customer_id}) or 0)


# On one server the count runs inside the sale, after its lines are locked, in the message
# that writes the order: at the limit, migration 0008's function raises UNPAID_REFUSED
# (the count in the error's detail) and the rest of the message, COMMIT too, does not run.
UNPAID_GUARD = f"SELECT workshop_refuse_unpaid(({UNPAID}), %(most)s)"
UNPAID_REFUSED = "WS001"
_UNPAID_GUARD = sql.Planned(
    "unpaid_guard", UNPAID_GUARD, {"customer": "integer", "most": "integer"}
)


def unpaid_guard(customer_id: int, most: int) -> tuple[sql.Planned, dict[str, Any]]:
    """The guard's statement and values, for PlainTx.run_and_commit(before=...)."""
    return _UNPAID_GUARD, {"customer": customer_id, "most": most}


def refused_unpaid(exc: psycopg2.Error) -> int | None:
    """The count the guard refused at, when `exc` is its refusal."""
    if exc.pgcode != UNPAID_REFUSED:
        return None
    return int(exc.diag.message_detail or 0)


def violates(exc: psycopg2.Error, constraint: str) -> bool:
    """Whether `exc` is a violation of `constraint` (on a shard its name ends in the shard's id)."""
    name = exc.diag.constraint_name
    if name is None:  # a shard's error relayed by the coordinator names it in the message only
        found = re.search(r'constraint "([^"]+)"', exc.diag.message_primary or "")
        name = found.group(1) if found else ""
    return name == constraint or re.fullmatch(re.escape(constraint) + r"_\d+", name) is not None
