"""The migrations build exactly the schema the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from workshop_tui.db.models import Base


def test_the_migrated_database_matches_the_models(database):
    with database.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_the_search_indexes_exist(database):
    with database.engine.connect() as conn:
        names = set(
            conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'products'"
            ).scalars()
        )
    assert {"ix_products_name_trgm", "ix_products_sku_trgm"} <= names
