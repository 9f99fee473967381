"""Messages that cross screens: service answers and failures, live stock, logins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual.message import Message

if TYPE_CHECKING:
    from workshop_tui.services.types import Account, StockChange

T = TypeVar("T")


class ServiceResult(Message, Generic[T], bubble=False):
    """The value a service call returned (service_call.WorkshopScreen.call).

    `tag` is the call's `ServiceCall.tag`; `ServiceCall.answered(message)` tells the
    type checker what `value` is.
    """

    def __init__(self, tag: str, value: T) -> None:
        super().__init__()
        self.tag = tag
        self.value = value


class ServiceFailed(Message, bubble=False):
    """A service raised a typed `ServiceError` (STYLE.md P4): show `message`, branch on `code`.

    `tag` is the failed call's `ServiceCall.tag`; `details` are the error's details.
    """

    def __init__(
        self, code: str, message: str, tag: str = "", details: dict[str, Any] | None = None
    ) -> None:
        super().__init__()
        self.code = code
        self.message = message
        self.tag = tag
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
