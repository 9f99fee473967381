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
    factory: Callable[[], Screen[Any]]
    staff_only: bool


def _orders() -> Screen[Any]:
    from workshop_tui.screens.orders import OrdersScreen

    return OrdersScreen()


def _counter() -> Screen[Any]:
    from workshop_tui.screens.counter import CounterScreen

    return CounterScreen()


def _stock() -> Screen[Any]:
    from workshop_tui.screens.stock import StockScreen

    return StockScreen()


def _sales() -> Screen[Any]:
    from workshop_tui.screens.sales import SalesScreen

    return SalesScreen()


def _till() -> Screen[Any]:
    from workshop_tui.screens.till import TillScreen

    return TillScreen()


EXTRA_MODES: tuple[ModeSpec, ...] = (
    ModeSpec("orders", "f3", "Orders", _orders, staff_only=False),
    ModeSpec("counter", "f4", "Counter", _counter, staff_only=True),
    ModeSpec("stock", "f5", "Stock", _stock, staff_only=True),
    ModeSpec("sales", "f6", "Sales", _sales, staff_only=True),
    ModeSpec("till", "f7", "Till", _till, staff_only=True),
)
