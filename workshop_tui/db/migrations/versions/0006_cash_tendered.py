"""cash tendered at the counter: payments.tendered (the change is tendered - amount)

A cash charge may record the cash handed over, so a reprint shows the same
tendered and change as the first copy. The drawer keeps the amount, never the
tendered cash, so the Z-report's expected cash does not read this column.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("payments", sa.Column("tendered", sa.Numeric(12, 2), nullable=True))
    op.create_check_constraint(
        op.f("ck_payments_tendered_covers_cash"),
        "payments",
        "tendered IS NULL OR (method = 'cash' AND kind = 'charge' AND tendered >= amount)",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_payments_tendered_covers_cash"), "payments", type_="check")
    op.drop_column("payments", "tendered")
