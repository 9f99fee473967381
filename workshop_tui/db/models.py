"""The schema: SQLAlchemy 2.x typed models, one per table.

Rules the engine relies on are held by the database too, so a bug in code (or
another program writing to the same server) cannot break them:
- inventory.stock_remaining >= 0, quantities > 0, prices >= 0;
- order_items.returned_qty between 0 and quantity;
- one seller per cart: cart_items carry the cart's seller_id under a composite
  foreign key to carts(id, seller_id), and to products(id, seller_id);
- transactions (the ledger) and stock_movements are append-only (triggers in the
  migration refuse UPDATE and DELETE).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from workshop_tui.services.states import OrderStatus

Money = Numeric(12, 2)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("customer", "staff", "admin")
ORDER_STATUSES = tuple(s.value for s in OrderStatus)
PAYMENT_METHODS = ("cash", "card", "upi")
MOVEMENT_REASONS = ("initial", "sale", "cancel", "return", "restock", "expiry", "adjust")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


# Every row of a sale carries its seller (migration 0007), under a composite foreign key to
# the row it belongs to, so a database sharded by seller (Citus, `workshop db distribute`)
# keeps each sale's rows on one shard. A trigger fills the column when an INSERT leaves it
# out (the seed files, rare paths); the sale's own statements name it, which is what routes
# them to one shard.
SELLER_FILLED = {
    "inventory": "product",
    "order_items": "order",
    "payments": "order",
    "transactions": "chain",
    "ledger_heads": "chain",
    "stock_movements": "product",
    "cancellations": "order",
    "returns": "order",
    "order_discounts": "order",
    "receipt_prints": "payment",
    "session_orders": "order",
    "session_payments": "payment",
}


def _by_seller(column: str, parent: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        [column, "seller_id"],
        [f"{parent}.id", f"{parent}.seller_id"],
        name=f"fk_{column}_seller",
    )


def _chain_is_sellers() -> CheckConstraint:
    # The chain names its seller, so (seller_id, chain, seq) is as unique as (chain, seq).
    return CheckConstraint("chain = 'seller-' || seller_id", name="chain_is_sellers")


class Seller(Base):
    __tablename__ = "sellers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    rating: Mapped[Decimal] = mapped_column(Numeric(2, 1), nullable=False, server_default="4.0")
    phone: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()
    __table_args__ = (CheckConstraint("rating >= 0 AND rating <= 5", name="rating_range"),)


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), nullable=False, index=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id"), nullable=False, index=True
    )
    sku: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    price: Mapped[Decimal] = mapped_column(Money, nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    created_at: Mapped[datetime] = created_at()
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_nonnegative"),
        # target of cart_items' composite key: a cart line's seller is its product's seller
        UniqueConstraint("id", "seller_id", name="uq_products_id_seller"),
        # case-insensitive substring search on name and SKU (ILIKE '%q%')
        Index(
            "ix_products_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        Index(
            "ix_products_sku_trgm",
            "sku",
            postgresql_using="gin",
            postgresql_ops={"sku": "gin_trgm_ops"},
        ),
    )


class Inventory(Base):
    __tablename__ = "inventory"
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    stock_remaining: Mapped[int] = mapped_column(Integer, nullable=False)
    initial_stock: Mapped[int] = mapped_column(Integer, nullable=False)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, nullable=False, server_default="5")
    updated_at: Mapped[datetime] = created_at()
    __table_args__ = (
        CheckConstraint("stock_remaining >= 0", name="stock_nonnegative"),
        CheckConstraint("initial_stock >= 0", name="initial_nonnegative"),
        Index("ix_inventory_in_stock", "product_id", postgresql_where="stock_remaining > 0"),
        _by_seller("product_id", "products"),
    )


class Customer(Base):
    """Every account: customers, staff and admins (the role says which)."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str | None] = mapped_column(String(60), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20), nullable=False, server_default="customer")
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    created_at: Mapped[datetime] = created_at()
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role_known"),
        CheckConstraint("username IS NOT NULL OR phone IS NOT NULL", name="has_login"),
    )


class AuthThrottle(Base):
    """Failed logins (and registrations) per (scope, key), shared by every process.

    scope 'account' counts per login name and source channel, 'address' per client
    address across all logins; `blocked_until` grows with each failure past the free ones.
    """

    __tablename__ = "auth_throttle"
    scope: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = created_at()
    __table_args__ = (CheckConstraint("scope IN ('account', 'address')", name="scope_known"),)


class WebSession(Base):
    """A signed-in web session: the cookie holds a random id, this row only its SHA-256."""

    __tablename__ = "sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    last_seen_at: Mapped[datetime] = created_at()
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    absolute_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Cart(Base):
    __tablename__ = "carts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id"), nullable=False, unique=True
    )
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id"))
    updated_at: Mapped[datetime] = created_at()
    __table_args__ = (UniqueConstraint("id", "seller_id", name="uq_carts_id_seller"),)


