"""The app's extra top-level areas (MODES), contributed by the profile and staff screens.

The App registers every spec here as a mode with its key binding; specs with
`staff_only=True` are never registered for a customer session or in kiosk mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.screen import Screen


@dataclass(frozen=True)
class ModeSpec:
    name: str  # mode name, e.g. "orders", "counter"
    key: str  # binding, e.g. "f3"
    label: str  # footer label, short: the footer must fit 80 columns
    # Its screen's class, imported when first asked for: the terminal app paints its
    # login screen without importing every screen a login may lead to.
    screen: Callable[[], type[Screen[Any]]]
    staff_only: bool

    def factory(self) -> Screen[Any]:
        return self.screen()()


def _shop() -> type[Screen[Any]]:
    from workshop_tui.screens.shop import ShopScreen

    return ShopScreen


def _orders() -> type[Screen[Any]]:
    from workshop_tui.screens.orders import OrdersScreen

    return OrdersScreen


def _counter() -> type[Screen[Any]]:
    from workshop_tui.screens.counter import CounterScreen

    return CounterScreen


def _stock() -> type[Screen[Any]]:
    from workshop_tui.screens.stock import StockScreen

    return StockScreen


def _sales() -> type[Screen[Any]]:
    from workshop_tui.screens.sales import SalesScreen

    return SalesScreen


def _till() -> type[Screen[Any]]:
    from workshop_tui.screens.till import TillScreen

    return TillScreen


SHOP = ModeSpec("shop", "f2", "Shop", _shop, staff_only=False)
EXTRA_MODES: tuple[ModeSpec, ...] = (
    ModeSpec("orders", "f3", "Orders", _orders, staff_only=False),
    ModeSpec("counter", "f4", "Counter", _counter, staff_only=True),
    ModeSpec("stock", "f5", "Stock", _stock, staff_only=True),
    ModeSpec("sales", "f6", "Sales", _sales, staff_only=True),
    ModeSpec("till", "f7", "Till", _till, staff_only=True),
)
