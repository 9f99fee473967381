"""The stock screen ("stock" mode, staff): the low-stock list and restocking.

Restock the selected low-stock product, or find any product by its SKU.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Label

from workshop_tui.messages import ServiceFailed, ServiceResult, StockChanged
from workshop_tui.screens.counter_dialogs import RestockDialog, RestockTarget
from workshop_tui.screens.staff_common import StaffScreen
from workshop_tui.service_call import ServiceCall
from workshop_tui.services.types import LowStockItem, Product
from workshop_tui.widgets.detail_line import DetailLine
from workshop_tui.widgets.filter_fields import FilterInput, LeaveFilter
from workshop_tui.widgets.footer import Footer
from workshop_tui.widgets.format import plain
from workshop_tui.widgets.mode_bar import ModeBar

LOW = ServiceCall[list[LowStockItem]]("stock.low")
SKU = ServiceCall[Product]("catalog.by_sku")
RESTOCK = ServiceCall[Product]("stock.restock")


class StockScreen(StaffScreen):
    """Products at or below their low-stock threshold, emptiest first."""

    DEFAULT_CSS = """
    StockScreen #sku-bar { height: 3; }
    StockScreen #sku-bar Label { padding: 1 1; }
    StockScreen #sku { width: 30; }
    StockScreen #low-stock { height: 1fr; }
    StockScreen #stock-status { height: 1; padding: 0 1; }
    StockScreen #stock-status.error { color: $error; }
    """
    BINDINGS = [
        Binding(
            "r", "restock", "Restock", tooltip="Restock the selected product", id="stock.restock"
        ),
        Binding("slash", "find_sku", "SKU", tooltip="Find a product by SKU", id="stock.sku"),
        Binding("g", "reload", "Reload", tooltip="Reload the list", show=False, id="stock.reload"),
        Binding(
            "escape", "focus_list", "List", tooltip="Back to the list", show=False, id="stock.list"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[int, LowStockItem] = {}
        self.name_width, self.seller_width = 24, 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="sku-bar"):
            yield Label("Restock by SKU:")
            yield FilterInput(placeholder="SKU, Enter", id="sku", max_length=64)
        yield DataTable(id="low-stock", cursor_type="row", zebra_stripes=True)
        yield DetailLine(id="stock-detail")
        yield Label("", id="stock-status")
        yield ModeBar("stock")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = "Low stock"
        table = self.query_one("#low-stock", DataTable)
        table.add_column("SKU", key="sku", width=12)
        # The name gets the room; the seller has a column only on a wide terminal (the
        # detail line names it). 2 cells of padding per column and 2 of scrollbar.
        width = self.app.size.width
        self.seller_width = 20 if width >= 110 else 0
        fixed = 12 + 5 + 6 + (self.seller_width + 2 if self.seller_width else 0) + 3 * 2
        self.name_width = max(20, width - fixed - 2 - 2)
        table.add_column("Product", key="name", width=self.name_width)
        if self.seller_width:
            table.add_column("Seller", key="seller", width=self.seller_width)
        table.add_column("Stock", key="stock", width=5)
        table.add_column("Low at", key="threshold", width=6)
        self.workshop.stock_listeners.add(self)

    def on_unmount(self) -> None:
        self.workshop.stock_listeners.discard(self)

    @on(StockChanged)
    def stock_changed(self, event: StockChanged) -> None:
        """Another terminal sold or restocked: refresh the list if it is on screen."""
        if self.is_current:
            self.action_reload()

    def on_screen_resume(self) -> None:
        if self.back_from_dialog():
            return
        self.action_reload()
        self.query_one("#low-stock", DataTable).focus()

    def status(self, text: str, *, error: bool = False) -> None:
        label = self.query_one("#stock-status", Label)
        label.update(Text(text))
        label.set_class(error, "error")

    @property
    def selected(self) -> LowStockItem | None:
        table = self.query_one("#low-stock", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.items.get(int(key)) if key else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "restock":
            return self.is_mounted and self.selected is not None
        return True

    # --- loading ------------------------------------------------------------------

    def action_reload(self) -> None:
        actor = self.account
        if actor is not None:
            services = self.services
            self.call(LOW, lambda: services.stock.low_stock(actor), group="stock.list")

    def show_low_stock(self, items: list[LowStockItem]) -> None:
        table = self.query_one("#low-stock", DataTable)
        keep = self.selected.product_id if self.selected else None
        table.clear()
        self.items = {item.product_id: item for item in items}
        for item in items:
            seller = (plain(item.seller_name),) if self.seller_width else ()
            table.add_row(
                plain(item.sku),
                plain(item.name),
                *seller,
                Text(str(item.stock), justify="right", style="bold red" if item.stock == 0 else ""),
                Text(str(item.threshold), justify="right"),
                key=str(item.product_id),
            )
        if keep in self.items:
            table.move_cursor(row=table.get_row_index(str(keep)))
        if not items:
            self.status("Nothing is low on stock.")
        self.highlighted()

    @on(DataTable.RowHighlighted, "#low-stock")
    def highlighted(self) -> None:
        item = self.selected
        detail = self.query_one("#stock-detail", DetailLine)
        if item is None:
            detail.show(None)
        else:
            detail.show(
                item.name,
                f"SKU {item.sku}",
                item.seller_name,
                f"{item.stock} in stock",
                f"low at {item.threshold}",
            )
        self.refresh_bindings()

    # --- restocking ---------------------------------------------------------------

    def action_find_sku(self) -> None:
        self.query_one("#sku", Input).focus()

    @on(LeaveFilter)
    def action_focus_list(self) -> None:
        self.query_one("#low-stock", DataTable).focus()

    @on(Input.Submitted, "#sku")
    def sku_submitted(self, event: Input.Submitted) -> None:
        sku = event.value.strip()
        if sku:
            services = self.services
            self.call(SKU, lambda: services.catalog.by_sku(sku), group="stock.sku")

    @on(DataTable.RowSelected, "#low-stock")
    def action_restock(self) -> None:
        item = self.selected
        if item is not None:
            self.ask_quantity(RestockTarget(item.product_id, item.name, item.sku, item.stock))

    def ask_quantity(self, target: RestockTarget) -> None:
        actor = self.account
        if actor is None:
            return

        def restock(quantity: int | None) -> None:
            if quantity is None:
                return
            services = self.services
            self.call(
                RESTOCK,
                lambda: services.stock.restock(actor, target.product_id, quantity),
                group="stock.restock",
            )

        self.open_dialog(RestockDialog(target), restock)

    @on(ServiceResult)
    def service_done(self, event: ServiceResult[Any]) -> None:
        if LOW.answered(event):
            self.show_low_stock(event.value)
        elif SKU.answered(event):
            product = event.value
            self.query_one("#sku", Input).clear()
            self.ask_quantity(RestockTarget(product.id, product.name, product.sku, product.stock))
        elif RESTOCK.answered(event):
            product = event.value
            self.status(f"Restocked {product.name}: {product.stock} in stock.")
            self.action_reload()
            self.query_one("#low-stock", DataTable).focus()

    @on(ServiceFailed)
    def service_failed(self, event: ServiceFailed) -> None:
        event.stop()
        self.status(f"{event.code}: {event.message}", error=True)
        self.notify(event.message, title=event.code, severity="error", markup=False)
