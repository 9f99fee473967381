"""Hypothesis: any sequence of cart edits matches a simple model, and checkout conserves stock."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from workshop_tui.services.errors import OutOfStock, SellerConflict

_ids = itertools.count()
edits = st.lists(
    st.tuples(st.sampled_from(["hammer", "saw", "drill"]), st.integers(-3, 4), st.booleans()),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=edits)
def test_cart_edits_follow_the_one_seller_and_stock_rules(services, database, shop, steps):
    me = f.account(database, username=f"prop{next(_ids)}")
    stock = {"hammer": 5, "saw": 2, "drill": 1}
    seller = {"hammer": shop.acme, "saw": shop.acme, "drill": shop.bolt}
    ids = {"hammer": shop.hammer, "saw": shop.saw, "drill": shop.drill}
    model: dict[str, int] = {}
    for name, delta, replace in steps:
        wanted = max(0, model.get(name, 0) + delta)
        try:
            cart = services.cart.change(me, ids[name], delta, replace=replace)
        except SellerConflict:
            assert wanted > 0 and not replace and any(seller[n] != seller[name] for n in model)
            continue
        except OutOfStock:
            assert wanted > stock[name]
            continue
        if wanted and any(seller[n] != seller[name] for n in model):
            model = {}
        if wanted:
            model[name] = wanted
        else:
            model.pop(name, None)
        assert {line.product_id: line.quantity for line in cart.lines} == {
            ids[n]: q for n, q in model.items()
        }
        assert len({seller[n] for n in model}) <= 1


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(quantities=st.lists(st.integers(1, 4), min_size=1, max_size=6))
def test_checkouts_never_take_more_than_the_stock_and_conserve_units(
    services, database, shop, quantities
):
    product = f.product(database, shop.acme, stock=6)
    sold = 0
    for qty in quantities:
        buyer = f.account(database, username=f"prop{next(_ids)}")
        try:
            services.cart.set_quantity(buyer, product, qty)
            order = services.orders.checkout(buyer, "k")
        except OutOfStock:
            assert qty > 6 - sold
            continue
        sold += qty
        assert order.total == sum(line.unit_price * line.quantity for line in order.lines)
    assert services.catalog.get(product).stock == 6 - sold
