"""Hypothesis: random shop histories, and every report figure is the ledger's sum.

A history is sales (several methods, some discounted, some declined first), cancellations
before and after payment, fulfilments, partial and full returns, cash in and out, and
drawer sessions opened and closed, all through the real services. Window edges fall
between any two steps, so sessions and orders straddle them.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from tests.engine.test_books import ledger_sums
from workshop_tui.services.errors import Forbidden, InvalidInput, InvalidState

_keys = itertools.count()

FATES = {
    "unpaid": (),
    "paid": ("pay",),
    "cancel_unpaid": ("cancel",),
    "cancel_paid": ("pay", "cancel"),
    "fulfilled": ("pay", "fulfil"),
    "return_one": ("pay", "fulfil", "return_one"),
    "return_all": ("pay", "fulfil", "return_all"),
    "return_one_then_all": ("pay", "fulfil", "return_one", "return_all"),
}
sale = st.tuples(
    st.just("sell"),
    st.integers(0, 1),  # which seller
    st.tuples(st.integers(0, 3), st.integers(0, 2)).filter(any),  # units of its two products
    st.sampled_from(["cash", "card", "upi"]),
    st.sampled_from([None, ("percent", "10"), ("fixed", "3.33")]),
    st.booleans(),  # declined once before it is paid
    st.sampled_from(sorted(FATES)),
    st.lists(st.integers(0, 3), min_size=4, max_size=4),  # steps before each later move
)
drawer = st.one_of(
    st.tuples(st.just("open"), st.sampled_from(["0.00", "500.00"])),
    st.tuples(st.just("close"), st.sampled_from(["0.00", "777.77"])),
    st.tuples(st.just("cash"), st.sampled_from(["in", "out"]), st.sampled_from(["10.00", "2.50"])),
)
histories = st.lists(st.one_of(sale, sale, drawer), min_size=2, max_size=10)


@pytest.fixture
def till(make_services):
    return make_services(terminal_id="prop-till", require_cash_session=False)


@pytest.fixture
def stock(database, shop):
    """Two sellers with two products each, in three categories, with room for any history."""
    cats = [f.category(database, f"Cat {n}") for n in range(3)]
    return {
        0: [
            f.product(database, shop.acme, price="99.99", stock=10_000, category_id=cats[0]),
            f.product(database, shop.acme, price="10.01", stock=10_000, category_id=cats[1]),
        ],
        1: [
            f.product(database, shop.bolt, price="333.33", stock=10_000, category_id=cats[1]),
            f.product(database, shop.bolt, price="0.50", stock=10_000, category_id=cats[2]),
        ],
    }


def play(till, shop, stock, history) -> list[datetime]:
    """Run the history; return the moments between its moves (the window edges to try).

    A sale's later moves (pay, cancel, fulfil, return) wait a drawn number of steps, so
    other sales, cash moves and session changes fall between them.
    """
    staff, edges = shop.staff, [datetime.now(UTC)]
    later: list[tuple[int, int, str, tuple]] = []  # (due step, tie, move, sale)

    def attempt(move, *args) -> None:
        # A move the rules refuse (a session already open, a discount too big) changes nothing.
        with contextlib.suppress(InvalidState, InvalidInput, Forbidden):
            move(*args)
        edges.append(datetime.now(UTC))

    def sell(step) -> None:
        _, seller, units, method, discount, decline_first, fate, waits = step
        for product, qty in zip(stock[seller], units, strict=True):
            till.cart.set_quantity(staff, product, qty)
        key = f"h{next(_keys)}"
        order = till.orders.checkout(
            staff, key, for_customer_id=shop.customer.id, channel="counter"
        )
        if discount:
            till.discounts.apply(staff, order.id, kind=discount[0], value=discount[1])
        if decline_first:
            till.payments.pay(
                staff, order.id, method=method, outcome="decline", idempotency_key=key + "d"
            )
        due = len(edges)
        for n, (move, wait) in enumerate(zip(FATES[fate], waits, strict=False)):
            due += wait
            later.append((due, n, move, (order.id, method, key)))

    def follow(move, order_id, method, key) -> None:
        if move == "pay":
            till.payments.pay(staff, order_id, method=method, idempotency_key=key + "p")
        elif move == "cancel":
            till.orders.cancel(staff, order_id, "changed mind")
        elif move == "fulfil":
            till.orders.fulfil(staff, order_id)
        else:
            order = till.orders.get(staff, order_id)
            back = [
                {
                    "product_id": line.product_id,
                    "quantity": 1 if move == "return_one" else line.quantity - line.returned_qty,
                }
                for line in order.lines
                if line.quantity > line.returned_qty
            ]
            till.orders.return_items(staff, order_id, back[:1] if move == "return_one" else back)

    def run_due(until: int) -> None:
        later.sort()
        while later and later[0][0] <= until:
            _, _, move, (order_id, method, key) = later.pop(0)
            attempt(follow, move, order_id, method, key)

    for step in history:
        run_due(len(edges))
        if step[0] == "sell":
            attempt(sell, step)
        elif step[0] in ("open", "close"):
            attempt(getattr(till.cash, step[0]), staff, step[1])
        else:
            attempt(till.cash.move, staff, step[1], step[2], "float")
    run_due(10**6)
    return edges


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=histories, data=st.data())
def test_every_report_figure_is_the_ledger_sum(till, database, shop, stock, history, data):
    edges = play(till, shop, stock, history)
    first = data.draw(st.integers(0, len(edges) - 2), label="window starts after step")
    last = data.draw(st.integers(first + 1, len(edges) - 1), label="window ends after step")
    start, end = edges[first], edges[last]

    report = till.reports.sales(shop.staff, start, end)
    sums = ledger_sums(database, start, end)
    assert report.revenue == sums["gross"] and report.orders == sums["orders"]
    assert report.refunds == sums["refunds"]
    assert (report.refunds_cancellations, report.refunds_returns) == (
        sums["cancellations"],
        sums["returns"],
    )
    assert report.refunds == report.refunds_cancellations + report.refunds_returns
    assert report.net == report.revenue - report.refunds
    for section in ("seller", "category", "method", "hour"):
        rows = getattr(report, f"by_{section}")
        assert sum((r.revenue for r in rows), Decimal(0)) == report.revenue, section
        assert sum((r.refunds for r in rows), Decimal(0)) == report.refunds, section
        if section != "category":
            assert sum(r.orders for r in rows) == report.orders, section

    check = till.reports.verify(start, end)
    assert check.ok, check.problems
    whole = till.reports.verify()  # the whole ledger, and every closed Z-report
    assert whole.ok, whole.problems
