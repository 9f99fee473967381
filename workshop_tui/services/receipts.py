"""Receipts for every paid order, refund and return, with the ledger position of their entry.

Each print is recorded; any copy after the first is a DUPLICATE. `as_text`
lays a receipt out for a 42-column receipt printer (also what is saved to disk).
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database, TxSession
from workshop_tui.services import convert, locks
from workshop_tui.services._tx import in_transaction
from workshop_tui.services.access import missing, visible_to
from workshop_tui.services.errors import InvalidState
from workshop_tui.services.types import Account, Order, OrderLine, Receipt
from workshop_tui.services.validate import check_id

PRINTER_WIDTH = 42


class ReceiptService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def print(self, actor: Account, payment_id: int) -> Receipt:
        """Record one more copy of a payment's receipt and return it (copies after the first are duplicates)."""
        check_id(payment_id, "payment id")

        def work(s: TxSession) -> Receipt:
            payment, order = self._visible(s, actor, payment_id)
            # the payment row lock makes copy numbers gap-free when two terminals reprint at once
            locks.payment(s, payment_id)
            copy = copies_printed(s, payment_id) + 1
            s.add(
                m.ReceiptPrint(
                    payment_id=payment_id,
                    seller_id=order.seller_id,
                    copy_number=copy,
                    printed_by=actor.id,
                )
            )
            return self._receipt(s, order, payment, copy)

        return in_transaction(self.db, work)

    def show(self, actor: Account, payment_id: int) -> Receipt:
        """The receipt as last printed (the first copy if none was), recording nothing."""
        check_id(payment_id, "payment id")

        def work(s: TxSession) -> Receipt:
            payment, order = self._visible(s, actor, payment_id)
            return self._receipt(s, order, payment, max(copies_printed(s, payment_id), 1))

        return in_transaction(self.db, work)

    def copies(self, actor: Account, payment_id: int) -> int:
        """How many copies of a payment's receipt were printed so far."""
        check_id(payment_id, "payment id")

        def work(s: TxSession) -> int:
            self._visible(s, actor, payment_id)
            return copies_printed(s, payment_id)

        return in_transaction(self.db, work)

    def _visible(self, s: TxSession, actor: Account, payment_id: int) -> tuple[m.Payment, m.Order]:
        payment = s.get(m.Payment, payment_id)
        order = s.get(m.Order, payment.order_id) if payment else None
        if payment is None or order is None or not visible_to(actor, order.customer_id):
            raise missing(payment_id, "payment")
        if payment.status != "succeeded":
            raise InvalidState("a declined payment has no receipt")
        return payment, order

    def _receipt(self, s: TxSession, order: m.Order, payment: m.Payment, copy: int) -> Receipt:
        view = convert.load_orders(
            s, [order.id], return_window_days=self.db.settings.return_window_days
        )[0]
        pay = next(p for p in view.payments if p.id == payment.id)
        return Receipt(
            order=view,
            payment=pay,
            kind="sale" if payment.kind == "charge" else "refund",
            copy_number=copy,
            printed_at=datetime.now(UTC),
            returned=returned_lines(s, view, payment),
        )

    def for_order(self, actor: Account, order_id: int) -> list[int]:
        """The ids of an order's succeeded payments and refunds, oldest first (what can be printed)."""
        check_id(order_id, "order id")

        def work(s: Session) -> list[int]:
            order = s.get(m.Order, order_id)
            if order is None or not visible_to(actor, order.customer_id):
                raise missing(order_id)
            return list(
                s.scalars(
                    select(m.Payment.id)
                    .where(m.Payment.order_id == order_id, m.Payment.status == "succeeded")
                    .order_by(m.Payment.id)
                )
            )

        return in_transaction(self.db, work)


def copies_printed(s: Session, payment_id: int) -> int:
    return (
        s.scalar(
            select(func.max(m.ReceiptPrint.copy_number)).where(
                m.ReceiptPrint.payment_id == payment_id
            )
        )
        or 0
    )


def returned_lines(s: Session, order: Order, payment: m.Payment) -> tuple[OrderLine, ...]:
    """For a refund made by a return, the units that return covered (matched by time)."""
    if payment.kind != "refund":
        return ()
    rows = s.execute(
        select(m.Return.product_id, func.sum(m.Return.quantity))
        .where(m.Return.order_id == order.id, m.Return.created_at == payment.created_at)
        .group_by(m.Return.product_id)
    ).all()
    by_id = {line.product_id: line for line in order.lines}
    return tuple(
        OrderLine(
            product_id=pid,
            sku=by_id[pid].sku,
            name=by_id[pid].name,
            quantity=int(qty),
            unit_price=by_id[pid].unit_price,
            returned_qty=int(qty),
        )
        for pid, qty in rows
        if pid in by_id
    )


def rupees(amount: Decimal) -> str:
    return f"{'-' if amount < 0 else ''}Rs {abs(amount):,.2f}"


def as_text(receipt: Receipt, width: int = PRINTER_WIDTH) -> str:
    """Plain text for a receipt printer: `width` columns, nothing wider."""
    order, pay = receipt.order, receipt.payment
    out: list[str] = []

    def center(text: str) -> None:
        out.extend(line.center(width).rstrip() for line in textwrap.wrap(text, width) or [""])

    def pair(left: str, right: str) -> None:
        room = width - len(right) - 1
        wrapped = textwrap.wrap(left, room) or [""]
        out.extend(wrapped[:-1])
        out.append(f"{wrapped[-1]:<{room}} {right}")

    rule = "-" * width
    if receipt.is_duplicate:
        center(f"*** DUPLICATE (copy {receipt.copy_number}) ***")
    center("WORKSHOP")
    center(order.seller_name)
    center("REFUND" if receipt.kind == "refund" else "TAX INVOICE")
    out.append(rule)
    pair(f"Order #{order.id}", pay.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    pair("Customer", order.customer_name[: width // 2])
    out.append(rule)
    lines = receipt.returned if receipt.kind == "refund" and receipt.returned else order.lines
    for line in lines:
        pair(line.name, rupees(line.unit_price * line.quantity))
        out.append(f"  {line.quantity} x {rupees(line.unit_price)}")
    out.append(rule)
    if receipt.kind == "sale":
        if order.discount_total:
            pair("Subtotal", rupees(order.subtotal))
            pair("Discount", "-" + rupees(order.discount_total))
        pair("TOTAL", rupees(order.total))
        pair(f"Paid by {pay.method.upper()}", rupees(pay.amount))
        if pay.tendered is not None and pay.change is not None:
            pair("Cash tendered", rupees(pay.tendered))
            pair("CHANGE", rupees(pay.change))
    else:
        # The lines are at list price; what comes back is the ledger's refund, so the
        # order's discounts (and the last return's rounding) are shown between them.
        listed = sum((line.unit_price * line.quantity for line in lines), Decimal("0.00"))
        if pay.amount != listed:
            pair(
                "Less discounts" if pay.amount < listed else "Rounding", rupees(pay.amount - listed)
            )
        pair("REFUNDED to " + pay.method.upper(), rupees(pay.amount))
    pair("Reference", pay.reference)
    out.append(rule)
    if pay.ledger is not None:
        pair("Ledger", f"{pay.ledger.chain} #{pay.ledger.seq}")
        pair("Entry hash", pay.ledger.short_hash)
    center("Thank you!")
    return "\n".join(out) + "\n"
