"""Settings from flags, then environment (WORKSHOP_*), then defaults.

`Settings(**flags)` takes the arguments it is built with (the command's flags) over
`WORKSHOP_<FIELD>` variables (any case; an empty one counts as unset) over the
defaults; a value that does not parse is a `SettingsError` that names its variable,
every bad one in one line. Every path the app writes to comes from `data_dir()`, so
no test touches the user's data.

Plain dataclasses and a parser per field type, not pydantic-settings: importing
pydantic costs the terminal app about a quarter of its launch, before the login
screen can paint, for a dozen scalar fields.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
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


class Invalid(ValueError):
    """One field's value does not parse; the message says why, in lower case."""


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("input should be a valid string")
    return value


def _optional_str(value: Any) -> str | None:
    return None if value is None else _str(value)


TRUE = frozenset(("1", "on", "t", "true", "y", "yes"))
FALSE = frozenset(("0", "off", "f", "false", "n", "no"))


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise Invalid("input should be a valid boolean, unable to interpret input")


def _int(value: Any) -> int:
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise Invalid("input should be a valid integer, unable to parse string as an integer")


def _float(value: Any) -> float:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise Invalid("input should be a valid number, unable to parse string as a number")


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            pass
        else:
            if result.is_finite():
                return result
    raise Invalid("input should be a valid decimal")


def _path(value: Any) -> Path:
    if isinstance(value, str | os.PathLike):
        return Path(value).expanduser().resolve()
    raise Invalid("input is not a valid path")


# By the annotation's text (annotations are strings here): one parser per field type.
PARSERS: dict[str, Callable[[Any], Any]] = {
    "str": _str,
    "str | None": _optional_str,
    "bool": _bool,
    "int": _int,
    "float": _float,
    "Decimal": _decimal,
    "Path": _path,
}


def at_least(low: int) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if value < low:
            raise Invalid(f"input should be greater than or equal to {low}")

    return check


def one_of(allowed: tuple[int, ...], why: str) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if value not in allowed:
            raise Invalid(f"value error, {why}")

    return check


def setting(
    default: Any = dataclasses.MISSING,
    *,
    env: str | None = None,
    check: Callable[[Any], None] | None = None,
    default_factory: Callable[[], Any] | None = None,
) -> Any:
    """A field whose variable is `env` (default WORKSHOP_<NAME>) and whose parsed value
    must pass `check`."""
    metadata = {"env": env, "check": check}
    if default_factory is not None:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True, init=False)
class Settings:
    database_url: str | None = None
    data_dir: Path = setting(default_factory=lambda: data_dir())
    kiosk: bool = False
    kiosk_idle_seconds: float = setting(120.0, env="WORKSHOP_KIOSK_IDLE")
    order_ttl_minutes: int = 15
    # Unpaid orders past their window are cancelled by a background sweeper this often
    # (and by `workshop orders expire` from cron), never inside a customer's checkout.
    expiry_sweep_seconds: float = 30.0
    return_window_days: int = 7
    max_line_quantity: int = 99
    # Unpaid orders hold stock: a customer may have this many at a time (staff are exempt).
    max_unpaid_orders: int = setting(3, check=at_least(1))
    # Each attempt writes ledger rows: an order takes at most this many.
    max_payment_attempts: int = setting(10, check=at_least(1))
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
    printer_columns: int = setting(
        42, check=one_of((42, 32), "42 (80 mm paper) or 32 (58 mm paper)")
    )
    printer_timeout_seconds: float = 5.0
    drawer_pin: int = setting(2, check=one_of((2, 5), "the cash drawer is on pin 2 or pin 5"))
    # A barcode scanner types faster than this between keys and ends with Enter (or the suffix).
    scanner_max_gap_ms: float = 50.0
    scanner_prefix: str = ""
    scanner_suffix: str = ""

    def __init__(self, **values: Any) -> None:
        """The given values over the environment's WORKSHOP_* over the defaults."""
        unknown = set(values) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TypeError(f"Settings got unknown settings: {', '.join(sorted(unknown))}")
        environ = _workshop_environ(os.environ)
        errors = []
        for f in dataclasses.fields(self):
            variable = _variable(f)
            if f.name in values:
                raw = values[f.name]
            elif variable in environ:
                raw = environ[variable]
            else:
                default = (
                    f.default_factory()
                    if f.default_factory is not dataclasses.MISSING
                    else f.default
                )
                object.__setattr__(self, f.name, default)
                continue
            try:
                value = PARSERS[str(f.type)](raw)
                check = f.metadata.get("check")
                if check is not None:
                    check(value)
            except Invalid as exc:
                errors.append(f"{variable}={raw!r}: {exc}")
                continue
            object.__setattr__(self, f.name, value)
        if errors:
            raise SettingsError("; ".join(errors))

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """The environment over the defaults, with every override that is not None on top."""
        return cls(**{k: v for k, v in overrides.items() if v is not None})

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Settings:
        """A copy with `update` on top: neither parsed nor checked, and the environment is
        not read again (the caller's values are typed already; tests set odd ones)."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        for name, value in (update or {}).items():
            if name not in self.__dict__:
                raise TypeError(f"Settings has no setting {name}")
            copy.__dict__[name] = value
        return copy


def _variable(f: dataclasses.Field[Any]) -> str:
    return f.metadata.get("env") or f"WORKSHOP_{f.name.upper()}"


def _workshop_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """WORKSHOP_* variables by their upper-case names; an empty one counts as unset."""
    return {
        name.upper(): value
        for name, value in environ.items()
        if value != "" and name.upper().startswith("WORKSHOP_")
    }
