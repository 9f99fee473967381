"""restore the trigram search indexes

0002 as first written dropped the trigram indexes of 0001 (autogenerate did not
know them). 0002 no longer does; this puts them back where it already ran.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_products_name_trgm ON products USING gin (name gin_trgm_ops)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_products_sku_trgm ON products USING gin (sku gin_trgm_ops)")


def downgrade() -> None:
    pass  # the indexes belong to 0001
