"""The counter screen ("counter" mode, staff): who is being served, and barcode entry.

Staff look a customer up by phone, take a walk-in, or register a new customer;
that customer becomes the session's `counter_customer`, and the shop mode then sells to
them. The screen always shows who is being served, and staff can stop serving.
A scan field (a keyboard-wedge scanner types the SKU then Enter) adds one unit
to the staff member's cart; the screen also says when this terminal's till is closed.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from workshop_tui.messages import ServiceFailed, ServiceResult
from workshop_tui.screens.counter_dialogs import NewCustomer, RegisterCustomerDialog
from workshop_tui.screens.drawer import DRAWER, drawer_said, open_drawer
from workshop_tui.screens.staff_common import (
    ORDER_COLUMNS,
    WHO_WIDTH,
    StaffScreen,
    money,
    status_label,
    when,
    who,
)
from workshop_tui.service_call import ServiceCall
from workshop_tui.services.types import Account, Cart, CashSession, OrderPage, Product
from workshop_tui.widgets.cart_bar import cart_summary
from workshop_tui.widgets.confirm import ConfirmModal
from workshop_tui.widgets.footer import Footer
from workshop_tui.widgets.mode_bar import ModeBar
from workshop_tui.widgets.scanner import ScannerScreen

TILL = ServiceCall[CashSession | None]("cash.current")
ORDERS = ServiceCall[tuple[int, OrderPage]]("orders.history")  # (customer id, page)
FIND = ServiceCall[tuple[str, Account | None]]("auth.find_customer")  # (phone, customer)
SERVE = ServiceCall[Account]("auth.customer")  # a walk-in or a newly registered customer
SCAN = ServiceCall[tuple[str, Product, Cart]]("counter.scan")

ACTIONS = (
    ("find", "p  Find a customer by phone"),
    ("walk_in", "w  Walk-in customer"),
    ("new_customer", "n  New customer"),
    ("sell", "s  Sell to this customer"),
    ("clear", "x  Stop serving"),
    ("scan", "b  Scan a barcode / SKU"),
)


class CounterScreen(ScannerScreen, StaffScreen):
    """Choose the customer the counter is selling to."""

    DEFAULT_CSS = """
    CounterScreen #serving {
        height: 3; border: round $primary; padding: 0 1; text-style: bold;
    }
    CounterScreen #serving.nobody { border: round $panel-lighten-2; text-style: none; }
    CounterScreen #counter-main { height: auto; }
    CounterScreen #counter-actions { width: 36; height: auto; max-height: 8; }
    CounterScreen #lookup { width: 1fr; height: auto; padding: 0 1; }
    CounterScreen #lookup-phone { width: 100%; }
    CounterScreen #scan-row { height: 3; }
    CounterScreen #scan { width: 30; }
    CounterScreen #scan-info { width: 1fr; height: 3; padding: 0 1; }
    CounterScreen #scan-result.error { color: $error; }
    CounterScreen #till-state { color: $success; }
    CounterScreen #till-state.closed { color: $warning; text-style: bold; }
    CounterScreen #counter-orders { height: 1fr; }
    CounterScreen #counter-orders-title { padding: 0 1; text-style: bold; }
    CounterScreen #counter-status { height: 1; padding: 0 1; }
    CounterScreen #counter-status.error { color: $error; }
    """
    BINDINGS = [
        Binding(
            "p", "find", "Find", tooltip="Find a customer by phone", show=False, id="counter.find"
        ),
        Binding(
            "w", "walk_in", "Walk-in", tooltip="Serve a walk-in", show=False, id="counter.walk_in"
        ),
        Binding(
            "n", "new_customer", "New", tooltip="Register a customer", show=False, id="counter.new"
        ),
        Binding(
            "s", "sell", "Sell", tooltip="Open the shop for them", show=False, id="counter.sell"
        ),
        Binding("x", "clear", "Clear", tooltip="Stop serving", show=False, id="counter.clear"),
        Binding("b", "scan", "Scan", tooltip="Scan a barcode or type a SKU", id="counter.scan"),
        Binding("escape", "focus_actions", "Actions", show=False, id="counter.actions"),
        Binding(
            "k",
            "open_drawer",
            "Drawer",
            tooltip="Open the cash drawer",
            show=False,
            id="counter.drawer",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.missing_phone = ""
        self.pending_scan = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="serving")
        with Horizontal(id="counter-main"):
            yield OptionList(
                *(Option(label, id=action) for action, label in ACTIONS), id="counter-actions"
            )
            with Vertical(id="lookup"):
                yield Input(placeholder="Customer phone, Enter to find", id="lookup-phone")
                yield Label("", id="lookup-result")
        with Horizontal(id="scan-row"):
            yield Input(placeholder="Scan or type a SKU", id="scan", max_length=40)
            with Vertical(id="scan-info"):
                yield Label("", id="scan-result")
                yield Label("", id="scan-cart")
                yield Label("", id="till-state")
        yield Label("Recent orders of the customer being served", id="counter-orders-title")
        yield DataTable(id="counter-orders", cursor_type="row", zebra_stripes=True)
        yield Label("", id="counter-status")
        yield ModeBar("counter")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#counter-orders", DataTable)
        for label, key, width in ORDER_COLUMNS:
            table.add_column(label, key=key, width=width)
        table.add_column("Seller", key="seller", width=WHO_WIDTH)

    def on_screen_resume(self) -> None:
        if self.back_from_dialog():
            return
        self.show_serving()
        self.show_cart(self.session.cart)
        self.call(TILL, self.services.cash.current, group="counter.till")
        self.query_one("#counter-actions", OptionList).focus()

    # --- who is being served ------------------------------------------------------

    @property
    def serving(self) -> Account | None:
        return self.session.counter_customer

    def serve(self, customer: Account | None) -> None:
        self.session.counter_customer = customer
        self.show_serving()

    def show_serving(self) -> None:
        customer = self.serving
        banner = self.query_one("#serving", Static)
        banner.set_class(customer is None, "nobody")
        table = self.query_one("#counter-orders", DataTable)
        table.clear()
        if customer is None:
            banner.update("Serving: nobody. Find a customer by phone, or take a walk-in.")
            self.sub_title = "Counter"
        else:
            banner.update(Text(f"Serving: {who(customer)}"))
            self.sub_title = f"Serving {customer.display_name}"
            self.load_orders(customer)
        self.refresh_bindings()

    def load_orders(self, customer: Account) -> None:
        actor = self.account
        if actor is None:
            return
        services = self.services
        self.call(
            ORDERS,
            lambda: (customer.id, services.orders.history(actor, customer_id=customer.id)),
            group="counter.orders",
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sell", "clear"):
            return self.serving is not None if self.is_mounted else False
        return True

    def status(self, text: str, *, error: bool = False) -> None:
        label = self.query_one("#counter-status", Label)
        label.update(Text(text))
        label.set_class(error, "error")

    # --- actions ------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#counter-actions")
    async def option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and self.check_action(event.option.id, ()):
            await self.run_action(event.option.id)

    def action_focus_actions(self) -> None:
        self.query_one("#counter-actions", OptionList).focus()

    def action_find(self) -> None:
        self.query_one("#lookup-phone", Input).focus()

    @on(Input.Submitted, "#lookup-phone")
    def lookup(self, event: Input.Submitted) -> None:
        actor, phone = self.account, event.value.strip()
        if actor is None or not phone:
            return
        services = self.services
        self.call(
            FIND,
            lambda: (phone, services.auth.find_customer(actor, phone)),
            group="counter.lookup",
        )

    def action_walk_in(self) -> None:
        actor = self.account
        if actor is not None:
            services = self.services
            self.call(SERVE, lambda: services.auth.walk_in_customer(actor), group="counter.lookup")

    def action_new_customer(self) -> None:
        actor = self.account
        if actor is None:
            return

        def register(new: NewCustomer | None) -> None:
            if new is None:
                return
            services = self.services
            self.call(
                SERVE,
                lambda: services.auth.register_customer(actor, new.phone, new.pin, new.name),
                group="counter.lookup",
            )

        self.open_dialog(RegisterCustomerDialog(self.missing_phone), register)

    def action_sell(self) -> None:
        if self.serving is not None:
            self.app.switch_mode("shop")

    def action_clear(self) -> None:
        self.serve(None)
        self.status("No longer serving anyone.")

    # --- barcode / SKU entry -------------------------------------------------------

    def action_scan(self) -> None:
        self.query_one("#scan", Input).focus()

    def scanned(self, code: str) -> None:
        """A scanner's burst anywhere on the screen: as if typed into the scan field."""
        if self.account is not None:
            self.add_scanned(code, replace=False)

    def action_open_drawer(self) -> None:
        open_drawer(self)

    @on(Input.Submitted, "#scan")
    def scan_submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        event.input.clear()
        if code and self.account is not None:
            self.add_scanned(code, replace=False)

    def add_scanned(self, code: str, *, replace: bool) -> None:
        session, services = self.session, self.services
        self.pending_scan = code
        lock = session.cart_lock

        def scan() -> tuple[str, Product, Cart]:
            product = services.catalog.by_sku(code)
            with lock:  # cart calls run one at a time (screens.cart_actions)
                cart = services.cart.change(session.actor, product.id, 1, replace=replace)
            return code, product, cart

        self.call(SCAN, scan, group="counter.scan")

    def scan_said(self, text: str, *, error: bool = False) -> None:
        label = self.query_one("#scan-result", Label)
        label.update(Text(text))
        label.set_class(error, "error")

    def show_cart(self, cart: Cart | None) -> None:
        self.query_one("#scan-cart", Label).update(cart_summary(cart))

    def show_till(self, session: CashSession | None) -> None:
        label = self.query_one("#till-state", Label)
        label.set_class(session is None, "closed")
        label.update(
            "Till closed: F7 to open" if session is None else f"Till open · session #{session.id}"
        )

    def ask_replace(self, code: str, details: dict[str, Any]) -> None:
        seller = details.get("cart_seller") or "another seller"

        def answer(replace: bool | None) -> None:
            if replace:
                self.add_scanned(code, replace=True)
            self.query_one("#scan", Input).focus()

        self.open_dialog(
            ConfirmModal.replace_cart(seller, yours=False),
            answer,
        )

    # --- results ------------------------------------------------------------------

    @on(ServiceResult)
    def service_done(self, event: ServiceResult[Any]) -> None:
        if FIND.answered(event):
            phone, customer = event.value
            if customer is None:
                self.missing_phone = phone
                self.query_one("#lookup-result", Label).update(
                    Text(f"No customer with {phone}. Press n to register them.")
                )
                self.status(f"not_found: no customer with {phone}", error=True)
            else:
                self.now_serving(customer)
        elif SERVE.answered(event):
            self.now_serving(event.value)
        elif SCAN.answered(event):
            _, product, cart = event.value
            self.session.cart = cart
            line = next((x for x in cart.lines if x.product_id == product.id), None)
            count = f" · {line.quantity} in cart" if line else ""
            self.scan_said(f"Added {product.name} ({product.sku}){count}")
            self.show_cart(cart)
        elif TILL.answered(event):
            self.show_till(event.value)
        elif DRAWER.answered(event):
            self.status(drawer_said(event.value), error=not event.value.printed)
        elif ORDERS.answered(event):
            customer_id, page = event.value
            if self.serving is not None and self.serving.id == customer_id:
                self.show_orders(page)

    def now_serving(self, customer: Account) -> None:
        self.missing_phone = ""
        self.query_one("#lookup-phone", Input).clear()
        self.query_one("#lookup-result", Label).update("")
        self.serve(customer)
        self.status(f"Serving {customer.display_name}. Press s to sell.")
        self.query_one("#counter-actions", OptionList).focus()

    @on(ServiceFailed)
    def service_failed(self, event: ServiceFailed) -> None:
        event.stop()
        if SCAN.failed(event):
            if event.code == "seller_conflict":
                self.ask_replace(self.pending_scan, event.details)
            self.scan_said(f"{event.code}: {event.message}", error=True)
            return
        self.status(f"{event.code}: {event.message}", error=True)
        self.notify(event.message, title=event.code, severity="error", markup=False)

    def show_orders(self, page: OrderPage) -> None:
        table = self.query_one("#counter-orders", DataTable)
        table.clear()
        for order in page.items:
            table.add_row(
                str(order.id),
                when(order.created_at),
                status_label(order),
                str(order.item_count),
                Text(money(order.total), justify="right"),
                Text(order.seller_name[:WHO_WIDTH]),
                key=str(order.id),
            )
