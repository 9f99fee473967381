"""Orders over HTTP say what the caller may do next (allowed_actions) and name their state
(status_label), so the pages ask instead of deciding from the status."""

from __future__ import annotations

import pytest

from workshop_tui.services.states import OrderStatus
from workshop_tui.web.schemas import STATUS_LABELS


@pytest.fixture
def order_id(as_customer, shelf) -> int:
    as_customer.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 2})
    return as_customer.post("/api/checkout", key="checkout-1").json["id"]


def pay(browser, order_id):
    r = browser.post(f"/api/orders/{order_id}/pay", json={"method": "upi"}, key="pay-1")
    assert r.status_code == 200


def actions(browser, order_id) -> list[str]:
    return browser.get(f"/api/orders/{order_id}").json["allowed_actions"]


def test_an_unpaid_order_may_be_paid_or_cancelled_and_staff_may_also_discount_it(
    as_customer, as_staff, order_id
):
    assert actions(as_customer, order_id) == ["pay", "cancel"]
    assert actions(as_staff, order_id) == ["pay", "discount", "cancel"]


def test_a_paid_order_may_be_cancelled_and_only_staff_may_fulfil_it(
    as_customer, as_staff, order_id
):
    pay(as_customer, order_id)
    assert actions(as_customer, order_id) == ["cancel"]
    assert actions(as_staff, order_id) == ["cancel", "fulfil"]


def test_a_fulfilled_order_may_be_returned(services, staff, as_customer, order_id):
    pay(as_customer, order_id)
    services.orders.fulfil(staff, order_id)
    assert actions(as_customer, order_id) == ["return"]


def test_a_cancelled_order_allows_nothing(as_customer, as_staff, order_id):
    r = as_customer.post(f"/api/orders/{order_id}/cancel")
    assert r.json["allowed_actions"] == []
    assert actions(as_staff, order_id) == []


def test_the_answer_to_a_payment_carries_the_new_actions(as_customer, order_id):
    r = as_customer.post(f"/api/orders/{order_id}/pay", json={"method": "card"}, key="pay-1")
    assert r.json["order"]["allowed_actions"] == ["cancel"]


def test_the_order_list_carries_actions_for_the_caller(as_customer, as_staff, order_id):
    assert as_customer.get("/api/orders").json["items"][0]["allowed_actions"] == ["pay", "cancel"]
    staff_view = as_staff.get("/api/orders").json["items"][0]["allowed_actions"]
    assert "discount" in staff_view


def test_orders_name_their_state_for_a_person(as_customer, order_id):
    order = as_customer.get(f"/api/orders/{order_id}").json
    assert (order["status"], order["status_label"]) == ("pending_payment", "Awaiting payment")


def test_every_state_has_a_label():
    assert set(STATUS_LABELS) == set(OrderStatus)


def test_the_spec_documents_allowed_actions_and_status_label_on_the_order(client):
    spec = client.get("/api/openapi.json").json
    schemas = spec["components"]["schemas"]
    order = schemas["Order"]
    assert {"allowed_actions", "status_label"} <= set(order["required"])
    items = order["properties"]["allowed_actions"]["items"]
    assert items == {"$ref": "#/components/schemas/OrderAction"}
    assert {"pay", "cancel", "fulfil", "return"} <= set(schemas["OrderAction"]["enum"])
    get_order = spec["paths"]["/api/orders/{order_id}"]["get"]["responses"]["200"]
    assert get_order["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Order"
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": "2"}, "quantity"),
        ({"quantity": 1, "replace": "yes"}, "replace"),
        ({"quantity": 1, "colour": "red"}, "colour"),
        ({}, "quantity"),
    ],
)
def test_a_bad_body_is_400_naming_the_field(as_customer, shelf, body, field):
    r = as_customer.put(f"/api/cart/items/{shelf.hammer}", json=body)
    assert r.status_code == 400
    assert r.json["error"]["code"] == "invalid_input"
    assert field in r.json["error"]["message"]


def test_a_bad_return_item_names_its_place_in_the_list(as_customer, order_id, shelf):
    r = as_customer.post(
        f"/api/orders/{order_id}/returns", json={"items": [{"product_id": shelf.hammer}]}
    )
    assert r.status_code == 400
    assert r.json["error"]["message"] == "items.0.quantity is required"
