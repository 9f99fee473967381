"""Tables that follow from the orders: order_items, orders, payments, cancellations, returns.

They mirror what the engine writes: a payment row per attempt (declined or
succeeded, with an idempotency key), a refund on the successful charge's method
for a paid order cancelled or a return, a cancellation row per cancelled order
(the expiry sweep's own reason and no actor for expired ones), one returns row
per returned line and the line's share of what was paid as its refund.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seed.fmt import NULL_TIME, Table, money, nullable, times
from seed.orders import (
    CANCEL_PAID,
    CANCELLED,
    CHANNELS,
    EXPIRES,
    METHODS,
    ORDER_TTL,
    STATUS_NAMES,
    Orders,
)
from seed.vocab import CANCEL_REASONS, EXPIRY_REASON, RETURN_REASONS

DECLINE, CHARGE, REFUND = range(3)
FOR_NONE, FOR_CANCELLATION, FOR_RETURN = range(3)


@dataclass
class Payments:
    """One entry per payment row (index = id - 1), in time order."""

    order: np.ndarray  # order ids
    seller: np.ndarray
    kind: np.ndarray  # DECLINE / CHARGE / REFUND
    method: np.ndarray  # index into METHODS
    amount: np.ndarray  # paise
    created: np.ndarray
    refund_for: np.ndarray  # FOR_* of a refund
    reason: np.ndarray  # refund reason text (object array)
    table: Table
    subtotal: np.ndarray  # of the order, paise
    discount: np.ndarray  # of the order, paise (0: none)
    granted_by: np.ndarray  # who granted the order's discount (the counter staff)


def orders_table(o: Orders) -> Table:
    n = len(o.created)
    ids = np.arange(1, n + 1)
    return {
        "id": ids,
        "customer_id": o.customer,
        "seller_id": o.seller,
        "status": np.array(STATUS_NAMES, dtype=object)[o.status],
        "subtotal": money(o.subtotal),
        "discount_total": money(o.discount),
        "total": money(o.total),
        "idempotency_key": ["seed-" + str(i) for i in ids.tolist()],
        "placed_by": nullable(o.placed_by, o.placed_by > 0),
        "channel": CHANNELS[o.channel],
        "created_at": times(o.created),
        "expires_at": times(o.created + ORDER_TTL),
        "paid_at": times(o.paid_at),
        "fulfilled_at": times(o.fulfilled_at),
        "closed_at": times(o.closed_at),
    }


def order_items_table(o: Orders) -> Table:
    return {
        "id": np.arange(1, len(o.item_order) + 1),
        "order_id": o.item_order + 1,
        "product_id": o.item_product,
        "seller_id": o.seller[o.item_order],
        "quantity": o.item_qty,
        "unit_price": money(o.item_price),
        "returned_qty": o.item_returned,
    }


def reasons(rng: np.random.Generator, o: Orders) -> tuple[np.ndarray, np.ndarray]:
    """A cancellation reason and a return reason for every order."""
    cancel = np.array(CANCEL_REASONS, dtype=object)[
        rng.integers(0, len(CANCEL_REASONS), len(o.created))
    ]
    cancel[o.outcome == EXPIRES] = EXPIRY_REASON
    back = np.array(RETURN_REASONS, dtype=object)[
        rng.integers(0, len(RETURN_REASONS), len(o.created))
    ]
    return cancel, back


def build_payments(o: Orders, cancel_reason: np.ndarray, return_reason: np.ndarray) -> Payments:
    order_ids = np.arange(1, len(o.created) + 1)
    declined = o.declined_at != NULL_TIME
    charged = o.paid_at != NULL_TIME
    refunded_cancel = (o.status == CANCELLED) & charged
    returned = o.returned_at != NULL_TIME
    first_line = np.searchsorted(o.item_order, np.arange(len(o.created)))
    return_refund = np.add.reduceat(o.item_refund, first_line)
    parts = [
        (declined, DECLINE, o.decline_method, o.total, o.declined_at, FOR_NONE, cancel_reason),
        (charged, CHARGE, o.pay_method, o.total, o.paid_at, FOR_NONE, cancel_reason),
        (
            refunded_cancel,
            REFUND,
            o.pay_method,
            o.total,
            o.cancelled_at,
            FOR_CANCELLATION,
            cancel_reason,
        ),
        (
            returned & (return_refund > 0),
            REFUND,
            o.pay_method,
            return_refund,
            o.returned_at,
            FOR_RETURN,
            return_reason,
        ),
    ]
    order = np.concatenate([order_ids[m] for m, *_ in parts])
    kind = np.concatenate([np.full(m.sum(), k) for m, k, *_ in parts])
    method = np.concatenate([meth[m] for m, _, meth, *_ in parts])
    amount = np.concatenate([amt[m] for m, _, _, amt, *_ in parts])
    created = np.concatenate([t[m] for m, _, _, _, t, *_ in parts])
    refund_for = np.concatenate([np.full(m.sum(), f) for m, *_, f, _ in parts])
    reason = np.concatenate([r[m] for m, *_, r in parts])
    by_time = np.lexsort((kind, order, created))
    order, kind, method, amount, created, refund_for, reason = (
        a[by_time] for a in (order, kind, method, amount, created, refund_for, reason)
    )
    # The engine numbers references by the order's payments so far: CARD-17-1, RF-17-2.
    by_order = np.lexsort((np.arange(len(order)), order))
    ordinal = np.empty(len(order), dtype=np.int64)
    sorted_order = order[by_order]
    group_start = np.searchsorted(sorted_order, sorted_order)
    ordinal[by_order] = np.arange(len(order)) - group_start + 1
    is_refund = kind == REFUND
    prefix = np.where(is_refund, "RF", np.char.upper(METHODS[method].astype(str))).tolist()
    tail = list(map("{}-{}".format, order.tolist(), ordinal.tolist()))
    at = order - 1
    table = {
        "id": np.arange(1, len(order) + 1),
        "order_id": order,
        "customer_id": o.customer[at],  # the order's: payment keys are scoped per customer
        "seller_id": o.seller[at],
        "kind": np.where(is_refund, "refund", "charge"),
        "method": METHODS[method],
        "status": np.where(kind == DECLINE, "declined", "succeeded"),
        "amount": money(amount),
        "reference": [f"{p}-{t}" for p, t in zip(prefix, tail, strict=True)],
        "idempotency_key": nullable(np.array(["seed-pay-" + t for t in tail]), ~is_refund),
        "tendered": [None] * len(order),  # cash counted at a counter: not in the seed's history
        "created_at": times(created),
    }
    return Payments(
        order,
        o.seller[at],
        kind,
        method,
        amount,
        created,
        refund_for,
        reason,
        table,
        o.subtotal[at],
        o.discount[at],
        np.where(o.placed_by[at] > 0, o.placed_by[at], o.customer[at]),
    )


def cancellations_table(o: Orders, cancel_reason: np.ndarray) -> Table:
    cancelled = np.flatnonzero(o.status == CANCELLED)
    cancelled = cancelled[np.lexsort((cancelled, o.cancelled_at[cancelled]))]
    expired = o.outcome[cancelled] == EXPIRES
    by = np.where(o.placed_by[cancelled] > 0, o.placed_by[cancelled], o.customer[cancelled])
    refund = np.where(o.outcome[cancelled] == CANCEL_PAID, o.total[cancelled], 0)
    return {
        "id": np.arange(1, len(cancelled) + 1),
        "order_id": cancelled + 1,
        "seller_id": o.seller[cancelled],
        "reason": cancel_reason[cancelled],
        "cancelled_by": nullable(by, ~expired),
        "refund_amount": money(refund),
        "created_at": times(o.cancelled_at[cancelled]),
    }


def returns_table(o: Orders, return_reason: np.ndarray) -> Table:
    lines = np.flatnonzero(o.item_returned > 0)
    order = o.item_order[lines]
    lines = lines[np.lexsort((o.item_product[lines], order, o.returned_at[order]))]
    order = o.item_order[lines]
    by = np.where(o.placed_by[order] > 0, o.placed_by[order], o.customer[order])
    return {
        "id": np.arange(1, len(lines) + 1),
        "order_id": order + 1,
        "product_id": o.item_product[lines],
        "seller_id": o.seller[order],
        "quantity": o.item_returned[lines],
        "refund_amount": money(o.item_refund[lines]),
        "reason": return_reason[order],
        "processed_by": by,
        "created_at": times(o.returned_at[order]),
    }
