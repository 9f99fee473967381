"""Dialogs of the staff screens: register a customer at the counter, restock a product."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from workshop_tui.screens.order_dialogs import DIALOG_CSS


@dataclass(frozen=True)
class NewCustomer:
    phone: str
    name: str
    pin: str


class RegisterCustomerDialog(ModalScreen[NewCustomer | None]):
    """Phone, name and the PIN the customer chose (typed twice)."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="RegisterCustomerDialog")
        + "RegisterCustomerDialog #register-error { color: $error; }"
    )
    BINDINGS = [Binding("escape", "close", "Close", id="counter.register.close")]

    def __init__(self, phone: str = "") -> None:
        super().__init__()
        self.phone = phone

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("New customer", classes="title")
            yield Input(self.phone, placeholder="Mobile number", id="new-phone", max_length=20)
            yield Input(placeholder="Name (optional)", id="new-name", max_length=200)
            yield Input(placeholder="PIN (6-8 digits)", id="new-pin", password=True, max_length=8)
            yield Input(placeholder="PIN again", id="new-pin2", password=True, max_length=8)
            yield Label("", id="register-error")
            yield Label("Enter next / register · Esc close", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#new-name" if self.phone else "#new-phone", Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "new-pin2":
            self.focus_next()
            return
        phone = self.query_one("#new-phone", Input).value.strip()
        pin = self.query_one("#new-pin", Input).value
        error = self.query_one("#register-error", Label)
        if not phone:
            error.update("Enter the customer's mobile number.")
            self.query_one("#new-phone", Input).focus()
        elif pin != event.value:
            error.update("The two PINs differ: type them again.")
            self.query_one("#new-pin", Input).clear()
            event.input.clear()
            self.query_one("#new-pin", Input).focus()
        else:
            name = self.query_one("#new-name", Input).value.strip()
            self.dismiss(NewCustomer(phone, name, pin))

    def action_close(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class RestockTarget:
    product_id: int
    name: str
    sku: str
    stock: int


class RestockDialog(ModalScreen[int | None]):
    """How many units arrived; dismisses with the quantity or None."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="RestockDialog") + "RestockDialog #restock-error { color: $error; }"
    )
    BINDINGS = [Binding("escape", "close", "Close", id="stock.restock.close")]

    def __init__(self, target: RestockTarget) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        t = self.target
        with Vertical():
            yield Label("Restock", classes="title")
            yield Static(Text(f"{t.name} ({t.sku}): {t.stock} in stock now."))
            yield Input(placeholder="Units received", id="restock-qty", type="integer")
            yield Label("", id="restock-error")
            yield Label("Enter restocks · Esc close", classes="hint")

    @on(Input.Submitted, "#restock-qty")
    def submitted(self, event: Input.Submitted) -> None:
        try:
            quantity = int(event.value)
        except ValueError:
            quantity = 0
        if quantity < 1:
            self.query_one("#restock-error", Label).update("Enter a whole number of units (1+).")
            return
        self.dismiss(quantity)

    def action_close(self) -> None:
        self.dismiss(None)
