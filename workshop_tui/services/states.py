"""Order states and the one table of what may happen to an order in each.

Everything that asks "can this order be paid / cancelled / returned now?" asks
this module: the engine's conditional updates take their `WHERE status IN (...)`
from `sources_of`, the screens and the web pages read `allowed_actions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        """How a person reads the state (screens, receipts)."""
        return _LABELS[self]


_LABELS = {
    OrderStatus.PENDING_PAYMENT: "unpaid",
    OrderStatus.PAID: "paid",
    OrderStatus.FULFILLED: "fulfilled",
    OrderStatus.CANCELLED: "cancelled",
    OrderStatus.PARTIALLY_RETURNED: "part returned",
    OrderStatus.RETURNED: "returned",
}


class OrderAction(StrEnum):
    PAY = "pay"
    CANCEL = "cancel"
    FULFIL = "fulfil"
    RETURN = "return"
    DISCOUNT = "discount"
    EXPIRE = "expire"  # the system's, never offered to a person


@dataclass(frozen=True)
class Transition:
    sources: frozenset[OrderStatus]
    staff_only: bool = False
    offered: bool = True  # False: the system does it (expiry); no screen offers it


S = OrderStatus
TRANSITIONS: dict[OrderAction, Transition] = {
    OrderAction.PAY: Transition(frozenset({S.PENDING_PAYMENT})),
    OrderAction.DISCOUNT: Transition(frozenset({S.PENDING_PAYMENT}), staff_only=True),
    OrderAction.CANCEL: Transition(frozenset({S.PENDING_PAYMENT, S.PAID})),
    OrderAction.FULFIL: Transition(frozenset({S.PAID}), staff_only=True),
    OrderAction.RETURN: Transition(frozenset({S.FULFILLED, S.PARTIALLY_RETURNED})),
    OrderAction.EXPIRE: Transition(frozenset({S.PENDING_PAYMENT}), offered=False),
}

# The states whose units are out of stock and with a customer or on their way (DESIGN
# invariant 2), and the states whose charge counts as a sale.
LIVE = frozenset({S.PENDING_PAYMENT, S.PAID, S.FULFILLED, S.PARTIALLY_RETURNED})
SOLD = frozenset({S.PAID, S.FULFILLED, S.PARTIALLY_RETURNED, S.RETURNED})


def sources_of(action: OrderAction) -> tuple[str, ...]:
    """The states `action` may leave from, sorted, for a conditional `WHERE status IN`."""
    return tuple(sorted(TRANSITIONS[action].sources))


def can(action: OrderAction, status: str) -> bool:
    return OrderStatus(status) in TRANSITIONS[action].sources


def returned_status(units_left: int) -> OrderStatus:
    """Where a return leaves an order: returned when no unit is left with the customer."""
    return S.RETURNED if units_left == 0 else S.PARTIALLY_RETURNED


def allowed_actions(
    status: str, *, staff: bool, returnable_units: int, return_window_open: bool = True
) -> tuple[OrderAction, ...]:
    """The actions a person may take on an order now, in the table's order."""
    state = OrderStatus(status)
    allowed: list[OrderAction] = []
    for action, rule in TRANSITIONS.items():
        if not rule.offered or state not in rule.sources or (rule.staff_only and not staff):
            continue
        if action is OrderAction.RETURN and not (returnable_units and return_window_open):
            continue
        allowed.append(action)
    return tuple(allowed)


def sql_list(states: frozenset[OrderStatus] | tuple[str, ...]) -> str:
    """A literal SQL list of states, for the few fixed statements that cannot bind one."""
    return "(" + ", ".join(f"'{OrderStatus(s).value}'" for s in sorted(states)) + ")"
