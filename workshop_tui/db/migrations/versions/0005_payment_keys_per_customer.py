"""payment keys per customer; the unpaid orders a checkout counts

- payments.customer_id, the order's customer (backfilled from orders, held equal to it by
  a composite foreign key to orders (id, customer_id)), and payment idempotency keys
  unique per customer instead of globally: one customer's key no longer meets another's;
- ix_orders_customer_unpaid: a customer's unpaid orders, counted at each checkout
  against WORKSHOP_MAX_UNPAID_ORDERS.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("payments", sa.Column("customer_id", sa.Integer(), nullable=True))
    op.execute("UPDATE payments p SET customer_id = o.customer_id FROM orders o WHERE o.id = p.order_id")
    op.alter_column("payments", "customer_id", nullable=False)
    op.create_unique_constraint("uq_orders_id_customer", "orders", ["id", "customer_id"])
    op.create_foreign_key(
        "fk_payments_order_customer", "payments", "orders", ["order_id", "customer_id"], ["id", "customer_id"]
    )
    op.drop_constraint("uq_payments_idempotency_key", "payments", type_="unique")
    op.create_unique_constraint("uq_payments_customer_key", "payments", ["customer_id", "idempotency_key"])
    op.create_index(
        "ix_orders_customer_unpaid",
        "orders",
        ["customer_id", "expires_at"],
        postgresql_where=sa.text("status = 'pending_payment'"),
    )


def downgrade() -> None:
    # Refuses (unique violation) once two customers have used the same payment key.
    op.drop_index("ix_orders_customer_unpaid", table_name="orders")
    op.drop_constraint("uq_payments_customer_key", "payments", type_="unique")
    op.create_unique_constraint("uq_payments_idempotency_key", "payments", ["idempotency_key"])
    op.drop_constraint("fk_payments_order_customer", "payments", type_="foreignkey")
    op.drop_constraint("uq_orders_id_customer", "orders", type_="unique")
    op.drop_column("payments", "customer_id")
