from decimal import Decimal

import pytest

from tests.engine.conftest import paid_order
from workshop_tui.services.errors import Forbidden


def test_todays_sales_add_up_by_seller_method_and_hour(services, shop):
    paid_order(services, shop, qty=2, key="a")  # 500.00 card, acme
    services.cart.set_quantity(shop.other, shop.drill, 1)
    order = services.orders.checkout(shop.other, "b")
    services.payments.pay(shop.other, order.id, method="upi", idempotency_key="pb")  # 3999.00
    services.cart.set_quantity(shop.other, shop.saw, 1)
    services.orders.checkout(shop.other, "unpaid")  # not a sale
    report = services.reports.sales_today(shop.staff)
    assert report.orders == 2 and report.revenue == Decimal("4499.00")
    assert {(r.label, r.orders, r.units, r.revenue) for r in report.by_seller} == {
        ("Acme Tools", 1, 2, Decimal("500.00")),
        ("Bolt & Sons", 1, 1, Decimal("3999.00")),
    }
    assert {r.label: r.revenue for r in report.by_method} == {
        "card": Decimal("500.00"),
        "upi": Decimal("3999.00"),
    }
    assert sum(r.revenue for r in report.by_hour) == Decimal("4499.00")


def test_refunds_are_reported_separately(services, shop):
    order = paid_order(services, shop, qty=1)
    services.orders.cancel(shop.customer, order.id)
    report = services.reports.sales_today(shop.staff)
    assert report.refunds == Decimal("250.00") and report.orders == 0


def test_customers_cannot_read_sales(services, shop):
    with pytest.raises(Forbidden):
        services.reports.sales_today(shop.customer)
