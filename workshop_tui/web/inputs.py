"""Reading a request into its model (schemas.py), or invalid_input (400) naming the field.

Only the shape and the documented ranges are checked here; the services check
every rule.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from workshop_tui.services.errors import InvalidInput

IDEMPOTENCY_HEADER = "Idempotency-Key"
M = TypeVar("M", bound=BaseModel)

# pydantic's error types in the words of the API's messages ({field} is the dotted path).
MESSAGES = {
    "missing": "{field} is required",
    "extra_forbidden": "unknown field: {field}",
    "int_type": "{field} must be a whole number",
    "int_parsing": "{field} must be a whole number",
    "int_from_float": "{field} must be a whole number",
    "string_type": "{field} must be text",
    "bool_type": "{field} must be true or false",
    "list_type": "{field} must be a list",
    "model_type": "{field} must be an object",
    "model_attributes_type": "{field} must be an object",
    "greater_than_equal": "{field} must be at least {ge}",
    "less_than_equal": "{field} must be at most {le}",
    "string_too_long": "{field} must be at most {max_length} characters",
    "too_short": "{field} needs at least {min_length} item(s)",
    "literal_error": "{field} must be {expected}",
    "enum": "{field} must be {expected}",
}


def body(model: type[M], *, optional: bool = False) -> M:
    """The JSON body as `model`; an empty body counts as {} when `optional`."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if optional:
            return model()
        raise InvalidInput("send a JSON object as the body")
    if request.mimetype != "application/json":
        raise InvalidInput("send the body as application/json")
    return _validate(model, raw, json=True)


def query(model: type[M]) -> M:
    """The query string as `model`: an empty parameter counts as absent."""
    return _validate(model, {k: v for k, v in request.args.items() if v != ""})


def idempotency_key() -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        raise InvalidInput(f"send an {IDEMPOTENCY_HEADER} header (any unique text per attempt)")
    return key


def _validate(model: type[M], data: Any, *, json: bool = False) -> M:
    try:
        if json:
            return model.model_validate_json(data)
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(explain(exc)) from None
    except RecursionError:
        raise InvalidInput("the body is nested too deeply") from None


def explain(exc: ValidationError) -> str:
    """The first problem in plain words, e.g. "quantity must be a whole number"."""
    first = exc.errors(include_url=False)[0]
    kind = first["type"]
    if kind == "json_invalid":
        return "the body is not valid JSON"
    if kind in ("model_type", "model_attributes_type") and not first["loc"]:
        return "the body must be a JSON object"
    field = ".".join(str(part) for part in first["loc"]) or "the body"
    template = MESSAGES.get(kind)
    try:
        message = (template or "").format(field=field, **first.get("ctx", {}))
    except KeyError:  # a pydantic version with other context names: its own words
        message = ""
    message = message or f"{field}: {first['msg']}"
    return message[:300]
