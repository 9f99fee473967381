"""The services while the database is still being reached, so the login screen paints first.

Importing the engine (SQLAlchemy, the models, argon2) and connecting takes longer
than painting the login screen, and a person needs longer still to type a phone
number. So the terminal app starts with this stand-in and connects in a worker
thread after the first paint. Every service call already runs in a worker thread
(service_call): one that comes early waits there, never on the event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from workshop_tui.services import Services


class StartupFailed(Exception):
    """The database could not be used; the message is one line, safe to print."""


class PendingServices:
    def __init__(self, connect: Callable[[], Services]) -> None:
        self._connect = connect
        self._ready = threading.Event()
        self._services: Services | None = None
        self.error: BaseException | None = None

    def connect(self) -> Services:
        """In a worker thread: build the services, or record why not."""
        try:
            self._services = self._connect()
            return self._services
        except BaseException as exc:
            self.error = exc
            raise
        finally:
            self._ready.set()

    def cancel(self) -> None:
        """The app is closing: nobody waits any longer for a connection that may never come."""
        if not self._ready.is_set():
            self.error = StartupFailed("the app closed before the database was reached")
            self._ready.set()

    def get(self) -> Services:
        self._ready.wait()
        if self._services is None:
            raise StartupFailed(str(self.error))
        return self._services

    def stand_in(self) -> Services:
        """This object where the app expects its Services: every attribute waits for them."""
        return cast("Services", self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)
