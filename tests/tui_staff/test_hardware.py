"""The counter's hardware on screen (issue 15): scanner bursts, cash tendered, printing and retry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.widgets import Digits, Input, Label

from tests.engine.test_printing import DRAWER_PIN_2, CollectingPrinter, closed_port
from tests.tui_staff.conftest import open_mode, press, settle
from workshop_tui.app import make_app
from workshop_tui.config import Settings
from workshop_tui.screens.cash_tendered import CashTenderedDialog
from workshop_tui.screens.counter import CounterScreen
from workshop_tui.screens.payment import PaymentScreen
from workshop_tui.screens.receipt import ReceiptScreen
from workshop_tui.screens.shop import ShopScreen

GAP_MS = 400  # generous: Pilot on a busy machine still types far faster than this


def settings_for(database, **overrides) -> Settings:
    return Settings(database_url=database.url, data_dir=database.settings.data_dir, **overrides)


@pytest.fixture
def scanner_app(services, database):
    return make_app(settings_for(database, scanner_max_gap_ms=GAP_MS), services)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).render())


async def burst(pilot, code: str) -> None:
    """A scanner: the code's keys and Enter, back to back."""
    await pilot.press(*code, "enter")
    await settle(pilot)


def cart_lines(services, account):
    return [(line.product_id, line.quantity) for line in services.cart.get(account).lines]


# --- scanner ---------------------------------------------------------------------


async def test_a_scan_on_the_shop_adds_the_item_and_fires_no_shop_key(scanner_app, shop, services):
    app = scanner_app
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "shop")
        await burst(pilot, "acm-ham")  # "c" opens the cart and "-" takes one off, when typed
        assert isinstance(app.screen, ShopScreen)
        assert not isinstance(app.focused, Input)
    assert cart_lines(services, shop.staff) == [(shop.hammer, 1)]


async def test_a_scan_on_the_counter_adds_the_item_without_focusing_the_scan_field(
    scanner_app, shop, services
):
    app = scanner_app
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await burst(pilot, "blt-spn")  # b, s, p and n are all counter keys
        assert isinstance(app.screen, CounterScreen)  # n would have opened "New customer"
        assert not isinstance(app.focused, Input)  # b or p would have focused a field
        assert "Spanner" in text_of(app, "#scan-result")
    assert cart_lines(services, shop.staff) == [(shop.spanner, 1)]


async def test_an_unknown_scanned_code_is_shown_and_nothing_is_added(scanner_app, shop, services):
    app = scanner_app
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await burst(pilot, "zzz-999")
        result = app.screen.query_one("#scan-result", Label)
        assert "no product with SKU zzz-999" in str(result.render()) and result.has_class("error")
    assert services.cart.get(shop.staff).is_empty


async def test_a_key_typed_at_human_speed_still_works_as_its_binding(scanner_app, shop):
    app = scanner_app
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await pilot.press("p")
        await pilot.pause(GAP_MS / 1000 + 0.2)  # the scanner hands the key back after its gap
        await settle(pilot)
        assert app.focused is app.screen.query_one("#lookup-phone", Input)


async def test_keys_handed_back_after_a_key_that_focuses_a_field_are_typed_into_it(
    scanner_app, shop
):
    app = scanner_app
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "shop")
        await pilot.press("/", "h", "a", "m")  # fast, but no Enter: a person, not a scan
        await pilot.pause(GAP_MS / 1000 + 0.2)
        await settle(pilot)
        assert isinstance(app.focused, Input)
        assert app.focused.value == "ham"


async def test_a_phone_number_typed_fast_after_p_at_the_counter_lands_in_the_phone_field(
    scanner_app, shop
):
    app = scanner_app
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await pilot.press("p", "9", "8", "7")
        await pilot.pause(GAP_MS / 1000 + 0.2)
        await settle(pilot)
        phone = app.screen.query_one("#lookup-phone", Input)
        assert app.focused is phone and phone.value == "987"


