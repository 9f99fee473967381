"""Printed receipts on the orders screen: choose which payment, then show the copy.

The text is `services.receipts.as_text` (the 42-column printer layout); reprints
carry the service's "*** DUPLICATE (copy N) ***" line. The file is saved by the
screen's worker under data_dir/receipts.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from workshop_tui.screens.order_dialogs import DIALOG_CSS
from workshop_tui.services.receipts import as_text
from workshop_tui.services.types import Order, Receipt
from workshop_tui.widgets.format import money, on_screen


def save_printed(directory: Path, receipt: Receipt) -> Path:
    """Write one copy as a text file: order-12-payment-34-copy-2.txt."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (
        f"order-{receipt.order.id}-payment-{receipt.payment.id}-copy-{receipt.copy_number}.txt"
    )
    path.write_text(as_text(receipt), encoding="utf-8")
    return path


class ChoosePaymentDialog(ModalScreen[int | None]):
    """Which of an order's payments or refunds to print (newest highlighted)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ChoosePaymentDialog")
    BINDINGS = [Binding("escape", "close", "Close", id="orders.receipt.choose.close")]

    def __init__(self, order: Order, payment_ids: list[int]) -> None:
        super().__init__()
        self.order = order
        self.payment_ids = payment_ids

    def compose(self) -> ComposeResult:
        by_id = {pay.id: pay for pay in self.order.payments}
        options = []
        for pid in reversed(self.payment_ids):
            pay = by_id.get(pid)
            label = (
                Text(f"{pay.kind} · {pay.method} · {money(pay.amount)} · {pay.reference}")
                if pay
                else Text(f"payment #{pid}")
            )
            options.append(Option(label, id=str(pid)))
        with Vertical():
            yield Label(f"Print a receipt of order #{self.order.id}", classes="title")
            yield OptionList(*options, id="receipt-choice")
            yield Label("Enter print · Esc close", classes="hint")

    def on_mount(self) -> None:
        choice = self.query_one(OptionList)
        choice.highlighted = 0
        choice.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_close(self) -> None:
        self.dismiss(None)


class PrintedReceiptDialog(ModalScreen[None]):
    """The printed copy as the printer lays it out, and where it was saved."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="PrintedReceiptDialog")
        + """
    PrintedReceiptDialog > Vertical { width: 50; }
    PrintedReceiptDialog VerticalScroll { height: auto; max-height: 17; }
    PrintedReceiptDialog #printed-duplicate { color: $warning; text-style: bold; }
    """
    )
    BINDINGS = [
        Binding("escape,enter", "close", "Done", key_display="enter", id="orders.receipt.close")
    ]

    def __init__(self, receipt: Receipt, saved_to: Path) -> None:
        super().__init__()
        self.receipt = receipt
        self.saved_to = saved_to

    def compose(self) -> ComposeResult:
        receipt = self.receipt
        with Vertical():
            title = "Refund receipt" if receipt.kind == "refund" else "Receipt"
            yield Label(f"{title} · copy {receipt.copy_number}", classes="title")
            if receipt.is_duplicate:
                yield Label(f"DUPLICATE (copy {receipt.copy_number})", id="printed-duplicate")
            with VerticalScroll(id="printed-scroll"):
                yield Static(on_screen(as_text(receipt)), id="printed-text", markup=False)
            yield Label(Text(f"Saved to {self.saved_to.name} · Enter done"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#printed-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
