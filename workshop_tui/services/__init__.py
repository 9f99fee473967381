"""The engine: the only place with SQL and business rules.

The TUI, the web companion and the command line all call one `Services` object.
Each call opens and closes its own transaction and returns frozen dataclasses
(`services.types`); failures are typed `ServiceError`s with a stable `code`.

    services = Services(Database(Settings.from_env()))
    me = services.auth.login_or_register("9876543210", "123456").account
    services.cart.set_quantity(me, product_id=7, quantity=2)
    order = services.orders.checkout(me, idempotency_key="k-1")
    services.payments.pay(me, order.id, method="upi", outcome="success", idempotency_key="p-1")

Where each rule lives (one home each):
  states.py    order states and the one transition table (what may happen in which state)
  access.py    who may see an order (its customer and staff; anyone else: "no order #N")
  validate.py  input checks (ids, keys, reasons, quantities, amounts, page sizes)
  locks.py     every row-locking statement, and the global lock order, written once
  stock.py     every stock change with its movement row (adjust_stock)
  checkout.py, order_changes.py, returns.py   the order's life; orders.py is their entry point
               (checkout.py also holds the unpaid-orders limit; payments.py the attempts cap
               and payment keys, scoped per customer)
  _sql.py, _tx.py   plain SQL on a `Tx` (hot path or ORM session) and the retrying runners
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workshop_tui.db.engine import Database


class Services:
    def __init__(self, db: Database) -> None:
        # Imported here, not at the top: the terminal app imports this package (and its
        # types) before it paints, and SQLAlchemy can load while the user types.
        from workshop_tui.services.auth import AuthService
        from workshop_tui.services.cart import CartService
        from workshop_tui.services.cash import CashService
        from workshop_tui.services.catalog import CatalogService
        from workshop_tui.services.discounts import DiscountService
        from workshop_tui.services.events import EventService
        from workshop_tui.services.ledger import LedgerService
        from workshop_tui.services.orders import OrderService
        from workshop_tui.services.payments import PaymentService
        from workshop_tui.services.receipts import ReceiptService
        from workshop_tui.services.reports import ReportService
        from workshop_tui.services.sessions import SessionService
        from workshop_tui.services.stock import StockService

        self.db = db
        self.settings = db.settings
        self.events = EventService(db)
        self.auth = AuthService(db)
        self.sessions = SessionService(db)
        self.catalog = CatalogService(db)
        self.cart = CartService(db)
        self.ledger = LedgerService(db)
        self.orders = OrderService(db, self.events)
        self.payments = PaymentService(db, self.events)
        self.stock = StockService(db, self.events)
        self.reports = ReportService(db)
        self.cash = CashService(db)
        self.discounts = DiscountService(db)
        self.receipts = ReceiptService(db)

    def close(self) -> None:
        self.db.dispose()


__all__ = ["Services"]
