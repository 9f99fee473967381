from decimal import Decimal

import pytest

from tests.engine.conftest import stock_of
from workshop_tui.services.errors import Forbidden, InvalidInput, InvalidState


@pytest.fixture
def till(make_services):
    return make_services(require_cash_session=True, terminal_id="counter-1")


def counter_sale(services, shop, product, qty, *, method="cash", key="k"):
    services.cart.set_quantity(shop.staff, product, qty)
    order = services.orders.checkout(
        shop.staff, key, for_customer_id=shop.customer.id, channel="counter"
    )
    return services.payments.pay(shop.staff, order.id, method=method, idempotency_key=f"p-{key}")


def test_a_counter_sale_is_refused_with_no_open_session_and_nothing_changes(till, shop):
    till.cart.set_quantity(shop.staff, shop.hammer, 1)
    with pytest.raises(InvalidState, match="no cash session"):
        till.orders.checkout(shop.staff, "k", for_customer_id=shop.customer.id)
    assert stock_of(till, shop.hammer) == 5


def test_customers_buying_on_their_own_device_need_no_session(till, shop):
    till.cart.set_quantity(shop.customer, shop.hammer, 1)
    assert till.orders.checkout(shop.customer, "k").status == "pending_payment"


def test_one_open_session_per_terminal(till, shop):
    till.cash.open(shop.staff, "500.00")
    with pytest.raises(InvalidState, match="already open"):
        till.cash.open(shop.staff, "100.00")


def test_only_staff_open_sessions_and_amounts_are_checked(till, shop):
    with pytest.raises(Forbidden):
        till.cash.open(shop.customer, "10")
    for bad in ("-1", "abc", "1.001", 1.5, None):
        with pytest.raises(InvalidInput):
            till.cash.open(shop.staff, bad)
    assert till.cash.current() is None


def test_closing_shows_expected_against_counted_cash_and_the_z_report(till, shop):
    till.cash.open(shop.staff, "1000.00")
    counter_sale(till, shop, shop.hammer, 2, method="cash", key="a")  # +500 cash
    counter_sale(till, shop, shop.saw, 1, method="card", key="b")  # 120.50 card
    refunded = counter_sale(
        till, shop, shop.hammer, 1, method="cash", key="c"
    )  # +250 cash, then refunded
    till.orders.cancel(shop.staff, refunded.order.id, "customer changed mind")
    till.cash.move(shop.staff, "out", "100.00", "paid the courier")
    till.cash.move(shop.staff, "in", "50.00", "change from the bank")
    z = till.cash.close(shop.staff, "1690.00")
    assert z.expected_cash == Decimal("1000.00") + 500 + 250 - 250 - 100 + 50 == Decimal("1450.00")
    assert z.difference == Decimal("240.00")
    assert {r.label: r.revenue for r in z.sales_by_method} == {
        "cash": Decimal("750.00"),
        "card": Decimal("120.50"),
    }
    assert z.refunds == Decimal("250.00") and z.net == Decimal("620.50")
    assert z.orders == 3 and z.cancellations == 1
    assert z.ledger_heads and z.ledger_heads[0].chain == f"seller-{shop.acme}"
    assert till.cash.current() is None


def test_session_totals_equal_the_ledgers_for_the_same_period(till, shop, database):
    till.cash.open(shop.staff, "0")
    counter_sale(till, shop, shop.hammer, 3, method="upi", key="a")
    counter_sale(till, shop, shop.drill, 1, method="card", key="b")
    z = till.cash.close(shop.staff, "0")
    with database.engine.connect() as conn:
        ledger_total = conn.exec_driver_sql(
            "SELECT sum(amount) FROM transactions WHERE kind = 'charge'"
        ).scalar()
    assert z.gross == ledger_total == Decimal("4749.00")


def test_the_z_report_freezes_the_ledger_heads_at_close(till, shop):
    till.cash.open(shop.staff, "0")
    counter_sale(till, shop, shop.hammer, 1, key="a")
    z = till.cash.close(shop.staff, "250.00")
    till.cash.open(shop.staff, "0")
    counter_sale(till, shop, shop.hammer, 1, key="b")
    assert till.cash.report(shop.staff, z.session.id).ledger_heads == z.ledger_heads


def test_cash_moves_need_an_open_session_and_a_reason(till, shop):
    with pytest.raises(InvalidState):
        till.cash.move(shop.staff, "in", "10", "float top-up")
    till.cash.open(shop.staff, "0")
    with pytest.raises(InvalidInput):
        till.cash.move(shop.staff, "in", "10", "  ")
    with pytest.raises(InvalidInput):
        till.cash.move(shop.staff, "sideways", "10", "why")


def test_the_z_report_prints_as_text_and_csv_from_the_command_line(till, shop, database, tmp_path):
    from click.testing import CliRunner

    from workshop_tui.cli import main

    till.cash.open(shop.staff, "100.00")
    counter_sale(till, shop, shop.hammer, 1, key="a")
    z = till.cash.close(shop.staff, "350.00")
    out = tmp_path / "z.csv"
    result = CliRunner().invoke(
        main, ["--database-url", database.url, "report", "z", "--as", "counter", "--csv", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Z-REPORT" in result.output and "Expected cash" in result.output
    assert max(len(line) for line in result.output.splitlines()[:-1]) <= 42
    assert (
        f"session,id,,{z.session.id}" in out.read_text()
        and "totals,difference,,0.00" in out.read_text()
    )


def test_staff_open_and_close_a_kiosks_till_from_the_command_line(database, shop):
    from click.testing import CliRunner

    from workshop_tui.cli import main

    def run(*args):
        return CliRunner().invoke(
            main,
            [
                "--database-url",
                database.url,
                "till",
                *args,
                "--terminal",
                "kiosk-7",
                "--as",
                "counter",
            ],
        )

    assert run("status").exit_code == 1
    opened = run("open", "--float", "0", "--kiosk")
    assert opened.exit_code == 0 and "opened kiosk session" in opened.output
    assert run("status").exit_code == 0
    closed = run("close", "--counted", "0")
    assert closed.exit_code == 0 and "Z-REPORT" in closed.output
    refused = run("open", "--float", "-3")
    assert refused.exit_code == 2 and "opening float" in refused.output
