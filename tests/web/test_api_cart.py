"""The catalog and the cart over HTTP, and bad input that must be a 400, never a 500."""

from __future__ import annotations

import pytest

from tests import factories as f


def test_products_lists_only_items_in_stock_with_their_seller(client, database, shelf):
    f.product(database, shelf.seller, name="Sold out drill", stock=0)
    r = client.get("/api/products")
    assert r.status_code == 200
    names = [p["name"] for p in r.json["items"]]
    assert names == ["Hammer", "Nails (100)", "Hand saw"]
    assert r.json["items"][0]["seller_name"] == "Acme Tools"
    assert r.json["items"][0]["price"] == "250.00"


def test_products_are_searched_filtered_and_paged(client, shelf):
    assert [p["name"] for p in client.get("/api/products?q=saw").json["items"]] == ["Hand saw"]
    by_seller = client.get(f"/api/products?seller_id={shelf.other_seller}").json["items"]
    assert [p["id"] for p in by_seller] == [shelf.saw]
    first = client.get("/api/products?limit=2").json
    assert first["next_after"] == shelf.nails
    rest = client.get(f"/api/products?limit=2&after={first['next_after']}").json
    assert [p["id"] for p in rest["items"]] == [shelf.saw]
    assert rest["next_after"] is None


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=201",
        "limit=ten",
        "after=-1",
        "seller_id=1.5",
        "after=99999999999999999999",
        "q=" + "x" * 101,
    ],
)
def test_bad_product_queries_are_400(client, query):
    r = client.get("/api/products?" + query)
    assert r.status_code == 400
    assert r.json["error"]["code"] == "invalid_input"


def test_the_cart_starts_empty(as_customer):
    r = as_customer.get("/api/cart")
    assert r.status_code == 200
    assert r.json == {
        "seller_id": None,
        "seller_name": None,
        "lines": [],
        "item_count": 0,
        "total": "0.00",
        "can_checkout": False,
    }


def test_put_sets_a_quantity_and_zero_removes_the_line(as_customer, shelf):
    r = as_customer.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 2})
    assert r.status_code == 200
    assert r.json["total"] == "500.00"
    assert r.json["seller_name"] == "Acme Tools"
    r = as_customer.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 0})
    assert r.json["lines"] == []


def test_another_sellers_item_is_a_409_seller_conflict_naming_the_cart_seller(as_customer, shelf):
    as_customer.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 1})
    r = as_customer.put(f"/api/cart/items/{shelf.saw}", json={"quantity": 1})
    assert r.status_code == 409
    assert r.json["error"]["code"] == "seller_conflict"
    assert r.json["error"]["details"]["cart_seller"] == "Acme Tools"
    assert [line["product_id"] for line in as_customer.get("/api/cart").json["lines"]] == [
        shelf.hammer
    ]


def test_replace_true_swaps_the_cart_to_the_new_seller(as_customer, shelf):
    as_customer.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 1})
    r = as_customer.put(f"/api/cart/items/{shelf.saw}", json={"quantity": 1, "replace": True})
    assert r.status_code == 200
    assert r.json["seller_name"] == "Bolt & Co"
    assert [line["product_id"] for line in r.json["lines"]] == [shelf.saw]


def test_more_than_the_stock_is_a_409_out_of_stock(as_customer, shelf):
    r = as_customer.put(f"/api/cart/items/{shelf.saw}", json={"quantity": 3})
    assert r.status_code == 409
    assert r.json["error"]["code"] == "out_of_stock"
    assert r.json["error"]["details"]["lines"][0]["available"] == 2


def test_an_unknown_product_is_404(as_customer, shelf):
    r = as_customer.put("/api/cart/items/424242", json={"quantity": 1})
    assert r.status_code == 404
    assert r.json["error"]["code"] == "not_found"


def test_delete_empties_the_cart(as_customer, shelf):
    as_customer.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 1})
    r = as_customer.delete("/api/cart")
    assert r.status_code == 200
    assert r.json["lines"] == []


def test_the_cart_needs_a_session(client):
    assert client.get("/api/cart").status_code == 401


BAD_BODIES = {
    "malformed JSON": (b'{"quantity": ', "application/json"),
    "a list": (b"[1, 2]", "application/json"),
    "a string": (b'"two"', "application/json"),
    "missing quantity": (b"{}", "application/json"),
    "quantity as text": (b'{"quantity": "2"}', "application/json"),
    "quantity as a float": (b'{"quantity": 1.5}', "application/json"),
    "quantity as a bool": (b'{"quantity": true}', "application/json"),
    "a huge quantity": (b'{"quantity": 100000000000000000000000000000}', "application/json"),
    "a negative quantity": (b'{"quantity": -1}', "application/json"),
    "NaN": (b'{"quantity": NaN}', "application/json"),
    "Infinity": (b'{"quantity": 1e999}', "application/json"),
    "replace as text": (b'{"quantity": 1, "replace": "yes"}', "application/json"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    "not JSON at all": (b"quantity=1", "text/plain"),
    "an empty body": (b"", "application/json"),
    "invalid UTF-8": (b'{"quantity": "\xff"}', "application/json"),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_a_bad_cart_body_is_400_invalid_input(as_customer, shelf, name):
    data, content_type = BAD_BODIES[name]
    r = as_customer.client.put(
        f"/api/cart/items/{shelf.hammer}",
        data=data,
        content_type=content_type,
        headers={"X-CSRF-Token": as_customer.csrf},
    )
    assert r.status_code == 400, r.json
    assert r.json["error"]["code"] == "invalid_input"


def test_a_body_over_64_kib_is_400(as_customer, shelf):
    r = as_customer.put(
        f"/api/cart/items/{shelf.hammer}", json={"quantity": 1, "pad": "x" * 70_000}
    )
    assert r.status_code == 400
    assert r.json["error"]["code"] == "invalid_input"


def test_a_product_id_beyond_the_integer_range_is_400(as_customer):
    r = as_customer.put("/api/cart/items/99999999999999999999", json={"quantity": 1})
    assert r.status_code == 400
