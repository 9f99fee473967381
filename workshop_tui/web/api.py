"""The JSON API of DESIGN.md: each route reads its model, calls one service, shapes the answer.

No SQL and no business rules here; the bodies and answers are the models of
schemas.py, and each `route(...)` declaration also describes the route in
/api/openapi.json. Typed errors become `{"error": {...}}` in app.py.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from workshop_tui.services.auth import require_staff
from workshop_tui.services.types import ReturnRequest
from workshop_tui.web import schemas as s
from workshop_tui.web.inputs import body, idempotency_key, query
from workshop_tui.web.openapi import route, spec
from workshop_tui.web.security import (
    client_source,
    csrf_token,
    current_account,
    end_session,
    services,
    start_session,
)

api = Blueprint("api", __name__, url_prefix="/api")
WRITE = (400, 401, 403, 404, 409, 503)  # what a change to an order can meet


# --- auth -------------------------------------------------------------------


@route(
    api, "POST", "/auth/login", "Log in, or register a new customer (201)",
    ok={200: s.LoginResult, 201: s.LoginResult}, errors=(400, 401, 429),
    body=s.LoginBody, signed_in=False,
)  # fmt: skip
def login() -> ResponseReturnValue:
    sent = body(s.LoginBody)
    result = services().auth.login_or_register(
        sent.login, sent.password, name=sent.name, source=client_source()
    )
    token = start_session(result.account)
    answer = {"account": result.account, "created": result.created, "csrf_token": token}
    return jsonify(s.answer(s.LoginResult, answer)), 201 if result.created else 200


@route(api, "POST", "/auth/logout", "End the session", ok={204: None}, errors=(401, 403))
def logout() -> ResponseReturnValue:
    end_session()
    return "", 204


@route(
    api,
    "GET",
    "/me",
    "The signed-in account and the CSRF token",
    ok={200: s.Session},
    errors=(401,),
)
def me() -> ResponseReturnValue:
    answer = {"account": current_account(), "csrf_token": csrf_token()}
    return jsonify(s.answer(s.Session, answer))


# --- catalog and cart ---------------------------------------------------------


@route(
    api, "GET", "/products", "Products in stock, with their seller, by id (keyset pages)",
    ok={200: s.ProductPage}, errors=(400,), query=s.ProductQuery, signed_in=False,
)  # fmt: skip
def products() -> ResponseReturnValue:
    q = query(s.ProductQuery)
    page = services().catalog.search(
        q.q, seller_id=q.seller_id, category_id=q.category_id, limit=q.limit, after=q.after
    )
    return jsonify(s.answer(s.ProductPage, page))


@route(api, "GET", "/cart", "The caller's cart", ok={200: s.Cart}, errors=(401,))
def get_cart() -> ResponseReturnValue:
    return jsonify(s.answer(s.Cart, services().cart.get(current_account())))


@route(
    api, "PUT", "/cart/items/<int:product_id>",
    "Set a line's quantity (0 removes); replace=true empties another seller's cart",
    ok={200: s.Cart}, errors=WRITE, body=s.CartItemBody,
)  # fmt: skip
def set_cart_item(product_id: int) -> ResponseReturnValue:
    sent = body(s.CartItemBody)
    cart = services().cart.set_quantity(
        current_account(), product_id, sent.quantity, replace=sent.replace
    )
    return jsonify(s.answer(s.Cart, cart))


@route(api, "DELETE", "/cart", "Empty the cart", ok={200: s.Cart}, errors=(401, 403, 503))
def clear_cart() -> ResponseReturnValue:
    return jsonify(s.answer(s.Cart, services().cart.clear(current_account())))


# --- orders -----------------------------------------------------------------


@route(
    api, "POST", "/checkout", "Turn the cart into an order in pending_payment",
    ok={201: s.Order}, errors=(400, 401, 403, 409, 503), idempotent=True,
)  # fmt: skip
def checkout() -> ResponseReturnValue:
    me, key = current_account(), idempotency_key()
    order = services().orders.checkout(me, key, channel="web")
    return jsonify(s.order(order, staff=me.is_staff)), 201


@route(
    api, "POST", "/orders/<int:order_id>/pay",
    "Pay an order (simulated: outcome success or decline)",
    ok={200: s.PaymentResult}, errors=WRITE, body=s.PayBody, idempotent=True,
)  # fmt: skip
def pay(order_id: int) -> ResponseReturnValue:
    me, key = current_account(), idempotency_key()
    sent = body(s.PayBody)
    result = services().payments.pay(
        me, order_id, method=sent.method, outcome=sent.outcome, idempotency_key=key
    )
    return jsonify(s.answer(s.PaymentResult, result, staff=me.is_staff))


@route(
    api, "POST", "/orders/<int:order_id>/cancel",
    "Cancel an order whose allowed_actions has cancel (a paid one is refunded; stock back)",
    ok={200: s.Order}, errors=WRITE, body=s.CancelBody, body_required=False,
)  # fmt: skip
def cancel(order_id: int) -> ResponseReturnValue:
    me = current_account()
    sent = body(s.CancelBody, optional=True)
    order = services().orders.cancel(me, order_id, sent.reason)
    return jsonify(s.order(order, staff=me.is_staff))


@route(
    api, "POST", "/orders/<int:order_id>/returns",
    "Return items of an order whose allowed_actions has return (within the return window)",
    ok={200: s.Order}, errors=WRITE, body=s.ReturnBody,
)  # fmt: skip
def return_items(order_id: int) -> ResponseReturnValue:
    me = current_account()
    sent = body(s.ReturnBody)
    items = [ReturnRequest(item.product_id, item.quantity) for item in sent.items]
    order = services().orders.return_items(me, order_id, items, sent.reason)
    return jsonify(s.order(order, staff=me.is_staff))


@route(
    api, "GET", "/orders", "The caller's orders, newest first (staff: all, filterable)",
    ok={200: s.OrderPage}, errors=(400, 401, 403), query=s.OrderQuery,
)  # fmt: skip
def list_orders() -> ResponseReturnValue:
    me = current_account()
    q = query(s.OrderQuery)
    if q.customer_id is not None and q.customer_id != me.id:
        require_staff(me)
    page = services().orders.history(
        me, customer_id=q.customer_id, status=q.status, limit=q.limit, before=q.before
    )
    return jsonify(s.answer(s.OrderPage, page, staff=me.is_staff))


@route(
    api, "GET", "/orders/<int:order_id>", "One order (404 for another customer's)",
    ok={200: s.Order}, errors=(400, 401, 404),
)  # fmt: skip
def get_order(order_id: int) -> ResponseReturnValue:
    me = current_account()
    return jsonify(s.order(services().orders.get(me, order_id), staff=me.is_staff))


@route(
    api, "GET", "/openapi.json", "This document",
    ok={200: {"type": "object"}}, errors=(), signed_in=False,
)  # fmt: skip
def openapi() -> ResponseReturnValue:
    return jsonify(spec())
