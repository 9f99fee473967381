"""`workshop receipt print ORDER_ID [--printer URI] [--copy]` and `workshop receipt show ORDER_ID`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.engine.test_printing import CUT, INIT, closed_port
from workshop_tui.cli import main


@pytest.fixture
def paid(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    order = services.orders.checkout(shop.customer, "k")
    services.payments.pay(shop.customer, order.id, method="upi", idempotency_key="p")
    return order


def run(database, *args):
    return CliRunner().invoke(
        main, ["--database-url", database.url, "receipt", *args, "--as", "counter"]
    )


def test_receipt_print_writes_escpos_to_a_file_printer_and_saves_the_text(database, paid, tmp_path):
    out = tmp_path / "lp0"
    result = run(database, "print", str(paid.id), "--printer", f"file:{out}")
    assert result.exit_code == 0, result.output
    assert "copy 1" in result.output and "printed on file:" in result.output
    data = out.read_bytes()
    assert data.startswith(INIT) and CUT in data and b"Paid by UPI" in data
    saved = list((database.settings.data_dir / "receipts").glob(f"order-{paid.id}-*-copy-1.txt"))
    assert len(saved) == 1


def test_a_second_print_needs_copy_and_then_says_duplicate(database, paid, tmp_path):
    out = tmp_path / "lp0"
    assert run(database, "print", str(paid.id), "--printer", f"file:{out}").exit_code == 0
    again = run(database, "print", str(paid.id), "--printer", f"file:{out}")
    assert again.exit_code == 2 and "--copy" in again.stderr and again.stderr.count("\n") == 1
    copy = run(database, "print", str(paid.id), "--printer", f"file:{out}", "--copy")
    assert copy.exit_code == 0, copy.output
    assert b"*** DUPLICATE (copy 2) ***" in out.read_bytes()


def test_an_unreachable_printer_is_one_line_and_the_receipt_is_still_saved(database, paid):
    result = run(database, "print", str(paid.id), "--printer", f"tcp://127.0.0.1:{closed_port()}")
    assert result.exit_code == 2
    assert (
        result.stderr.startswith("workshop: printer not reachable") and "saved to" in result.stderr
    )
    assert list((database.settings.data_dir / "receipts").glob(f"order-{paid.id}-*.txt"))


def test_a_bad_printer_uri_is_one_line_and_exit_2(database, paid):
    result = run(database, "print", str(paid.id), "--printer", "lpt1")
    assert (
        result.exit_code == 2
        and result.stderr.count("\n") == 1
        and "Traceback" not in result.output
    )


def test_receipt_show_prints_the_text_and_records_no_copy(database, paid, services, shop):
    result = run(database, "show", str(paid.id))
    assert result.exit_code == 0, result.output
    assert f"Order #{paid.id}" in result.output and "TOTAL" in result.output
    payment_id = services.receipts.for_order(shop.staff, paid.id)[0]
    assert services.receipts.copies(shop.staff, payment_id) == 0


def test_an_unpaid_order_has_no_receipt(database, services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    order = services.orders.checkout(shop.customer, "u")
    result = run(database, "show", str(order.id))
    assert result.exit_code == 2 and "no payment" in result.stderr
