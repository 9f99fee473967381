"""What the screens may use of the App: the session state and the `Workshop` protocol.

`ShopSession` is who is using this terminal and what they are doing; the App
replaces it at every login and logout, so nothing of one person's session can
reach the next. Screens reach the App through `Workshop` (typed), never through
loose attributes.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.screen import Screen

if TYPE_CHECKING:
    from workshop_tui.config import Settings
    from workshop_tui.services import Services
    from workshop_tui.services.types import Account, Cart


@dataclass
class ShopSession:
    account: Account | None = None
    counter_customer: Account | None = None  # staff at the counter sell to this customer
    cart: Cart | None = None  # the last cart a screen loaded: the cart bar reads it
    # Cart calls run one at a time, in order (screens.cart_actions), in worker threads.
    cart_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def actor(self) -> Account:
        """The logged-in account, for a service call (read in its worker: a failure is calm)."""
        if self.account is None:
            raise RuntimeError("nobody is logged in on this terminal")
        return self.account

    @property
    def is_staff(self) -> bool:
        return self.account is not None and self.account.is_staff


class Area(Protocol):
    """A top-level area as the screens see it (screens.modes.ModeSpec implements it)."""

    @property
    def key(self) -> str: ...  # e.g. "f4"

    @property
    def label(self) -> str: ...  # e.g. "Counter"


@runtime_checkable
class Workshop(Protocol):
    """The App as the screens see it (workshop_tui.app.WorkshopApp implements it)."""

    settings: Settings
    services: Services
    session: ShopSession
    kiosk: bool
    stock_listeners: set[Screen[Any]]  # open screens that want StockChanged

    @property
    def mode_specs(self) -> Mapping[str, Area]:
        """The areas (MODES) this app registered, by mode name."""

    def mode_allowed(self, name: str) -> bool:
        """The session may open this area (staff areas are staff-only)."""

    def show_unexpected(self, error: BaseException) -> None:
        """A calm modal for an error no screen expected; the app keeps running."""

    def database_unreachable(self) -> None:
        """A service call failed `unavailable`: show the reconnecting indicator."""

    def database_reachable(self) -> None:
        """The database answered: the reconnecting indicator goes."""
