"""Checkout, payment, cancellation, returns and the order lists over HTTP."""

from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def order(as_customer, shelf) -> dict:
    as_customer.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 2})
    r = as_customer.post("/api/checkout", key="checkout-1")
    assert r.status_code == 201
    return r.json


def pay(browser, order_id, *, key, method="upi", outcome="success"):
    return browser.post(
        f"/api/orders/{order_id}/pay", json={"method": method, "outcome": outcome}, key=key
    )


def test_checkout_is_201_with_the_order_pending_payment(order):
    assert order["status"] == "pending_payment"
    assert order["total"] == "500.00"
    assert order["lines"][0]["quantity"] == 2


def test_checkout_without_an_idempotency_key_is_400(as_customer, shelf):
    as_customer.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 1})
    r = as_customer.post("/api/checkout")
    assert r.status_code == 400
    assert "Idempotency-Key" in r.json["error"]["message"]


def test_a_retried_checkout_returns_the_same_order(as_customer, order):
    again = as_customer.post("/api/checkout", key="checkout-1")
    assert again.status_code == 201
    assert again.json["id"] == order["id"]


def test_checkout_of_an_empty_cart_is_400(as_customer):
    r = as_customer.post("/api/checkout", key="k")
    assert r.status_code == 400


def test_checkout_short_of_stock_is_409_naming_the_line(as_customer, new_browser, database, shelf):
    as_customer.put(f"/api/cart/items/{shelf.saw}", json={"quantity": 2})
    rival = new_browser(f.account(database, username="rival"))
    rival.put(f"/api/cart/items/{shelf.saw}", json={"quantity": 1})
    assert rival.post("/api/checkout", key="r1").status_code == 201
    r = as_customer.post("/api/checkout", key="k")
    assert r.status_code == 409
    assert r.json["error"]["code"] == "out_of_stock"
    assert r.json["error"]["details"]["lines"][0]["name"] == "Hand saw"


def test_a_successful_payment_marks_the_order_paid(as_customer, order):
    r = pay(as_customer, order["id"], key="pay-1", method="card")
    assert r.status_code == 200
    assert r.json["succeeded"] is True
    assert r.json["order"]["status"] == "paid"
    assert r.json["payment"]["ledger"]["seq"] >= 1


def test_a_declined_payment_keeps_the_order_payable_and_a_retry_succeeds(as_customer, order):
    declined = pay(as_customer, order["id"], key="pay-1", outcome="decline")
    assert declined.status_code == 200
    assert declined.json["succeeded"] is False
    assert declined.json["order"]["status"] == "pending_payment"
    retried = pay(as_customer, order["id"], key="pay-2")
    assert retried.json["order"]["status"] == "paid"


def test_the_same_payment_key_charges_once(as_customer, order):
    first = pay(as_customer, order["id"], key="pay-1")
    second = pay(as_customer, order["id"], key="pay-1")
    assert second.status_code == 200
    assert second.json["payment"]["id"] == first.json["payment"]["id"]
    assert len(second.json["order"]["payments"]) == 1


def test_pay_without_an_idempotency_key_is_400(as_customer, order):
    r = as_customer.post(f"/api/orders/{order['id']}/pay", json={"method": "upi"})
    assert r.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"method": "cheque"},
        {"method": ["upi"]},
        {"method": "upi", "outcome": "maybe"},
        {"method": "upi", "outcome": 1},
    ],
)
def test_a_bad_payment_body_is_400(as_customer, order, body):
    r = as_customer.post(f"/api/orders/{order['id']}/pay", json=body, key="pay-x")
    assert r.status_code == 400
    assert r.json["error"]["code"] == "invalid_input"


def test_paying_a_paid_order_again_with_a_new_key_is_409(as_customer, order):
    pay(as_customer, order["id"], key="pay-1")
    r = pay(as_customer, order["id"], key="pay-2")
    assert r.status_code == 409
    assert r.json["error"]["code"] == "invalid_state"


def test_cancelling_a_pending_order_gives_the_stock_back(client, as_customer, order, shelf):
    r = as_customer.post(f"/api/orders/{order['id']}/cancel", json={"reason": "changed my mind"})
    assert r.status_code == 200
    assert r.json["status"] == "cancelled"
    stock = {p["id"]: p["stock"] for p in client.get("/api/products").json["items"]}
    assert stock[shelf.hammer] == 5


