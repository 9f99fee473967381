"""Orders: the one entry point (`Services().orders`) for checkout, reading and changing orders.

Where each rule lives:
  - the checkout's locked, one-statement write: services.checkout
  - cancel, fulfil, expiry and refunds (one cancellation body): services.order_changes
  - returns: services.returns
  - which state allows which action: services.states; who may see an order: services.access
  - the global lock order: services.locks (written there once)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from sqlalchemy import select

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database, TxSession
from workshop_tui.services import convert, order_changes, returns
from workshop_tui.services._tx import read_only
from workshop_tui.services.access import customer_scope, missing, visible_to
from workshop_tui.services.auth import require_staff
from workshop_tui.services.checkout import CHANNELS, place_order
from workshop_tui.services.errors import InvalidInput
from workshop_tui.services.events import EventService
from workshop_tui.services.states import OrderAction, sources_of
from workshop_tui.services.types import (
    Account,
    Order,
    OrderPage,
    OrderRoute,
    ReturnRequest,
    StockChange,
)
from workshop_tui.services.validate import check_id, check_key, check_limit

log = logging.getLogger(__name__)

# The states a person may cancel or return from (the screens still ask by these names).
CANCELLABLE = sources_of(OrderAction.CANCEL)
RETURNABLE = sources_of(OrderAction.RETURN)


class OrderService:
    def __init__(self, db: Database, events: EventService) -> None:
        self.db = db
        self.events = events

    # --- checkout -------------------------------------------------------------

    def checkout(
        self,
        actor: Account,
        idempotency_key: str,
        *,
        for_customer_id: int | None = None,
        channel: str = "tui",
    ) -> Order:
        """Turn the actor's cart into an unpaid order, its stock taken.

        Staff at the counter may book the order to another customer. The same key
        returns the same order, however often it is retried.
        """
        key = check_key(idempotency_key)
        if channel not in CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}")
        customer_id = actor.id
        if for_customer_id is not None and for_customer_id != actor.id:
            require_staff(actor)
            customer_id = check_id(for_customer_id, "customer id")
        # Overdue orders are expired by a background sweeper (services.sweeper), never
        # here: an expiry locks that order's products, which another terminal may hold.
        changes: list[StockChange] = []
        result = place_order(
            self.db,
            actor,
            key,
            customer_id=customer_id,
            channel=channel,
            changes=changes,
            announce=self.events.statements,
        )
        self.events.stock_changed(changes)  # what the sale's own message did not announce
        return result if isinstance(result, Order) else self.get(actor, result)

    # --- reading --------------------------------------------------------------

    def get(self, actor: Account, order_id: int) -> Order:
        check_id(order_id, "order id")
        return self._visible(actor, order_id)

    def _visible(self, actor: Account, order_id: int, route: OrderRoute | None = None) -> Order:
        order = self._load(order_id, None if route is None else route.seller_id)
        if order is None or not visible_to(actor, order.customer_id):
            raise missing(order_id)
        return order

    def _load(self, order_id: int, seller_id: int | None = None) -> Order | None:
        """The order; read on its seller's rows alone when `seller_id` is known."""
        window = self.db.settings.return_window_days
        found = read_only(
            self.db,
            lambda s: convert.load_orders(
                s, [order_id], return_window_days=window, seller_id=seller_id
            ),
        )
        return found[0] if found else None

    def history(
        self,
        actor: Account,
        *,
        customer_id: int | None = None,
        status: str | None = None,
        limit: int = 20,
        before: int | None = None,
    ) -> OrderPage:
        """Newest first. A customer sees only their own orders; staff see all, filterable."""
        check_limit(limit, 100)
        if status is not None and status not in m.ORDER_STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(m.ORDER_STATUSES)}")
        stmt = select(m.Order.id)
        customer_id = customer_scope(actor, customer_id)
        if customer_id is not None:
            stmt = stmt.where(m.Order.customer_id == check_id(customer_id, "customer id"))
        if status is not None:
            stmt = stmt.where(m.Order.status == status)
        if before is not None:
            stmt = stmt.where(m.Order.id < check_id(before, "before"))
        stmt = stmt.order_by(m.Order.id.desc()).limit(limit + 1)
        window = self.db.settings.return_window_days

        def work(s: TxSession) -> OrderPage:
            ids = list(s.scalars(stmt))
            orders = convert.load_orders(s, ids[:limit], return_window_days=window)
            return OrderPage(
                items=tuple(orders), next_before=ids[limit - 1] if len(ids) > limit else None
            )

        return read_only(self.db, work)

    # --- state changes (services.order_changes, services.returns) -------------
    # `route`: the order's seller and customer (`order.route`) when the caller holds the
    # order; each change then runs on the seller's rows alone without first looking the
    # order up (services.routing). Without it one read by id finds them.

    def cancel(
        self, actor: Account, order_id: int, reason: str = "", *, route: OrderRoute | None = None
    ) -> Order:
        """Unpaid or paid -> cancelled: stock back, a refund when it was paid."""
        self.events.stock_changed(order_changes.cancel(self.db, actor, order_id, reason, route))
        return self._visible(actor, order_id, route)

    def fulfil(self, actor: Account, order_id: int, *, route: OrderRoute | None = None) -> Order:
        """Paid -> fulfilled (staff hand the goods over); the return window starts now."""
        require_staff(actor)
        order_changes.fulfil(self.db, actor, order_id, route)
        return self._visible(actor, order_id, route)

    def return_items(
        self,
        actor: Account,
        order_id: int,
        items: Sequence[ReturnRequest] | Sequence[Mapping[str, object]],
        reason: str = "",
        *,
        route: OrderRoute | None = None,
    ) -> Order:
        """Return some units of a fulfilled order within the return window: refund and stock back."""
        self.events.stock_changed(
            returns.return_items(self.db, actor, order_id, items, reason, route)
        )
        return self._visible(actor, order_id, route)

    def expire_unpaid(self, *, limit: int = 500) -> list[int]:
        """Cancel orders still unpaid after their payment window, each in its own short transaction."""
        expired: list[int] = []
        for order_id, seller_id in order_changes.due_for_expiry(self.db, limit):
            changes = order_changes.expire(self.db, order_id, seller_id)
            if changes is not None:
                expired.append(order_id)
                self.events.stock_changed(changes)
        if expired:
            log.info("expired %d unpaid orders", len(expired))
        return expired