class CartItem(Base):
    __tablename__ = "cart_items"
    cart_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    added_at: Mapped[datetime] = created_at()
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # The line's key with its seller (the product's): the upsert's target on every server.
        UniqueConstraint("cart_id", "product_id", "seller_id", name="uq_cart_items_line"),
        ForeignKeyConstraint(
            ["cart_id", "seller_id"],
            ["carts.id", "carts.seller_id"],
            name="fk_cart_items_cart_seller",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["product_id", "seller_id"],
            ["products.id", "products.seller_id"],
            name="fk_cart_items_product_seller",
        ),
    )


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    subtotal: Mapped[Decimal] = mapped_column(Money, nullable=False)
    discount_total: Mapped[Decimal] = mapped_column(Money, nullable=False, server_default="0")
    total: Mapped[Decimal] = mapped_column(Money, nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    placed_by: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(20), nullable=False, server_default="tui")
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fulfilled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint(_in("status", ORDER_STATUSES), name="status_known"),
        CheckConstraint(
            "total >= 0 AND subtotal >= 0 AND discount_total >= 0", name="money_nonnegative"
        ),
        CheckConstraint(
            "total = subtotal - discount_total", name="total_is_subtotal_less_discount"
        ),
        UniqueConstraint("customer_id", "idempotency_key", name="uq_orders_customer_key"),
        # The target of payments' (order_id, customer_id) key: a payment's customer is its order's.
        UniqueConstraint("id", "customer_id", name="uq_orders_id_customer"),
        # Targets of the co-location keys: every row of an order carries the order's seller.
        UniqueConstraint("id", "seller_id", name="uq_orders_id_seller"),
        UniqueConstraint("id", "seller_id", "customer_id", name="uq_orders_id_seller_customer"),
        Index("ix_orders_customer_history", "customer_id", "created_at", "id"),
        # The unpaid orders a checkout counts against the customer's limit.
        Index(
            "ix_orders_customer_unpaid",
            "customer_id",
            "expires_at",
            postgresql_where=f"status = '{OrderStatus.PENDING_PAYMENT.value}'",
        ),
        Index("ix_orders_history", "created_at", "id"),
        Index(
            "ix_orders_pending_expiry",
            "expires_at",
            postgresql_where=f"status = '{OrderStatus.PENDING_PAYMENT.value}'",
        ),
    )


class OrderItem(Base):
    __tablename__ = "order_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), nullable=False, index=True)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Money, nullable=False)
    returned_qty: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="price_nonnegative"),
        CheckConstraint(
            "returned_qty >= 0 AND returned_qty <= quantity", name="returned_within_bought"
        ),
        UniqueConstraint("order_id", "product_id", name="uq_order_items_order_product"),
        _by_seller("order_id", "orders"),
        _by_seller("product_id", "products"),
    )


