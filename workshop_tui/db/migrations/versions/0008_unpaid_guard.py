"""the unpaid-orders guard: a checkout's count refuses in the sale's own message

A customer may hold at most WORKSHOP_MAX_UNPAID_ORDERS unpaid orders. On one server a
checkout counts them inside its transaction, after its cart lines are locked (so two
checkouts of one customer cannot both pass on the same count), in the message that
writes the order and commits. A refusal there must stop the rest of that message: this
function raises SQLSTATE WS001 with the count as the error's detail, and the engine
turns that into its own too_many_unpaid refusal (services.checkout).

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION workshop_refuse_unpaid(unpaid bigint, most integer) RETURNS bigint
        LANGUAGE plpgsql AS $$
        BEGIN
            IF unpaid >= most THEN
                RAISE EXCEPTION USING ERRCODE = 'WS001', MESSAGE = 'too many unpaid orders',
                                      DETAIL = unpaid::text;
            END IF;
            RETURN unpaid;
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION workshop_refuse_unpaid(bigint, integer)")
