"""The cart's count and total, always visible, and the cart actions shared by screens.

`CartMixin` (for Screens that also mix in `ServiceCaller`) loads and changes the
actor's cart in a thread worker, keeps `app.cart` current, refreshes any `CartBar`
on the screen and turns seller_conflict into "Replace it?".
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import Button, Label
from textual.widgets.data_table import RowDoesNotExist

from workshop_tui.messages import ServiceFailed
from workshop_tui.services.types import Cart
from workshop_tui.widgets.confirm import ConfirmModal
from workshop_tui.widgets.format import money


class CartLoaded(Message):
    def __init__(self, cart: Cart) -> None:
        super().__init__()
        self.cart = cart


def cart_summary(cart: Cart | None) -> str:
    if cart is None or cart.is_empty:
        return "Cart: empty"
    items = cart.item_count
    return f"Cart: {items} item{'s' if items != 1 else ''} · {money(cart.total)}"


class CartBar(Horizontal):
    """One line: who we are selling to (at the counter), +/- buttons, and the cart button."""

    DEFAULT_CSS = """
    CartBar { height: 1; background: $panel; }
    CartBar #selling-to { width: 1fr; padding: 0 1; color: $warning; text-style: bold; }
    CartBar Button { margin: 0 1 0 0; }
    CartBar #cart-button { min-width: 24; }
    """

    def __init__(self, *, show_steppers: bool = False) -> None:
        super().__init__(id="cart-bar")
        self.show_steppers = show_steppers

    def compose(self) -> ComposeResult:
        yield Label("", id="selling-to", markup=False)
        if self.show_steppers:
            yield Button("+ Add", id="bar-add", compact=True, variant="success")
            yield Button("- Less", id="bar-less", compact=True)
        yield Button(cart_summary(None), id="cart-button", compact=True, variant="primary")

    def show(self, cart: Cart | None, selling_to: str | None) -> None:
        self.query_one("#cart-button", Button).label = cart_summary(cart)
        self.query_one("#selling-to", Label).update(
            f"Selling to: {selling_to}" if selling_to else ""
        )


class CartMixin:
    """Needs `ServiceCaller` too. Subclasses may override `cart_changed(cart)`."""

    _pending_change: tuple[int, int] | None = None
    _cart_reload_waiting = False

    def _cart_call(self, call: Callable[[], Cart], action: str) -> None:
        """Cart calls run one at a time, in order, so a reload can never overtake a change
        and paint an older cart over a newer one. None is cancelled: every press counts."""
        lock = self.app.cart_lock  # type: ignore[attr-defined]

        def serialised() -> Cart:
            with lock:
                return call()

        self.call_service(  # type: ignore[attr-defined]
            serialised, CartLoaded, group="cart", exclusive=False, action=action
        )

    def selected_product_id(self) -> int | None:
        """The product of the selected row of `self.table` (rows are keyed by product id)."""
        table = self.table  # type: ignore[attr-defined]
        if table.row_count == 0:
            return None
        try:
            row_key, _ = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0))
        except RowDoesNotExist:
            return None
        return int(row_key.value) if row_key.value is not None else None

    def action_change(self, delta: int) -> None:
        product_id = self.selected_product_id()
        if product_id is not None:
            self.change_cart(product_id, delta)

    def load_cart(self) -> None:
        """Reload the cart, unless a reload is already waiting to run (it will be as fresh)."""
        if self._cart_reload_waiting:
            return
        self._cart_reload_waiting = True
        services, account = self.app.services, self.app.account  # type: ignore[attr-defined]

        def reload() -> Cart:
            self._cart_reload_waiting = False  # from here on, a new request needs a new call
            return services.cart.get(account)

        self._cart_call(reload, "cart.get")

    def change_cart(self, product_id: int, delta: int, *, replace: bool = False) -> None:
        services, account = self.app.services, self.app.account  # type: ignore[attr-defined]
        self._pending_change = (product_id, delta)
        self._cart_call(
            lambda: services.cart.change(account, product_id, delta, replace=replace),
            "cart.change",
        )

    def set_cart_line(self, product_id: int, quantity: int) -> None:
        services, account = self.app.services, self.app.account  # type: ignore[attr-defined]
        self._cart_call(
            lambda: services.cart.set_quantity(account, product_id, quantity), "cart.set"
        )

    # A plain mixin gets no @on() registration: handlers go by their conventional names.
    def on_cart_loaded(self, message: CartLoaded) -> None:
        self.app.cart = message.cart  # type: ignore[attr-defined]
        self.show_cart()
        self.cart_changed(message.cart)

    def cart_changed(self, cart: Cart) -> None:
        """Hook for screens (the shop refreshes its "in cart" column)."""

    def show_cart(self) -> None:
        app = self.app  # type: ignore[attr-defined]
        customer = app.counter_customer
        for bar in self.query(CartBar):  # type: ignore[attr-defined]
            bar.show(app.cart, customer.display_name if customer else None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cart-button":
            event.stop()
            self.action_open_cart()
        elif event.button.id in ("bar-add", "bar-less"):
            event.stop()
            self.action_change(1 if event.button.id == "bar-add" else -1)  # type: ignore[attr-defined]

    def action_open_cart(self) -> None:
        from workshop_tui.screens.cart import CartScreen

        app = self.app  # type: ignore[attr-defined]
        if not isinstance(app.screen, CartScreen):
            app.push_screen(CartScreen())

    def handle_cart_failure(self, message: ServiceFailed) -> bool:
        """seller_conflict asks "Replace it?" and retries with replace=True; True if handled."""
        if message.code == "seller_conflict" and self._pending_change is not None:
            product_id, delta = self._pending_change
            seller = message.details.get("cart_seller") or "another seller"

            def answer(replace: bool | None) -> None:
                if replace:
                    self.change_cart(product_id, max(delta, 1), replace=True)

            self.app.push_screen(  # type: ignore[attr-defined]
                ConfirmModal(
                    f"Your cart has items from {seller}. Replace it?",
                    yes="Replace cart",
                    no="Keep my cart",
                ),
                answer,
            )
            return True
        if message.action.startswith("cart."):
            self.notify(message.message, severity="warning", markup=False)  # type: ignore[attr-defined]
            return True
        return False
