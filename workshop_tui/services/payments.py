"""Simulated payment: cash, card or UPI; success or decline; idempotent per key.

Each attempt appends an `attempt` row to the seller's ledger chain, and a
successful one a `charge` row too, so the ledger shows every decline as well
as every rupee taken. A key used twice returns the first result and charges once.
Keys are scoped to the order's customer, like order keys; an order takes at most
`max_payment_attempts` attempts, which bounds what declines write to the ledger.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import psycopg2
import psycopg2.errors

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services import _sql as sql
from workshop_tui.services import convert, ledger, locks, routing
from workshop_tui.services._sql import PlainTx
from workshop_tui.services._tx import in_plain_transaction, read_only, read_plain
from workshop_tui.services.access import missing, visible_to
from workshop_tui.services.cash import till_session
from workshop_tui.services.errors import InvalidInput, InvalidState, TooManyAttempts
from workshop_tui.services.events import EventService
from workshop_tui.services.pricing import ledger_payload
from workshop_tui.services.receipts import rupees
from workshop_tui.services.states import TRANSITIONS, OrderAction, can, sql_list
from workshop_tui.services.states import OrderStatus as S
from workshop_tui.services.types import Account, OrderRoute, Payment, PaymentResult
from workshop_tui.services.validate import check_amount, check_id, check_key

OUTCOMES = ("success", "decline")

# A payment committed while this one waited for the order row (the lock's snapshot hid it).
# Keys belong to the order's customer: another customer's key is never found.
EARLIER_PAYMENT = """
    SELECT p.id, p.order_id FROM payments p
     WHERE p.seller_id = %(seller)s AND p.customer_id = %(customer)s
       AND p.idempotency_key = %(key)s
    """
# The new attempt's id comes from the sequence first, so that the statement below names
# every row's key outright (on a database sharded by seller, a statement whose parts read
# each other's results would not run on one shard alone).
NEXT_PAYMENT_ID = "SELECT nextval(pg_get_serial_sequence('payments', 'id'))"
_NEXT_PAYMENT_ID = sql.Planned("next_payment_id", NEXT_PAYMENT_ID, {})
# The attempt, its session link and (on success) the order marked paid, in one statement,
# both stamped with the transaction's time (`at`, as the order's lock read it).
# The reference is METHOD-ORDER-ATTEMPT.
RECORD_PAYMENT = """
    WITH payment AS (
        INSERT INTO payments (id, order_id, customer_id, seller_id, kind, method, status, amount,
                              reference, idempotency_key, tendered, created_at)
        VALUES (%(payment_id)s, %(order_id)s, %(customer_id)s, %(seller_id)s, 'charge', %(method)s,
                %(status)s, %(amount)s, %(reference)s, %(idempotency_key)s, %(tendered)s, %(at)s)
        RETURNING id
    ),
{till}
    paid AS (
        UPDATE orders SET status = '{paid}', paid_at = %(at)s
         WHERE seller_id = %(seller_id)s AND id = %(order_id)s
           AND status IN {payable}
           AND %(status)s = 'succeeded'
    )
    SELECT id FROM payment
    """
TILL = """
    till AS (
        INSERT INTO session_payments (payment_id, seller_id, session_id)
        VALUES (%(payment_id)s, %(seller_id)s, %(session_id)s)
    ),"""
_RECORD_TYPES = {
    "payment_id": "integer",
    "order_id": "integer",
    "customer_id": "integer",
    "seller_id": "integer",
    "method": "text",
    "status": "text",
    "amount": "numeric",
    "reference": "text",
    "idempotency_key": "text",
    "tendered": "numeric",
    "at": "timestamptz",
}
_FORMAT = {"paid": S.PAID.value, "payable": sql_list(TRANSITIONS[OrderAction.PAY].sources)}
_RECORD_PAYMENT = sql.Planned(
    "record_payment", RECORD_PAYMENT.format(till="", **_FORMAT), _RECORD_TYPES
)
_RECORD_TILL_PAYMENT = sql.Planned(
    "record_till_payment",
    RECORD_PAYMENT.format(till=TILL, **_FORMAT),
    _RECORD_TYPES | {"session_id": "integer"},
)

RECORD_STATEMENTS = (_RECORD_PAYMENT, _RECORD_TILL_PAYMENT)


class PaymentService:
    def __init__(self, db: Database, events: EventService) -> None:
        self.db = db
        self.events = events

    def pay(
        self,
        actor: Account,
        order_id: int,
        *,
        method: str,
        outcome: str = "success",
        idempotency_key: str,
        tendered: object = None,
        route: OrderRoute | None = None,
    ) -> PaymentResult:
        """`tendered`: the cash handed over for a cash payment (at least the total); the
        receipt shows it and the change, the drawer's expected cash counts only the total.

        `route`: the order's seller and customer, when the caller holds the order; without
        it one read finds them first (services.routing)."""
        if method not in m.PAYMENT_METHODS:
            raise InvalidInput(f"method must be one of {', '.join(m.PAYMENT_METHODS)}")
        if outcome not in OUTCOMES:
            raise InvalidInput("outcome must be success or decline")
        cash = None if tendered is None else check_amount(tendered, "the cash tendered")
        if cash is not None and method != "cash":
            raise InvalidInput("only a cash payment has cash tendered")
        key = check_key(idempotency_key)
        check_id(order_id, "order id")
        window = self.db.settings.return_window_days
        max_attempts = self.db.settings.max_payment_attempts

        def find_route(s: PlainTx) -> OrderRoute:
            found = route or routing.order_route(s, order_id)
            if found is None or not visible_to(actor, found.customer_id):
                raise missing(order_id)
            # The key is the customer's: bound to the seller it was first used with.
            bound = routing.claim(s, found.customer_id, "payment", key, found.seller_id)
            if bound != found.seller_id:
                at = {"seller": bound, "customer": found.customer_id, "key": key}
                if sql.row(s, EARLIER_PAYMENT, at) is not None:
                    raise InvalidInput("that idempotency key was used for another order")
                # Its first use recorded nothing (refused): it is free for this order.
                routing.rebind(s, found.customer_id, "payment", key, found.seller_id)
            return found

        routed: list[OrderRoute] = []

        def work(s: PlainTx) -> PaymentResult | tuple[int, int]:
            # The route first, outside the payment's transaction, on its connection.
            outside = s.outside()
            sharded = routing.sharded(self.db, outside)
            at = find_route(outside)
            routed[:] = [at]
            seller = at.seller_id
            till = till_session(s, self.db, actor, selling=True)
            order = locks.order_for_payment(s, seller, order_id, key, sharded=sharded)
            if order is None or order.customer_id != at.customer_id:
                raise missing(order_id)
            if order.earlier_id is not None:
                return earlier_result(order.id, order.earlier_id, order.earlier_order)
            if not can(OrderAction.PAY, order.status):
                # Paid while we waited?
                earlier = sql.row(
                    s, EARLIER_PAYMENT, {"seller": seller, "customer": at.customer_id, "key": key}
                )
                if earlier is not None:
                    return earlier_result(order.id, earlier.id, earlier.order_id)
                raise InvalidState(
                    f"order #{order.id} is {order.status}; only unpaid orders can be paid"
                )
            if order.expires_at is not None and order.expires_at < datetime.now(UTC):
                raise InvalidState(
                    f"the payment window of order #{order.id} has closed; order again"
                )
            if cash is not None and cash < order.total:
                raise InvalidInput(
                    f"{rupees(cash)} tendered is less than the total {rupees(order.total)}",
                    tendered=str(cash),
                    total=str(order.total),
                )
            succeeded = outcome == "success"
            status = "succeeded" if succeeded else "declined"
            # Read under the order's lock, in a statement of its own: it sees every attempt
            # committed while this one waited for the lock, and it is the answer's base.
            before = convert.load_orders(s, [order.id], return_window_days=window, seller_id=seller)
            attempts = len(before[0].payments)
            if attempts >= max_attempts:
                raise TooManyAttempts(
                    f"order #{order.id} has had {max_attempts} payment attempts, the most"
                    " allowed: cancel it and order again",
                    limit=max_attempts,
                )
            payment_id = int(
                order.payment_id
                if order.payment_id is not None
                else sql.planned_one(s, _NEXT_PAYMENT_ID, {})[0]
            )
            reference = f"{method.upper()}-{order.id}-{attempts + 1}"
            tendered = cash if succeeded else None
            # Written in the message that locks the chain's head (its result is not needed).
            record = (
                _RECORD_PAYMENT if till is None else _RECORD_TILL_PAYMENT,
                {
                    "payment_id": payment_id,
                    "order_id": order.id,
                    "customer_id": order.customer_id,
                    "seller_id": seller,
                    "method": method,
                    "status": status,
                    "amount": order.total,
                    "reference": reference,
                    "idempotency_key": key,
                    "session_id": till,
                    "tendered": tendered,
                    "at": order.begun,
                },
            )
            entry = {
                "amount": order.total,
                "order_id": order.id,
                "payment_id": payment_id,
                "method": method,
            }
            discounts = ledger_payload(s, order) if order.discount_total else {}
            refs = ledger.append_entries(
                s,
                order.seller_id,
                [
                    {**entry, "kind": "attempt", "payload": {"outcome": status}},
                    {**entry, "kind": "charge" if succeeded else "decline", "payload": discounts},
                ],
                last=True,
                before=[record],
            )
            # The answer is the order as read under the lock with what this attempt wrote,
            # all known here: no reading back after COMMIT.
            payment = Payment(
                id=payment_id,
                kind="charge",
                method=method,
                status=status,
                amount=order.total,
                reference=reference,
                created_at=order.begun,
                ledger=refs[-1],
                tendered=tendered,
            )
            after = replace(
                before[0],
                status=S.PAID.value if succeeded else before[0].status,
                paid_at=order.begun if succeeded else before[0].paid_at,
                payments=(*before[0].payments, payment),
            )
            return PaymentResult(order=after, payment=payment)

        try:
            done = in_plain_transaction(self.db, work, idempotent=True)  # by key
        except psycopg2.errors.UniqueViolation as exc:
            if not routing.violates(exc, "uq_payments_customer_key"):
                raise
            # The key was used while this attempt waited (a declined attempt leaves the order
            # payable): nothing of this attempt was written; answer as for a reused key.
            at = routed[0]
            earlier = read_plain(
                self.db,
                lambda s: sql.one(
                    s,
                    EARLIER_PAYMENT,
                    {"seller": at.seller_id, "customer": at.customer_id, "key": key},
                ),
            )
            done = earlier_result(order_id, earlier.id, earlier.order_id)
        if isinstance(done, PaymentResult):
            return done
        order_id, payment_id = done  # a key used before: the first attempt's result
        seller = routed[0].seller_id
        order = read_only(
            self.db,
            lambda s: convert.load_orders(
                s, [order_id], return_window_days=window, seller_id=seller
            )[0],
        )
        payment = next(p for p in order.payments if p.id == payment_id)
        return PaymentResult(order=order, payment=payment)


def earlier_result(order_id: int, payment_id: int, paid_order_id: int) -> tuple[int, int]:
    """A key used before: the first attempt's result, if it was for this order."""
    if paid_order_id != order_id:
        raise InvalidInput("that idempotency key was used for another order")
    return order_id, payment_id
