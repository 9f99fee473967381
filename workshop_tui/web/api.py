"""The JSON API of DESIGN.md: each route reads the request, calls one service, shapes the answer.

No SQL and no business rules here; typed errors become `{"error": {...}}` in app.py.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from workshop_tui.services.auth import require_staff
from workshop_tui.web import serialize
from workshop_tui.web.inputs import field, idempotency_key, json_body, query_int, query_text
from workshop_tui.web.openapi import spec
from workshop_tui.web.security import (
    client_source,
    csrf_token,
    current_account,
    end_session,
    services,
    start_session,
)

api = Blueprint("api", __name__, url_prefix="/api")


def created(body: dict) -> tuple[Response, int]:
    return jsonify(body), 201


# --- auth -------------------------------------------------------------------


@api.post("/auth/login")
def login():
    body = json_body("login", "password", "name")
    result = services().auth.login_or_register(
        field(body, "login", kind=str),
        field(body, "password", kind=str),
        name=field(body, "name", default="", kind=str),
        source=client_source(),
    )
    token = start_session(result.account)
    payload = {"account": serialize.account(result.account), "created": result.created}
    return jsonify(payload | {"csrf_token": token}), 201 if result.created else 200


@api.post("/auth/logout")
def logout():
    end_session()
    return "", 204


@api.get("/me")
def me():
    return jsonify(account=serialize.account(current_account()), csrf_token=csrf_token())


# --- catalog and cart ---------------------------------------------------------


@api.get("/products")
def products():
    page = services().catalog.search(
        query_text("q") or "",
        seller_id=query_int("seller_id"),
        category_id=query_int("category_id"),
        limit=query_int("limit", 50),
        after=query_int("after"),
    )
    return jsonify(serialize.product_page(page))


@api.get("/cart")
def get_cart():
    return jsonify(serialize.cart(services().cart.get(current_account())))


@api.put("/cart/items/<int:product_id>")
def set_cart_item(product_id: int):
    body = json_body("quantity", "replace")
    cart = services().cart.set_quantity(
        current_account(),
        product_id,
        field(body, "quantity", kind=int),
        replace=field(body, "replace", default=False, kind=bool),
    )
    return jsonify(serialize.cart(cart))


@api.delete("/cart")
def clear_cart():
    return jsonify(serialize.cart(services().cart.clear(current_account())))


# --- orders -----------------------------------------------------------------


@api.post("/checkout")
def checkout():
    me, key = current_account(), idempotency_key()
    order = services().orders.checkout(me, key, channel="web")
    return created(serialize.order(order))


@api.post("/orders/<int:order_id>/pay")
def pay(order_id: int):
    me, key = current_account(), idempotency_key()
    body = json_body("method", "outcome")
    result = services().payments.pay(
        me,
        order_id,
        method=field(body, "method", kind=str),
        outcome=field(body, "outcome", default="success", kind=str),
        idempotency_key=key,
    )
    return jsonify(serialize.payment_result(result))


@api.post("/orders/<int:order_id>/cancel")
def cancel(order_id: int):
    me = current_account()
    body = json_body("reason", optional=True)
    order = services().orders.cancel(me, order_id, field(body, "reason", default="", kind=str))
    return jsonify(serialize.order(order))


@api.post("/orders/<int:order_id>/returns")
def return_items(order_id: int):
    me = current_account()
    body = json_body("items", "reason")
    order = services().orders.return_items(
        me,
        order_id,
        field(body, "items", kind=list),
        field(body, "reason", default="", kind=str),
    )
    return jsonify(serialize.order(order))


@api.get("/orders")
def list_orders():
    me = current_account()
    customer_id = query_int("customer_id")
    if customer_id is not None and customer_id != me.id:
        require_staff(me)
    page = services().orders.history(
        me,
        customer_id=customer_id,
        status=query_text("status"),
        limit=query_int("limit", 20),
        before=query_int("before"),
    )
    return jsonify(serialize.order_page(page))


@api.get("/orders/<int:order_id>")
def get_order(order_id: int):
    return jsonify(serialize.order(services().orders.get(current_account(), order_id)))


@api.get("/openapi.json")
def openapi():
    return jsonify(spec())
