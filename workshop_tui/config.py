"""Settings from flags, then environment (WORKSHOP_*), then defaults.

`Settings` is a pydantic-settings model: the arguments it is built with (the
command's flags) beat `WORKSHOP_<FIELD>` variables, which beat the defaults; a
value that does not parse is a `SettingsError` naming its variable. Every path
the app writes to comes from `data_dir()`, so no test touches the user's data.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "workshop"


def data_dir() -> Path:
    """Where the embedded database, receipts and the secret key live."""
    env = os.environ.get("WORKSHOP_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def demo_logins_path(directory: Path) -> Path:
    """Written by `workshop seed demo` when it loads the demo set: the demo logins, which
    the login screen then shows (its presence is what "demo mode" means)."""
    return directory / "demo-logins.json"


def log_dir() -> Path:
    env = os.environ.get("WORKSHOP_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve() / "logs"
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


class SettingsError(ValueError):
    """A WORKSHOP_* value that does not parse, in one line that names the variable."""


class Settings(BaseSettings):
    # An empty variable counts as unset, so `WORKSHOP_X= workshop` means the default.
    model_config = SettingsConfigDict(
        env_prefix="WORKSHOP_", env_ignore_empty=True, frozen=True, validate_by_name=True
    )

    database_url: str | None = None
    data_dir: Path = Field(default_factory=lambda: data_dir())
    kiosk: bool = False
    kiosk_idle_seconds: float = Field(120.0, validation_alias="WORKSHOP_KIOSK_IDLE")
    order_ttl_minutes: int = 15
    # Unpaid orders past their window are cancelled by a background sweeper this often
    # (and by `workshop orders expire` from cron), never inside a customer's checkout.
    expiry_sweep_seconds: float = 30.0
    return_window_days: int = 7
    max_line_quantity: int = 99
    # Unpaid orders hold stock: a customer may have this many at a time (staff are exempt).
    max_unpaid_orders: int = Field(3, ge=1)
    # Each attempt writes ledger rows: an order takes at most this many.
    max_payment_attempts: int = Field(10, ge=1)
    lock_timeout_ms: int = 2000
    statement_timeout_ms: int = 15000
    # The server ends a transaction left open this long (a frozen or vanished terminal)
    # and so releases its row locks.
    idle_in_transaction_session_timeout_ms: int = 15000
    # How long a call keeps trying to reach a database that went away (a restart, a
    # failover) before it answers `unavailable`.
    reconnect_wait_ms: int = 3000
    login_max_failures: int = 5
    login_lockout_seconds: int = 60
    staff_discount_limit_percent: Decimal = Decimal("10")
    terminal_id: str = "terminal-1"
    require_cash_session: bool = False
    # Send the web session cookie over HTTPS only: turn on behind a TLS proxy.
    cookie_secure: bool = False
    # WORKSHOP_POOL_SIZE: this process's pool, whatever its caller asks (0: the caller's own);
    # `workshop serve` gives every session's app a small one so many fit on one server.
    pool_size: int = 0
    # WORKSHOP_LISTEN_URL: LISTEN holds a server session, which a transaction pooler
    # (pgbouncer) does not keep: name PostgreSQL itself here (default: the database URL).
    listen_url: str | None = None
    # The counter's hardware (services.printing): an ESC/POS printer URI, the paper's
    # columns (42 on 80 mm, 32 on 58 mm), the cash drawer's pin (2 or 5).
    printer: str = "none"
    printer_columns: int = 42
    printer_timeout_seconds: float = 5.0
    drawer_pin: int = 2
    # A barcode scanner types faster than this between keys and ends with Enter (or the suffix).
    scanner_max_gap_ms: float = 50.0
    scanner_prefix: str = ""
    scanner_suffix: str = ""

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        return path.expanduser().resolve()

    @field_validator("printer_columns")
    @classmethod
    def _paper(cls, columns: int) -> int:
        if columns not in (42, 32):
            raise ValueError("42 (80 mm paper) or 32 (58 mm paper)")
        return columns

    @field_validator("drawer_pin")
    @classmethod
    def _pin(cls, pin: int) -> int:
        if pin not in (2, 5):
            raise ValueError("the cash drawer is on pin 2 or pin 5")
        return pin

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """The environment over the defaults, with every override that is not None on top."""
        try:
            return cls(**{k: v for k, v in overrides.items() if v is not None})
        except ValidationError as exc:
            raise SettingsError("; ".join(_describe(e) for e in exc.errors())) from None


def _describe(error: Any) -> str:
    name = str(error["loc"][0]) if error["loc"] else "?"
    field = Settings.model_fields.get(name)
    variable = name if field is None else field.validation_alias or f"WORKSHOP_{name.upper()}"
    return f"{variable}={error['input']!r}: {error['msg'][0].lower()}{error['msg'][1:]}"
