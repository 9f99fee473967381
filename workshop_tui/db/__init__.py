"""Database access: the engine factory, the embedded server, models and migrations."""

from workshop_tui.db.engine import Database, DatabaseUnavailable, mask_url

__all__ = ["Database", "DatabaseUnavailable", "mask_url"]
