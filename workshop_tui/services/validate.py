"""Input checks shared by the services: each refuses bad input with InvalidInput and one message.

Services check what they are given before opening a transaction, so a refusal costs
no round trip; screens, the web and the CLI pass input through unchecked.

Text from outside (a name, a reason, a search) carries no control characters: PostgreSQL
refuses a NUL outright (a 500 if it gets that far), the others corrupt receipts, CSV
exports and terminals, and a lone surrogate cannot be encoded at all.
"""

from __future__ import annotations

import re
from decimal import Decimal

from workshop_tui.services.errors import InvalidInput

MAX_CASH = Decimal("10000000")

# C0 controls, DEL, C1 controls and UTF-16 surrogates (only reachable through JSON escapes).
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def has_control(value: str) -> bool:
    return FORBIDDEN.search(value) is not None


def clean_text(value: object, field: str, max_len: int = 200) -> str:
    """`value` stripped, or invalid_input naming `field` (not text, control characters, too long)."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text")
    if has_control(value):
        raise InvalidInput(f"{field} must not contain control characters")
    text = value.strip()
    if len(text) > max_len:
        raise InvalidInput(f"{field} has at most {max_len} characters")
    return text


def check_id(value: object, what: str) -> int:
    """A database id: a positive whole number that fits an integer column."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise InvalidInput(f"{what} must be a positive whole number")
    return value


def check_limit(value: object, maximum: int) -> int:
    """A page size, 1 to `maximum`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InvalidInput(f"limit must be 1 to {maximum}")
    return value


def check_key(key: object) -> str:
    """An idempotency key: what makes a retried checkout or payment happen once."""
    if not isinstance(key, str) or not 1 <= len(key.strip()) <= 100:
        raise InvalidInput("an idempotency key is 1 to 100 characters")
    return key.strip()


def check_reason(reason: object, *, required: bool = False) -> str:
    """Why a person cancelled, returned or discounted: at most 500 characters."""
    if reason is None:
        reason = ""
    if not isinstance(reason, str) or len(reason) > 500:
        raise InvalidInput("a reason is text of at most 500 characters")
    if has_control(reason):
        raise InvalidInput("a reason must not contain control characters")
    if required and not reason.strip():
        raise InvalidInput("give a reason")
    return reason.strip()


def check_quantity(value: object, maximum: int, *, allow_zero: bool = True) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("a quantity is a whole number")
    low = 0 if allow_zero else 1
    if not low <= value <= maximum:
        raise InvalidInput(f"a quantity is {low} to {maximum}")
    return value


def check_amount(value: object, what: str = "an amount", *, allow_zero: bool = False) -> Decimal:
    """Rupees with at most two decimals, never a float (it cannot hold paise exactly)."""
    try:
        amount = Decimal(str(value)) if not isinstance(value, bool | float) else None
    except ArithmeticError:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(f"{what} is rupees with at most 2 decimals")
    if amount < 0 or (amount == 0 and not allow_zero) or amount > MAX_CASH:
        raise InvalidInput(f"{what} must be {'0' if allow_zero else 'more than 0'} to {MAX_CASH:,}")
    return amount.quantize(Decimal("0.01"))
