"""What one service call may try again, and for how long (services._tx runs the attempts).

- A lock failure (deadlock 40P01, lock timeout 55P03, serialization 40001) runs the
  whole transaction again while the call is younger than one lock timeout plus
  LOCK_RETRY_BUDGET; each retry may wait only for what is left of that, so a checkout
  behind a stuck terminal answers `busy` after about lock_timeout + 1 s, not after six
  full lock timeouts.
- A connection lost before COMMIT (a restart, a terminated backend) means nothing was
  written: the transaction runs again on a fresh connection, with a growing pause,
  for up to `reconnect_wait_ms` from the first loss; then the call answers `unavailable`.
- A connection lost during COMMIT leaves the outcome unknown. A call that is
  idempotent (checkout and payment by key, setting a cart line) runs again and so
  answers with what the lost COMMIT did; any other answers `unavailable` saying so.
"""

from __future__ import annotations

import logging
import random
import threading
import time

from workshop_tui.config import Settings
from workshop_tui.db.connectivity import connection_lost
from workshop_tui.services.errors import Busy, Unavailable

log = logging.getLogger(__name__)

RETRYABLE_SQLSTATES = frozenset({"40P01", "55P03", "40001"})
LOCK_RETRY_BUDGET = 1.0  # seconds beyond one lock timeout that lock retries may take
MIN_LOCK_WAIT_MS = 50  # a retry with less left than this would only fail again
RECONNECT_FIRST_PAUSE = 0.05
RECONNECT_MAX_PAUSE = 0.5

BUSY = "the shop is busy right now; nothing was changed, please try again"
OUTCOME_UNKNOWN = (
    "the connection to the shop's database was lost while saving; "
    "look before trying again, it may have been saved"
)


class RetryCounter:
    """How many retries this process made (the stress command and benchmarks print it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self) -> None:
        with self._lock:
            self.value += 1


retries = RetryCounter()


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a driver error, raw or wrapped by SQLAlchemy."""
    code = getattr(exc, "pgcode", None) or getattr(getattr(exc, "orig", None), "pgcode", None)
    return code if isinstance(code, str) else None


class Attempts:
    """The retry budget of one service call, across all its attempts."""

    def __init__(self, settings: Settings, *, idempotent: bool = False) -> None:
        self.idempotent = idempotent
        self.started = time.monotonic()
        self.lock_timeout_ms = settings.lock_timeout_ms
        self.lock_deadline = self.started + settings.lock_timeout_ms / 1000 + LOCK_RETRY_BUDGET
        self.reconnect_wait = settings.reconnect_wait_ms / 1000
        self.outage_deadline: float | None = None
        self.pause = 0.0
        self.number = 0

    def next(self) -> int:
        """Start the next attempt; return its number (1 for the first)."""
        self.number += 1
        return self.number

    def lock_wait_ms(self) -> int | None:
        """This attempt's lock wait if shorter than the connection's own (None: keep it)."""
        if self.number <= 1:
            return None
        left = int((self.lock_deadline - time.monotonic()) * 1000)
        return max(MIN_LOCK_WAIT_MS, min(left, self.lock_timeout_ms))

    def after_failure(self, exc: BaseException, *, committing: bool) -> None:
        """Return when the transaction should run again; raise the call's answer otherwise."""
        if connection_lost(exc):
            self._after_lost_connection(exc, committing=committing)
            return
        code = sqlstate(exc)
        if code not in RETRYABLE_SQLSTATES:
            raise exc
        left = self.lock_deadline - time.monotonic()
        if left * 1000 < MIN_LOCK_WAIT_MS:
            log.warning("busy after %d attempts in %.1f s (%s)", self.number, self.elapsed(), code)
            raise Busy(BUSY) from exc
        retries.add()
        time.sleep(min(left / 2, random.uniform(0, 0.01 * 2**self.number)))

    def _after_lost_connection(self, exc: BaseException, *, committing: bool) -> None:
        if committing and not self.idempotent:
            raise Unavailable(OUTCOME_UNKNOWN) from exc
        now = time.monotonic()
        if self.outage_deadline is None:
            self.outage_deadline = now + self.reconnect_wait
        if now >= self.outage_deadline:
            log.warning("database unreachable for %.1f s: %s", self.reconnect_wait, exc)
            raise Unavailable() from exc
        retries.add()
        # The first retry is at once: after a restart the server is usually back and
        # only the pool's connections were stale. Later ones wait for the server.
        time.sleep(min(self.pause, self.outage_deadline - now))
        self.pause = min(RECONNECT_MAX_PAUSE, max(RECONNECT_FIRST_PAUSE, self.pause * 2))

    def elapsed(self) -> float:
        return time.monotonic() - self.started
