"""The cart's count and total, always visible (the screens' cart actions: screens.cart_actions)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Label

from workshop_tui.services.types import Cart
from workshop_tui.widgets.format import money


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
