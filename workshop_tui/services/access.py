"""Who may see an order: its customer and staff, nobody else.

Every path that reads or changes an order (or a payment on it) asks here. Someone
else's order is answered as missing, never as forbidden, so ids do not leak which
orders exist.
"""

from __future__ import annotations

from workshop_tui.services.errors import NotFound
from workshop_tui.services.types import Account


def visible_to(actor: Account, customer_id: int) -> bool:
    """Whether `actor` may see an order placed for `customer_id`."""
    return actor.is_staff or customer_id == actor.id


def missing(number: int, what: str = "order") -> NotFound:
    """The one answer for an order that does not exist or is someone else's: "no order #N"."""
    return NotFound(f"no {what} #{number}")


def customer_scope(actor: Account, customer_id: int | None) -> int | None:
    """Whose orders a listing shows: a customer always their own, staff whoever they ask for."""
    return customer_id if actor.is_staff else actor.id
