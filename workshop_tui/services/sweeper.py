"""Unpaid orders past their window are cancelled in the background, never in a checkout.

An expiry locks the expired order's inventory rows, so run inside a checkout it
could make a customer wait for a product another terminal holds (one checkout of
another product answered `busy` after 12.4 s that way). The terminal app and each
web worker run one sweeper thread; `workshop orders expire` does the same from cron.
Sweepers on many terminals do not collide: each expiry is a conditional update
on a row taken with SKIP LOCKED.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from workshop_tui.services.errors import ServiceError

if TYPE_CHECKING:
    from workshop_tui.services import Services

log = logging.getLogger(__name__)


class ExpirySweeper:
    """Calls orders.expire_unpaid() every `interval` seconds in a daemon thread."""

    def __init__(self, services: Callable[[], Services], interval: float) -> None:
        # A callable: the app reaches its database after the sweeper is made.
        self._services = services
        self.interval = max(0.05, interval)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.expired = 0

    def start(self) -> ExpirySweeper:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="expiry-sweeper", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def sweep_once(self) -> int:
        """One pass; a database that is away or busy just waits for the next one."""
        try:
            expired = self._services().orders.expire_unpaid()
        except ServiceError as exc:  # unavailable, busy: the next pass tries again
            log.info("expiry sweep skipped: %s", exc.message)
            return 0
        except Exception:  # a sweeper must outlive anything a pass meets
            log.exception("expiry sweep failed")
            return 0
        self.expired += len(expired)
        return len(expired)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sweep_once()
