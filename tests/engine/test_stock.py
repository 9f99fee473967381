import pytest
from sqlalchemy import text

from tests.engine.conftest import paid_order, stock_of
from workshop_tui.services.errors import Forbidden, InvalidInput, NotFound


def test_staff_restock_and_the_movement_is_recorded(services, shop):
    assert services.stock.restock(shop.staff, shop.saw, 10).stock == 12
    assert services.stock.reconcile().drifts == ()


def test_customers_cannot_restock(services, shop):
    with pytest.raises(Forbidden):
        services.stock.restock(shop.customer, shop.saw, 1)


@pytest.mark.parametrize("quantity", [0, -3, 100_001, 2.5, "5"])
def test_a_bad_restock_quantity_is_invalid_input(services, shop, quantity):
    with pytest.raises(InvalidInput):
        services.stock.restock(shop.staff, shop.saw, quantity)
    assert stock_of(services, shop.saw) == 2


def test_restocking_an_unknown_product_is_not_found(services, shop):
    with pytest.raises(NotFound):
        services.stock.restock(shop.staff, 999_999, 1)


def test_the_low_stock_list_shows_products_at_or_below_their_threshold(services, shop):
    low = services.stock.low_stock(shop.staff)
    assert [item.product_id for item in low] == [shop.drill, shop.saw, shop.hammer]


def test_reconcile_finds_a_counter_edited_behind_the_engines_back(services, database, shop):
    paid_order(services, shop)
    assert services.stock.reconcile().drifts == ()
    with database.engine.begin() as conn:
        conn.execute(
            text("UPDATE inventory SET stock_remaining = 99 WHERE product_id = :p"),
            {"p": shop.hammer},
        )
    drift = services.stock.reconcile().drifts
    assert [(d.product_id, d.stock_remaining, d.movements) for d in drift] == [(shop.hammer, 99, 3)]


def test_a_restock_is_announced_to_listening_terminals(services, shop):
    import threading

    seen, stop, ready = [], threading.Event(), threading.Event()
    listener = threading.Thread(
        target=services.events.listen, args=(seen.extend, stop, ready), daemon=True
    )
    listener.start()
    assert ready.wait(5)
    services.stock.restock(shop.staff, shop.saw, 3)
    for _ in range(40):
        if seen:
            break
        threading.Event().wait(0.05)
    stop.set()
    listener.join(2)
    assert [(c.product_id, c.stock) for c in seen] == [(shop.saw, 5)]
