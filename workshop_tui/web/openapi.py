"""The OpenAPI 3.0 description of every route, body and error (served at /api/openapi.json)."""

from __future__ import annotations

from functools import cache
from typing import Any

from workshop_tui.db.models import ORDER_STATUSES, PAYMENT_METHODS

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

**Errors** are `{"error": {"code": "...", "message": "...", "details": {...}}}`.
Money is a decimal string ("250.00"); times are ISO 8601 in UTC.
"""

ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
COUNT = {"type": "integer", "minimum": 0}
MONEY = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"}
TEXT = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


def obj(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    required = [name for name in properties if name not in optional]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Error": obj(
        {
            "error": obj(
                {"code": TEXT, "message": TEXT, "details": {"type": "object"}},
                optional=("details",),
            )
        }
    ),
    "Account": obj(
        {
            "id": ID,
            "username": nullable(TEXT),
            "phone": nullable(TEXT),
            "name": TEXT,
            "display_name": TEXT,
            "role": {"type": "string", "enum": ["customer", "staff", "admin"]},
            "is_staff": {"type": "boolean"},
        }
    ),
    "Session": obj({"account": ref("Account"), "csrf_token": TEXT}),
    "LoginResult": obj(
        {"account": ref("Account"), "created": {"type": "boolean"}, "csrf_token": TEXT}
    ),
    "Product": obj(
        {
            "id": ID,
            "sku": TEXT,
            "name": TEXT,
            "price": MONEY,
            "stock": {"type": "integer", "minimum": 1},
            "seller_id": ID,
            "seller_name": TEXT,
            "seller_rating": TEXT,
            "category_id": ID,
            "category_name": TEXT,
        }
    ),
    "ProductPage": obj(
        {"items": {"type": "array", "items": ref("Product")}, "next_after": nullable(ID)}
    ),
    "CartLine": obj(
        {
            "product_id": ID,
            "sku": TEXT,
            "name": TEXT,
            "unit_price": MONEY,
            "quantity": {"type": "integer", "minimum": 1},
            "stock": COUNT,
            "short_by": COUNT,
            "line_total": MONEY,
        }
    ),
    "Cart": obj(
        {
            "seller_id": nullable(ID),
            "seller_name": nullable(TEXT),
            "lines": {"type": "array", "items": ref("CartLine")},
            "item_count": COUNT,
            "total": MONEY,
            "can_checkout": {"type": "boolean"},
        }
    ),
    "OrderLine": obj(
        {
            "product_id": ID,
            "sku": TEXT,
            "name": TEXT,
            "quantity": {"type": "integer", "minimum": 1},
            "unit_price": MONEY,
            "line_total": MONEY,
            "returned_qty": COUNT,
            "returnable_qty": COUNT,
        }
    ),
    "Payment": obj(
        {
            "id": ID,
            "kind": {"type": "string", "enum": ["charge", "refund"]},
            "method": {"type": "string", "enum": list(PAYMENT_METHODS)},
            "status": {"type": "string", "enum": ["succeeded", "declined"]},
            "amount": MONEY,
            "reference": TEXT,
            "created_at": TIME,
            "ledger": nullable(
                obj({"chain": TEXT, "seq": {"type": "integer"}, "short_hash": TEXT})
            ),
        }
    ),
    "Order": obj(
        {
            "id": ID,
            "customer_id": ID,
            "customer_name": TEXT,
            "seller_id": ID,
            "seller_name": TEXT,
            "status": {"type": "string", "enum": list(ORDER_STATUSES)},
            "subtotal": MONEY,
            "discount_total": MONEY,
            "total": MONEY,
            "refunded_total": MONEY,
            "item_count": COUNT,
            "created_at": TIME,
            "expires_at": nullable(TIME),
            "paid_at": nullable(TIME),
            "fulfilled_at": nullable(TIME),
            "closed_at": nullable(TIME),
            "cancel_reason": nullable(TEXT),
            "lines": {"type": "array", "items": ref("OrderLine")},
            "payments": {"type": "array", "items": ref("Payment")},
        }
    ),
    "OrderPage": obj(
        {"items": {"type": "array", "items": ref("Order")}, "next_before": nullable(ID)}
    ),
    "PaymentResult": obj(
        {"succeeded": {"type": "boolean"}, "payment": ref("Payment"), "order": ref("Order")}
    ),
    "LoginBody": obj(
        {
            "login": {"type": "string", "description": "a 10-digit mobile number or a username"},
            "password": {"type": "string", "description": "a 6-8 digit PIN, or a staff password"},
            "name": {"type": "string", "description": "the name of a new customer"},
        },
        optional=("name",),
    ),
    "CartItemBody": obj(
        {"quantity": {"type": "integer", "minimum": 0}, "replace": {"type": "boolean"}},
        optional=("replace",),
    ),
    "PayBody": obj(
        {
            "method": {"type": "string", "enum": list(PAYMENT_METHODS)},
            "outcome": {"type": "string", "enum": ["success", "decline"]},
        },
        optional=("outcome",),
    ),
    "CancelBody": obj({"reason": {"type": "string", "maxLength": 500}}, optional=("reason",)),
    "ReturnBody": obj(
        {
            "items": {
                "type": "array",
                "minItems": 1,
                "items": obj({"product_id": ID, "quantity": {"type": "integer", "minimum": 1}}),
            },
            "reason": {"type": "string", "maxLength": 500},
        },
        optional=("reason",),
    ),
}

ERRORS = {
    400: "invalid_input: malformed JSON, a wrong type, a missing field or a value out of range",
    401: "auth_required (no session) or auth_failed (wrong login or PIN)",
    403: "forbidden (staff only) or csrf_failed (missing or wrong X-CSRF-Token)",
    404: "not_found (including another customer's order)",
    409: "invalid_state, out_of_stock (details.lines) or seller_conflict (details.cart_seller)",
    429: "rate_limited: too many failed logins (Retry-After header)",
    503: "busy: the database was too contended; nothing changed, try again",
}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def responses(ok: dict[int, str], *errors: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, schema in ok.items():
        if schema == "":
            out[str(status)] = {"description": "no content"}
        else:
            out[str(status)] = {"description": schema, "content": json_content(ref(schema))}
    for status in errors:
        out[str(status)] = {"description": ERRORS[status], "content": json_content(ref("Error"))}
    return out


def query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": ID}


IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[A-Za-z0-9_-]+$"},
    "description": "unique per attempt; a retry with the same key returns the first result",
}
SESSION = [{"session": []}]
SESSION_CSRF = [{"session": [], "csrf": []}]


def body(schema: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": json_content(ref(schema))}


def operations() -> dict[str, Any]:
    order_id = path_id("order_id")
    return {
        "/api/auth/login": {
            "post": {
                "summary": "Log in, or register a new customer (201)",
                "security": [],
                "requestBody": body("LoginBody"),
                "responses": responses({200: "LoginResult", 201: "LoginResult"}, 400, 401, 429),
            }
        },
        "/api/auth/logout": {
            "post": {
                "summary": "End the session",
                "security": SESSION_CSRF,
                "responses": responses({204: ""}, 401, 403),
            }
        },
        "/api/me": {
            "get": {
                "summary": "The signed-in account and the CSRF token",
                "security": SESSION,
                "responses": responses({200: "Session"}, 401),
            }
        },
        "/api/products": {
            "get": {
                "summary": "Products in stock, with their seller, by id (keyset pages)",
                "security": [],
                "parameters": [
                    query("q", {"type": "string", "maxLength": 100}, "name or SKU contains"),
                    query("seller_id", ID),
                    query("category_id", ID),
                    query("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                    query("after", ID, "next_after of the previous page"),
                ],
                "responses": responses({200: "ProductPage"}, 400),
            }
        },
        "/api/cart": {
            "get": {
                "summary": "The caller's cart",
                "security": SESSION,
                "responses": responses({200: "Cart"}, 401),
            },
            "delete": {
                "summary": "Empty the cart",
                "security": SESSION_CSRF,
                "responses": responses({200: "Cart"}, 401, 403, 503),
            },
        },
        "/api/cart/items/{product_id}": {
            "put": {
                "summary": "Set a line's quantity (0 removes); replace=true empties another seller's cart",
                "security": SESSION_CSRF,
                "parameters": [path_id("product_id")],
                "requestBody": body("CartItemBody"),
                "responses": responses({200: "Cart"}, 400, 401, 403, 404, 409, 503),
            }
        },
        "/api/checkout": {
            "post": {
                "summary": "Turn the cart into an order in pending_payment",
                "security": SESSION_CSRF,
                "parameters": [IDEMPOTENCY],
                "responses": responses({201: "Order"}, 400, 401, 403, 409, 503),
            }
        },
        "/api/orders/{order_id}/pay": {
            "post": {
                "summary": "Pay an order (simulated: outcome success or decline)",
                "security": SESSION_CSRF,
                "parameters": [order_id, IDEMPOTENCY],
                "requestBody": body("PayBody"),
                "responses": responses({200: "PaymentResult"}, 400, 401, 403, 404, 409, 503),
            }
        },
        "/api/orders/{order_id}/cancel": {
            "post": {
                "summary": "Cancel an unpaid or paid order (refund, stock back)",
                "security": SESSION_CSRF,
                "parameters": [order_id],
                "requestBody": body("CancelBody", required=False),
                "responses": responses({200: "Order"}, 400, 401, 403, 404, 409, 503),
            }
        },
        "/api/orders/{order_id}/returns": {
            "post": {
                "summary": "Return items of a fulfilled order within the return window",
                "security": SESSION_CSRF,
                "parameters": [order_id],
                "requestBody": body("ReturnBody"),
                "responses": responses({200: "Order"}, 400, 401, 403, 404, 409, 503),
            }
        },
        "/api/orders": {
            "get": {
                "summary": "The caller's orders, newest first (staff: all, filterable)",
                "security": SESSION,
                "parameters": [
                    query("status", {"type": "string", "enum": list(ORDER_STATUSES)}),
                    query("customer_id", ID, "staff only (403 for another customer)"),
                    query("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
                    query("before", ID, "next_before of the previous page"),
                ],
                "responses": responses({200: "OrderPage"}, 400, 401, 403),
            }
        },
        "/api/orders/{order_id}": {
            "get": {
                "summary": "One order (404 for another customer's)",
                "security": SESSION,
                "parameters": [order_id],
                "responses": responses({200: "Order"}, 400, 401, 404),
            }
        },
        "/api/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.0",
                        "content": json_content({"type": "object"}),
                    }
                },
            }
        },
    }


@cache
def spec() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Workshop web companion", "version": "1", "description": DESCRIPTION},
        "paths": operations(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "workshop_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
    }
