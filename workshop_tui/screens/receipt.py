"""The receipt of a paid order: on screen, saved under data_dir/receipts, and printed.

The first copy is recorded and saved as text, then sent to the terminal's printer
(WORKSHOP_PRINTER; a cash sale opens the drawer) after the payment's commit, in a
worker. A printer that is off never loses the sale: the text is saved, the screen
says so, and t prints the same copy again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, VerticalScroll
from textual.widgets import Digits, Header, Label, Static

from workshop_tui.messages import ServiceFailed, ServiceResult
from workshop_tui.service_call import ServiceCall, WorkshopScreen
from workshop_tui.services.printing import Printer, PrintOutcome
from workshop_tui.services.receipts import as_text as printer_text
from workshop_tui.services.types import PaymentResult, Receipt
from workshop_tui.widgets.footer import Footer
from workshop_tui.widgets.format import money
from workshop_tui.widgets.receipt import receipt_text, render_receipt

UNREACHABLE = "printer not reachable: saved, press t to retry"


@dataclass(frozen=True)
class Saved:
    path: Path
    receipt: Receipt  # the recorded copy: a retry prints this same copy
    outcome: PrintOutcome


SAVE = ServiceCall[Saved]("receipts.save")
RETRY = ServiceCall[PrintOutcome]("receipts.retry")


def save_receipt(directory: Path, result: PaymentResult) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"order-{result.order.id}-{result.payment.reference}.txt"
    path.write_text(receipt_text(result), encoding="utf-8")
    return path


def printed_line(outcome: PrintOutcome, path: Path) -> str:
    if outcome.unreachable:
        return f"Paid. {UNREACHABLE} ({path.name})"
    if outcome.printed:
        return f"Paid. Printed on {outcome.target}; saved to {path.name}"
    return f"Paid. Receipt saved to {path.name}"


class ReceiptScreen(WorkshopScreen[None]):
    DEFAULT_CSS = """
    ReceiptScreen #receipt-change { height: auto; align-horizontal: center; }
    ReceiptScreen #receipt-change Digits { width: auto; color: $success; }
    """
    HELP_TITLE = "Receipt"
    BINDINGS = [
        Binding(
            "escape,enter",
            "done",
            "Done",
            key_display="enter",
            tooltip="Back to the shop",
            id="receipt.done",
        ),
        Binding(
            "t",
            "retry_print",
            "Print again",
            tooltip="Send the receipt to the printer again",
            id="receipt.retry",
        ),
    ]

    def __init__(self, result: PaymentResult) -> None:
        super().__init__()
        self.result = result
        self.saved_to: Path | None = None
        self.saved: Saved | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        change = self.result.payment.change
        if change is not None:
            with Center(id="receipt-change"):
                yield Label(f"Change due {money(change)}")
                yield Digits(f"{change:,.2f}", id="change-digits")
        with VerticalScroll(id="receipt-scroll"), Center():
            yield Static(render_receipt(self.result), id="receipt")
        yield Label("Saving the receipt…", id="receipt-saved", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#receipt-scroll").focus()
        self.save()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry_print":
            return self.saved is not None and self.saved.outcome.unreachable
        return True

    def save(self) -> None:
        """Record this as the receipt's first copy (a reprint then says DUPLICATE), save it as
        shown and in the printer's layout, then print it (the payment is committed already)."""
        settings = self.workshop.settings
        directory = settings.data_dir / "receipts"
        services, session, result = self.workshop.services, self.session, self.result

        def save() -> Saved:
            printer = Printer.from_settings(settings)
            path = save_receipt(directory, result)
            printed = services.receipts.print(session.actor, result.payment.id)
            path.with_name(path.stem + f"-{printer.columns}col.txt").write_text(
                printer_text(printed, printer.columns), encoding="utf-8"
            )
            staff = session.is_staff  # the drawer is the counter's, not a customer's
            return Saved(path, printed, printer.receipt(printed, open_drawer=staff))

        self.call(SAVE, save, group="receipt")

    def action_retry_print(self) -> None:
        saved, settings = self.saved, self.workshop.settings
        if saved is None or self.is_busy("receipt"):
            return
        self.say(f"Printing again on {saved.outcome.target}…")
        staff = self.session.is_staff
        self.call(
            RETRY,
            lambda: Printer.from_settings(settings).receipt(saved.receipt, open_drawer=staff),
            group="receipt",
        )

    def say(self, text: str) -> None:
        self.query_one("#receipt-saved", Label).update(text)

    @on(ServiceResult)
    def saved_or_printed(self, message: ServiceResult[Any]) -> None:
        if SAVE.answered(message):
            self.saved = message.value
            self.saved_to = message.value.path
        elif RETRY.answered(message) and self.saved is not None:
            self.saved = Saved(self.saved.path, self.saved.receipt, message.value)
        else:
            return
        self.say(printed_line(self.saved.outcome, self.saved.path))
        if self.saved.outcome.unreachable:
            self.notify(UNREACHABLE, severity="warning", markup=False)
        self.refresh_bindings()

    @on(ServiceFailed)
    def not_saved(self, message: ServiceFailed) -> None:
        self.say(f"Paid. {message.message}")

    def action_done(self) -> None:
        self.dismiss(None)