class Payment(Base):
    """A charge attempt (succeeded or declined) or a refund."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False, index=True)
    # The order's customer, copied so that payment keys are scoped per customer like order
    # keys: one customer's key never meets another's.
    customer_id: Mapped[int] = mapped_column(Integer, nullable=False)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    method: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    reference: Mapped[str] = mapped_column(String(40), nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    # Cash handed over for a cash charge at the counter; the change is tendered - amount.
    tendered: Mapped[Decimal | None] = mapped_column(Money)
    created_at: Mapped[datetime] = created_at()
    __table_args__ = (
        UniqueConstraint("customer_id", "idempotency_key", name="uq_payments_customer_key"),
        ForeignKeyConstraint(
            ["order_id", "customer_id"],
            ["orders.id", "orders.customer_id"],
            name="fk_payments_order_customer",
        ),
        ForeignKeyConstraint(
            ["order_id", "seller_id", "customer_id"],
            ["orders.id", "orders.seller_id", "orders.customer_id"],
            name="fk_payments_order_seller_customer",
        ),
        UniqueConstraint("id", "seller_id", name="uq_payments_id_seller"),
        CheckConstraint("kind IN ('charge', 'refund')", name="kind_known"),
        CheckConstraint(
            "tendered IS NULL OR (method = 'cash' AND kind = 'charge' AND tendered >= amount)",
            name="tendered_covers_cash",
        ),
        CheckConstraint(_in("method", PAYMENT_METHODS), name="method_known"),
        CheckConstraint("status IN ('succeeded', 'declined')", name="status_known"),
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
    )


class LedgerHead(Base):
    """The head of each hash chain; locking it serialises appends to that chain only."""

    __tablename__ = "ledger_heads"
    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    __table_args__ = (_chain_is_sellers(),)


class Transaction(Base):
    """The ledger: one row per payment attempt, charge and refund, hash-chained per chain."""

    __tablename__ = "transactions"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chain: Mapped[str] = mapped_column(String(40), nullable=False)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    method: Mapped[str | None] = mapped_column(String(10))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    __table_args__ = (
        UniqueConstraint("chain", "seq", name="uq_transactions_chain_seq"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        _chain_is_sellers(),
        _by_seller("order_id", "orders"),
        _by_seller("payment_id", "payments"),
    )


class Cancellation(Base):
    __tablename__ = "cancellations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False, unique=True)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    refund_amount: Mapped[Decimal] = mapped_column(Money, nullable=False, server_default="0")
    created_at: Mapped[datetime] = created_at()
    __table_args__ = (_by_seller("order_id", "orders"),)


class Return(Base):
    __tablename__ = "returns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False, index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), nullable=False)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    refund_amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    processed_by: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    created_at: Mapped[datetime] = created_at()
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        _by_seller("order_id", "orders"),
        _by_seller("product_id", "products"),
    )


class StockMovement(Base):
    """Append-only: every change to stock_remaining, so the counter can be reconciled."""

    __tablename__ = "stock_movements"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), nullable=False, index=True)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    delta: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(12), nullable=False)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    created_at: Mapped[datetime] = created_at()
    __table_args__ = (
        CheckConstraint(_in("reason", MOVEMENT_REASONS), name="reason_known"),
        CheckConstraint("delta <> 0", name="delta_nonzero"),
        _by_seller("product_id", "products"),
        _by_seller("order_id", "orders"),
    )


APPEND_ONLY_TABLES = ("transactions", "stock_movements")


# --- counter operations -------------------------------------------------------


class CashSession(Base):
    """A drawer's shift on one terminal: opened with a float, closed with a count."""

    __tablename__ = "cash_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(40), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, server_default="counter")
    opened_by: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    opened_at: Mapped[datetime] = created_at()
    opening_float: Mapped[Decimal] = mapped_column(Money, nullable=False)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    counted_cash: Mapped[Decimal | None] = mapped_column(Money)
    expected_cash: Mapped[Decimal | None] = mapped_column(Money)
    ledger_heads: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    __table_args__ = (
        CheckConstraint("kind IN ('counter', 'kiosk')", name="kind_known"),
        CheckConstraint(
            "opening_float >= 0 AND (counted_cash IS NULL OR counted_cash >= 0)",
            name="cash_nonnegative",
        ),
        CheckConstraint("(closed_at IS NULL) = (closed_by IS NULL)", name="closed_together"),
        # one open session per terminal, held by the database
        Index(
            "uq_cash_sessions_open_terminal",
            "terminal_id",
            unique=True,
            postgresql_where="closed_at IS NULL",
        ),
    )


class CashMovement(Base):
    """Cash put into or taken out of the drawer for a reason other than a sale."""

    __tablename__ = "cash_movements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("cash_sessions.id"), nullable=False, index=True
    )
    direction: Mapped[str] = mapped_column(String(3), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    actor_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    created_at: Mapped[datetime] = created_at()
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="direction_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )


class SessionPayment(Base):
    """Which drawer session a payment or refund was taken in (for the Z-report)."""

    __tablename__ = "session_payments"
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), primary_key=True)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("cash_sessions.id"), nullable=False, index=True
    )
    __table_args__ = (_by_seller("payment_id", "payments"),)


class OrderDiscount(Base):
    """A discount granted on an unpaid order, on one line or on the whole order."""

    __tablename__ = "order_discounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False, index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    granted_by: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    created_at: Mapped[datetime] = created_at()
    __table_args__ = (
        CheckConstraint("kind IN ('percent', 'fixed')", name="kind_known"),
        CheckConstraint("value > 0 AND amount > 0", name="positive"),
        CheckConstraint("kind <> 'percent' OR value <= 100", name="percent_at_most_100"),
        _by_seller("order_id", "orders"),
        _by_seller("product_id", "products"),
    )


class ReceiptPrint(Base):
    """Every receipt printed; any copy after the first is marked DUPLICATE."""

    __tablename__ = "receipt_prints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), nullable=False, index=True)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    copy_number: Mapped[int] = mapped_column(Integer, nullable=False)
    printed_by: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    printed_at: Mapped[datetime] = created_at()
    __table_args__ = (
        UniqueConstraint("payment_id", "copy_number", name="uq_receipt_prints_copy"),
        _by_seller("payment_id", "payments"),
    )


class SessionOrder(Base):
    """Which drawer session an order was placed in (the Z-report's order count)."""

    __tablename__ = "session_orders"
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("cash_sessions.id"), nullable=False, index=True
    )
    __table_args__ = (_by_seller("order_id", "orders"),)


class IdempotencyClaim(Base):
    """Which seller a customer's idempotency key was first used with (migration 0007).

    Orders and payments are unique per (customer, key) in one database; sharded by seller
    (Citus) a unique key can only hold per seller. The claim, one row per customer's key and
    on the customer's own shard, is taken in one statement before the sale: a key reused
    with another seller finds the seller it belongs to, so it still makes one order and
    one charge (DESIGN invariant 4) on both kinds of database.
    """

    __tablename__ = "idempotency_claims"
    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    seller_id: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = created_at()
    __table_args__ = (CheckConstraint("scope IN ('order', 'payment')", name="scope_known"),)
