"""Shared plumbing for the orders, counter, stock and sales screens.

Every service call runs in a thread worker (STYLE P3) and comes back as a
`ServiceDone` or `ServiceFailed` message (P4).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker

from workshop_tui.db.models import ORDER_STATUSES
from workshop_tui.messages import ServiceFailed
from workshop_tui.services import Services
from workshop_tui.services.orders import CANCELLABLE, RETURNABLE
from workshop_tui.services.types import Account
from workshop_tui.widgets.format import money
from workshop_tui.widgets.service_worker import ServiceCaller

__all__ = [
    "CANCELLABLE",
    "ORDER_STATUSES",
    "RETURNABLE",
    "ServiceDone",
    "ServiceFailed",
    "ServiceScreen",
    "money",
]

STATUS_LABELS = {
    "pending_payment": "unpaid",
    "paid": "paid",
    "fulfilled": "fulfilled",
    "cancelled": "cancelled",
    "partially_returned": "part returned",
    "returned": "returned",
}
# (label, key, width): fixed widths keep 80 columns and snapshots steady.
ORDER_COLUMNS = (
    ("#", "id", 5),
    ("Placed", "placed", 16),
    ("Status", "status", 13),
    ("Items", "items", 5),
    ("Total", "total", 10),
)
WHO_WIDTH = 18


class ServiceDone(Message):
    """A service call finished; `tag` names which one."""

    def __init__(self, tag: str, result: Any) -> None:
        super().__init__()
        self.tag = tag
        self.result = result


def when(moment: datetime | None) -> str:
    """A short local time, e.g. '2026-01-15 10:30' ('' when not set)."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def who(account: Account) -> str:
    """Name and phone of a customer, for 'Serving: ...' lines."""
    parts = [account.display_name]
    if account.phone and account.phone != account.display_name:
        parts.append(account.phone)
    return " · ".join(parts)


class ServiceScreen(ServiceCaller, Screen):
    """A screen that calls services off the event loop and hears back by message.

    `run(tag, fn, group=...)` runs `fn` in a thread worker (part A's `ServiceCaller`):
    the result arrives as `ServiceDone(tag, result)`, a typed error as
    `ServiceFailed(code, message, action=tag)`; an unexpected one opens the ErrorModal.
    """

    @property
    def services(self) -> Services:
        return self.app.services  # type: ignore[attr-defined]

    @property
    def account(self) -> Account | None:
        return getattr(self.app, "account", None)

    _in_dialog = False

    def open_dialog(self, dialog: Screen, callback: Callable[[Any], None]) -> None:
        """Push a dialog; the screen's resume after it does not reload the screen."""
        self._in_dialog = True
        self.app.push_screen(dialog, callback)

    def back_from_dialog(self) -> bool:
        """True (once) when this resume is the return from `open_dialog`."""
        was, self._in_dialog = self._in_dialog, False
        return was

    def run(self, tag: str, fn: Callable[[], Any], *, group: str) -> Worker:
        return self.call_service(
            fn, lambda result: ServiceDone(tag, result), group=group, action=tag
        )
