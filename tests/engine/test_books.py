"""The books balance: every money figure the reports show is the ledger's sum (issue 18)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner

from tests import factories as f
from tests.engine.conftest import paid_order
from workshop_tui.cli import main
from workshop_tui.services.books import allocate
from workshop_tui.services.reports import report_csv


def ledger_sums(database, start=None, end=None) -> dict[str, Decimal]:
    """The ledger's own sums, straight from its rows (nothing of the report's code)."""
    with database.engine.connect() as conn:
        row = conn.exec_driver_sql(
            """
            SELECT COALESCE(sum(amount) FILTER (WHERE kind = 'charge'), 0),
                   COALESCE(sum(amount) FILTER (WHERE kind = 'refund'), 0),
                   COALESCE(sum(amount) FILTER (WHERE payload->>'for' = 'cancellation'), 0),
                   COALESCE(sum(amount) FILTER (WHERE payload->>'for' = 'return'), 0),
                   count(DISTINCT order_id) FILTER (WHERE kind = 'charge')
              FROM transactions
             WHERE created_at >= %(start)s AND created_at < %(end)s
            """,
            {
                "start": start or datetime(2000, 1, 1, tzinfo=UTC),
                "end": end or datetime(2100, 1, 1, tzinfo=UTC),
            },
        ).one()
    return dict(zip(("gross", "refunds", "cancellations", "returns", "orders"), row, strict=True))


def test_paid_then_cancelled_is_revenue_and_a_refund_netting_to_zero(services, database, shop):
    order = paid_order(services, shop, qty=1)  # 250.00 by card
    services.orders.cancel(shop.customer, order.id)
    report = services.reports.sales_today(shop.staff)
    assert report.orders == 1 and report.revenue == Decimal("250.00")
    assert report.refunds == report.refunds_cancellations == Decimal("250.00")
    assert report.refunds_returns == Decimal("0.00") and report.net == Decimal("0.00")
    (acme,) = report.by_seller
    assert (acme.label, acme.revenue, acme.refunds, acme.net) == (
        "Acme Tools",
        Decimal("250.00"),
        Decimal("250.00"),
        Decimal("0.00"),
    )
    sums = ledger_sums(database)
    assert (report.revenue, report.refunds) == (sums["gross"], sums["refunds"])


def test_an_order_cancelled_before_payment_is_no_sale_and_no_refund(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    order = services.orders.checkout(shop.customer, "unpaid")
    services.orders.cancel(shop.customer, order.id)
    report = services.reports.sales_today(shop.staff)
    assert (report.orders, report.revenue, report.refunds) == (0, Decimal("0.00"), Decimal("0.00"))


def test_returns_and_cancellations_are_split_and_discounts_have_their_own_line(services, shop):
    order = paid_order(services, shop, qty=2, key="a")
    services.orders.cancel(shop.customer, order.id)  # 500.00 back: a cancellation
    services.cart.set_quantity(shop.customer, shop.hammer, 2)
    sold = services.orders.checkout(shop.customer, "b")
    services.discounts.apply(shop.staff, sold.id, kind="fixed", value="50.00")
    services.payments.pay(shop.customer, sold.id, method="upi", idempotency_key="pb")
    services.orders.fulfil(shop.staff, sold.id)
    services.orders.return_items(
        shop.customer, sold.id, [{"product_id": shop.hammer, "quantity": 1}]
    )
    report = services.reports.sales_today(shop.staff)
    assert report.revenue == Decimal("950.00") and report.discounts == Decimal("50.00")
    assert report.refunds_cancellations == Decimal("500.00")
    assert report.refunds_returns == Decimal("225.00")  # half of what was paid
    assert report.net == Decimal("950.00") - Decimal("725.00")
    assert {r.label: (r.revenue, r.refunds) for r in report.by_method} == {
        "card": (Decimal("500.00"), Decimal("500.00")),
        "upi": (Decimal("450.00"), Decimal("225.00")),
    }


def test_a_charge_split_over_categories_leaves_no_paisa_unaccounted(services, database, shop):
    products = [
        f.product(database, shop.acme, price="100.00", stock=3, category_id=f.category(database))
        for _ in range(3)
    ]
    for product in products:
        services.cart.set_quantity(shop.customer, product, 1)
    order = services.orders.checkout(shop.customer, "k")
    services.discounts.apply(shop.staff, order.id, kind="fixed", value="29.99")  # 270.01 left
    services.payments.pay(shop.customer, order.id, method="cash", idempotency_key="p")
    report = services.reports.sales_today(shop.staff)
    shares = sorted(r.revenue for r in report.by_category)
    assert shares == [Decimal("90.00"), Decimal("90.00"), Decimal("90.01")]
    assert sum(shares) == report.revenue == Decimal("270.01")


def test_largest_remainder_gives_the_leftover_paise_to_the_biggest_fractions():
    assert allocate(100, {1: 1, 2: 1, 3: 1}) == {1: 34, 2: 33, 3: 33}
    assert allocate(1001, {7: 3, 9: 1}) == {7: 751, 9: 250}
    assert allocate(5, {1: 0, 2: 0}) == {1: 3, 2: 2}  # free lines: equal shares


def test_a_charge_counts_in_the_window_of_its_ledger_time(services, shop):
    before = datetime.now(UTC)
    paid_order(services, shop, qty=1)
    after = datetime.now(UTC)
    assert services.reports.sales(shop.staff, before, after).revenue == Decimal("250.00")
    later = services.reports.sales(shop.staff, after, after + timedelta(hours=1))
    assert later.revenue == Decimal("0.00") and later.orders == 0


def test_the_csv_carries_refunds_and_net_by_the_same_keys(services, shop):
    order = paid_order(services, shop, qty=2)
    services.orders.cancel(shop.customer, order.id)
    text = report_csv(services.reports.sales_today(shop.staff))
    assert "total,sales,1,2,500.00,500.00,0.00" in text
    assert "total,refunds_cancellations,,,,500.00," in text
    assert "seller,Acme Tools,1,2,500.00,500.00,0.00" in text


def run_cli(database, *args):
    return CliRunner().invoke(main, ["--database-url", database.url, "report", *args])


def test_report_verify_agrees_with_the_ledger(services, database, shop):
    order = paid_order(services, shop, qty=2)
    services.orders.cancel(shop.customer, order.id)
    result = run_cli(database, "verify")
    assert result.exit_code == 0, result.output
    assert "the books balance" in result.output


def test_report_verify_names_the_first_figure_that_differs(services, database, shop):
    order = paid_order(services, shop, qty=2)
    with database.engine.begin() as conn:  # a payment edited behind the ledger's back
        conn.exec_driver_sql(
            "UPDATE payments SET amount = 400 WHERE order_id = %(id)s", {"id": order.id}
        )
    result = run_cli(database, "verify")
    assert result.exit_code == 1
    assert "payment #" in result.stderr
    assert "differs" in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "args", [("verify", "--from", "2026-02-02", "--to", "2026-02-01"), ("verify", "--from", "x")]
)
def test_report_verify_refuses_bad_usage(database, args):
    assert run_cli(database, *args).exit_code == 2


def ledger_amount(database, payment_id: int) -> Decimal:
    with database.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT amount FROM transactions WHERE payment_id = %(id)s AND kind IN ('charge', 'refund')",
            {"id": payment_id},
        ).scalar_one()


def test_the_receipts_print_the_amounts_the_ledger_holds(services, database, shop):
    from workshop_tui.services.receipts import as_text, rupees

    services.cart.set_quantity(shop.customer, shop.hammer, 3)
    order = services.orders.checkout(shop.customer, "k")
    services.discounts.apply(shop.staff, order.id, kind="fixed", value="10.00")  # 740.00
    services.payments.pay(shop.customer, order.id, method="card", idempotency_key="p")
    services.orders.fulfil(shop.staff, order.id)
    services.orders.return_items(
        shop.customer, order.id, [{"product_id": shop.hammer, "quantity": 1}]
    )
    sale_id, refund_id = services.receipts.for_order(shop.staff, order.id)
    sale = as_text(services.receipts.print(shop.staff, sale_id))
    refund = as_text(services.receipts.print(shop.staff, refund_id))
    assert rupees(ledger_amount(database, sale_id)) in sale.split("Paid by CARD")[1]
    refunded = ledger_amount(database, refund_id)  # 246.67: a third of what was paid
    assert refunded == Decimal("246.67")
    assert rupees(refunded) in refund.split("REFUNDED to CARD")[1]
    assert "Less discounts" in refund and "-Rs 3.33" in refund


def test_report_verify_checks_each_closed_z_report(make_services, database, shop):
    till = make_services(require_cash_session=True, terminal_id="counter-1")
    till.cash.open(shop.staff, "100.00")
    till.cart.set_quantity(shop.staff, shop.hammer, 2)
    order = till.orders.checkout(shop.staff, "z", for_customer_id=shop.customer.id)
    till.payments.pay(shop.staff, order.id, method="cash", idempotency_key="pz")
    till.orders.cancel(shop.staff, order.id, "wrong size")
    session = till.cash.close(shop.staff, "100.00").session
    assert till.reports.verify().ok and till.reports.verify().sessions == 1
    with database.engine.begin() as conn:  # the frozen figure edited after the close
        conn.exec_driver_sql(
            "UPDATE cash_sessions SET expected_cash = 90 WHERE id = %(id)s", {"id": session.id}
        )
    result = run_cli(database, "verify")
    assert result.exit_code == 1
    assert f"Z-report #{session.id} expected cash frozen at close differs" in result.stderr


def test_the_report_command_prints_gross_refunds_split_discounts_and_net(services, database, shop):
    order = paid_order(services, shop, qty=2)
    services.orders.cancel(shop.customer, order.id)
    result = run_cli(database, "sales", "--as", "counter")
    assert result.exit_code == 0, result.output
    assert "1 orders, revenue 500.00, refunds 500.00, net 0.00" in result.output
    assert re.search(r"^ +cancellations +500\.00$", result.output, re.M)
    assert re.search(r"^ +returns +0\.00$", result.output, re.M)
    assert re.search(r"^ +discounts given +0\.00 ", result.output, re.M)


def test_a_z_report_counts_orders_charged_and_cancellations_refunded_in_its_session(
    make_services, shop
):
    till = make_services(require_cash_session=True, terminal_id="counter-1")
    till.cash.open(shop.staff, "100.00")
    till.cart.set_quantity(shop.staff, shop.hammer, 1)
    paid = till.orders.checkout(shop.staff, "z1", for_customer_id=shop.customer.id)
    till.payments.pay(shop.staff, paid.id, method="cash", idempotency_key="pz1")
    till.cart.set_quantity(shop.staff, shop.saw, 1)
    never_paid = till.orders.checkout(shop.staff, "z2", for_customer_id=shop.customer.id)
    till.orders.cancel(shop.staff, never_paid.id, "changed their mind")
    till.orders.cancel(shop.staff, paid.id, "wrong size")
    z = till.cash.close(shop.staff, "100.00")
    # The unpaid order took no money and its cancellation refunded none: neither counts.
    assert (z.orders, z.cancellations) == (1, 1)
    assert till.reports.verify().ok
