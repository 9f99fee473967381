"""accounts under hostile use: server-side sessions, throttles per source, the walk-in account

- sessions: the web's signed-in sessions (only the SHA-256 of the cookie's id);
  a trigger revokes an account's sessions when it is deactivated or its password changes;
- auth_throttle replaces login_throttle: failures per (scope, key), so one client is
  throttled across all logins and a login is throttled per source;
- the walk-in customer exists from now on and cannot log in (an unusable hash, inactive);
  an account that claimed the name before is neutralised the same way.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

REVOKE_FUNCTION = """
CREATE OR REPLACE FUNCTION revoke_sessions_on_account_change() RETURNS trigger AS $$
BEGIN
    IF NEW.is_active IS DISTINCT FROM OLD.is_active AND NOT NEW.is_active
       OR NEW.password_hash IS DISTINCT FROM OLD.password_hash THEN
        UPDATE sessions SET revoked_at = now()
         WHERE customer_id = NEW.id AND revoked_at IS NULL;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("absolute_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_sessions_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_customer_id"), "sessions", ["customer_id"], unique=False)
    op.execute(REVOKE_FUNCTION)
    op.execute(
        "CREATE TRIGGER customers_revoke_sessions AFTER UPDATE OF is_active, password_hash "
        "ON customers FOR EACH ROW EXECUTE FUNCTION revoke_sessions_on_account_change()"
    )
    op.create_table(
        "auth_throttle",
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("scope IN ('account', 'address')", name=op.f("ck_auth_throttle_scope_known")),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_auth_throttle")),
    )
    op.drop_table("login_throttle")
    # '!' is no argon2 hash: nothing verifies against it.
    op.execute(
        "INSERT INTO customers (username, name, role, password_hash, is_active) "
        "VALUES ('walk-in', 'Walk-in customer', 'customer', '!', false) "
        "ON CONFLICT (username) DO UPDATE SET password_hash = '!', is_active = false, role = 'customer'"
    )


def downgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("login", sa.String(length=60), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_login_throttle")),
    )
    op.drop_table("auth_throttle")
    op.execute("DROP TRIGGER IF EXISTS customers_revoke_sessions ON customers")
    op.execute("DROP FUNCTION IF EXISTS revoke_sessions_on_account_change()")
    op.drop_index(op.f("ix_sessions_customer_id"), table_name="sessions")
    op.drop_table("sessions")
