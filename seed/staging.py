"""Loading into a database sharded by seller (Citus, `workshop db distribute`).

There the sale's tables hold only keys that include `seller_id` (a duplicate order id
under two sellers would pass them), the files leave `seller_id` to a trigger that
`db distribute` removed, and the loader's bulk steps (dropping and re-making keys,
derived tables built by INSERT .. SELECT across tables) would each fan out to every
shard. So the load runs on the coordinator first, exactly as on one server, into
temporary tables of the same names made from the schema's own definitions (the plain,
single-server keys, foreign keys and CHECKs, and a `seller_id` filled as the migration's
trigger fills it): every file is COPYed, checked, derived and its ledger re-hashed there.
Then each table's rows go to the distributed tables in one INSERT .. SELECT (Citus sends
them to the shards with COPY), where the distributed keys check them once more, and the
temporary tables are dropped: everything stays in the load's one transaction.

A temporary table is found before a permanent one of the same name (PostgreSQL searches
the session's temporary schema first), so the loader's SQL runs unchanged on either.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from workshop_tui.db import models as m

# The migration's fill_seller_id(), reading the temporary tables (named outright).
FILL_FUNCTION = """
CREATE FUNCTION pg_temp.fill_seller_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seller_id IS NULL THEN
        CASE TG_ARGV[0]
        WHEN 'product' THEN
            SELECT p.seller_id INTO NEW.seller_id FROM pg_temp.products p WHERE p.id = NEW.product_id;
        WHEN 'order' THEN
            SELECT o.seller_id INTO NEW.seller_id FROM pg_temp.orders o WHERE o.id = NEW.order_id;
        WHEN 'payment' THEN
            SELECT p.seller_id INTO NEW.seller_id FROM pg_temp.payments p WHERE p.id = NEW.payment_id;
        WHEN 'chain' THEN
            NEW.seller_id := CAST(substring(NEW.chain FROM '^seller-([0-9]+)$') AS integer);
        END CASE;
    END IF;
    RETURN NEW;
END $$
"""


def begin_sharded(cur: Any) -> None:
    """One connection per worker for the whole load: it writes reference tables (accounts,
    sellers) that distributed tables' keys point at, which Citus allows only so."""
    cur.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
    # The append-only guards are switched off around an emptying TRUNCATE (--replace):
    # on a distributed table that needs Citus' leave to touch its triggers.
    cur.execute("SET LOCAL citus.enable_unsafe_triggers TO on")


def _staged(tables: tuple[str, ...]) -> list[Any]:
    return [t for t in m.Base.metadata.sorted_tables if t.name in tables]


def stage(cur: Any, tables: tuple[str, ...]) -> None:
    """Temporary tables named as `tables`, with the schema's single-server keys and checks.

    Unique indexes come too (they are checks); the search indexes do not (nothing searches
    a load). Dropped again by `publish`, or with the transaction if the load fails."""
    dialect = postgresql.dialect()
    cur.execute(FILL_FUNCTION)
    for table in _staged(tables):
        outside = {fk.column.table.name for fk in table.foreign_keys} - set(tables)
        assert not outside, f"{table.name} refers to tables not staged: {outside}"
        ddl = str(CreateTable(table).compile(dialect=dialect))
        cur.execute(ddl.replace("CREATE TABLE ", "CREATE TEMPORARY TABLE ", 1))
        for index in table.indexes:
            if index.unique:
                cur.execute(str(CreateIndex(index).compile(dialect=dialect)))
        source = m.SELLER_FILLED.get(table.name)
        if source is not None:
            cur.execute(
                f"CREATE TRIGGER {table.name}_fill_seller BEFORE INSERT ON pg_temp.{table.name}"
                f" FOR EACH ROW EXECUTE FUNCTION pg_temp.fill_seller_id('{source}')"
            )


def publish(cur: Any, tables: tuple[str, ...]) -> None:
    """Every staged row into the distributed tables of the same names, references first;
    then the temporary tables go, and the names mean the distributed tables again."""
    cur.execute("SELECT current_schema()")
    schema = cur.fetchone()[0]
    staged = _staged(tables)
    for table in staged:
        columns = ", ".join(c.name for c in table.columns)
        cur.execute(
            f'INSERT INTO "{schema}".{table.name} ({columns})'
            f" SELECT {columns} FROM pg_temp.{table.name}"
        )
    for table in reversed(staged):
        cur.execute(f"DROP TABLE pg_temp.{table.name}")
    cur.execute("DROP FUNCTION pg_temp.fill_seller_id()")
