"""The web API says `unavailable` (503) while the database is down, and works right after."""

from __future__ import annotations

import pytest

from bench._controlled_pg import ControlledServer
from tests.faults.conftest import FAULTS, Shop, warm_pool
from tests.web.conftest import sign_in
from workshop_tui.db import Database
from workshop_tui.services import Services
from workshop_tui.web import create_app

pytestmark = FAULTS


@pytest.fixture
def web(services: Services, shop: Shop):
    app = create_app(services=services, config={"TESTING": True})
    return sign_in(app.test_client(), shop.customer)


@pytest.mark.parametrize("path", ["/api/products?q=Hammer", "/api/cart", "/api/orders"])
def test_the_api_answers_503_unavailable_while_the_database_is_down_and_200_after(
    server: ControlledServer, database: Database, web, path: str
):
    assert web.get(path).status_code == 200
    warm_pool(database)
    server.stop("immediate")

    down = web.get(path)

    assert down.status_code == 503
    assert down.get_json()["error"]["code"] == "unavailable"
    assert down.get_json()["error"]["message"] == (
        "the shop's database is not reachable; nothing was changed"
    )
    server.start()
    assert web.get(path).status_code == 200


def test_a_checkout_while_the_database_is_down_is_503_and_changes_nothing(
    server: ControlledServer, web, shop: Shop
):
    assert web.put(f"/api/cart/items/{shop.hammer}", json={"quantity": 1}).status_code == 200
    server.stop("fast")

    down = web.post("/api/checkout", key="web-1")

    assert down.status_code == 503
    assert down.get_json()["error"]["code"] == "unavailable"
    server.start()
    assert web.get("/api/orders").get_json()["items"] == []
    assert web.post("/api/checkout", key="web-1").status_code == 201
