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
    # Send the web session cookie over HTTPS only: turn on behind a TLS proxy.
    cookie_secure: bool = False

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        return path.expanduser().resolve()

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
