"""Payment: cash, card or UPI; simulate success or a decline; retry; cancel the order.

Dismisses with the PaymentResult once paid, or None when the order was cancelled.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Header, Label, RadioButton, RadioSet

from workshop_tui.messages import ServiceFailed, ServiceResult
from workshop_tui.screens.cash_tendered import CashTenderedDialog
from workshop_tui.service_call import ServiceCall, WorkshopScreen
from workshop_tui.services.types import Order, PaymentResult
from workshop_tui.widgets.confirm import ConfirmModal
from workshop_tui.widgets.footer import Footer
from workshop_tui.widgets.format import money

METHODS = (("cash", "Cash"), ("card", "Card"), ("upi", "UPI"))
PAY = ServiceCall[PaymentResult]("payments.pay")
CANCEL = ServiceCall[Order]("orders.cancel")
BUSY = "payment"  # the group of both: one at a time, the buttons off meanwhile
WAITING = "Waiting for another terminal…"  # rows held elsewhere; the engine answers busy in ~3 s


class PaymentScreen(WorkshopScreen[PaymentResult | None]):
    HELP_TITLE = "Payment"
    BINDINGS = [
        Binding("p", "pay('success')", "Pay", tooltip="Pay by the chosen method", id="payment.pay"),
        Binding(
            "d",
            "pay('decline')",
            "Decline",
            tooltip="Simulate a declined payment",
            id="payment.decline",
        ),
        Binding(
            "x,escape",
            "cancel_order",
            "Cancel",
            key_display="x",
            tooltip="Cancel the order (asks first)",
            id="payment.cancel",
        ),
        Binding("1", "method(0)", "Cash", show=False, id="payment.cash"),
        Binding("2", "method(1)", "Card", show=False, id="payment.card"),
        Binding("3", "method(2)", "UPI", show=False, id="payment.upi"),
    ]

    def __init__(self, order: Order) -> None:
        super().__init__()
        self.order = order
        self.attempts = 0
        self._unanswered = False  # a call ran and neither an answer nor a typed error came
        # The Pay press's idempotency key, kept until a payment result answers it: a retry
        # after a lost answer (the payment may have committed) sends the same key and gets
        # that payment back instead of a second attempt.
        self._pay_key: str | None = None
        self._before_wait: str | None = None  # the status the waiting text stands in for

    def compose(self) -> ComposeResult:
        order = self.order
        yield Header()
        with Vertical(id="payment-box"):
            yield Label(
                f"Order #{order.id} · {order.seller_name} · {order.item_count} items",
                id="payment-order",
                markup=False,
            )
            yield Label(f"To pay: {money(order.total)}", id="payment-total")
            yield Label("How will you pay? (1 cash, 2 card, 3 UPI)")
            with RadioSet(id="method"):
                for index, (_, label) in enumerate(METHODS):
                    yield RadioButton(label, value=index == 2, id=f"method-{index}")
            yield Label("", id="payment-status", markup=False)
            with Horizontal(id="payment-buttons"):
                yield Button("Pay", id="pay", variant="success", compact=True)
                yield Button("Simulate decline", id="decline", variant="warning", compact=True)
                yield Button("Cancel order", id="cancel-order", variant="error", compact=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#method", RadioSet).focus()

    @property
    def method(self) -> str:
        index = self.query_one("#method", RadioSet).pressed_index
        return METHODS[index if index >= 0 else 2][0]

    def action_method(self, index: int) -> None:
        self.query_one(f"#method-{index}", RadioButton).value = True

    def _status(self, text: str) -> None:
        self._before_wait = None  # a newer status: nothing to put back after a wait
        self.query_one("#payment-status", Label).update(text)

    def show_waiting(self, text: str | None) -> None:
        label = self.query_one("#payment-status", Label)
        if text is not None:
            if self._before_wait is None:
                self._before_wait = str(label.content)
            label.update(text)
        elif self._before_wait is not None:
            label.update(self._before_wait)
            self._before_wait = None

    def busy_changed(self) -> None:
        busy = self.is_busy(BUSY)
        for button in self.query(Button):
            button.disabled = busy
        if not busy and self._unanswered:  # an unexpected error, or the call was cancelled
            self._unanswered = False
            self._status("That did not go through. Try again.")

    def action_pay(self, outcome: str) -> None:
        if self.is_busy(BUSY):
            return
        if outcome == "success" and self.method == "cash" and self.session.is_staff:
            # At the counter, cash is counted: the change comes from what was handed over.
            self.app.push_screen(CashTenderedDialog(self.order.total), self._tendered)
            return
        self._pay(outcome)

    def _tendered(self, amount: Decimal | None) -> None:
        if amount is not None and not self.is_busy(BUSY):
            self._pay("success", tendered=amount)

    def _pay(self, outcome: str, *, tendered: Decimal | None = None) -> None:
        if self._pay_key is None:
            self.attempts += 1
            self._pay_key = f"pay-{uuid.uuid4().hex}"
        key = self._pay_key
        method, order_id, route = self.method, self.order.id, self.order.route
        services, session = self.workshop.services, self.session
        self._status(f"Paying {money(self.order.total)} by {method.upper()}…")
        self._unanswered = True
        self.call(
            PAY,
            lambda: services.payments.pay(
                session.actor,
                order_id,
                method=method,
                outcome=outcome,
                idempotency_key=key,
                tendered=tendered,
                route=route,
            ),
            group=BUSY,
            waiting_text=WAITING,
        )

    def action_cancel_order(self) -> None:
        if self.is_busy(BUSY):
            return

        def answer(yes: bool | None) -> None:
            if yes:
                services, session = self.workshop.services, self.session
                order_id, route = self.order.id, self.order.route
                self._unanswered = True
                self.call(
                    CANCEL,
                    lambda: services.orders.cancel(
                        session.actor, order_id, "cancelled at payment", route=route
                    ),
                    group=BUSY,
                    waiting_text=WAITING,
                )

        self.app.push_screen(
            ConfirmModal(f"Cancel order #{self.order.id}? Its items go back on sale."), answer
        )

    @on(Button.Pressed)
    def button(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "pay":
            self.action_pay("success")
        elif event.button.id == "decline":
            self.action_pay("decline")
        elif event.button.id == "cancel-order":
            self.action_cancel_order()

    @on(ServiceResult)
    def result(self, message: ServiceResult[Any]) -> None:
        self._unanswered = False
        if CANCEL.answered(message):
            self.notify(f"Order #{self.order.id} cancelled.")
            self.dismiss(None)
            return
        if not PAY.answered(message):
            return
        self._pay_key = None  # answered: the next press is a new attempt
        result = message.value
        if result.succeeded:
            self.dismiss(result)
            return
        method = result.payment.method.upper() if result.payment.method != "cash" else "Cash"
        self._status(
            f"{method} payment declined (attempt {self.attempts}). "
            "Try again or choose another method."
        )

    @on(ServiceFailed)
    def failed(self, message: ServiceFailed) -> None:
        self._unanswered = False
        if message.code not in ("unavailable", "busy"):
            self._pay_key = None  # refused: nothing was charged with that key
        self._status(message.message)
        self.notify(message.message, severity="error", markup=False)
