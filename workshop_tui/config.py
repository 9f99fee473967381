"""Settings from flags, then environment (WORKSHOP_*), then defaults.

Every path the app writes to comes from `data_dir()`, the one function tests
monkeypatch, so no test ever touches the user's real data directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "workshop"


def data_dir() -> Path:
    """Where the embedded database, receipts and the secret key live."""
    env = os.environ.get("WORKSHOP_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def log_dir() -> Path:
    env = os.environ.get("WORKSHOP_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve() / "logs"
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    data_dir: Path = field(default_factory=data_dir)
    kiosk: bool = False
    kiosk_idle_seconds: float = 120.0
    order_ttl_minutes: int = 15
    expiry_sweep_seconds: float = 1.0
    return_window_days: int = 7
    max_line_quantity: int = 99
    lock_timeout_ms: int = 2000
    statement_timeout_ms: int = 15000
    login_max_failures: int = 5
    login_lockout_seconds: int = 60
    staff_discount_limit_percent: Decimal = Decimal("10")
    terminal_id: str = "terminal-1"
    require_cash_session: bool = False
    # WORKSHOP_POOL_SIZE: this process's pool, whatever its caller asks (0: the caller's own);
    # `workshop serve` gives every session's app a small one so many fit on one server.
    pool_size: int = 0
    # WORKSHOP_LISTEN_URL: LISTEN holds a server session, which a transaction pooler
    # (pgbouncer) does not keep: name PostgreSQL itself here (default: the database URL).
    listen_url: str | None = None

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        env = os.environ
        values: dict[str, Any] = {}
        casts = {f.name: f.type for f in fields(cls)}
        env_names = {
            "database_url": "WORKSHOP_DATABASE_URL",
            "kiosk_idle_seconds": "WORKSHOP_KIOSK_IDLE",
        }
        for name in casts:
            key = env_names.get(name, "WORKSHOP_" + name.upper())
            if key in env and env[key] != "":
                values[name] = _cast(name, env[key])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _cast(name: str, raw: str) -> Any:
    default = getattr(Settings(), name)
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, Decimal):
        return Decimal(raw)
    if isinstance(default, Path):
        return Path(raw).expanduser().resolve()
    return raw