async def test_a_scanner_prefix_and_suffix_are_stripped(services, database, shop):
    settings = settings_for(
        database, scanner_max_gap_ms=GAP_MS, scanner_prefix="*", scanner_suffix="#"
    )
    app = make_app(settings, services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await burst(pilot, "*acm-ham#")
    assert cart_lines(services, shop.staff) == [(shop.hammer, 1)]


# --- cash tendered and the receipt -----------------------------------------------


def counter_order(services, shop):
    services.cart.set_quantity(shop.staff, shop.hammer, 1)  # Rs 250.00
    return services.orders.checkout(
        shop.staff, "hw", for_customer_id=shop.customer.id, channel="counter"
    )


async def pay_cash(pilot, order) -> None:
    app = pilot.app
    app.push_screen(
        PaymentScreen(order), lambda r: app.push_screen(ReceiptScreen(r)) if r else None
    )
    await settle(pilot)
    await press(pilot, "1", "p")  # cash, pay


async def test_cash_asks_the_amount_tendered_refuses_too_little_and_shows_the_change(
    app, shop, services, database
):
    order = counter_order(services, shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await pay_cash(pilot, order)
        assert isinstance(app.screen, CashTenderedDialog)
        await press(pilot, "2", "0", "0", "enter")
        assert isinstance(app.screen, CashTenderedDialog)
        assert "less than the total" in text_of(app, "#tendered-error")
        await press(pilot, "t")  # the next 2000 note
        assert app.screen.query_one("#tendered-change", Digits).value == "1,750.00"
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert app.screen.query_one("#change-digits", Digits).value == "1,750.00"
    payment = services.orders.history(shop.staff, customer_id=shop.customer.id).items[0].payments
    assert payment[-1].tendered == Decimal("2000.00") and payment[-1].change == Decimal("1750.00")
    saved = next((database.settings.data_dir / "receipts").glob("*-42col.txt")).read_text()
    assert "Cash tendered" in saved and "Rs 2,000.00" in saved and "Rs 1,750.00" in saved


async def test_an_unreachable_printer_keeps_the_sale_and_t_prints_it_when_back(
    services, database, shop
):
    order = counter_order(services, shop)
    down = settings_for(
        database, printer=f"tcp://127.0.0.1:{closed_port()}", printer_timeout_seconds=1
    )
    app = make_app(down, services)
    collector = CollectingPrinter()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await open_mode(pilot, shop.staff, "counter")
            await pay_cash(pilot, order)
            await press(pilot, "e", "enter")  # the exact amount
            await settle(pilot)
            assert isinstance(app.screen, ReceiptScreen)
            assert "printer not reachable: saved, press t to retry" in text_of(
                app, "#receipt-saved"
            )
            assert list((database.settings.data_dir / "receipts").glob(f"order-{order.id}-*"))
            app.settings = settings_for(database, printer=f"tcp://127.0.0.1:{collector.port}")
            await press(pilot, "t")
            assert "Printed on tcp://127.0.0.1" in text_of(app, "#receipt-saved")
        assert collector.done.wait(5)
    finally:
        collector.close()
    assert b"Paid by CASH" in collector.received and DRAWER_PIN_2 in collector.received
    assert (
        services.orders.history(shop.staff, customer_id=shop.customer.id).items[0].status == "paid"
    )


# --- the drawer and the Z-report on the till and counter ---------------------------


async def test_k_at_the_counter_opens_the_drawer_and_nothing_else(
    services, database, shop, tmp_path
):
    out = tmp_path / "lp0"
    app = make_app(settings_for(database, printer=f"file:{out}", drawer_pin=5), services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await press(pilot, "k")
        assert text_of(app, "#counter-status") == "Drawer opened."
    assert out.read_bytes() == b"\x1bp\x0122"  # ESC p on pin 5, and no paper moved


async def test_cash_out_on_the_till_opens_the_drawer_and_the_z_report_prints_at_close(
    services, database, shop, tmp_path
):
    out = tmp_path / "lp0"
    app = make_app(settings_for(database, printer=f"file:{out}"), services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "till")
        await press(pilot, "o", *"1000", "enter")
        assert not out.exists()  # opening the session moves no cash
        await press(pilot, "u", *"200", "enter", *"courier", "enter")
        assert out.read_bytes() == DRAWER_PIN_2 + b"22"
        assert "Drawer opened." in text_of(app, "#till-message")
        await press(pilot, "z", *"800", "enter")
    data = out.read_bytes()
    assert b"Z-REPORT" in data and b"Expected cash" in data and data.count(b"\x1dV") == 1


async def test_a_card_sale_never_opens_the_drawer(services, database, shop, tmp_path):
    out = tmp_path / "lp0"
    order = counter_order(services, shop)
    app = make_app(settings_for(database, printer=f"file:{out}"), services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        app.push_screen(
            PaymentScreen(order), lambda r: app.push_screen(ReceiptScreen(r)) if r else None
        )
        await settle(pilot)
        await press(pilot, "2", "p")  # card: no amount tendered is asked
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert "Printed on file:" in text_of(app, "#receipt-saved")
    data = out.read_bytes()
    assert b"Paid by CARD" in data and b"\x1bp" not in data
