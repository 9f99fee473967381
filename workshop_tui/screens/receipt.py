"""The receipt of a paid order, on screen and saved under data_dir/receipts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, VerticalScroll
from textual.widgets import Footer, Header, Label, Static

from workshop_tui.messages import ServiceFailed, ServiceResult
from workshop_tui.service_call import ServiceCall, WorkshopScreen
from workshop_tui.services.receipts import as_text as printer_text
from workshop_tui.services.types import PaymentResult
from workshop_tui.widgets.receipt import receipt_text, render_receipt

SAVE = ServiceCall[Path]("receipts.save")


def save_receipt(directory: Path, result: PaymentResult) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"order-{result.order.id}-{result.payment.reference}.txt"
    path.write_text(receipt_text(result), encoding="utf-8")
    return path


class ReceiptScreen(WorkshopScreen[None]):
    HELP_TITLE = "Receipt"
    BINDINGS = [
        Binding(
            "escape,enter",
            "done",
            "Done",
            key_display="enter",
            tooltip="Back to the shop",
            id="receipt.done",
        )
    ]

    def __init__(self, result: PaymentResult) -> None:
        super().__init__()
        self.result = result
        self.saved_to: Path | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="receipt-scroll"), Center():
            yield Static(render_receipt(self.result), id="receipt")
        yield Label("Saving the receipt…", id="receipt-saved", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#receipt-scroll").focus()
        self.save()

    def save(self) -> None:
        """Record this as the receipt's first copy (a reprint then says DUPLICATE) and save it,
        as shown and in the 42-column printer layout."""
        directory = self.workshop.settings.data_dir / "receipts"
        services, session, result = self.workshop.services, self.session, self.result

        def save() -> Path:
            path = save_receipt(directory, result)
            printed = services.receipts.print(session.actor, result.payment.id)
            path.with_name(path.stem + "-42col.txt").write_text(
                printer_text(printed), encoding="utf-8"
            )
            return path

        self.call(SAVE, save, group="receipt")

    @on(ServiceResult)
    def saved(self, message: ServiceResult[Any]) -> None:
        if not SAVE.answered(message):
            return
        self.saved_to = message.value
        self.query_one("#receipt-saved", Label).update(
            f"Paid. Receipt saved to {message.value.name}"
        )

    @on(ServiceFailed)
    def not_saved(self, message: ServiceFailed) -> None:
        self.query_one("#receipt-saved", Label).update(f"Paid. {message.message}")

    def action_done(self) -> None:
        self.dismiss(None)