def test_cancelling_without_a_body_is_allowed(as_customer, order):
    assert as_customer.post(f"/api/orders/{order['id']}/cancel").status_code == 200


def test_cancelling_twice_is_409_invalid_state(as_customer, order):
    as_customer.post(f"/api/orders/{order['id']}/cancel", json={})
    r = as_customer.post(f"/api/orders/{order['id']}/cancel", json={})
    assert r.status_code == 409
    assert r.json["error"]["code"] == "invalid_state"


def test_cancelling_a_paid_order_refunds_it(as_customer, order):
    pay(as_customer, order["id"], key="pay-1")
    r = as_customer.post(f"/api/orders/{order['id']}/cancel", json={})
    assert r.json["refunded_total"] == "500.00"


def test_returning_part_of_a_fulfilled_order_refunds_that_part(
    services, staff, as_customer, order, shelf
):
    pay(as_customer, order["id"], key="pay-1")
    services.orders.fulfil(staff, order["id"])
    r = as_customer.post(
        f"/api/orders/{order['id']}/returns",
        json={"items": [{"product_id": shelf.hammer, "quantity": 1}], "reason": "bent"},
    )
    assert r.status_code == 200
    assert r.json["status"] == "partially_returned"
    assert r.json["refunded_total"] == "250.00"


def test_returning_an_unfulfilled_order_is_409(as_customer, order, shelf):
    r = as_customer.post(
        f"/api/orders/{order['id']}/returns",
        json={"items": [{"product_id": shelf.hammer, "quantity": 1}]},
    )
    assert r.status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": []},
        {"items": "all"},
        {"items": [{"product_id": 1}]},
        {"items": [{"product_id": "x", "quantity": 1}]},
        {"items": [7]},
    ],
)
def test_a_bad_return_body_is_400(as_customer, order, body):
    r = as_customer.post(f"/api/orders/{order['id']}/returns", json=body)
    assert r.status_code == 400


def test_another_customers_order_is_404_everywhere(new_browser, database, order):
    stranger = new_browser(f.account(database, username="stranger"))
    oid = order["id"]
    assert stranger.get(f"/api/orders/{oid}").status_code == 404
    assert pay(stranger, oid, key="s-1").status_code == 404
    assert stranger.post(f"/api/orders/{oid}/cancel", json={}).status_code == 404
    assert (
        stranger.post(
            f"/api/orders/{oid}/returns", json={"items": [{"product_id": 1, "quantity": 1}]}
        ).status_code
        == 404
    )


def test_a_customer_lists_only_their_own_orders(new_browser, database, as_customer, order):
    stranger = new_browser(f.account(database, username="stranger"))
    assert stranger.get("/api/orders").json["items"] == []
    mine = as_customer.get("/api/orders").json
    assert [o["id"] for o in mine["items"]] == [order["id"]]
    assert mine["next_before"] is None


def test_the_customer_id_filter_is_staff_only(as_customer, order):
    r = as_customer.get("/api/orders?customer_id=999")
    assert r.status_code == 403
    assert r.json["error"]["code"] == "forbidden"


def test_staff_see_every_order_and_filter_by_status_and_customer(as_staff, as_customer, order):
    assert [o["id"] for o in as_staff.get("/api/orders").json["items"]] == [order["id"]]
    cid = as_customer.account.id
    assert len(as_staff.get(f"/api/orders?customer_id={cid}").json["items"]) == 1
    assert as_staff.get("/api/orders?status=paid").json["items"] == []
    assert as_staff.get(f"/api/orders/{order['id']}").status_code == 200


def test_an_unknown_status_filter_is_400(as_staff):
    assert as_staff.get("/api/orders?status=lost").status_code == 400


def test_an_unknown_api_route_is_a_json_404(client):
    r = client.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.json["error"]["code"] == "not_found"


def test_a_wrong_method_is_a_json_405_with_allow(client):
    r = client.get("/api/checkout")
    assert r.status_code == 405
    assert r.json["error"]["code"] == "method_not_allowed"
    assert "POST" in r.headers["Allow"]
