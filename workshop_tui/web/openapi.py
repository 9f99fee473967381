"""The OpenAPI 3.1 document (/api/openapi.json), generated from the routes and their models.

Each API route is declared once with `route(...)`: the Flask rule, its body,
query and answer models (schemas.py) and its error statuses; the document is
built from those declarations and the models' JSON schemas.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from flask import Blueprint
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from workshop_tui.web import schemas

DESCRIPTION = """\
The Workshop web companion's JSON API.

**Session.** `POST /api/auth/login` logs in (200) or registers a new customer
(201) and sets the `workshop_session` cookie (HttpOnly, SameSite=Lax).

**CSRF.** Every POST, PUT and DELETE except the login must carry the session's
token in the `X-CSRF-Token` header; the token is in the answers of
`POST /api/auth/login` and `GET /api/me`. A missing or wrong token is a 403
`csrf_failed`. The login must be sent as `application/json`.

**Idempotency.** `POST /api/checkout` and `POST /api/orders/{id}/pay` need an
`Idempotency-Key` header: the same key returns the same order or payment.

**Orders** carry `allowed_actions`, what the signed-in person may do to the order
now, and `status_label`, the state in words.

**Errors** are `{"error": {"code": "...", "message": "...", "details": {...}}}`.
Money is a decimal string ("250.00"); times are ISO 8601 in UTC.
"""

ERRORS = {
    400: "invalid_input: malformed JSON, a wrong type, a missing field or a value out of range",
    401: "auth_required (no session) or auth_failed (wrong login or PIN)",
    403: "forbidden (staff only) or csrf_failed (missing or wrong X-CSRF-Token)",
    404: "not_found (including another customer's order)",
    409: "invalid_state, out_of_stock (details.lines), seller_conflict (details.cart_seller),"
    " too_many_unpaid (checkout: the customer holds details.limit unpaid orders) or"
    " too_many_attempts (pay: the order had details.limit payment attempts)",
    429: "rate_limited: too many failed logins (Retry-After header)",
    503: "busy (rows another terminal holds) or unavailable (the database is not reachable): nothing changed, try again",
}
IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[A-Za-z0-9_-]+$"},
    "description": "unique per attempt; a retry with the same key returns the first result",
}
REF = "#/components/schemas/{model}"
PATH_PARAM = re.compile(r"<int:(\w+)>")
View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str  # the Flask rule, /api/... with <int:name> parameters
    summary: str
    ok: dict[int, type[BaseModel] | dict[str, Any] | None]  # a model, a raw schema, or no content
    errors: tuple[int, ...]
    body: type[BaseModel] | None = None
    body_required: bool = True
    query: type[BaseModel] | None = None
    signed_in: bool = True
    idempotent: bool = False


OPERATIONS: list[Operation] = []


def route(
    blueprint: Blueprint, method: str, rule: str, summary: str, **declared: Any
) -> Callable[[View], View]:
    """Register a view on `blueprint` and its description for the document."""
    op = Operation(method, (blueprint.url_prefix or "") + rule, summary, **declared)
    OPERATIONS.append(op)

    def register(view: View) -> View:
        return blueprint.route(rule, methods=[method])(view)

    return register


def _components() -> dict[str, Any]:
    bodies = {op.body for op in OPERATIONS if op.body is not None}
    answers = {m for op in OPERATIONS for m in op.ok.values() if isinstance(m, type)}
    answers.add(schemas.Error)
    pairs: list[tuple[type[BaseModel], JsonSchemaMode]] = [(m, "validation") for m in bodies]
    pairs += [(m, "serialization") for m in answers]
    _, top = models_json_schema(pairs, ref_template=REF)
    defs: dict[str, Any] = top["$defs"]
    return defs


def _content(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """One parameter per field; an enum's $ref points at the same component as in the bodies."""
    out = []
    for name, field in model.model_json_schema(ref_template=REF)["properties"].items():
        # Absent is the None, so the parameter's own schema is the non-null branch.
        schema = next(s for s in field.get("anyOf", [field]) if s.get("type") != "null")
        schema = {k: v for k, v in schema.items() if k not in ("title", "default", "description")}
        parameter = {"name": name, "in": "query", "required": False, "schema": schema}
        if field.get("description"):
            parameter["description"] = field["description"]
        out.append(parameter)
    return out


def _operation(op: Operation) -> dict[str, Any]:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID},
        }
        for name in PATH_PARAM.findall(op.rule)
    ]
    if op.query is not None:
        parameters += _query_parameters(op.query)
    if op.idempotent:
        parameters.append(IDEMPOTENCY)
    unsafe = op.method != "GET"
    doc: dict[str, Any] = {
        "summary": op.summary,
        "security": [{"session": [], "csrf": []} if unsafe else {"session": []}]
        if op.signed_in
        else [],
    }
    if parameters:
        doc["parameters"] = parameters
    if op.body is not None:
        doc["requestBody"] = {"required": op.body_required, "content": _content(op.body)}
    responses: dict[str, Any] = {}
    for status, model in op.ok.items():
        if model is None:
            responses[str(status)] = {"description": "no content"}
        elif isinstance(model, dict):
            responses[str(status)] = {
                "description": "JSON",
                "content": {"application/json": {"schema": model}},
            }
        else:
            responses[str(status)] = {"description": model.__name__, "content": _content(model)}
    for status in op.errors:
        responses[str(status)] = {"description": ERRORS[status], "content": _content(schemas.Error)}
    doc["responses"] = responses
    return doc


@cache
def spec() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        path = PATH_PARAM.sub(r"{\1}", op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Workshop web companion", "version": "1", "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "workshop_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
    }
