"""ESC/POS receipts, the cash drawer and cash tendered (issue 15), against python-escpos's Dummy."""

from __future__ import annotations

import socket
import threading
from decimal import Decimal

import pytest

from workshop_tui.services import printing
from workshop_tui.services.errors import InvalidInput
from workshop_tui.services.printing import Printer, parse_printer

INIT, CUT = b"\x1b@", b"\x1dV"
DRAWER_PIN_2, DRAWER_PIN_5 = b"\x1bp\x00", b"\x1bp\x01"


@pytest.fixture
def till(make_services):
    return make_services(require_cash_session=True, terminal_id="counter-1")


def counter_sale(services, shop, *, method="cash", tendered=None, key="k"):
    services.cart.set_quantity(shop.staff, shop.hammer, 2)
    order = services.orders.checkout(
        shop.staff, key, for_customer_id=shop.customer.id, channel="counter"
    )
    return services.payments.pay(
        shop.staff, order.id, method=method, idempotency_key=f"p-{key}", tendered=tendered
    )


def first_receipt(services, shop, paid):
    return services.receipts.print(shop.staff, paid.payment.id)


class CollectingPrinter:
    """A network printer on 127.0.0.1: it keeps every byte of every job it is sent."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = bytearray()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            while chunk := conn.recv(65536):
                self.received += chunk
        self.done.set()

    def close(self) -> None:
        self.server.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


# --- printer URIs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("none", "none"),
        ("", "none"),
        ("file:/dev/usb/lp0", "file:/dev/usb/lp0"),
        ("tcp://10.0.0.7:9100", "tcp://10.0.0.7:9100"),
        ("tcp://printer.local", "tcp://printer.local:9100"),
        ("usb:04b8:0202", "usb:04b8:0202"),
        ("cups:counter", "cups:counter"),
    ],
)
def test_printer_uris_name_a_file_a_network_printer_a_usb_printer_or_a_queue(uri, expected):
    assert str(parse_printer(uri)) == expected


@pytest.mark.parametrize("uri", ["lpt1", "file:relative/path", "tcp://host:99999", "usb:zz:1"])
def test_a_printer_uri_that_does_not_parse_is_refused(uri):
    with pytest.raises(InvalidInput, match="printer"):
        parse_printer(uri)


# --- the document ----------------------------------------------------------------


def test_a_cash_receipt_is_init_its_text_lines_the_drawer_pulse_and_a_cut(till, shop):
    till.cash.open(shop.staff, "1000.00")
    receipt = first_receipt(till, shop, counter_sale(till, shop, tendered="600"))
    data = printing.receipt_document(receipt, drawer_pin=2)
    assert data.startswith(INIT)
    for line in ("TAX INVOICE", "TOTAL", "Rs 500.00", "Paid by CASH", "Cash tendered", "CHANGE"):
        assert line.encode() in data
    assert f"{receipt.payment.ledger.chain} #{receipt.payment.ledger.seq}".encode() in data
    assert DRAWER_PIN_2 in data and data.index(DRAWER_PIN_2) < data.rindex(CUT)
    assert data.rstrip(b"\x00").endswith(b"\x1dV")  # GS V 0: the cut ends the job


def test_only_a_cash_sale_opens_the_drawer(till, shop, tmp_path):
    till.cash.open(shop.staff, "0")
    out = tmp_path / "printer.bin"
    printer = Printer(parse_printer(f"file:{out}"), drawer_pin=5)
    card = first_receipt(till, shop, counter_sale(till, shop, method="card", key="c"))
    assert printer.receipt(card, open_drawer=True).printed
    assert DRAWER_PIN_5 not in out.read_bytes() and CUT in out.read_bytes()
    cash = first_receipt(till, shop, counter_sale(till, shop, method="cash", key="m"))
    assert printer.receipt(cash, open_drawer=True).printed
    assert DRAWER_PIN_5 in out.read_bytes()


def test_a_reprint_prints_duplicate(till, shop):
    till.cash.open(shop.staff, "0")
    paid = counter_sale(till, shop, method="upi")
    first_receipt(till, shop, paid)
    again = till.receipts.print(shop.staff, paid.payment.id)
    data = printing.receipt_document(again)
    assert b"*** DUPLICATE (copy 2) ***" in data and DRAWER_PIN_2 not in data


def test_the_58mm_layout_keeps_every_line_within_32_columns(till, shop):
    till.cash.open(shop.staff, "0")
    receipt = first_receipt(till, shop, counter_sale(till, shop, tendered="2000"))
    text = printing.receipts.as_text(receipt, 32)
    assert max(len(line) for line in text.splitlines()) <= 32
    assert b"Rs 1,500.00" in printing.receipt_document(receipt, columns=32)


def test_the_z_report_prints_with_its_expected_cash_and_a_cut(till, shop):
    till.cash.open(shop.staff, "100.00")
    counter_sale(till, shop, tendered="2000")
    z = till.cash.close(shop.staff, "600.00")
    data = printing.zreport_document(z)
    assert data.startswith(INIT) and b"Z-REPORT" in data and CUT in data
    assert b"Expected cash" in data and b"Rs 600.00" in data


# --- cash tendered ---------------------------------------------------------------


def test_cash_tendered_is_kept_with_the_payment_and_the_change_is_on_the_receipt(till, shop):
    till.cash.open(shop.staff, "0")
    paid = counter_sale(till, shop, tendered="2000")
    assert paid.payment.tendered == Decimal("2000.00")
    assert paid.payment.change == Decimal("1500.00")
    reprint = till.receipts.print(shop.staff, paid.payment.id)
    reprint = till.receipts.print(shop.staff, paid.payment.id)  # a reprint shows the same
    text = printing.receipts.as_text(reprint)
    assert "Cash tendered" in text and "Rs 2,000.00" in text and "Rs 1,500.00" in text


def test_less_cash_than_the_total_is_refused_and_the_order_stays_unpaid(till, shop):
    till.cash.open(shop.staff, "0")
    with pytest.raises(InvalidInput, match="less than the total"):
        counter_sale(till, shop, tendered="499.99")
    orders = till.orders.history(shop.staff, customer_id=shop.customer.id).items
    assert [o.status for o in orders] == ["pending_payment"]


def test_only_cash_has_cash_tendered(till, shop):
    till.cash.open(shop.staff, "0")
    with pytest.raises(InvalidInput, match="only a cash payment"):
        counter_sale(till, shop, method="card", tendered="500")


def test_the_drawer_gains_the_total_not_the_cash_tendered(till, shop):
    till.cash.open(shop.staff, "100.00")
    counter_sale(till, shop, tendered="2000")
    current = till.cash.current()
    assert till.cash.report(shop.staff, current.id).expected_cash == Decimal("600.00")


# --- printers that are off --------------------------------------------------------


def test_an_unreachable_printer_leaves_the_sale_paid_and_the_receipt_saved(till, shop, tmp_path):
    till.cash.open(shop.staff, "0")
    paid = counter_sale(till, shop, tendered="500")
    receipt = first_receipt(till, shop, paid)
    saved = printing.save_text(tmp_path, receipt)
    outcome = Printer(parse_printer(f"tcp://127.0.0.1:{closed_port()}"), timeout=1).receipt(
        receipt, open_drawer=True
    )
    assert outcome.unreachable and not outcome.printed
    assert "Paid by CASH" in saved.read_text()
    assert till.orders.history(shop.staff, customer_id=shop.customer.id).items[0].status == "paid"


def test_the_retry_prints_the_same_copy_on_a_reachable_printer(till, shop):
    till.cash.open(shop.staff, "0")
    receipt = first_receipt(till, shop, counter_sale(till, shop, tendered="500"))
    down = Printer(parse_printer(f"tcp://127.0.0.1:{closed_port()}"), timeout=1)
    assert down.receipt(receipt, open_drawer=True).unreachable
    printer = CollectingPrinter()
    try:
        up = Printer(parse_printer(f"tcp://127.0.0.1:{printer.port}"), timeout=2)
        assert up.receipt(receipt, open_drawer=True).printed
        assert printer.done.wait(5)
    finally:
        printer.close()
    assert bytes(printer.received) == printing.receipt_document(receipt, drawer_pin=2)
    assert till.receipts.copies(shop.staff, receipt.payment.id) == 1  # a retry is no new copy


def test_no_printer_configured_prints_nothing_and_is_not_an_error(till, shop):
    till.cash.open(shop.staff, "0")
    receipt = first_receipt(till, shop, counter_sale(till, shop))
    outcome = Printer(parse_printer("none")).receipt(receipt)
    assert not outcome.printed and not outcome.unreachable
