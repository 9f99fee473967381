"""Typed errors with a stable `code` (DESIGN.md) and a human message.

The TUI shows `message`; the web maps `code` to a status; the CLI prints both
and exits 2. Every error is raised before anything is committed.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ServiceError(Exception):
    code: ClassVar[str] = "invalid_input"
    http_status: ClassVar[int] = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(ServiceError):
    code = "invalid_input"
    http_status = 400


class AuthFailed(ServiceError):
    code = "auth_failed"
    http_status = 401


class Forbidden(ServiceError):
    code = "forbidden"
    http_status = 403


class NotFound(ServiceError):
    code = "not_found"
    http_status = 404


class InvalidState(ServiceError):
    code = "invalid_state"
    http_status = 409


class SellerConflict(ServiceError):
    code = "seller_conflict"
    http_status = 409


class OutOfStock(ServiceError):
    """Every short line at once (details["lines"]: product_id, name, requested, available)."""

    code = "out_of_stock"
    http_status = 409


class RateLimited(ServiceError):
    code = "rate_limited"
    http_status = 429


class Busy(ServiceError):
    """Lock contention outlasted the bounded retries; nothing was changed."""

    code = "busy"
    http_status = 503


class Unavailable(ServiceError):
    """The database could not be reached (server down, restarting, connection lost).

    Raised only when nothing of the call was committed, so trying again is always safe.
    """

    code = "unavailable"
    http_status = 503

    def __init__(
        self, message: str = "the shop's database is not reachable; nothing was changed"
    ) -> None:
        super().__init__(message)


class TooManyUnpaid(ServiceError):
    """The customer already holds the most unpaid orders allowed (details["limit"])."""

    code = "too_many_unpaid"
    http_status = 409


class TooManyAttempts(ServiceError):
    """The order had the most payment attempts allowed (details["limit"])."""

    code = "too_many_attempts"
    http_status = 409
