"""The checkout: a cart becomes an unpaid order, its stock taken, in one short transaction.

Every sale runs it, so it is plain SQL on the hot path (services._sql): the cart and
the inventory rows are locked in the global order (services.locks) and everything the
order writes goes in one statement. The same idempotency key returns the same order,
however often it is retried. A customer may hold at most `max_unpaid_orders` unpaid
orders (staff at the counter are exempt). On one server the count runs inside the sale,
after the cart's lines are locked, in the message that writes the order (a refusal
stops that message before its COMMIT): every checkout of a customer with lines to sell
locks all of the cart's lines, so two of them take turns and the second counts the
first. The count reaches every seller's orders, so on a database sharded by seller it
cannot join the sale's one-shard transaction: there it is the route's last statement,
right before the lines are locked, and a checkout of the same customer that commits in
that one round trip, with the cart refilled meanwhile, can let one more order through.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg2.errors

from workshop_tui.db.engine import Database
from workshop_tui.services import _sql as sql
from workshop_tui.services import locks, routing
from workshop_tui.services._sql import PlainTx, Tx
from workshop_tui.services._tx import in_plain_transaction, read_plain
from workshop_tui.services.cash import till_session
from workshop_tui.services.errors import InvalidInput, NotFound, OutOfStock, TooManyUnpaid
from workshop_tui.services.states import OrderStatus
from workshop_tui.services.types import Account, Order, OrderLine, StockChange

log = logging.getLogger(__name__)

CHANNELS = ("tui", "kiosk", "counter", "web", "stress")

CUSTOMER = "SELECT id, name, username, phone FROM customers WHERE id = %(id)s"
EXISTING_ORDER = (
    "SELECT id FROM orders WHERE seller_id = %(seller)s AND customer_id = %(customer)s"
    " AND idempotency_key = %(key)s"
)
# Everything a checkout writes, under the locks already held: the order, its lines, the
# stock taken and its movements, the session link, and the lines taken out of the cart.
# Every row is the seller's (one shard when sharded by seller); the cart row keeps its
# seller, with no lines left.
# Every row the statement writes is written from its parameters (the order's id from its
# sequence first, NEXT_ORDER_ID; the lines as a VALUES list of their own length), never
# from another part's result: on a database sharded by seller each part is then a plain
# statement on the seller's shard, and the sale commits there alone (a part fed by
# another's rows would pass them through the coordinator).
NEXT_ORDER_ID = "SELECT nextval(pg_get_serial_sequence('orders', 'id'))"
_NEXT_ORDER_ID = sql.Planned("next_order_id", NEXT_ORDER_ID, {})
# On one server the cart (or none) and the order's id in one round trip; sharded, the
# cart row lives on the customer's shard and the sequence on the coordinator.
CART_WITH_ORDER_ID = f"""
    SELECT c.id, c.seller_id, ({NEXT_ORDER_ID})
      FROM (SELECT 1) AS one LEFT JOIN carts c ON c.customer_id = %(owner)s
