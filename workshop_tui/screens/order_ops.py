"""Staff discounts and printed receipts on the orders screen (issue 7).

A mixin for `OrdersScreen`: `d` discounts the selected unpaid order (staff, up
to the configured limit; admins any), `t` prints a receipt of one of its
payments or refunds, saved under data_dir/receipts; reprints say DUPLICATE.
"""

from __future__ import annotations

from pathlib import Path

from workshop_tui.screens.order_dialogs import DiscountChoice, DiscountDialog
from workshop_tui.screens.receipt_dialog import (
    ChoosePaymentDialog,
    PrintedReceiptDialog,
    save_printed,
)
from workshop_tui.screens.staff_common import ServiceDone, money
from workshop_tui.services.types import Order, Receipt
from workshop_tui.widgets.confirm import ConfirmModal


class DiscountAndReceiptActions:
    """Needs `ServiceScreen` and the orders screen's `selected` and `status`."""

    def receipt_done(self, event: ServiceDone) -> None:
        if event.tag == "receipt.choose":
            order, ids = event.result
            if len(ids) == 1:
                self.print_receipt(ids[0])
            elif ids:
                self.open_dialog(ChoosePaymentDialog(order, ids), self._chosen)
        elif event.tag == "receipt":
            receipt, path = event.result
            copy = " (DUPLICATE)" if receipt.is_duplicate else ""
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
        order, account = self.selected, self.account
        if order is None or account is None or order.status != "pending_payment":
            return

        def grant(choice: DiscountChoice | None) -> None:
            if choice is None:
                return
            self.run(
                "discount",
                lambda: self.services.discounts.apply(
                    account,
                    order.id,
                    kind=choice.kind,
                    value=choice.value,
                    product_id=choice.product_id,
                    reason=choice.reason,
                ),
                group="orders.action",
            )

        limit = self.app.settings.staff_discount_limit_percent  # type: ignore[attr-defined]
        self.open_dialog(DiscountDialog(order, limit), grant)

    # --- receipts -----------------------------------------------------------------

    def action_receipt(self) -> None:
        """Print the order's only receipt, or choose among its payments and refunds."""
        order, account = self.selected, self.account
        if order is None or account is None:
            return
        self.run(
            "receipt.choose",
            lambda: (order, self.services.receipts.for_order(account, order.id)),
            group="orders.receipt",
        )

    def _chosen(self, payment_id: int | None) -> None:
        if payment_id is not None:
            self.print_receipt(payment_id)

    def print_receipt(self, payment_id: int) -> None:
        account = self.account
        folder = self.app.settings.data_dir / "receipts"  # type: ignore[attr-defined]

        def printed() -> tuple[Receipt, Path]:
            receipt = self.services.receipts.print(account, payment_id)
            return receipt, save_printed(folder, receipt)

        self.run("receipt", printed, group="orders.receipt")
