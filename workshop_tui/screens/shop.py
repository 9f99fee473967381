"""Shop: in-stock products with search-as-you-type, filters, keyset pages and +/-."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Button, DataTable, Header, Input, Select

from workshop_tui.messages import ServiceFailed, ServiceResult, StockChanged
from workshop_tui.screens.cart import CartScreen
from workshop_tui.screens.cart_actions import CartActionsScreen
from workshop_tui.service_call import ServiceCall
from workshop_tui.services.types import Cart, Category, Product, ProductPage, Seller
from workshop_tui.widgets.cart_bar import CartBar
from workshop_tui.widgets.confirm import ConfirmModal
from workshop_tui.widgets.detail_line import DetailLine
from workshop_tui.widgets.filter_fields import FilterInput, FilterSelect, LeaveFilter
from workshop_tui.widgets.footer import Footer
from workshop_tui.widgets.format import money, number_cell, plain
from workshop_tui.widgets.mode_bar import ModeBar
from workshop_tui.widgets.scanner import ScannerScreen

PAGE_SIZE = 50
DEBOUNCE_SECONDS = 0.05
WIDE = 110  # from this width the table also shows seller and category columns


# A scanned code: the product it named and the cart with one more of it.
SCAN = ServiceCall[tuple[Product, Cart]]("shop.scan")
# A page of products, with the search generation it answers and whether it extends the list.
SEARCH = ServiceCall[tuple[ProductPage, int, bool]]("catalog.search")
FILTERS = ServiceCall[tuple[list[Seller], list[Category]]]("catalog.filters")


class ShopScreen(ScannerScreen, CartActionsScreen):
    HELP_TITLE = "Shop"
    BINDINGS = [
        Binding(
            "plus,equals_sign",
            "change(1)",
            "Add",
            key_display="+/-",
            tooltip="One more of the highlighted product",
            id="shop.add",
        ),
        Binding(
            "minus",
            "change(-1)",
            "Less",
            tooltip="One fewer in the cart",
            show=False,
            id="shop.less",
        ),
        Binding("c", "open_cart", "Cart", tooltip="Open the cart to check out", id="shop.cart"),
        Binding("slash", "focus_search", "Search", tooltip="Type to search", id="shop.search"),
        Binding(
            "f",
            "focus_filters",
            "Filters",
            tooltip="Seller and category lists (Down or Esc: back)",
            show=False,
            id="shop.filters",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._generation = 0
        self._next_after: int | None = None
        self._searching = False
        self._loading_more = False
        self._timer: Timer | None = None
        self._last_keystroke = 0.0
        self._filters_requested = False
        self.filters_ready = False  # the seller and category lists have their options
        self._scanned_code = ""
        self.shown: dict[int, Product] = {}  # the rows on screen, for the detail line
        self.wide = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="shop-filters"):
            yield FilterInput(
                placeholder="Search products…", id="search", compact=True, max_length=100
            )
            yield FilterSelect((), prompt="All sellers", id="seller", compact=True)
            yield FilterSelect((), prompt="All categories", id="category", compact=True)
        yield DataTable(id="products", cursor_type="row", zebra_stripes=True)
        yield DetailLine(id="product-detail")
        yield CartBar(show_steppers=True)
        yield ModeBar("shop")
        yield Footer(show_command_palette=False)

    products = getters.query_one("#products", DataTable)

    @property
    def table(self) -> DataTable[Any]:
        return self.products

    def on_mount(self) -> None:
        # The name gets the room: seller and category are in the detail line, and in
        # columns of their own only on a wide terminal. 2 cells of padding per column,
        # 2 of border and 2 of scrollbar.
        width = self.app.size.width
        self.wide = width >= WIDE
        extra = (("Seller", "seller", 18), ("Category", "category", 14)) if self.wide else ()
        fixed = (("Price", "price", 10), ("Stock", "stock", 5), ("Cart", "incart", 4))
        columns = (*extra, *fixed)
        name_width = max(16, width - 4 - sum(w + 2 for _, _, w in columns) - 2)
        self.table.add_column("Product", key="name", width=name_width)
        for label, key, size in columns:
            self.table.add_column(label, key=key, width=size)
        self.workshop.stock_listeners.add(self)
        self.watch(self.table, "scroll_y", self._scrolled, init=False)
        self.reload()  # the cart loads on resume, which follows the first mount too
        self.table.focus()

    def load_filters(self) -> None:
        """The seller and category lists: after the first rows, which matter more."""
        services = self.workshop.services
        self.call(FILTERS, lambda: (services.catalog.sellers(), services.catalog.categories()))

    def on_unmount(self) -> None:
        self.workshop.stock_listeners.discard(self)

    def on_screen_resume(self) -> None:
        self.show_cart()
        if self.is_mounted and self.session.account is not None:
            self.load_cart()  # the cart or a checkout may have changed it

    # --- loading --------------------------------------------------------------

    def _filters(self) -> tuple[str, int | None, int | None]:
        query = self.query_one("#search", Input).value
        seller = self.query_one("#seller", Select).value
        category = self.query_one("#category", Select).value
        return (
            query,
            seller if isinstance(seller, int) else None,
            category if isinstance(category, int) else None,
        )

    def reload(self) -> None:
        """A new search: stale searches in the "catalog" group are cancelled."""
        self._generation += 1
        generation = self._generation
        query, seller, category = self._filters()
        services = self.workshop.services
        self._searching = True
        self.call(
            SEARCH,
            lambda: (
                services.catalog.search(
                    query, seller_id=seller, category_id=category, limit=PAGE_SIZE
                ),
                generation,
                False,
            ),
            group="catalog",
        )

    def load_more(self) -> None:
        if self._next_after is None or self._searching or self._loading_more:
            return
        self._loading_more = True
        generation, after = self._generation, self._next_after
        query, seller, category = self._filters()
        services = self.workshop.services
        self.call(
            SEARCH,
            lambda: (
                services.catalog.search(
                    query, seller_id=seller, category_id=category, limit=PAGE_SIZE, after=after
                ),
                generation,
                True,
            ),
            group="catalog-more",
        )

    def busy_changed(self) -> None:
        # An answer clears these as well; an unexpected error or a cancellation only ends here.
        self._searching = self._searching and self.is_busy("catalog")
        self._loading_more = self._loading_more and self.is_busy("catalog-more")

    # --- a barcode scanned anywhere on the screen ------------------------------

    def scanned(self, code: str, *, replace: bool = False) -> None:
        """One more of the product with this SKU in the cart (the counter's scan does the same)."""
        services, session = self.workshop.services, self.session
        self._scanned_code = code
        lock = session.cart_lock

        def scan() -> tuple[Product, Cart]:
            product = services.catalog.by_sku(code)
            with lock:  # cart calls run one at a time (cart_actions)
                return product, services.cart.change(session.actor, product.id, 1, replace=replace)

        self.call(SCAN, scan, group="cart", exclusive=False)

    def scan_failed(self, message: ServiceFailed) -> None:
        code = self._scanned_code
        if message.code != "seller_conflict":
            self.notify(f"{code}: {message.message}", title="Scan", severity="error", markup=False)
            return
        seller = message.details.get("cart_seller") or "another seller"

        def answer(replace: bool | None) -> None:
            if replace:
                self.scanned(code, replace=True)

        self.app.push_screen(
            ConfirmModal.replace_cart(seller, yours=False),
            answer,
        )

    @on(ServiceResult)
    def answered(self, message: ServiceResult[Any]) -> None:
        if SCAN.answered(message):
            product, cart = message.value
            self.session.cart = cart
            self.show_cart()
            self.cart_changed(cart)
            self.notify(f"Added {product.name} ({product.sku})", timeout=2, markup=False)
        elif SEARCH.answered(message):
            self.show_products(*message.value)
        elif FILTERS.answered(message):
            self.show_filters(*message.value)

    def show_products(self, page: ProductPage, generation: int, append: bool) -> None:
        if generation != self._generation:
            return  # an answer to a search the user has already changed
        table = self.table
        if append:
            self._loading_more = False
        else:
            self._searching = False
            table.clear()
            self.shown.clear()
        for product in page.items:
            if str(product.id) in table.rows:
                continue
            self.shown[product.id] = product
            extra = (plain(product.seller_name), plain(product.category_name)) if self.wide else ()
            table.add_row(
                plain(product.name),
                *extra,
                number_cell(money(product.price)),
                number_cell(product.stock),
                number_cell(self._in_cart(product.id)),
                key=str(product.id),
            )
        self.show_detail()
        self._next_after = page.next_after
        if not append and not page.items:
            self.notify("No products match.", timeout=2)
        if not self._filters_requested:
            self._filters_requested = True
            self.call_after_refresh(self.load_filters)

    def show_filters(self, sellers: list[Seller], categories: list[Category]) -> None:
        self.query_one("#seller", Select).set_options((s.name, s.id) for s in sellers)
        self.query_one("#category", Select).set_options((c.name, c.id) for c in categories)
        self.filters_ready = True

    @on(Input.Changed, "#search")
    def search_changed(self) -> None:
        """Debounce on both edges: a first keystroke searches at once, a burst of typing
        searches again once it pauses; each new search cancels the stale one."""
        if self._timer is not None:
            self._timer.stop()
        now = time.monotonic()
        if now - self._last_keystroke >= DEBOUNCE_SECONDS:
            self.reload()
        else:
            self._timer = self.set_timer(DEBOUNCE_SECONDS, self.reload, name="search-debounce")
        self._last_keystroke = now

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.table.focus()

    @on(Select.Changed)
    def filter_changed(self) -> None:
        self.reload()

    @on(DataTable.RowHighlighted, "#products")
    def near_end(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()
        if event.cursor_row >= self.table.row_count - 10:
            self.load_more()

    def show_detail(self) -> None:
        """The highlighted product in full, under the table."""
        product_id = self.selected_product_id()
        product = self.shown.get(product_id) if product_id is not None else None
        detail = self.query_one("#product-detail", DetailLine)
        if product is None:
            detail.show(None)
            return
        in_cart = self._in_cart(product.id)
        detail.show(
            product.name,
            f"SKU {product.sku}",
            product.seller_name,
            product.category_name,
            money(product.price),
            f"{product.stock} in stock",
            f"{in_cart} in cart" if in_cart else "",
        )

    @on(DataTable.RowSelected, "#products")
    def row_selected(self) -> None:
        self.action_change(1)

    def _scrolled(self, scroll_y: float) -> None:
        """Mouse wheel, scrollbar or end: near the bottom, fetch the next page."""
        table = self.table
        if table.row_count and scroll_y >= table.max_scroll_y - 3:
            self.load_more()

    # --- live stock -----------------------------------------------------------

    @on(StockChanged)
    def stock_changed(self, message: StockChanged) -> None:
        # Every sale on every terminal arrives here; most are of products not shown, and
        # those must cost nothing (no redraw) on a server with many sessions.
        table = self.table
        highlighted = self.selected_product_id()
        removed = False
        for product_id, stock in message.levels.items():
            key = str(product_id)
            if key not in table.rows:
                continue
            if stock <= 0:
                table.remove_row(key)
                self.shown.pop(product_id, None)
                removed = True  # the cursor may be on another product now
            else:
                table.update_cell(key, "stock", number_cell(stock))
                if product_id in self.shown:
                    self.shown[product_id] = replace(self.shown[product_id], stock=stock)
        if removed or highlighted in message.levels:
            self.show_detail()

    # --- cart -----------------------------------------------------------------

    def cart_changed(self, cart: Cart) -> None:
        table = self.table
        for key in list(table.rows):
            quantity = self._in_cart(int(key.value or 0))
            if str(table.get_cell(key, "incart")) != quantity:
                table.update_cell(key, "incart", number_cell(quantity))
        self.show_detail()

    def _in_cart(self, product_id: int) -> str:
        cart = self.session.cart
        quantity = cart.quantity_of(product_id) if cart is not None else 0
        return str(quantity) if quantity else ""

    @on(ServiceFailed)
    def failed(self, message: ServiceFailed) -> None:
        if SCAN.failed(message):
            self.scan_failed(message)
        elif not self.handle_cart_failure(message):
            self.notify(message.message, severity="error", markup=False)

    @on(Button.Pressed, "#cart-button")
    def cart_button(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_open_cart()

    @on(Button.Pressed, "#bar-add, #bar-less")
    def stepper(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_change(1 if event.button.id == "bar-add" else -1)

    def action_open_cart(self) -> None:
        if not isinstance(self.app.screen, CartScreen):
            self.app.push_screen(CartScreen())

    # --- focus ----------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    @on(LeaveFilter)
    def left_filter(self, event: LeaveFilter) -> None:
        event.stop()
        self.table.focus()

    def action_focus_filters(self) -> None:
        self.query_one("#seller", Select).focus()
