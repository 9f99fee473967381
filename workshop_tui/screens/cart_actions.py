"""The cart actions shared by the shop and cart screens.

`CartActionsScreen` loads and changes the actor's cart in a thread worker, keeps
`session.cart` current, refreshes any `CartBar` on the screen and turns
seller_conflict into "Replace it?".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual import on
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from workshop_tui.messages import ServiceFailed, ServiceResult
from workshop_tui.service_call import ServiceCall, WorkshopScreen
from workshop_tui.services.types import Cart
from workshop_tui.widgets.cart_bar import CartBar
from workshop_tui.widgets.confirm import ConfirmModal

CART_GET = ServiceCall[Cart]("cart.get")
CART_CHANGE = ServiceCall[Cart]("cart.change")
CART_SET = ServiceCall[Cart]("cart.set")
CART_CALLS = (CART_GET, CART_CHANGE, CART_SET)


class CartActionsScreen(WorkshopScreen[None]):
    """Subclasses provide `table` (rows keyed by product id) and may override `cart_changed`."""

    def __init__(self) -> None:
        super().__init__()
        self._pending_change: tuple[int, int] | None = None
        # Set while a reload waits its turn; its thread clears it (an Event: safe across threads).
        self._reload_queued = threading.Event()

    @property
    def table(self) -> DataTable[Any]:
        raise NotImplementedError

    def _cart_call(self, kind: ServiceCall[Cart], call: Callable[[], Cart]) -> None:
        """Cart calls run one at a time, in order, so a reload can never overtake a change
        and paint an older cart over a newer one. None is cancelled: every press counts."""
        lock = self.session.cart_lock

        def serialised() -> Cart:
            with lock:
                return call()

        self.call(kind, serialised, group="cart", exclusive=False)

    def selected_product_id(self) -> int | None:
        """The product of the selected row of `self.table` (rows are keyed by product id)."""
        table = self.table
        if table.row_count == 0:
            return None
        try:
            row_key, _ = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0))
        except RowDoesNotExist:
            return None
        return int(row_key.value) if row_key.value is not None else None

    def action_change(self, delta: int) -> None:
        """+/- act on the highlighted row, from wherever the focus was: the table takes
        it back, so the row that changed is the one the user sees highlighted."""
        product_id = self.selected_product_id()
        if product_id is not None:
            self.table.focus()
            self.change_cart(product_id, delta)

    def load_cart(self) -> None:
        """Reload the cart, unless a reload is already waiting to run (it will be as fresh)."""
        if self._reload_queued.is_set():
            return
        self._reload_queued.set()
        services, session, queued = (
            self.workshop.services,
            self.session,
            self._reload_queued,
        )

        def reload() -> Cart:
            queued.clear()  # from here on, a new request needs a new call
            return services.cart.get(session.actor)

        self._cart_call(CART_GET, reload)

    def change_cart(self, product_id: int, delta: int, *, replace: bool = False) -> None:
        services, session = self.workshop.services, self.session
        self._pending_change = (product_id, delta)
        self._cart_call(
            CART_CHANGE,
            lambda: services.cart.change(session.actor, product_id, delta, replace=replace),
        )

    def set_cart_line(self, product_id: int, quantity: int) -> None:
        services, session = self.workshop.services, self.session
        self._cart_call(
            CART_SET, lambda: services.cart.set_quantity(session.actor, product_id, quantity)
        )

    @on(ServiceResult)
    def cart_answered(self, message: ServiceResult[Any]) -> None:
        for kind in CART_CALLS:
            if kind.answered(message):
                self.session.cart = message.value
                self.show_cart()
                self.cart_changed(message.value)
                return

    def cart_changed(self, cart: Cart) -> None:
        """Hook for screens (the shop refreshes its "in cart" column)."""

    def show_cart(self) -> None:
        session = self.session
        customer = session.counter_customer
        for bar in self.query(CartBar):
            bar.show(session.cart, customer.display_name if customer else None)

    def handle_cart_failure(self, message: ServiceFailed) -> bool:
        """seller_conflict asks "Replace it?" and retries with replace=True; True if handled."""
        if message.code == "seller_conflict" and self._pending_change is not None:
            product_id, delta = self._pending_change
            seller = message.details.get("cart_seller") or "another seller"

            def answer(replace: bool | None) -> None:
                if replace:
                    self.change_cart(product_id, max(delta, 1), replace=True)

            self.app.push_screen(
                ConfirmModal.replace_cart(seller, yours=True),
                answer,
            )
            return True
        if any(kind.failed(message) for kind in CART_CALLS):
            self.notify(message.message, severity="warning", markup=False)
            return True
        return False
