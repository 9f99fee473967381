"""The payment page keeps a Pay press's key until it is answered (issue 12, item 4), in Chromium.

The lost answer is real: the browser's request reaches the server, which pays and
commits; the page is then told the server failed (503), as when a connection dies
after COMMIT. Pressing Pay again must get that payment back, never "order is paid".
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from tests.web.test_browser import log_in, product

pytestmark = pytest.mark.web
LOST = {"error": {"code": "unavailable", "message": "The shop's database is not reachable."}}


def test_a_payment_whose_answer_was_lost_is_retried_with_its_key_and_pays_once(
    page: Page, live_server: str, shelf, services, customer
):
    keys: list[str] = []

    def lose_the_first_answer(route: Route) -> None:
        keys.append(route.request.headers["idempotency-key"])
        answer = route.fetch()  # the server pays and commits
        if len(keys) == 1:
            route.fulfill(status=503, json=LOST)
        else:
            route.fulfill(response=answer)

    log_in(page, live_server, pin="123456")  # the `customer` fixture's account
    product(page, "Nails").get_by_role("button", name="Add Nails (100)").click()
    expect(page.locator("#cart-total")).to_have_text("₹40.00")
    page.click("#checkout")
    expect(page.locator("#order-status")).to_contain_text("Awaiting payment")
    page.route("**/api/orders/*/pay", lose_the_first_answer)
    page.click("#pay")
    expect(page.locator("#notice")).to_contain_text("not reachable")
    page.click("#pay")
    expect(page.locator("#paid")).to_be_visible()
    expect(page.locator("#notice")).not_to_contain_text("only unpaid orders")
    assert len(keys) == 2 and keys[0] == keys[1]
    order = services.orders.history(customer).items[0]
    assert order.status == "paid" and len(services.orders.get(customer, order.id).payments) == 1
