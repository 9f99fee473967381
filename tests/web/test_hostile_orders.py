"""The web API under hostile use of orders and payments (issue 13, items 6-8)."""

from __future__ import annotations

from tests import factories as f


def checkout(browser, product: int, key: str):
    assert browser.put(f"/api/cart/items/{product}", json={"quantity": 1}).status_code == 200
    return browser.post("/api/checkout", key=key)


def pay(browser, order_id: int, key: str, outcome: str = "success"):
    return browser.post(
        f"/api/orders/{order_id}/pay", json={"method": "card", "outcome": outcome}, key=key
    )


def test_a_checkout_past_the_unpaid_limit_is_409_too_many_unpaid_naming_the_limit(
    as_customer, shelf
):
    for n in range(3):
        assert checkout(as_customer, shelf.nails, f"k{n}").status_code == 201
    r = checkout(as_customer, shelf.nails, "k3")
    assert r.status_code == 409
    assert r.json["error"]["code"] == "too_many_unpaid"
    assert r.json["error"]["details"]["limit"] == 3
    assert "3" in r.json["error"]["message"]


def test_another_customers_payment_key_pays_this_customers_own_order(
    as_customer, new_browser, database, shelf
):
    first = checkout(as_customer, shelf.hammer, "k1").json
    paid_first = pay(as_customer, first["id"], "the-same-key").json
    vikram = f.account(database, phone="+919812345678", name="Vikram")
    other = new_browser(vikram)
    theirs = checkout(other, shelf.nails, "k1").json
    r = pay(other, theirs["id"], "the-same-key")
    assert r.status_code == 200
    assert r.json["succeeded"] and r.json["order"]["id"] == theirs["id"]
    assert r.json["order"]["customer_id"] == vikram.id
    assert r.json["payment"]["id"] != paid_first["payment"]["id"]
    assert "another order" not in r.get_data(as_text=True)


def test_an_order_past_its_payment_attempts_is_409_too_many_attempts(as_customer, shelf):
    order = checkout(as_customer, shelf.hammer, "k1").json
    for n in range(10):
        assert pay(as_customer, order["id"], f"p{n}", outcome="decline").status_code == 200
    r = pay(as_customer, order["id"], "p10")
    assert r.status_code == 409
    assert r.json["error"]["code"] == "too_many_attempts"
    assert r.json["error"]["details"]["limit"] == 10


def test_the_spec_names_both_limits_among_the_409s(client):
    spec = client.get("/api/openapi.json").json
    conflict = spec["paths"]["/api/checkout"]["post"]["responses"]["409"]["description"]
    assert "too_many_unpaid" in conflict and "too_many_attempts" in conflict
