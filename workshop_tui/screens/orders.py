"""The orders screen ("orders" mode): a customer's own orders, or every order for staff.

Newest first, older pages loaded as the cursor nears the end (keyset `before`).
The selected order's lines, payments (with their ledger position) and refunds
show below the list. Customers cancel and return their own orders; staff also
filter by status and customer phone, and fulfil, cancel or return on a
customer's behalf.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from workshop_tui.messages import ServiceFailed, ServiceResult
from workshop_tui.screens.order_dialogs import CancelOrderDialog, ReturnChoice, ReturnItemsDialog
from workshop_tui.screens.order_ops import DiscountAndReceiptActions
from workshop_tui.screens.order_view import order_details
from workshop_tui.screens.staff_common import (
    ORDER_COLUMNS,
    WHO_WIDTH,
    money,
    status_label,
    when,
)
from workshop_tui.service_call import ServiceCall
from workshop_tui.services.errors import NotFound
from workshop_tui.services.states import OrderAction, OrderStatus
from workshop_tui.services.types import Account, Order, OrderPage, PaymentResult
from workshop_tui.widgets.filter_fields import FilterInput, FilterSelect, LeaveFilter
from workshop_tui.widgets.footer import Footer
from workshop_tui.widgets.mode_bar import ModeBar

PAGE_SIZE = 20
PAGE = ServiceCall[tuple[int, bool, OrderPage]]("orders.page")  # (generation, reset, page)
CUSTOMER = ServiceCall[Account]("orders.customer")
# Each answers with the order as it is now; the status line says its new state.
CANCEL = ServiceCall[Order]("orders.cancel")
RETURN = ServiceCall[Order]("orders.return")
FULFIL = ServiceCall[Order]("orders.fulfil")
# The key bindings' actions and the order actions they need.
NEEDS = {
    "pay": OrderAction.PAY,
    "cancel_order": OrderAction.CANCEL,
    "return_items": OrderAction.RETURN,
    "fulfil": OrderAction.FULFIL,
    "discount": OrderAction.DISCOUNT,
}


class OrdersScreen(DiscountAndReceiptActions):
    """The customer's order history, or every order with filters for staff."""

    DEFAULT_CSS = """
    OrdersScreen #order-filters { height: 3; }
    OrdersScreen #order-filters Select { width: 26; }
    OrdersScreen #order-filters Input { width: 28; }
    OrdersScreen #order-filters Label { padding: 1 1; color: $text-muted; }
    OrdersScreen #orders { height: 1fr; min-height: 5; }
    OrdersScreen #order-detail { height: 1fr; border-top: solid $primary; padding: 0 1; }
    OrdersScreen #orders-status { height: 1; padding: 0 1; }
    OrdersScreen #orders-status.error { color: $error; }
    """
    BINDINGS = [
        Binding("p", "pay", "Pay", tooltip="Pay this unpaid order", id="orders.pay"),
        Binding("c", "cancel_order", "Cancel", tooltip="Cancel the order", id="orders.cancel"),
        Binding("r", "return_items", "Return", tooltip="Return items", id="orders.return"),
        Binding("f", "fulfil", "Fulfil", tooltip="Hand the goods over", id="orders.fulfil"),
        Binding(
            "d", "discount", "Discount", tooltip="Discount this unpaid order", id="orders.discount"
        ),
        Binding(
            "t",
            "receipt",
            "Receipt",
            tooltip="Print a receipt (reprints say DUPLICATE)",
            id="orders.receipt",
        ),
        Binding(
            "slash", "filter", "Filter", tooltip="Filter by phone", show=False, id="orders.filter"
        ),
        Binding(
            "g", "reload", "Reload", tooltip="Load the list again", show=False, id="orders.reload"
        ),
        Binding(
            "escape", "focus_list", "List", tooltip="Back to the list", show=False, id="orders.list"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.orders: dict[int, Order] = {}
        self.next_before: int | None = None
        self.fetching = False
        self.customer_filter: Account | None = None
        self.generation = 0
        self.shown_for: tuple[int, bool] | None = None
        self.who_width = WHO_WIDTH

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="order-filters"):
            yield FilterSelect(
                [(s.label, s.value) for s in OrderStatus],
                prompt="Any status",
                id="status-filter",
            )
            yield FilterInput(placeholder="Customer phone", id="phone-filter", max_length=20)
            yield Label("", id="filter-note")
        yield DataTable(id="orders", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="order-detail"):
            yield Static("", id="order-detail-body")
        yield Label("", id="orders-status")
        yield ModeBar("orders")
        yield Footer(compact=True, show_command_palette=False)

    # --- state ------------------------------------------------------------------

    @property
    def is_staff(self) -> bool:
        return bool(self.account and self.account.is_staff)

    @property
    def selected(self) -> Order | None:
        table = self.query_one("#orders", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.orders.get(int(key)) if key else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        order = self.selected if self.is_mounted else None
        if action in NEEDS:
            return order is not None and order.can(NEEDS[action], staff=self.is_staff)
        if action == "filter":
            return self.is_staff
        if action == "receipt":
            return order is not None and any(p.status == "succeeded" for p in order.payments)
        return True

    def status(self, text: str, *, error: bool = False) -> None:
        label = self.query_one("#orders-status", Label)
        label.update(Text(text))
        label.set_class(error, "error")

    # --- loading ----------------------------------------------------------------

    def on_mount(self) -> None:
        table = self.query_one("#orders", DataTable)
        self.watch(table, "scroll_y", self._scrolled, init=False)

    def _scrolled(self, scroll_y: float) -> None:
        """Mouse wheel or page keys near the end load the next (older) page."""
        table = self.query_one("#orders", DataTable)
        if table.max_scroll_y - scroll_y <= 2:
            self.load(reset=False)

    def on_screen_resume(self) -> None:
        if self.back_from_dialog():
            return
        account = self.account
        if account is None:
            return
        if self.shown_for != (account.id, account.is_staff):
            self.shown_for = (account.id, account.is_staff)
            self.customer_filter = None
            self._set_columns()
        self.query_one("#order-filters").display = self.is_staff
        self.sub_title = "All orders" if self.is_staff else "My orders"
        self.load(reset=True)
        self.query_one("#orders", DataTable).focus()

    def _set_columns(self) -> None:
        table = self.query_one("#orders", DataTable)
        table.clear(columns=True)
        for label, key, width in ORDER_COLUMNS:
            table.add_column(label, key=key, width=width)
        self.who_width = max(WHO_WIDTH, min(40, self.app.size.width - 80 + WHO_WIDTH))
        table.add_column("Customer" if self.is_staff else "Seller", key="who", width=self.who_width)

    def load(self, *, reset: bool) -> None:
        account = self.account
        if account is None:
            return
        if reset:
            self.generation += 1
        elif self.next_before is None or self.fetching:
            return
        self.fetching = True
        gen, before = self.generation, None if reset else self.next_before
        status = self.query_one("#status-filter", Select).value
        customer = self.customer_filter
        services = self.services

        def fetch() -> tuple[int, bool, OrderPage]:
            page = services.orders.history(
                account,
                customer_id=customer.id if customer else None,
                status=status if isinstance(status, str) else None,
                limit=PAGE_SIZE,
                before=before,
            )
            return gen, reset, page

        self.call(PAGE, fetch, group="orders.list")

    def busy_changed(self) -> None:
        # An answer clears it too; an unexpected error or a cancellation only ends here.
        self.fetching = self.fetching and self.is_busy("orders.list")

    @on(ServiceResult)
    def service_done(self, event: ServiceResult[Any]) -> None:
        if PAGE.answered(event):
            self._show_page(*event.value)
        elif CUSTOMER.answered(event):
            self.customer_filter = event.value
            self._filter_note()
            self.load(reset=True)
        elif CANCEL.answered(event) or RETURN.answered(event) or FULFIL.answered(event):
            order = event.value
            self._replace(order)
            done = f"Order #{order.id} {status_label(order)}."
            self.status(done)
            if not FULFIL.answered(event):
                self.offer_refund_receipt(order, done)

    @on(ServiceFailed)
    def service_failed(self, event: ServiceFailed) -> None:
        if PAGE.failed(event):
            self.fetching = False
        self.status(f"{event.code}: {event.message}", error=True)
        self.notify(event.message, title=event.code, severity="error", markup=False)

    def _show_page(self, gen: int, reset: bool, page: OrderPage) -> None:
        if gen != self.generation:
            return
        self.fetching = False
        table = self.query_one("#orders", DataTable)
        if reset:
            table.clear()
            self.orders.clear()
        for order in page.items:
            self.orders[order.id] = order
            table.add_row(*self._cells(order), key=str(order.id))
        self.next_before = page.next_before
        if not self.orders:
            self.status("No orders yet." if not self.is_staff else "No orders match.")
        elif reset:
            self.status(f"{len(self.orders)}{'+' if self.next_before else ''} orders")
        self._show_selected()

    def _cells(self, order: Order) -> tuple[str | Text, ...]:
        who = order.customer_name if self.is_staff else order.seller_name
        return (
            str(order.id),
            when(order.created_at),
            status_label(order),
            str(order.item_count),
            Text(money(order.total), justify="right"),
            Text(who[: self.who_width]),
        )

    def _replace(self, order: Order) -> None:
        self.orders[order.id] = order
        table = self.query_one("#orders", DataTable)
        for key, value in zip(
            ("id", "placed", "status", "items", "total", "who"), self._cells(order), strict=True
        ):
            table.update_cell(str(order.id), key, value)
        self._show_selected()

    def _show_selected(self) -> None:
        order = self.selected
        body = self.query_one("#order-detail-body", Static)
        if order is None:
            body.update("")
        else:
            body.update(order_details(order, staff=self.is_staff))
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#orders")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_selected()
        if event.cursor_row >= event.data_table.row_count - 3:
            self.load(reset=False)

    # --- filters (staff) --------------------------------------------------------

    @on(Select.Changed, "#status-filter")
    def status_changed(self) -> None:
        self.load(reset=True)

    @on(Input.Submitted, "#phone-filter")
    def phone_submitted(self, event: Input.Submitted) -> None:
        account, phone = self.account, event.value.strip()
        if account is None:
            return
        if not phone:
            self.customer_filter = None
            self._filter_note()
            self.load(reset=True)
            return

        services = self.services

        def lookup() -> Account:
            found = services.auth.find_customer(account, phone)
            if found is None:
                raise NotFound(f"no customer with phone {phone}")
            return found

        self.call(CUSTOMER, lookup, group="orders.lookup")

    def _filter_note(self) -> None:
        who = self.customer_filter
        note = f"Customer: {who.display_name}" if who else ""
        self.query_one("#filter-note", Label).update(Text(note))

    def action_filter(self) -> None:
        self.query_one("#phone-filter", Input).focus()

    @on(LeaveFilter)
    def action_focus_list(self) -> None:
        self.query_one("#orders", DataTable).focus()

    def action_reload(self) -> None:
        self.load(reset=True)

    # --- actions ----------------------------------------------------------------

    def action_cancel_order(self) -> None:
        order, account = self.selected, self.account
        if order is None or account is None:
            return

        services = self.services

        def cancel(reason: str | None) -> None:
            if reason is None:
                return
            self.call(
                CANCEL,
                lambda: services.orders.cancel(account, order.id, reason, route=order.route),
                group="orders.action",
            )

        self.open_dialog(CancelOrderDialog(order), cancel)

    def action_pay(self) -> None:
        """Open the payment screen (part A's) for an unpaid order, then its receipt."""
        from workshop_tui.screens.payment import PaymentScreen
        from workshop_tui.screens.receipt import ReceiptScreen

        order = self.selected
        if order is None or not order.can(OrderAction.PAY, staff=self.is_staff):
            return

        def paid(result: PaymentResult | None) -> None:
            if result is None:  # the order was cancelled on the payment screen
                self.load(reset=True)
                return
            self._replace(result.order)
            self.app.push_screen(ReceiptScreen(result))

        self.open_dialog(PaymentScreen(order), paid)

    def action_return_items(self) -> None:
        order, account = self.selected, self.account
        if order is None or account is None:
            return

        services = self.services

        def give_back(choice: ReturnChoice | None) -> None:
            if choice is None:
                return
            self.call(
                RETURN,
                lambda: services.orders.return_items(
                    account, order.id, list(choice.items), choice.reason, route=order.route
                ),
                group="orders.action",
            )

        self.open_dialog(ReturnItemsDialog(order), give_back)

    def action_fulfil(self) -> None:
        order, account = self.selected, self.account
        if order is None or account is None:
            return
        services = self.services
        self.call(
            FULFIL,
            lambda: services.orders.fulfil(account, order.id, route=order.route),
            group="orders.action",
        )
