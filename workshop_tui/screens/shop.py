"""Shop: in-stock products with search-as-you-type, filters, keyset pages and +/-."""

from __future__ import annotations

import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Select

from workshop_tui.messages import ServiceFailed, StockChanged
from workshop_tui.services.types import Cart, Category, ProductPage, Seller
from workshop_tui.widgets.cart_bar import CartBar, CartMixin
from workshop_tui.widgets.format import money, number_cell, plain
from workshop_tui.widgets.service_worker import ServiceCaller

PAGE_SIZE = 50
DEBOUNCE_SECONDS = 0.05
COLUMNS = (("Product", "name"), ("Seller", "seller"), ("Price", "price"), ("Stock", "stock"))


class ProductsLoaded(Message):
    def __init__(self, page: ProductPage, generation: int, append: bool) -> None:
        super().__init__()
        self.page = page
        self.generation = generation
        self.append = append


class FiltersLoaded(Message):
    def __init__(self, sellers: list[Seller], categories: list[Category]) -> None:
        super().__init__()
        self.sellers = sellers
        self.categories = categories


class ShopScreen(CartMixin, ServiceCaller, Screen[None]):
    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="shop.search"),
        Binding("plus,equals_sign", "change(1)", "Add", key_display="+/-", id="shop.add"),
        Binding("minus", "change(-1)", "Less", show=False, id="shop.less"),
        Binding("c", "open_cart", "Cart", id="shop.cart"),
        Binding("down", "focus_table", show=False, id="shop.to_table"),
        Binding("f", "focus_filters", show=False, id="shop.filters"),
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

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="shop-filters"):
            yield Input(placeholder="Search products…", id="search", compact=True, max_length=100)
            yield Select[int]((), prompt="All sellers", id="seller", compact=True)
            yield Select[int]((), prompt="All categories", id="category", compact=True)
        yield DataTable(id="products", cursor_type="row", zebra_stripes=True)
        yield CartBar(show_steppers=True)
        yield Footer(show_command_palette=False)

    @property
    def table(self) -> DataTable:
        return self.query_one("#products", DataTable)

    def on_mount(self) -> None:
        width = self.app.size.width
        name_width = max(16, width - 56)
        for (label, key), size in zip(COLUMNS, (name_width, 16, 10, 6), strict=True):
            self.table.add_column(label, key=key, width=size)
        self.table.add_column("Cart", key="incart", width=4)
        self.app.stock_listeners.add(self)  # type: ignore[attr-defined]
        self.watch(self.table, "scroll_y", self._scrolled, init=False)
        self.reload()  # the cart loads on resume, which follows the first mount too
        self.table.focus()

    def load_filters(self) -> None:
        """The seller and category lists: after the first rows, which matter more."""
        services = self.app.services  # type: ignore[attr-defined]
        self.call_service(
            lambda: FiltersLoaded(services.catalog.sellers(), services.catalog.categories()),
            lambda message: message,
            group="filters",
        )

    def on_unmount(self) -> None:
        self.app.stock_listeners.discard(self)  # type: ignore[attr-defined]

    def on_screen_resume(self) -> None:
        self.show_cart()
        if self.is_mounted and self.app.account is not None:  # type: ignore[attr-defined]
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
        services = self.app.services  # type: ignore[attr-defined]
        self._searching = True
        self.call_service(
            lambda: services.catalog.search(
                query, seller_id=seller, category_id=category, limit=PAGE_SIZE
            ),
            lambda page: ProductsLoaded(page, generation, append=False),
            group="catalog",
            action="catalog.search",
        )

    def load_more(self) -> None:
        if self._next_after is None or self._searching or self._loading_more:
            return
        self._loading_more = True
        generation, after = self._generation, self._next_after
        query, seller, category = self._filters()
        services = self.app.services  # type: ignore[attr-defined]
        self.call_service(
            lambda: services.catalog.search(
                query, seller_id=seller, category_id=category, limit=PAGE_SIZE, after=after
            ),
            lambda page: ProductsLoaded(page, generation, append=True),
            group="catalog-more",
            action="catalog.more",
        )

    @on(ProductsLoaded)
    def show_products(self, message: ProductsLoaded) -> None:
        if message.generation != self._generation:
            return  # an answer to a search the user has already changed
        table = self.table
        if message.append:
            self._loading_more = False
        else:
            self._searching = False
            table.clear()
        for product in message.page.items:
            if str(product.id) in table.rows:
                continue
            table.add_row(
                plain(product.name),
                plain(product.seller_name),
                number_cell(money(product.price)),
                number_cell(product.stock),
                number_cell(self._in_cart(product.id)),
                key=str(product.id),
            )
        self._next_after = message.page.next_after
        if not message.append and not message.page.items:
            self.notify("No products match.", timeout=2)
        if not self._filters_requested:
            self._filters_requested = True
            self.call_after_refresh(self.load_filters)

    @on(FiltersLoaded)
    def show_filters(self, message: FiltersLoaded) -> None:
        self.query_one("#seller", Select).set_options((s.name, s.id) for s in message.sellers)
        self.query_one("#category", Select).set_options((c.name, c.id) for c in message.categories)

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
        if event.cursor_row >= self.table.row_count - 10:
            self.load_more()

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
        table = self.table
        for product_id, stock in message.levels.items():
            key = str(product_id)
            if key not in table.rows:
                continue
            if stock <= 0:
                table.remove_row(key)
            else:
                table.update_cell(key, "stock", number_cell(stock))

    # --- cart -----------------------------------------------------------------

    def cart_changed(self, cart: Cart) -> None:
        table = self.table
        for key in list(table.rows):
            quantity = self._in_cart(int(key.value or 0))
            if str(table.get_cell(key, "incart")) != quantity:
                table.update_cell(key, "incart", number_cell(quantity))

    def _in_cart(self, product_id: int) -> str:
        cart = self.app.cart  # type: ignore[attr-defined]
        quantity = cart.quantity_of(product_id) if cart is not None else 0
        return str(quantity) if quantity else ""

    @on(ServiceFailed)
    def failed(self, message: ServiceFailed) -> None:
        if not self.handle_cart_failure(message):
            self.notify(message.message, severity="error", markup=False)

    # --- focus ----------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_table(self) -> None:
        if self.focused is self.query_one("#search", Input):
            self.table.focus()

    def action_focus_filters(self) -> None:
        self.query_one("#seller", Select).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_table":
            return isinstance(self.focused, Input)
        return True
