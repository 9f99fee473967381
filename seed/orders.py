"""Orders and their lines, with times, statuses and outcomes, all as numpy arrays.

Order times follow a daily rhythm (India time, busy late morning and evening),
a weekly one (weekends busier) and slow growth over the months. Each order
buys 1-5 distinct products of ONE seller, drawn by popularity. Every order then
gets an intended outcome (completed, expired unpaid, cancelled before or after
payment, returned in part or whole); each step happens only if its time falls
before the end of the horizon, so the last days hold paid-but-unfulfilled and
pending orders, exactly as a live shop would at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seed.catalog import Catalog
from seed.fmt import NULL_TIME, US_PER_DAY, US_PER_H, US_PER_MIN, US_PER_S
from workshop_tui.db.models import ORDER_STATUSES, PAYMENT_METHODS

PENDING, PAID, FULFILLED, CANCELLED, PARTIALLY_RETURNED, RETURNED = range(6)
STATUS_NAMES = ORDER_STATUSES  # indexed by the codes above
NORMAL, EXPIRES, CANCEL_UNPAID, CANCEL_PAID, RETURNS = range(5)
OUTCOME_P = (0.83, 0.05, 0.03, 0.03, 0.06)
CHANNELS = np.array(["web", "kiosk", "counter", "tui"], dtype=object)
CHANNEL_P = (0.35, 0.2, 0.25, 0.2)
COUNTER = 2
METHODS = np.array(PAYMENT_METHODS, dtype=object)
ORDER_TTL = 15 * US_PER_MIN
IST_OFFSET = 5 * US_PER_H + 30 * US_PER_MIN
HOUR_WEIGHT = np.array(
    [0.1, 0.05, 0.03, 0.02, 0.02, 0.05, 0.2, 0.5, 0.9, 1.3, 1.6, 1.8]
    + [1.7, 1.5, 1.4, 1.4, 1.5, 1.7, 2.0, 2.1, 1.8, 1.2, 0.6, 0.25]
)
WEEKDAY_WEIGHT = np.array([0.9, 0.85, 0.9, 0.95, 1.1, 1.35, 1.3])  # Monday first
LINES_P = (0.45, 0.27, 0.15, 0.08, 0.05)
QUANTITIES = np.array([1, 2, 3, 4, 5, 6, 8, 10])
QUANTITY_P = (0.68, 0.16, 0.07, 0.04, 0.02, 0.01, 0.01, 0.01)


@dataclass
class Orders:
    """One entry per order (index = id - 1) and per line (sorted by order, product)."""

    created: np.ndarray
    customer: np.ndarray  # customer ids
    seller: np.ndarray  # seller ids
    channel: np.ndarray
    placed_by: np.ndarray  # staff id, or 0 for none
    subtotal: np.ndarray
    discount: np.ndarray
    total: np.ndarray
    outcome: np.ndarray
    status: np.ndarray
    declined_at: np.ndarray  # NULL_TIME where no declined attempt happened
    decline_method: np.ndarray
    paid_at: np.ndarray
    pay_method: np.ndarray
    fulfilled_at: np.ndarray
    cancelled_at: np.ndarray
    returned_at: np.ndarray
    closed_at: np.ndarray
    item_order: np.ndarray  # 0-based order index per line
    item_product: np.ndarray
    item_slot: np.ndarray
    item_qty: np.ndarray
    item_price: np.ndarray
    item_returned: np.ndarray
    item_refund: np.ndarray  # paise refunded for the returned units of the line


def order_times(rng: np.random.Generator, count: int, start: int, end: int) -> np.ndarray:
    days = max(1, (end - start) // US_PER_DAY)
    day = np.arange(days)
    weekday = (start // US_PER_DAY + day + 3) % 7  # 1970-01-01 was a Thursday
    weight = WEEKDAY_WEIGHT[weekday] * (1 + 0.6 * day / days) * rng.lognormal(0, 0.1, days)
    chosen = rng.choice(days, size=count, p=weight / weight.sum())
    hour = rng.choice(24, size=count, p=HOUR_WEIGHT / HOUR_WEIGHT.sum())
    local = hour * US_PER_H + rng.integers(0, US_PER_H, count)
    moment = start + chosen * US_PER_DAY + local - IST_OFFSET
    moment = np.where(moment > end, moment - US_PER_DAY, moment)
    return np.sort(moment)


def build_orders(
    rng: np.random.Generator,
    catalog: Catalog,
    count: int,
    customers: np.ndarray,
    staff_ids: tuple[int, ...],
    horizon: tuple[int, int],
) -> Orders:
    start, end = horizon
    created = order_times(rng, count, start, end)
    item_order, item_slot = _draw_lines(rng, catalog, count)
    item_product = catalog.product_id[item_slot]
    item_qty = QUANTITIES[rng.choice(len(QUANTITIES), size=len(item_slot), p=QUANTITY_P)]
    item_price = catalog.price[item_slot]
    first_line = np.searchsorted(item_order, np.arange(count))
    subtotal = np.add.reduceat(item_qty * item_price, first_line)

    loyalty = rng.lognormal(0.0, 1.0, len(customers))
    customer = customers[_weighted(rng, np.cumsum(loyalty), count)]
    channel = rng.choice(len(CHANNELS), size=count, p=CHANNEL_P)
    staff = np.array(staff_ids)[rng.choice(len(staff_ids), size=count, p=_staff_p(staff_ids))]
    placed_by = np.where(channel == COUNTER, staff, 0)
    discounted = (channel == COUNTER) & (rng.random(count) < 0.15)
    discount = np.where(discounted, subtotal * rng.integers(2, 11, count) // 100, 0)
    total = subtotal - discount

    o = Orders(
        created=created,
        customer=customer,
        seller=catalog.seller[item_slot[first_line]] + 1,
        channel=channel,
        placed_by=placed_by,
        subtotal=subtotal,
        discount=discount,
        total=total,
        outcome=rng.choice(5, size=count, p=OUTCOME_P),
        status=np.full(count, PENDING),
        declined_at=np.full(count, NULL_TIME),
        decline_method=_methods(rng, channel),
        paid_at=np.full(count, NULL_TIME),
        pay_method=_methods(rng, channel),
        fulfilled_at=np.full(count, NULL_TIME),
        cancelled_at=np.full(count, NULL_TIME),
        returned_at=np.full(count, NULL_TIME),
        closed_at=np.full(count, NULL_TIME),
        item_order=item_order,
        item_product=item_product,
        item_slot=item_slot,
        item_qty=item_qty,
        item_price=item_price,
        item_returned=np.zeros(len(item_slot), dtype=np.int64),
        item_refund=np.zeros(len(item_slot), dtype=np.int64),
    )
    _play_out(rng, o, end)
    _return_items(rng, o, first_line)
    return o


def _draw_lines(rng: np.random.Generator, catalog: Catalog, count: int):
    """First line by global popularity (which picks the seller), the rest from that seller."""
    cum = np.cumsum(catalog.weight)
    first = _weighted(rng, cum, count)
    lines = rng.choice(len(LINES_P), size=count, p=LINES_P) + 1
    extra_order = np.repeat(np.arange(count), lines - 1)
    seller = catalog.seller[first][extra_order]
    lo = catalog.block_start[seller]
    hi = lo + catalog.block_size[seller] - 1
    below = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0.0)
    point = below + rng.random(len(extra_order)) * (cum[hi] - below)
    extra = np.clip(np.searchsorted(cum, point, side="right"), lo, hi)
    order = np.concatenate([np.arange(count), extra_order])
    slot = np.concatenate([first, extra])
    slots = len(catalog.product_id)
    slot_of_id = np.empty(slots + 1, dtype=np.int64)
    slot_of_id[catalog.product_id] = np.arange(slots)
    # One line per product per order, ordered by product id (as checkout writes them).
    key = np.unique(order.astype(np.int64) * (slots + 1) + catalog.product_id[slot])
    return key // (slots + 1), slot_of_id[key % (slots + 1)]


def _play_out(rng: np.random.Generator, o: Orders, end: int) -> None:
    n = len(o.created)
    t0 = o.created
    pays = np.isin(o.outcome, (NORMAL, CANCEL_PAID, RETURNS))
    tries = pays | (o.outcome == EXPIRES)
    declined = tries & (rng.random(n) < 0.07)
    t_decline = t0 + rng.integers(20 * US_PER_S, 240 * US_PER_S, n)
    t_pay = np.where(declined, t_decline, t0) + rng.integers(30 * US_PER_S, 480 * US_PER_S, n)
    t_expire = t0 + ORDER_TTL + rng.integers(0, 5 * US_PER_MIN, n)
    t_cancel_unpaid = t0 + rng.integers(US_PER_MIN, 14 * US_PER_MIN, n)
    t_fulfil = t_pay + rng.integers(30 * US_PER_MIN, 3 * US_PER_DAY, n)
    t_cancel_paid = t_pay + rng.integers(5 * US_PER_MIN, US_PER_DAY, n)
    t_return = t_fulfil + rng.integers(US_PER_H, 6 * US_PER_DAY + 12 * US_PER_H, n)

    o.declined_at = np.where(declined & (t_decline <= end), t_decline, NULL_TIME)
    paid = pays & (t_pay <= end)
    o.paid_at = np.where(paid, t_pay, NULL_TIME)
    o.status[paid] = PAID
    fulfilled = paid & np.isin(o.outcome, (NORMAL, RETURNS)) & (t_fulfil <= end)
    o.fulfilled_at = np.where(fulfilled, t_fulfil, NULL_TIME)
    o.status[fulfilled] = FULFILLED
    cancel_time = np.select(
        [o.outcome == EXPIRES, o.outcome == CANCEL_UNPAID, paid & (o.outcome == CANCEL_PAID)],
        [t_expire, t_cancel_unpaid, t_cancel_paid],
        NULL_TIME,
    )
    cancelled = (cancel_time != NULL_TIME) & (cancel_time <= end)
    o.cancelled_at = np.where(cancelled, cancel_time, NULL_TIME)
    o.status[cancelled] = CANCELLED
    returning = fulfilled & (o.outcome == RETURNS) & (t_return <= end)
    o.returned_at = np.where(returning, t_return, NULL_TIME)
    o.closed_at = o.cancelled_at.copy()


def _return_items(rng: np.random.Generator, o: Orders, first_line: np.ndarray) -> None:
    """Some units of some lines of each returning order; never more than were bought."""
    returning = o.returned_at != NULL_TIME
    line_returning = returning[o.item_order]
    picked = line_returning & (rng.random(len(o.item_order)) < 0.6)
    picked[first_line[returning]] = True  # at least one line per returning order
    units = np.minimum(o.item_qty, 1 + (rng.random(len(picked)) * o.item_qty).astype(np.int64))
    full = rng.random(len(picked)) < 0.7
    o.item_returned = np.where(picked, np.where(full, o.item_qty, units), 0)
    # The engine refunds a line's share of what was paid: half-up of line * total / subtotal.
    line = o.item_returned * o.item_price
    total = o.total[o.item_order]
    subtotal = o.subtotal[o.item_order]
    o.item_refund = np.where(
        subtotal > 0, (2 * line * total + subtotal) // np.maximum(2 * subtotal, 1), 0
    )
    left = np.add.reduceat(o.item_qty - o.item_returned, first_line)
    o.status[returning] = np.where(left[returning] == 0, RETURNED, PARTIALLY_RETURNED)
    whole = returning & (left == 0)
    o.closed_at[whole] = o.returned_at[whole]


def _weighted(rng: np.random.Generator, cum: np.ndarray, count: int) -> np.ndarray:
    picked = np.searchsorted(cum, rng.random(count) * cum[-1], side="right")
    return np.minimum(picked, len(cum) - 1)


def _methods(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    method = rng.choice(3, size=len(channel), p=(0.25, 0.35, 0.4))
    return np.where((channel == 0) & (method == 0), 2, method)  # no cash on the web


def _staff_p(staff_ids: tuple[int, ...]) -> np.ndarray:
    p = np.array([0.85] + [0.15 / max(1, len(staff_ids) - 1)] * (len(staff_ids) - 1))
    return p / p.sum()