"""
_CART_WITH_ORDER_ID = sql.Planned("cart_with_order_id", CART_WITH_ORDER_ID, {"owner": "integer"})
_PLACE_ORDER_TYPES = {
    "order_id": "integer",
    "customer_id": "integer",
    "seller_id": "integer",
    "status": "text",
    "subtotal": "numeric",
    "idempotency_key": "text",
    "placed_by": "integer",
    "channel": "text",
    "expires_at": "timestamptz",
    "created_at": "timestamptz",
    "pids": "integer[]",
    "qtys": "integer[]",
    "actor_id": "integer",
    "cart": "integer",
}


@functools.cache
def place_order_statement(lines: int, till: bool) -> sql.Planned:
    """The checkout's one write statement for `lines` lines (with the drawer's link or not)."""
    items = ", ".join(
        f"(%(order_id)s, %(pid_{n})s, %(seller_id)s, %(qty_{n})s, %(price_{n})s)"
        for n in range(lines)
    )
    movements = ", ".join(
        f"(%(pid_{n})s, %(seller_id)s, -%(qty_{n})s, 'sale', %(order_id)s, %(actor_id)s)"
        for n in range(lines)
    )
    session = (
        """,
    till AS (
        INSERT INTO session_orders (order_id, seller_id, session_id)
        VALUES (%(order_id)s, %(seller_id)s, %(session_id)s)
    )"""
        if till
        else ""
    )
    text = f"""
    WITH new_order AS (
        INSERT INTO orders (id, customer_id, seller_id, status, subtotal, discount_total, total,
                            idempotency_key, placed_by, channel, expires_at, created_at)
        VALUES (%(order_id)s, %(customer_id)s, %(seller_id)s, %(status)s, %(subtotal)s, 0,
                %(subtotal)s, %(idempotency_key)s, %(placed_by)s, %(channel)s, %(expires_at)s,
                %(created_at)s)
        RETURNING id
    ),
    items AS (
        INSERT INTO order_items (order_id, product_id, seller_id, quantity, unit_price)
        VALUES {items}
    ),
    taken AS (
        UPDATE inventory SET stock_remaining = inventory.stock_remaining - l.qty, updated_at = now()
          FROM unnest(CAST(%(pids)s AS integer[]), CAST(%(qtys)s AS integer[])) AS l(pid, qty)
         WHERE inventory.seller_id = %(seller_id)s AND inventory.product_id = l.pid
    ),
    moved AS (
        INSERT INTO stock_movements (product_id, seller_id, delta, reason, order_id, actor_id)
        VALUES {movements}
    ){session},
    emptied AS (
        DELETE FROM cart_items WHERE seller_id = %(seller_id)s AND cart_id = %(cart)s
           AND product_id = ANY(CAST(%(pids)s AS integer[]))
    )
    SELECT id FROM new_order
    """
    types = dict(_PLACE_ORDER_TYPES)
    for n in range(lines):
        types |= {f"pid_{n}": "integer", f"qty_{n}": "integer", f"price_{n}": "numeric"}
    if till:
        types["session_id"] = "integer"
    return sql.Planned(f"place_order_{lines}{'_till' if till else ''}", text, types)


PLACE_ORDER = place_order_statement(1, False).sql  # one line's, for EXPLAIN in the tests


def place_order(
    db: Database,
    actor: Account,
    key: str,
    *,
    customer_id: int,
    channel: str,
    changes: list[StockChange],
    announce: Callable[[list[StockChange]], Sequence[tuple[str, tuple[Any, ...]]]] | None = None,
) -> Order | int:
    """The new order (built from what the checkout holds), or the id of the one `key` made.

    `changes` receives the stock levels the checkout left (empty when nothing was taken).
    `announce` gives the statements that tell every terminal of them (NOTIFY): they go
    after the sale's COMMIT, in its message, and `changes` is emptied once they ran (what
    is left there is for the caller to announce).
    """
    ttl = timedelta(minutes=db.settings.order_ttl_minutes)
    most = db.settings.max_unpaid_orders
    seller: list[int] = []  # the cart's, once the route is known

    def work(tx: PlainTx) -> Order | int:
        # The order's id before the lines are locked: one round trip fewer while other
        # terminals wait for this sale's stock rows (a refused sale leaves a gap, as a
        # rolled-back one always has). Before the route, not after it: the unpaid orders
        # the route counts last must be counted right before the lock (see the module).
        outside = tx.outside()
        sharded = routing.sharded(db, outside)
        if sharded:
            order_id = int(sql.planned_one(outside, _NEXT_ORDER_ID, {})[0])
            cart = routing.cart_of(outside, actor.id)
        else:
            cart_id, cart_seller, next_id = sql.planned_one(
                outside, _CART_WITH_ORDER_ID, {"owner": actor.id}
            )
            order_id = int(next_id)
            cart = None if cart_id is None else (int(cart_id), cart_seller)
        # The unpaid orders are counted in the sale (guard) or, when sharded, before it.
        count_first = sharded and not actor.is_staff
        guard = [] if actor.is_staff or sharded else [routing.unpaid_guard(customer_id, most)]
        # The route, outside the sale's transaction (services.routing), on its connection.
        route = checkout_route(outside, actor, customer_id, key, cart, count_unpaid=count_first)
        if isinstance(route, int):
            return route  # the key made an order with its first seller: the same order again
        cart_id, seller_id, unpaid = route
        seller[:] = [seller_id]
        # `changes` keeps what an earlier attempt took: when that attempt's COMMIT answer
        # was lost, this one finds its order by the key, and those changes are the news.
        till = till_session(tx, db, actor, selling=True)
        lines = locks.checkout_lines(tx, seller_id, cart_id, customer_id, key)
        if lines and lines[0].existing is not None:
            return int(lines[0].existing)  # the key was used: the same order again
        if not lines:
            # A retry of a checkout that committed while this one waited for the lines
            # finds them gone: only a fresh look (a new statement) sees that order.
            existing = sql.value(
                tx, EXISTING_ORDER, {"seller": seller_id, "customer": customer_id, "key": key}
            )
            if existing is not None:
                return int(existing)
            raise InvalidInput("the cart is empty")
        customer = actor if customer_id == actor.id else sql.row(tx, CUSTOMER, {"id": customer_id})
        if customer is None:
            raise NotFound(f"no customer #{customer_id}")
        if count_first:
            refuse_too_many_unpaid(unpaid, most)
        refuse_short(lines)
        subtotal = sum((line.price * line.quantity for line in lines), Decimal("0.00"))
        values: dict[str, Any] = {
            "customer_id": customer_id,
            "seller_id": seller_id,
            "status": OrderStatus.PENDING_PAYMENT.value,
            "subtotal": subtotal,
            "discount_total": Decimal("0.00"),
            "total": subtotal,
            "idempotency_key": key,
            "placed_by": actor.id if customer_id != actor.id else None,
            "channel": channel,
            "expires_at": datetime.now(UTC) + ttl,
        }
        params: dict[str, Any] = {
            **values,
            "order_id": order_id,
            # The transaction's time (the lines' lock read it): what now() gives the order.
            "created_at": lines[0].begun,
            "pids": [line.product_id for line in lines],
            "qtys": [line.quantity for line in lines],
            "actor_id": actor.id,
            "cart": cart_id,
        }
        for n, line in enumerate(lines):
            params |= {f"pid_{n}": line.product_id, f"qty_{n}": line.quantity}
            params[f"price_{n}"] = line.price
        if till is not None:
            params["session_id"] = till
        # Nothing to read back (the id, the time and the stock left are known under the
        # locks), so COMMIT goes in the same message and the locks are held one round trip less.
        changes[:] = [StockChange(x.product_id, x.stock_remaining - x.quantity) for x in lines]
        after = announce(changes) if announce is not None else ()
        try:
            committed = tx.run_and_commit(
                place_order_statement(len(lines), till is not None),
                params,
                before=guard,
                after=after,
            )
        except psycopg2.Error as exc:
            refused_at = routing.refused_unpaid(exc)
            if refused_at is None:
                raise
            changes.clear()  # nothing was taken
            raise too_many_unpaid(refused_at, most) from None
        if committed:
            if after:
                changes.clear()  # announced
        else:
            log.warning("the sale of order #%s committed; announcing its stock failed", order_id)
        return new_order_view(order_id, lines[0].begun, values, lines, customer)

    try:
        return in_plain_transaction(db, work, idempotent=True)  # by key
    except psycopg2.errors.UniqueViolation as exc:
        if not routing.violates(exc, "uq_orders_customer_key"):
            raise
        # The same key committed while this one waited (and the cart was refilled since):
        # nothing of this attempt was written; answer with the first order.
        changes.clear()
        at = {"seller": seller[0], "customer": customer_id, "key": key}
        return int(read_plain(db, lambda tx: sql.one(tx, EXISTING_ORDER, at))[0])


def checkout_route(
    tx: Tx,
    actor: Account,
    customer_id: int,
    key: str,
    cart: tuple[int, int | None] | None,
    *,
    count_unpaid: bool = False,
) -> tuple[int, int, int] | int:
    """Before the sale: (cart id, its seller, the customer's unpaid orders), or the id of
    the order `key` already made with the seller it was first used with.

    `cart`: the actor's (routing.cart_of). The key is claimed for the customer with the
    cart's seller (services.routing); with `count_unpaid` (a sharded database) the unpaid
    orders are counted across sellers, else the count is 0. An empty cart with a key
    never used is refused here.
    """
    seller_id = cart[1] if cart is not None else None
    if seller_id is None:
        bound = routing.bound_seller(tx, customer_id, "order", key)
        existing = None if bound is None else _existing(tx, bound, customer_id, key)
        if existing is not None:
            return existing
        raise InvalidInput("the cart is empty")
    assert cart is not None
    bound = routing.claim(tx, customer_id, "order", key, seller_id)
    if bound != seller_id:
        existing = _existing(tx, bound, customer_id, key)
        if existing is not None:
            return existing
        # The key's first use made nothing (refused, or given up): it is free for this cart.
        routing.rebind(tx, customer_id, "order", key, seller_id)
    unpaid = routing.unpaid_orders(tx, customer_id) if count_unpaid else 0
    return cart[0], seller_id, unpaid


def _existing(tx: Tx, seller_id: int, customer_id: int, key: str) -> int | None:
    found = sql.value(
        tx, EXISTING_ORDER, {"seller": seller_id, "customer": customer_id, "key": key}
    )
    return None if found is None else int(found)


def refuse_too_many_unpaid(unpaid: int, limit: int) -> None:
    """TooManyUnpaid when the customer already holds `limit` unpaid orders.

    Unpaid orders hold stock until they expire, so without a limit one customer could
    keep a product off the shelf. Staff at the counter are exempt, and the orders they
    place for a customer do not count.
    """
    if unpaid >= limit:
        raise too_many_unpaid(unpaid, limit)


def too_many_unpaid(unpaid: int, limit: int) -> TooManyUnpaid:
    return TooManyUnpaid(
        f"you already have {unpaid} unpaid orders, the most allowed at a time ({limit}):"
        " pay or cancel one first",
        limit=limit,
        unpaid=unpaid,
    )


def refuse_short(lines: Sequence[Any]) -> None:
    """OutOfStock, listing every line the locked stock cannot cover."""
    short = [
        {
            "product_id": line.product_id,
            "name": line.name,
            "requested": line.quantity,
            "available": line.stock_remaining,
        }
        for line in lines
        if line.stock_remaining < line.quantity
    ]
    if short:
        raise OutOfStock(
            "not enough stock: "
            + "; ".join(
                f"{x['name']} ({x['available']} left, {x['requested']} wanted)" for x in short
            ),
            lines=short,
        )


def new_order_view(
    order_id: int,
    created_at: datetime,
    values: dict[str, Any],
    lines: Sequence[Any],
    customer: Any,
) -> Order:
    """The order just created, from what checkout already holds (no reading back)."""
    return Order(
        id=order_id,
        customer_id=values["customer_id"],
        customer_name=customer.name or customer.username or customer.phone or f"#{customer.id}",
        seller_id=values["seller_id"],
        seller_name=lines[0].seller_name,
        status=values["status"],
        subtotal=values["subtotal"],
        discount_total=values["discount_total"],
        total=values["total"],
        created_at=created_at,
        expires_at=values["expires_at"],
        paid_at=None,
        fulfilled_at=None,
        closed_at=None,
        lines=tuple(
            OrderLine(
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.price,
                returned_qty=0,
            )
            for line in lines
        ),
    )
