"""What services return: frozen dataclasses, never ORM rows.

A widget or a JSON encoder can hold these after the session is closed; nothing
lazy-loads. Money is Decimal, times are aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

from workshop_tui.services.states import OrderAction, allowed_actions


class OrderRoute(NamedTuple):
    """Where an order lives: its seller (the shard) and its customer (the key's owner).

    A caller that holds the order passes `order.route` to pay, cancel, fulfil or return
    it, so the service runs its transaction on the seller's shard without first asking
    every shard for the order (services.routing)."""

    seller_id: int
    customer_id: int


@dataclass(frozen=True)
class Account:
    """A logged-in user (customer, staff or admin); services take it as the actor."""

    id: int
    username: str | None
    phone: str | None
    name: str
    role: str
    created_at: datetime

    @property
    def is_staff(self) -> bool:
        return self.role in ("staff", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def display_name(self) -> str:
        return self.name or self.username or self.phone or f"#{self.id}"


@dataclass(frozen=True)
class LoginResult:
    account: Account
    created: bool  # True when this login registered a new customer


@dataclass(frozen=True)
class Seller:
    id: int
    name: str
    rating: Decimal


@dataclass(frozen=True)
class Category:
    id: int
    name: str


@dataclass(frozen=True)
class Product:
    id: int
    sku: str
    name: str
    price: Decimal
    stock: int
    seller_id: int
    seller_name: str
    seller_rating: Decimal
    category_id: int
    category_name: str


@dataclass(frozen=True)
class ProductPage:
    items: tuple[Product, ...]
    next_after: int | None  # pass as `after` for the next page; None at the end


@dataclass(frozen=True)
class CartLine:
    product_id: int
    sku: str
    name: str
    unit_price: Decimal
    quantity: int
    stock: int
    line_total: Decimal

    @property
    def short_by(self) -> int:
        """Units asked for beyond what is in stock now (0 when the line can be bought)."""
        return max(0, self.quantity - self.stock)

    @property
    def available(self) -> bool:
        return self.short_by == 0


@dataclass(frozen=True)
class Cart:
    customer_id: int
    seller_id: int | None
    seller_name: str | None
    lines: tuple[CartLine, ...]
    total: Decimal

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def can_checkout(self) -> bool:
        return bool(self.lines) and all(line.available for line in self.lines)

    def quantity_of(self, product_id: int) -> int:
        return next((line.quantity for line in self.lines if line.product_id == product_id), 0)


@dataclass(frozen=True)
class LedgerRef:
    """Where a money movement sits in the ledger: printed on receipts."""

    chain: str
    seq: int
    short_hash: str


@dataclass(frozen=True)
class Payment:
    id: int
    kind: str  # charge | refund
    method: str  # cash | card | upi
    status: str  # succeeded | declined
    amount: Decimal
    reference: str
    created_at: datetime
    ledger: LedgerRef | None
    tendered: Decimal | None = None  # cash handed over at the counter (a cash charge only)

    @property
    def change(self) -> Decimal | None:
        """What the customer got back: tendered less the amount (the drawer keeps the amount)."""
        return None if self.tendered is None else self.tendered - self.amount


@dataclass(frozen=True)
class OrderLine:
    product_id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    returned_qty: int

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def returnable_qty(self) -> int:
        return self.quantity - self.returned_qty


@dataclass(frozen=True)
class Order:
    id: int
    customer_id: int
    customer_name: str
    seller_id: int
    seller_name: str
    status: str
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    created_at: datetime
    expires_at: datetime | None
    paid_at: datetime | None
    fulfilled_at: datetime | None
    closed_at: datetime | None
    lines: tuple[OrderLine, ...]
    payments: tuple[Payment, ...] = field(default=())
    cancel_reason: str | None = None
    return_until: datetime | None = None  # fulfilled_at + the return window; None: not fulfilled

    @property
    def route(self) -> OrderRoute:
        return OrderRoute(self.seller_id, self.customer_id)

    def allowed_actions(self, *, staff: bool) -> tuple[OrderAction, ...]:
        """What a person (staff or not) may do to this order now: asked, never re-decided."""
        return allowed_actions(
            self.status,
            staff=staff,
            returnable_units=sum(line.returnable_qty for line in self.lines),
            return_window_open=self.return_until is None or datetime.now(UTC) <= self.return_until,
        )

    def can(self, action: OrderAction, *, staff: bool) -> bool:
        return action in self.allowed_actions(staff=staff)

    @property
    def refunded_total(self) -> Decimal:
        return sum(
            (p.amount for p in self.payments if p.kind == "refund" and p.status == "succeeded"),
            Decimal("0"),
        )

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class OrderPage:
    items: tuple[Order, ...]
    next_before: int | None  # pass as `before` for older orders; None at the end


@dataclass(frozen=True)
class PaymentResult:
    order: Order
    payment: Payment

    @property
    def succeeded(self) -> bool:
        return self.payment.status == "succeeded"


@dataclass(frozen=True)
class ReturnRequest:
    product_id: int
    quantity: int


@dataclass(frozen=True)
class StockChange:
    """One product's new stock, as broadcast to other terminals after a commit."""

    product_id: int
    stock: int


@dataclass(frozen=True)
class LowStockItem:
    product_id: int
    sku: str
    name: str
    seller_name: str
    stock: int
    threshold: int


@dataclass(frozen=True)
class ChainHead:
    chain: str
    seq: int
    hash: str


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    rows_checked: int
    chains_checked: int
    problems: tuple[str, ...]

    @property
    def summary(self) -> str:
        if self.ok:
            return f"ledger intact: {self.rows_checked} rows in {self.chains_checked} chains"
        return f"ledger BROKEN: {self.problems[0]}" + (
            f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        )


@dataclass(frozen=True)
class Drift:
    product_id: int
    stock_remaining: int
    movements: int


@dataclass(frozen=True)
class ReconcileReport:
    products_checked: int
    drifts: tuple[Drift, ...]


@dataclass(frozen=True)
class SalesRow:
    """One line of a breakdown (services.money_figures defines the figures)."""

    label: str  # seller, category, method or hour
    orders: int  # orders with a charge in the window
    units: int  # the units of those orders
    revenue: Decimal  # gross: the charges in the window
    refunds: Decimal = Decimal("0.00")  # the refunds in the window, by the same key

    @property
    def net(self) -> Decimal:
        return self.revenue - self.refunds


@dataclass(frozen=True)
class SalesReport:
    """A window's money figures; every breakdown adds up to the totals (services.money_figures)."""

    start: datetime
    end: datetime
    orders: int
    revenue: Decimal  # gross sales: the succeeded charges in the window
    refunds: Decimal  # every refund in the window: cancellations + returns
    by_seller: tuple[SalesRow, ...]
    by_hour: tuple[SalesRow, ...]
    by_method: tuple[SalesRow, ...]
    by_category: tuple[SalesRow, ...] = ()
    refunds_cancellations: Decimal = Decimal("0.00")
    refunds_returns: Decimal = Decimal("0.00")
    discounts: Decimal = Decimal("0.00")  # already off gross; shown on its own line
    units: int = 0

    @property
    def gross(self) -> Decimal:
        return self.revenue

    @property
    def net(self) -> Decimal:
        return self.revenue - self.refunds


@dataclass(frozen=True)
class CashSession:
    id: int
    terminal_id: str
    kind: str  # counter | kiosk
    opened_by: int
    opened_at: datetime
    opening_float: Decimal
    closed_at: datetime | None
    counted_cash: Decimal | None
    expected_cash: Decimal | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class ZReport:
    """A drawer session's totals; at close, expected against counted cash."""

    session: CashSession
    sales_by_method: tuple[SalesRow, ...]
    refunds_by_method: tuple[SalesRow, ...]
    orders: int
    cancellations: int
    gross: Decimal
    refunds: Decimal
    cash_in: Decimal
    cash_out: Decimal
    expected_cash: Decimal
    counted_cash: Decimal | None
    ledger_heads: tuple[ChainHead, ...]

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds

    @property
    def difference(self) -> Decimal | None:
        return None if self.counted_cash is None else self.counted_cash - self.expected_cash


@dataclass(frozen=True)
class Receipt:
    """One printed copy of a sale, refund or return receipt."""

    order: Order
    payment: Payment
    kind: str  # sale | refund
    copy_number: int
    printed_at: datetime
    returned: tuple[OrderLine, ...] = ()  # the lines (and quantities) a return receipt covers

    @property
    def is_duplicate(self) -> bool:
        return self.copy_number > 1
