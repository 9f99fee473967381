"""distribution keys: every row of a sale carries its seller; idempotency claims

So that a database sharded by seller (Citus: `workshop db distribute`) keeps each sale
on one shard, every table of a sale gets `seller_id` (filled from the rows that exist),
under a composite foreign key to the row it belongs to: an order's items, payments,
ledger rows, movements, cancellation, returns and discounts all name the order's
seller, and the database refuses any that do not. The ledger's chain must be its
seller's ('seller-N'), so (seller_id, chain, seq) is exactly as unique as (chain, seq).

A BEFORE INSERT trigger fills `seller_id` when a statement leaves it out (the seed
files, rare paths); the sale's own statements name it (that is what routes them).

`idempotency_claims` binds a customer's key to the seller it was first used with: on a
sharded database the keys' unique constraints can only hold per seller, and the claim
keeps "a key used twice makes one order and one charge" across sellers.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

APPEND_ONLY = ("transactions", "stock_movements")
# table -> where its seller comes from
FILLED = {
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
SOURCE = {
    "product": "(SELECT p.seller_id FROM products p WHERE p.id = {t}.product_id)",
    "order": "(SELECT o.seller_id FROM orders o WHERE o.id = {t}.order_id)",
    "payment": "(SELECT p.seller_id FROM payments p WHERE p.id = {t}.payment_id)",
    "chain": "CAST(substring({t}.chain FROM '^seller-([0-9]+)$') AS integer)",
}
# (table, column, parent): (column, seller_id) -> parent (id, seller_id)
BY_SELLER = [
    ("inventory", "product_id", "products"),
    ("order_items", "order_id", "orders"),
    ("order_items", "product_id", "products"),
    ("transactions", "order_id", "orders"),
    ("transactions", "payment_id", "payments"),
    ("cancellations", "order_id", "orders"),
    ("returns", "order_id", "orders"),
    ("returns", "product_id", "products"),
    ("stock_movements", "product_id", "products"),
    ("stock_movements", "order_id", "orders"),
    ("session_payments", "payment_id", "payments"),
    ("order_discounts", "order_id", "orders"),
    ("order_discounts", "product_id", "products"),
    ("receipt_prints", "payment_id", "payments"),
    ("session_orders", "order_id", "orders"),
]

FILL_FUNCTION = """
CREATE FUNCTION fill_seller_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seller_id IS NULL THEN
        CASE TG_ARGV[0]
        WHEN 'product' THEN
            SELECT p.seller_id INTO NEW.seller_id FROM products p WHERE p.id = NEW.product_id;
        WHEN 'order' THEN
            SELECT o.seller_id INTO NEW.seller_id FROM orders o WHERE o.id = NEW.order_id;
        WHEN 'payment' THEN
            SELECT p.seller_id INTO NEW.seller_id FROM payments p WHERE p.id = NEW.payment_id;
        WHEN 'chain' THEN
            NEW.seller_id := CAST(substring(NEW.chain FROM '^seller-([0-9]+)$') AS integer);
        END CASE;
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    for table, source in FILLED.items():
        op.add_column(table, sa.Column("seller_id", sa.Integer(), nullable=True))
        # The ledger and the movements are append-only: the back-fill is the one UPDATE
        # they get, with their guard off for it, inside the migration's transaction.
        guarded = table in APPEND_ONLY
        if guarded:
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        op.execute(f"UPDATE {table} SET seller_id = {SOURCE[source].format(t=table)}")
        if guarded:
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        op.alter_column(table, "seller_id", nullable=False)
    op.create_unique_constraint("uq_orders_id_seller", "orders", ["id", "seller_id"])
    op.create_unique_constraint(
        "uq_orders_id_seller_customer", "orders", ["id", "seller_id", "customer_id"]
    )
    op.create_unique_constraint("uq_payments_id_seller", "payments", ["id", "seller_id"])
    op.create_unique_constraint(
        "uq_cart_items_line", "cart_items", ["cart_id", "product_id", "seller_id"]
    )
    op.create_foreign_key(
        "fk_payments_order_seller_customer",
        "payments",
        "orders",
        ["order_id", "seller_id", "customer_id"],
        ["id", "seller_id", "customer_id"],
    )
    for table, column, parent in BY_SELLER:
        op.create_foreign_key(
            f"fk_{column}_seller", table, parent, [column, "seller_id"], ["id", "seller_id"]
        )
    for table in ("transactions", "ledger_heads"):
        op.create_check_constraint(
            op.f(f"ck_{table}_chain_is_sellers"), table, "chain = 'seller-' || seller_id"
        )
    op.execute(FILL_FUNCTION)
    for table, source in FILLED.items():
        op.execute(
            f"CREATE TRIGGER {table}_fill_seller BEFORE INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION fill_seller_id('{source}')"
        )
    op.create_table(
        "idempotency_claims",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "scope IN ('order', 'payment')", name=op.f("ck_idempotency_claims_scope_known")
        ),
        sa.PrimaryKeyConstraint("customer_id", "scope", "key", name=op.f("pk_idempotency_claims")),
    )
    # The keys already used, bound to the sellers they were used with.
    op.execute(
        "INSERT INTO idempotency_claims (customer_id, scope, key, seller_id)"
        " SELECT customer_id, 'order', idempotency_key, seller_id FROM orders"
        " WHERE idempotency_key IS NOT NULL"
        " UNION ALL"
        " SELECT customer_id, 'payment', idempotency_key, seller_id FROM payments"
        " WHERE idempotency_key IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("idempotency_claims")
    for table in FILLED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_fill_seller ON {table}")
    op.execute("DROP FUNCTION IF EXISTS fill_seller_id()")
    for table in ("transactions", "ledger_heads"):
        op.drop_constraint(op.f(f"ck_{table}_chain_is_sellers"), table, type_="check")
    for table, column, _ in BY_SELLER:
        op.drop_constraint(f"fk_{column}_seller", table, type_="foreignkey")
    op.drop_constraint("fk_payments_order_seller_customer", "payments", type_="foreignkey")
    op.drop_constraint("uq_payments_id_seller", "payments", type_="unique")
    op.drop_constraint("uq_cart_items_line", "cart_items", type_="unique")
    op.drop_constraint("uq_orders_id_seller_customer", "orders", type_="unique")
    op.drop_constraint("uq_orders_id_seller", "orders", type_="unique")
    for table in FILLED:
        op.drop_column(table, "seller_id")
