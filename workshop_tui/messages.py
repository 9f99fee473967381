"""Messages that cross screens: service results, failures and live stock."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from workshop_tui.services.types import Account, StockChange


class ServiceFailed(Message):
    """A service raised a typed `ServiceError` (STYLE.md P4): show `message`, branch on `code`.

    `action` is the label the caller gave `call_service` (e.g. "cart.add"), so one
    screen can tell its calls apart; `details` are the error's details.
    """

    def __init__(
        self, code: str, message: str, *, action: str = "", details: dict[str, Any] | None = None
    ) -> None:
        super().__init__()
        self.code = code
        self.message = message
        self.action = action
        self.details = details or {}


class StockChanged(Message, bubble=False):
    """New stock levels from another terminal; queued ticks merge into one (P6).

    The listener posts it to the App, which forwards a copy to each screen in
    `app.stock_listeners`. It must not bubble: a screen's copy would reach the App
    again and be forwarded forever.
    """

    def __init__(self, levels: dict[int, int]) -> None:
        super().__init__()
        self.levels = dict(levels)

    def can_replace(self, message: Message) -> bool:
        # Textual asks the message it just took (self, older) whether the next queued
        # one (`message`, newer) supersedes it: fold the older levels into the newer.
        if isinstance(message, StockChanged):
            message.levels = {**self.levels, **message.levels}
            return True
        return False

    @classmethod
    def from_changes(cls, changes: list[StockChange]) -> StockChanged:
        return cls({c.product_id: c.stock for c in changes})


class LoggedIn(Message):
    """The login screen identified someone."""

    def __init__(self, account: Account, created: bool = False) -> None:
        super().__init__()
        self.account = account
        self.created = created
