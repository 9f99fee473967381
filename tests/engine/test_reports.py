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


def test_customers_cannot_read_sales(services, shop):
    with pytest.raises(Forbidden):
        services.reports.sales_today(shop.customer)


def test_sales_by_category_spread_order_discounts_in_proportion(services, database, shop):
    from tests import factories as f

    tools = f.category(database, "Hand tools")
    bits = f.category(database, "Bits")
    chisel = f.product(
        database, shop.acme, name="Chisel", price="300.00", stock=5, category_id=tools
    )
    bit = f.product(database, shop.acme, name="Bit", price="100.00", stock=5, category_id=bits)
    services.cart.set_quantity(shop.customer, chisel, 1)
    services.cart.set_quantity(shop.customer, bit, 1)
    order = services.orders.checkout(shop.customer, "k")
    services.discounts.apply(shop.staff, order.id, kind="percent", value="10")
    services.payments.pay(shop.customer, order.id, method="cash", idempotency_key="p")
    report = services.reports.sales_today(shop.staff)
    assert {r.label: r.revenue for r in report.by_category} == {
        "Hand tools": Decimal("270.00"),
        "Bits": Decimal("90.00"),
    }


def test_the_report_command_prints_and_writes_a_csv(services, database, shop, tmp_path):
    from click.testing import CliRunner

    from workshop_tui.cli import main

    paid_order(services, shop, qty=2)
    out = tmp_path / "sales.csv"
    result = CliRunner().invoke(
        main,
        ["--database-url", database.url, "report", "sales", "--as", "counter", "--csv", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "1 orders, revenue 500.00" in result.output
    assert "seller,Acme Tools,1,2,500.00" in out.read_text()


def test_the_report_command_refuses_a_customer_login(services, database, shop):
    from click.testing import CliRunner

    from workshop_tui.cli import main

    result = CliRunner().invoke(
        main, ["--database-url", database.url, "report", "sales", "--as", "9876543210"]
    )
    assert result.exit_code == 2 and "forbidden" in result.output
