"""Shared plumbing for the orders, counter, stock, till and sales screens.

Every service call goes through `WorkshopScreen.call` (service_call): a thread
worker whose answer comes back as `ServiceResult` and a typed error as
`ServiceFailed` (STYLE P3/P4).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from textual.screen import Screen

from workshop_tui.service_call import WorkshopScreen
from workshop_tui.services import Services
from workshop_tui.services.states import OrderStatus
from workshop_tui.services.types import Account, Order
from workshop_tui.widgets.format import money

__all__ = ["ORDER_COLUMNS", "WHO_WIDTH", "StaffScreen", "money", "status_label", "when", "who"]

R = TypeVar("R")

# (label, key, width): fixed widths keep 80 columns and snapshots steady.
ORDER_COLUMNS = (
    ("#", "id", 5),
    ("Placed", "placed", 16),
    ("Status", "status", 13),
    ("Items", "items", 5),
    ("Total", "total", 10),
)
WHO_WIDTH = 18


def status_label(order: Order) -> str:
    """How a person reads the order's state ("unpaid", "part returned", ...)."""
    return OrderStatus(order.status).label


def when(moment: datetime | None) -> str:
    """A short local time, e.g. '2026-01-15 10:30' ('' when not set)."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def who(account: Account) -> str:
    """Name and phone of a customer, for 'Serving: ...' lines."""
    parts = [account.display_name]
    if account.phone and account.phone != account.display_name:
        parts.append(account.phone)
    return " · ".join(parts)


class StaffScreen(WorkshopScreen[None]):
    """A mode screen that opens dialogs without reloading itself when they close."""

    @property
    def services(self) -> Services:
        return self.workshop.services

    @property
    def account(self) -> Account | None:
        return self.session.account

    _in_dialog = False

    def open_dialog(self, dialog: Screen[R], callback: Callable[[R | None], Any]) -> None:
        """Push a dialog; the screen's resume after it does not reload the screen."""
        self._in_dialog = True
        self.app.push_screen(dialog, callback)

    def back_from_dialog(self) -> bool:
        """True (once) when this resume is the return from `open_dialog`."""
        was, self._in_dialog = self._in_dialog, False
        return was
