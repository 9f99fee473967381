"""Staff discounts and printed receipts on the orders screen (issue 7).

A mixin for `OrdersScreen`: `d` discounts the selected unpaid order (staff, up
to the configured limit; admins any), `t` prints a receipt of one of its
payments or refunds, saved under data_dir/receipts; reprints say DUPLICATE.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on

from workshop_tui.messages import ServiceResult
from workshop_tui.screens.order_dialogs import DiscountChoice, DiscountDialog
from workshop_tui.screens.receipt_dialog import (
    ChoosePaymentDialog,
    PrintedReceiptDialog,
    save_printed,
)
from workshop_tui.screens.staff_common import StaffScreen, money
from workshop_tui.service_call import ServiceCall
from workshop_tui.services.printing import Printer, PrintOutcome
from workshop_tui.services.states import OrderAction
from workshop_tui.services.types import Order, Receipt
from workshop_tui.widgets.confirm import ConfirmModal

DISCOUNT = ServiceCall[Order]("discounts.apply")
CHOOSE = ServiceCall[tuple[Order, list[int]]]("receipts.for_order")  # the order, its payments
# the copy, where it was saved, and whether the printer took it
PRINT = ServiceCall[tuple[Receipt, Path, PrintOutcome]]("receipts.print")


class DiscountAndReceiptActions(StaffScreen):
    """The orders screen's discount and receipt actions; it provides `selected` and `status`."""

    # A copy the printer did not take: t on its order prints it again, not a new copy.
    _unprinted: tuple[Receipt, Path] | None = None

    @property
    def selected(self) -> Order | None:
        raise NotImplementedError

    @property
    def is_staff(self) -> bool:
        raise NotImplementedError

    def status(self, text: str, *, error: bool = False) -> None:
        raise NotImplementedError

    def _replace(self, order: Order) -> None:
        raise NotImplementedError

    @on(ServiceResult)
    def discount_or_receipt_done(self, event: ServiceResult[Any]) -> None:
        if DISCOUNT.answered(event):
            order = event.value
            self._replace(order)
            self.status(f"Order #{order.id} discounted: total now {money(order.total)}.")
        elif CHOOSE.answered(event):
            order, ids = event.value
            if len(ids) == 1:
                self.print_receipt(ids[0])
            elif ids:
                self.open_dialog(ChoosePaymentDialog(order, ids), self._chosen)
        elif PRINT.answered(event):
            receipt, path, outcome = event.value
            copy = " (DUPLICATE)" if receipt.is_duplicate else ""
            self._unprinted = (receipt, path) if outcome.unreachable else None
            if outcome.unreachable:
                self.status("printer not reachable: saved, press t to retry", error=True)
                self.notify("printer not reachable: saved, press t to retry", severity="warning")
            elif outcome.printed:
                self.status(
                    f"Receipt copy {receipt.copy_number}{copy} printed, saved to {path.name}"
                )
            else:
                self.status(f"Receipt copy {receipt.copy_number}{copy} saved to {path.name}")
            self.open_dialog(PrintedReceiptDialog(receipt, path), lambda _: None)

    def offer_refund_receipt(self, order: Order, done: str) -> None:
        """After a cancel or return that refunded money, offer its receipt (y prints it)."""
        refunds = [p for p in order.payments if p.kind == "refund" and p.status == "succeeded"]
        if not refunds:
            return
        newest = max(refunds, key=lambda p: p.id)
        self.status(f"{done} {money(newest.amount)} refunded; t prints its receipt.")

        def answer(yes: bool | None) -> None:
            if yes:
                self.print_receipt(newest.id)

        self.open_dialog(
            ConfirmModal(
                f"{money(newest.amount)} refunded to {newest.method.upper()}."
                " Print the refund receipt?",
                yes="Print (y)",
                no="Not now (n)",
            ),
            answer,
        )

    def action_discount(self) -> None:
        order, account, services = self.selected, self.account, self.services
        if order is None or account is None:
            return
        if not order.can(OrderAction.DISCOUNT, staff=self.is_staff):
            return

        def grant(choice: DiscountChoice | None) -> None:
            if choice is None:
                return
            self.call(
                DISCOUNT,
                lambda: services.discounts.apply(
                    account,
                    order.id,
                    kind=choice.kind,
                    value=choice.value,
                    product_id=choice.product_id,
                    reason=choice.reason,
                ),
                group="orders.action",
            )

        limit = self.workshop.settings.staff_discount_limit_percent
        self.open_dialog(DiscountDialog(order, limit), grant)

    # --- receipts -----------------------------------------------------------------

    def action_receipt(self) -> None:
        """Print the order's only receipt, or choose among its payments and refunds."""
        order, account, services = self.selected, self.account, self.services
        if order is None or account is None:
            return
        if self._unprinted is not None and self._unprinted[0].order.id == order.id:
            self._print_again(*self._unprinted)
            return
        self.call(
            CHOOSE,
            lambda: (order, services.receipts.for_order(account, order.id)),
            group="orders.receipt",
        )

    def _chosen(self, payment_id: int | None) -> None:
        if payment_id is not None:
            self.print_receipt(payment_id)

    def print_receipt(self, payment_id: int) -> None:
        session, services, settings = self.session, self.services, self.workshop.settings
        folder = settings.data_dir / "receipts"

        def printed() -> tuple[Receipt, Path, PrintOutcome]:
            printer = Printer.from_settings(settings)
            receipt = services.receipts.print(session.actor, payment_id)
            path = save_printed(folder, receipt)  # saved first: the printer may be off
            return receipt, path, printer.receipt(receipt)

        self.call(PRINT, printed, group="orders.receipt")

    def _print_again(self, receipt: Receipt, path: Path) -> None:
        settings = self.workshop.settings
        self.status(f"Printing copy {receipt.copy_number} of order #{receipt.order.id} again…")
        self.call(
            PRINT,
            lambda: (receipt, path, Printer.from_settings(settings).receipt(receipt)),
            group="orders.receipt",
        )
