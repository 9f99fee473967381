"""The pages in a real headless Chromium (Debian's), at phone width, through the whole flow.

Screenshots land in each test's tmp dir (`pytest --basetemp DIR` keeps them somewhere known).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f

pytestmark = pytest.mark.web
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture
def shots(tmp_path: Path):
    folder = tmp_path / "screenshots"
    folder.mkdir()

    def shot(page: Page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shot


def log_in(page: Page, base: str, login: str = "9876543210", pin: str = "274913") -> None:
    page.goto(f"{base}/shop")
    expect(page).to_have_url(f"{base}/login?next=/shop")
    page.fill("#login", login)
    page.fill("#password", pin)
    page.click("#login-submit")
    expect(page).to_have_url(f"{base}/shop")
    expect(page.locator("#products .product").first).to_be_visible()


def product(page: Page, name: str):
    return page.locator("#products .product", has_text=name)


def test_a_customer_shops_meets_the_seller_rule_is_declined_pays_and_returns(
    page: Page, live_server: str, shelf, services, staff, shots
):
    log_in(page, live_server, login="98765 43210")
    expect(page.locator("#who")).to_have_text("+919876543210")
    shots(page, "01-shop")

    product(page, "Hammer").get_by_role("button", name="Add Hammer").click()
    expect(product(page, "Hammer").locator(".qty")).to_have_text("1")
    product(page, "Hammer").get_by_role("button", name="One more Hammer").click()
    expect(page.locator("#cart-total")).to_have_text("₹500.00")
    expect(page.locator("#cart-seller")).to_have_text("From Acme Tools")

    product(page, "Hand saw").get_by_role("button", name="Add Hand saw").click()
    dialog = page.locator("#seller-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Your cart has items from Acme Tools. Replace it?")
    shots(page, "02-seller-dialog")
    dialog.get_by_role("button", name="Keep my cart").click()
    expect(page.locator("#notice")).to_contain_text("Kept your cart from Acme Tools")
    expect(page.locator("#cart-lines .line")).to_have_count(1)

    page.click("#checkout")
    expect(page).to_have_url(f"{live_server}/payment/1")
    expect(page.locator("#order-status")).to_contain_text("Awaiting payment")
    expect(page.locator("#order-total")).to_have_text("₹500.00")

    page.check("input[value=card]")
    page.check("#simulate-decline")
    page.click("#pay")
    expect(page.locator("#notice")).to_contain_text("Payment declined")
    expect(page.locator("#pay")).to_have_text("Try again")
    shots(page, "03-declined")

    page.click("#pay")
    expect(page.locator("#paid")).to_be_visible()
    expect(page.locator("#receipt")).to_contain_text("by CARD · ref CARD-1-")
    shots(page, "04-paid")

    services.orders.fulfil(staff, 1)
    page.get_by_role("link", name="See my orders").click()
    order = page.locator("#order-1")
    expect(order.locator(".status")).to_have_text("Collected")
    order.get_by_label("Return how many Hammer").fill("1")
    order.get_by_label("Reason").fill("handle is loose")
    order.get_by_role("button", name="Return selected").click()
    expect(page.locator("#order-1 .status")).to_have_text("Partly returned")
    expect(page.locator("#notice")).to_contain_text("₹250.00 refunded")
    shots(page, "05-returned")
    report = services.ledger.verify()
    assert report.ok, report.summary


def test_replacing_the_cart_from_the_seller_dialog(page: Page, live_server: str, shelf):
    log_in(page, live_server)
    product(page, "Hammer").get_by_role("button", name="Add Hammer").click()
    expect(page.locator("#cart-lines .line")).to_have_count(1)
    product(page, "Hand saw").get_by_role("button", name="Add Hand saw").click()
    page.locator("#seller-dialog").get_by_role("button", name="Replace it").click()
    expect(page.locator("#cart-seller")).to_have_text("From Bolt & Co")
    expect(page.locator("#cart-lines")).to_contain_text("Hand saw")
    expect(page.locator("#cart-lines")).not_to_contain_text("Hammer")


def test_stock_limits_and_an_out_of_stock_checkout_are_shown(
    page: Page, live_server: str, shelf, services, database, shots
):
    log_in(page, live_server)
    expect(product(page, "Hand saw")).to_contain_text("Only 2 left")
    product(page, "Hand saw").get_by_role("button", name="Add Hand saw").click()
    product(page, "Hand saw").get_by_role("button", name="One more Hand saw").click()
    expect(
        product(page, "Hand saw").get_by_role("button", name="One more Hand saw")
    ).to_be_disabled()
    # The server has both units in the cart before the rival buys one.
    expect(page.locator("#cart-total")).to_have_text("₹1200.00")

    rival = f.account(database, username="rival")
    services.cart.set_quantity(rival, shelf.saw, 1)
    services.orders.checkout(rival, "rival-1")

    page.click("#checkout")
    expect(page.locator("#notice")).to_contain_text("Hand saw (1 left, 2 wanted)")
    expect(page.locator("#cart-lines")).to_contain_text("Only 1 left")
    expect(page.locator("#checkout")).to_be_disabled()
    shots(page, "out-of-stock")


def test_cancelling_an_order_on_the_payment_page(page: Page, live_server: str, shelf, client):
    log_in(page, live_server)
    product(page, "Nails").get_by_role("button", name="Add Nails (100)").click()
    expect(page.locator("#cart-total")).to_have_text("₹40.00")
    page.click("#checkout")
    expect(page.locator("#order-status")).to_contain_text("Awaiting payment")
    page.once("dialog", lambda d: d.accept())
    page.click("#cancel-order")
    expect(page.locator("#order-status")).to_contain_text("Cancelled")
    expect(page.locator("#pay-form")).to_be_hidden()
    page.goto(f"{live_server}/profile")
    expect(page.locator("#order-1 .status")).to_have_text("Cancelled")


def test_a_wrong_pin_is_shown_on_the_login_page(page: Page, live_server: str, database):
    f.account(database, phone="+919876543210", secret="123456")
    page.goto(f"{live_server}/login")
    page.fill("#login", "9876543210")
    page.fill("#password", "000000")
    page.click("#login-submit")
    expect(page.locator("#notice")).to_contain_text("wrong login or PIN/password")
    expect(page).to_have_url(f"{live_server}/login")


def test_the_shop_at_desktop_width(page: Page, live_server: str, shelf, shots):
    page.set_viewport_size({"width": 1200, "height": 800})
    log_in(page, live_server)
    product(page, "Hammer").get_by_role("button", name="Add Hammer").click()
    expect(page.locator("#cart-total")).to_have_text("₹250.00")
    box = page.locator(".cart").bounding_box()
    assert box is not None and box["x"] > 600  # the cart sits beside the products
    shots(page, "desktop-shop")


def test_logging_out_returns_to_the_login_page(page: Page, live_server: str, shelf, shots):
    page.goto(live_server + "/")
    shots(page, "index")
    log_in(page, live_server)
    page.click("#logout")
    expect(page).to_have_url(f"{live_server}/login")
    shots(page, "login")
    page.goto(f"{live_server}/profile")
    expect(page).to_have_url(f"{live_server}/login?next=/profile")


def test_the_profile_offers_what_each_order_allows(
    page: Page, live_server: str, shelf, services, customer, staff, shots
):
    services.cart.set_quantity(customer, shelf.hammer, 1)
    collected = services.orders.checkout(customer, "collected-1")
    services.payments.pay(customer, collected.id, method="upi", idempotency_key="pay-1")
    services.orders.fulfil(staff, collected.id)
    services.cart.set_quantity(customer, shelf.nails, 2)
    unpaid = services.orders.checkout(customer, "unpaid-1")

    log_in(page, live_server, pin="123456")  # an existing account keeps its (common) PIN
    page.goto(f"{live_server}/profile")
    waiting = page.locator(f"#order-{unpaid.id}")
    expect(waiting.locator(".status")).to_have_text("Awaiting payment")
    expect(waiting.get_by_role("button", name="Cancel", exact=True)).to_be_visible()
    expect(waiting.get_by_role("link", name="Pay now")).to_be_visible()
    expect(waiting.locator("form.returns")).to_have_count(0)

    done = page.locator(f"#order-{collected.id}")
    expect(done.locator(".status")).to_have_text("Collected")
    expect(done.get_by_label("Return how many Hammer")).to_be_visible()
    expect(done.get_by_role("button", name="Return selected")).to_be_visible()
    expect(done.get_by_role("button", name="Cancel", exact=True)).to_have_count(0)
    shots(page, "profile-actions")
