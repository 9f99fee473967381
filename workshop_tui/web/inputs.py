"""Reading a request: the JSON body, query integers and headers, or invalid_input (400).

Only the shape is checked here (an object, a string, a boolean); the services
check every value and its range.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request

from workshop_tui.services.errors import InvalidInput

DIGITS = re.compile(r"[0-9]{1,10}")
IDEMPOTENCY_HEADER = "Idempotency-Key"


def json_body(*fields: str, optional: bool = False) -> dict[str, Any]:
    """The body as a JSON object with only the named `fields`; an empty body is {} when `optional`."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if optional:
            return {}
        raise InvalidInput("send a JSON object as the body")
    if request.mimetype != "application/json":
        raise InvalidInput("send the body as application/json")
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise InvalidInput("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(unknown)[:200]}")
    return body


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def field(body: dict[str, Any], name: str, *, default: Any = ..., kind: type | None = None) -> Any:
    """body[name]; missing is invalid_input unless a default is given; `kind` checks the type."""
    if name not in body or body[name] is None:
        if default is ...:
            raise InvalidInput(f"{name} is required")
        return default
    value = body[name]
    if kind is not None and (
        not isinstance(value, kind) or (kind is int and isinstance(value, bool))
    ):
        raise InvalidInput(f"{name} must be {_KIND_NAMES.get(kind, kind.__name__)}")
    return value


_KIND_NAMES = {str: "text", bool: "true or false", int: "a whole number", list: "a list"}


def query_int(name: str, default: int | None = None) -> int | None:
    """A non-negative integer query parameter, or `default` when absent or empty."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not DIGITS.fullmatch(raw):
        raise InvalidInput(f"{name} must be a whole number")
    return int(raw)


def query_text(name: str) -> str | None:
    raw = request.args.get(name)
    return raw if raw else None


def idempotency_key() -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        raise InvalidInput(f"send an {IDEMPOTENCY_HEADER} header (any unique text per attempt)")
    return key
