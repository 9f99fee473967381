import pytest

from tests.engine.conftest import paid_order
from workshop_tui.services.errors import NotFound
from workshop_tui.services.receipts import as_text
from workshop_tui.services.types import ReturnRequest


def sale_receipt(services, shop):
    order = paid_order(services, shop)
    payment_id = services.receipts.for_order(shop.customer, order.id)[0]
    return order, payment_id


def test_a_sale_receipt_carries_the_ledger_position_and_fits_42_columns(services, shop):
    _, payment_id = sale_receipt(services, shop)
    receipt = services.receipts.print(shop.customer, payment_id)
    text = as_text(receipt)
    assert not receipt.is_duplicate and "DUPLICATE" not in text
    assert f"seller-{shop.acme} #2" in text and receipt.payment.ledger.short_hash in text
    assert "TOTAL" in text and "Rs 500.00" in text
    assert max(len(line) for line in text.splitlines()) <= 42


def test_a_reprint_is_marked_duplicate(services, shop):
    _, payment_id = sale_receipt(services, shop)
    services.receipts.print(shop.customer, payment_id)
    again = services.receipts.print(shop.staff, payment_id)
    assert again.copy_number == 2 and "*** DUPLICATE (copy 2) ***" in as_text(again)


def test_a_return_prints_a_refund_receipt_of_the_returned_units(services, shop):
    order, _ = sale_receipt(services, shop)
    services.orders.fulfil(shop.staff, order.id)
    services.orders.return_items(shop.customer, order.id, [ReturnRequest(shop.hammer, 1)])
    refund_id = services.receipts.for_order(shop.customer, order.id)[-1]
    receipt = services.receipts.print(shop.customer, refund_id)
    text = as_text(receipt)
    assert receipt.kind == "refund" and "REFUND" in text and "Rs 250.00" in text
    assert [(line.product_id, line.quantity) for line in receipt.returned] == [(shop.hammer, 1)]


def test_another_customers_receipt_is_not_found(services, shop):
    _, payment_id = sale_receipt(services, shop)
    with pytest.raises(NotFound):
        services.receipts.print(shop.other, payment_id)
