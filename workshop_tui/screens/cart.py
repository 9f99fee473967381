"""Cart: lines with +/-, remove, totals, out-of-stock lines marked, checkout."""

from __future__ import annotations

import uuid
from typing import Any

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Header, Label

from workshop_tui.messages import ServiceFailed, ServiceResult, StockChanged
from workshop_tui.screens.cart_actions import CartActionsScreen
from workshop_tui.service_call import ServiceCall
from workshop_tui.services.types import Cart, Order, PaymentResult
from workshop_tui.session import Workshop
from workshop_tui.widgets.detail_line import DetailLine
from workshop_tui.widgets.footer import Footer
from workshop_tui.widgets.format import money, number_cell

CHECKOUT = ServiceCall[Order]("orders.checkout")
WAITING = "Waiting for another terminal…"  # rows held elsewhere; the engine answers busy in ~3 s


def checkout_channel(workshop: Workshop) -> str:
    if workshop.kiosk:
        return "kiosk"
    if workshop.session.is_staff:
        return "counter"
    return "tui"


class CartScreen(CartActionsScreen):
    HELP_TITLE = "Cart"
    BINDINGS = [
        Binding("o", "checkout", "Checkout", tooltip="Place the order and pay", id="cart.checkout"),
        Binding(
            "plus,equals_sign",
            "change(1)",
            "Qty",
            key_display="+/-",
            tooltip="One more of the highlighted line",
            id="cart.more",
        ),
        Binding("minus", "change(-1)", "Less", tooltip="One fewer", show=False, id="cart.less"),
        Binding(
            "delete,r",
            "remove",
            "Remove",
            key_display="del",
            tooltip="Take the highlighted line out",
            id="cart.remove",
        ),
        Binding("escape", "back", "Back", tooltip="Back to the shop", id="cart.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.checkout_key: str | None = None  # one per checkout attempt: a retry reuses it
        self._keyed_cart: Cart | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Your cart", id="cart-title", markup=False)
        yield DataTable(id="cart-lines", cursor_type="row", zebra_stripes=True)
        yield DetailLine(id="line-detail")
        yield Label("", id="cart-total", markup=False)
        yield Label("", id="cart-status", markup=False)  # shown only while a checkout waits
        with Horizontal(id="cart-buttons"):
            yield Button("+", id="line-more", compact=True)
            yield Button("-", id="line-less", compact=True)
            yield Button("Remove", id="line-remove", compact=True)
            yield Button("Checkout", id="checkout", compact=True, variant="success")
            yield Button("Back to shop", id="cart-back", compact=True)
        yield Footer(show_command_palette=False)

    lines_table = getters.query_one("#cart-lines", DataTable)

    @property
    def table(self) -> DataTable[Any]:
        return self.lines_table

    def on_mount(self) -> None:
        columns = (
            ("Price", "price", 10),
            ("Qty", "qty", 3),
            ("Total", "total", 11),
        )
        name_width = max(16, self.app.size.width - 6 - sum(w + 2 for _, _, w in columns) - 2)
        self.table.add_column("Item", key="name", width=name_width)
        for label, key, width in columns:
            self.table.add_column(label, key=key, width=width)
        self.workshop.stock_listeners.add(self)
        self.show_lines(self.session.cart)
        self.load_cart()
        self.table.focus()

    def on_unmount(self) -> None:
        self.workshop.stock_listeners.discard(self)

    # --- showing --------------------------------------------------------------

    def cart_changed(self, cart: Cart) -> None:
        if cart != self._keyed_cart:
            self.checkout_key = None  # a different cart is a different checkout
        self.show_lines(cart)

    def show_lines(self, cart: Cart | None) -> None:
        table = self.table
        cursor = table.cursor_row
        table.clear()
        if cart is not None:
            for line in cart.lines:
                if line.stock == 0:
                    note = "out of stock"
                elif line.short_by:
                    note = f"only {line.stock} left"
                else:
                    note = ""
                # The mark goes first, so a long name is what gets cut, never the mark.
                name = Text(no_wrap=True, overflow="ellipsis")
                if note:
                    name.append(note, style="bold reverse")
                    name.append(" ")
                name.append(line.name)
                table.add_row(
                    name,
                    number_cell(money(line.unit_price)),
                    number_cell(line.quantity),
                    number_cell(money(line.line_total)),
                    key=str(line.product_id),
                )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self.show_detail()
        customer = self.session.counter_customer
        title = "Your cart"
        if cart is not None and cart.seller_name:
            title += f" · sold by {cart.seller_name}"
        if customer is not None:
            title += f" · Selling to: {customer.display_name}"
        self.query_one("#cart-title", Label).update(title)
        if cart is None or cart.is_empty:
            total = "The cart is empty."
        else:
            total = f"{cart.item_count} items · Total {money(cart.total)}"
            if not cart.can_checkout:
                total += " · fix the marked lines to check out"
        self.query_one("#cart-total", Label).update(total)
        self.busy_changed()

    @on(DataTable.RowHighlighted, "#cart-lines")
    def show_detail(self) -> None:
        """The highlighted line in full, under the table."""
        cart, product_id = self.session.cart, self.selected_product_id()
        line = next((x for x in cart.lines if x.product_id == product_id), None) if cart else None
        detail = self.query_one("#line-detail", DetailLine)
        if line is None or cart is None:
            detail.show(None)
            return
        stock = "out of stock" if line.stock == 0 else f"{line.stock} in stock"
        detail.show(
            line.name,
            f"SKU {line.sku}",
            cart.seller_name or "",
            f"{line.quantity} × {money(line.unit_price)} = {money(line.line_total)}",
            stock,
            f"{line.quantity} in cart",
        )

    def busy_changed(self) -> None:
        cart = self.session.cart
        ready = cart is not None and cart.can_checkout and not self.is_busy(CHECKOUT.tag)
        self.query_one("#checkout", Button).disabled = not ready
        self.refresh_bindings()

    @on(StockChanged)
    def stock_changed(self, message: StockChanged) -> None:
        cart = self.session.cart
        if cart is not None and any(line.product_id in message.levels for line in cart.lines):
            self.load_cart()

    # --- actions --------------------------------------------------------------

    def action_remove(self) -> None:
        product_id = self.selected_product_id()
        if product_id is not None:
            self.set_cart_line(product_id, 0)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_checkout(self) -> None:
        session = self.session
        cart = session.cart
        if self.is_busy(CHECKOUT.tag) or cart is None or not cart.can_checkout:
            return
        if self.checkout_key is None:
            self.checkout_key = f"tui-{uuid.uuid4().hex}"
            self._keyed_cart = cart
        key = self.checkout_key
        services, customer = self.workshop.services, session.counter_customer
        channel = checkout_channel(self.workshop)
        self.call(
            CHECKOUT,
            lambda: services.orders.checkout(
                session.actor,
                key,
                for_customer_id=customer.id if customer else None,
                channel=channel,
            ),
            waiting_text=WAITING,
        )

    def show_waiting(self, text: str | None) -> None:
        status = self.query_one("#cart-status", Label)
        status.update(text or "")
        status.display = text is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        cart = self.session.cart
        if action == "checkout":
            return cart is not None and cart.can_checkout and not self.is_busy(CHECKOUT.tag)
        if action in ("change", "remove"):
            return cart is not None and not cart.is_empty
        return True

    @on(Button.Pressed)
    def button(self, event: Button.Pressed) -> None:
        actions = {
            "line-more": lambda: self.action_change(1),
            "line-less": lambda: self.action_change(-1),
            "line-remove": self.action_remove,
            "checkout": self.action_checkout,
            "cart-back": self.action_back,
        }
        if event.button.id in actions:
            event.stop()
            actions[event.button.id]()

    # --- after checkout -------------------------------------------------------

    @on(ServiceResult)
    def order_placed(self, message: ServiceResult[Any]) -> None:
        from workshop_tui.screens.payment import PaymentScreen

        if not CHECKOUT.answered(message):
            return
        self.checkout_key = None
        self.session.cart = None
        self.app.push_screen(PaymentScreen(message.value), self._after_payment)

    def _after_payment(self, result: PaymentResult | None) -> None:
        from workshop_tui.screens.receipt import ReceiptScreen

        if result is not None:
            self.app.switch_screen(ReceiptScreen(result))
        else:
            self.dismiss(None)

    @on(ServiceFailed)
    def failed(self, message: ServiceFailed) -> None:
        if CHECKOUT.failed(message):
            self.notify(message.message, severity="error", markup=False)
            self.load_cart()
            return
        if not self.handle_cart_failure(message):
            self.notify(message.message, severity="error", markup=False)
