"""Dialogs of the orders screen: confirm a cancellation, choose items to return, discount."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from workshop_tui.services.states import OrderStatus
from workshop_tui.services.types import Order, ReturnRequest
from workshop_tui.widgets.format import money

DIALOG_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 72;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: thick $primary;
    background: $panel;
    padding: 0 1;
}}
{name} .title {{
    text-style: bold;
    width: 100%;
}}
{name} .hint {{
    color: $text-muted;
    width: 100%;
}}
"""


class CancelOrderDialog(ModalScreen[str | None]):
    """Asks for a reason; dismisses with it (possibly empty), or None to keep the order."""

    DEFAULT_CSS = DIALOG_CSS.format(name="CancelOrderDialog")
    BINDINGS = [
        Binding("escape", "keep", "Keep order", id="orders.cancel.keep"),
    ]

    def __init__(self, order: Order) -> None:
        super().__init__()
        self.order = order

    def compose(self) -> ComposeResult:
        order = self.order
        refund = (
            f" {money(order.total)} will be refunded."
            if order.status == OrderStatus.PAID
            else " Unpaid."
        )
        with Vertical():
            yield Label(f"Cancel order #{order.id}?", classes="title")
            yield Static(
                Text(f"{order.item_count} items from {order.seller_name}, {money(order.total)}.")
                + Text(refund + " The stock goes back on the shelf.")
            )
            yield Input(placeholder="Reason (optional)", id="reason", max_length=500)
            yield Label("Enter cancels the order · Esc keeps it", classes="hint")

    @on(Input.Submitted, "#reason")
    def confirm(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_keep(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class ReturnChoice:
    items: tuple[ReturnRequest, ...]
    reason: str


class ReturnItemsDialog(ModalScreen[ReturnChoice | None]):
    """Choose how many of each returnable line to give back."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ReturnItemsDialog")
        + """
    ReturnItemsDialog DataTable { height: auto; max-height: 10; }
    ReturnItemsDialog #return-error { color: $error; }
    """
    )
    BINDINGS = [
        Binding("escape", "close", "Close", id="orders.return.close"),
        Binding("plus,equals_sign", "change(1)", "+1", id="orders.return.more"),
        Binding("minus", "change(-1)", "-1", id="orders.return.less"),
        Binding("a", "all", "All", id="orders.return.all"),
        Binding("ctrl+s", "submit", "Return", id="orders.return.submit"),
    ]

    def __init__(self, order: Order) -> None:
        super().__init__()
        self.order = order
        self.lines = [line for line in order.lines if line.returnable_qty > 0]
        self.chosen = {line.product_id: 0 for line in self.lines}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Return items of order #{self.order.id}", classes="title")
            yield DataTable(id="return-lines", cursor_type="row", zebra_stripes=True)
            yield Input(placeholder="Reason (optional)", id="return-reason", max_length=500)
            yield Label("", id="return-error")
            yield Label("+/- quantity · a all · Enter return · Esc close", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Item", key="item", width=24)
        table.add_column("Bought", key="bought", width=8)
        table.add_column("Return", key="qty", width=6)
        table.add_column("Refund", key="refund", width=10)
        for line in self.lines:
            table.add_row(
                Text(line.name[:24]),
                f"{line.returnable_qty} of {line.quantity}",
                "0",
                money(line.unit_price * 0),
                key=str(line.product_id),
            )
        table.focus()

    def _refresh_row(self, product_id: int) -> None:
        line = next(x for x in self.lines if x.product_id == product_id)
        qty = self.chosen[product_id]
        table = self.query_one(DataTable)
        table.update_cell(str(product_id), "qty", str(qty))
        table.update_cell(str(product_id), "refund", money(line.unit_price * qty))

    def action_change(self, delta: int) -> None:
        table = self.query_one(DataTable)
        if not self.lines or isinstance(self.focused, Input):
            return
        line = self.lines[table.cursor_row]
        qty = self.chosen[line.product_id] + delta
        self.chosen[line.product_id] = max(0, min(line.returnable_qty, qty))
        self._refresh_row(line.product_id)

    def action_all(self) -> None:
        for line in self.lines:
            self.chosen[line.product_id] = line.returnable_qty
            self._refresh_row(line.product_id)

    @on(DataTable.RowSelected)
    @on(Input.Submitted)
    def action_submit(self) -> None:
        items = tuple(
            ReturnRequest(product_id, qty) for product_id, qty in self.chosen.items() if qty > 0
        )
        if not items:
            self.query_one("#return-error", Label).update("Choose at least one item (+).")
            return
        reason = self.query_one("#return-reason", Input).value.strip()
        self.dismiss(ReturnChoice(items, reason))

    def action_close(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class DiscountChoice:
    kind: str  # percent | fixed
    value: str
    product_id: int | None  # None: the whole order
    reason: str


def parse_discount(text: str) -> tuple[str, str] | None:
    """'10%' is a percentage, '50' or '49.50' rupees off; None when empty."""
    value = text.strip().replace("₹", "").replace(",", "")
    if not value:
        return None
    if value.endswith("%"):
        return "percent", value[:-1].strip()
    return "fixed", value


class DiscountDialog(ModalScreen[DiscountChoice | None]):
    """What to discount (the whole order or one line), how much (10% or 50), and why."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="DiscountDialog")
        + """
    DiscountDialog OptionList { height: auto; max-height: 7; }
    DiscountDialog #discount-error { color: $error; }
    """
    )
    BINDINGS = [Binding("escape", "close", "Close", id="orders.discount.close")]

    def __init__(self, order: Order, limit: object) -> None:
        super().__init__()
        self.order = order
        self.limit = limit

    def compose(self) -> ComposeResult:
        order = self.order
        with Vertical():
            yield Label(
                f"Discount order #{order.id} · subtotal {money(order.subtotal)}"
                f" · total {money(order.total)}",
                classes="title",
            )
            yield OptionList(
                Option("Whole order", id="order"),
                *(
                    Option(
                        Text(f"{line.quantity}× {line.name} {line.sku} {money(line.line_total)}"),
                        id=str(line.product_id),
                    )
                    for line in order.lines
                ),
                id="discount-target",
            )
            yield Input(placeholder="10% or 50 (rupees off)", id="discount-value", max_length=12)
            yield Input(placeholder="Reason", id="discount-reason", max_length=200)
            yield Label("", id="discount-error")
            yield Label(
                f"Staff up to {self.limit}% · Shift+Tab pick a line · Enter next/apply · Esc",
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#discount-target", OptionList).highlighted = 0
        self.query_one("#discount-value", Input).focus()

    @on(OptionList.OptionSelected, "#discount-target")
    def target_chosen(self) -> None:
        self.query_one("#discount-value", Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        parsed = parse_discount(self.query_one("#discount-value", Input).value)
        if parsed is None:
            self.query_one("#discount-error", Label).update("Type a discount: 10% or 50.")
            self.query_one("#discount-value", Input).focus()
            return
        if event.input.id == "discount-value":
            self.query_one("#discount-reason", Input).focus()
            return
        target = self.query_one("#discount-target", OptionList)
        option = target.highlighted_option
        product_id = None if option is None or option.id == "order" else int(option.id or 0)
        reason = self.query_one("#discount-reason", Input).value.strip()
        self.dismiss(DiscountChoice(parsed[0], parsed[1], product_id, reason))

    def action_close(self) -> None:
        self.dismiss(None)
