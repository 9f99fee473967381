from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.engine.conftest import stock_of
from workshop_tui.services.errors import InvalidInput, NotFound, OutOfStock, SellerConflict


def test_plus_and_minus_change_a_line_and_zero_removes_it(services, shop):
    me = shop.customer
    services.cart.change(me, shop.hammer, +1)
    cart = services.cart.change(me, shop.hammer, +1)
    assert cart.quantity_of(shop.hammer) == 2 and cart.total == Decimal("500.00")
    assert services.cart.change(me, shop.hammer, -1).quantity_of(shop.hammer) == 1
    cart = services.cart.change(me, shop.hammer, -1)
    assert cart.is_empty and cart.seller_id is None


def test_the_cart_is_kept_in_the_database_between_sessions(services, make_services, shop):
    services.cart.set_quantity(shop.customer, shop.saw, 2)
    other_terminal = make_services()
    assert other_terminal.cart.get(shop.customer).quantity_of(shop.saw) == 2


def test_another_sellers_item_is_refused_naming_both_sellers(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    with pytest.raises(SellerConflict) as refused:
        services.cart.set_quantity(shop.customer, shop.drill, 1)
    assert refused.value.details["cart_seller"] == "Acme Tools"
    assert refused.value.details["product_seller"] == "Bolt & Sons"
    assert services.cart.get(shop.customer).quantity_of(shop.hammer) == 1


def test_replace_empties_the_cart_and_starts_it_with_the_new_seller(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    cart = services.cart.set_quantity(shop.customer, shop.drill, 1, replace=True)
    assert [line.product_id for line in cart.lines] == [shop.drill]
    assert cart.seller_name == "Bolt & Sons"


def test_the_schema_itself_refuses_a_second_seller_in_one_cart(services, database, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    with pytest.raises(IntegrityError), database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cart_items (cart_id, product_id, seller_id, quantity) "
                "SELECT id, :p, :s, 1 FROM carts WHERE customer_id = :c"
            ),
            {"p": shop.drill, "s": shop.bolt, "c": shop.customer.id},
        )


def test_a_quantity_above_stock_is_refused_with_what_is_left(services, shop):
    with pytest.raises(OutOfStock) as refused:
        services.cart.set_quantity(shop.customer, shop.saw, 3)
    assert refused.value.details["lines"][0]["available"] == 2
    assert services.cart.get(shop.customer).is_empty


@pytest.mark.parametrize("quantity", [-1, 100, 10**12, 1.5, "2", None, True])
def test_bad_quantities_are_invalid_input_and_change_nothing(services, shop, quantity):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    with pytest.raises(InvalidInput):
        services.cart.set_quantity(shop.customer, shop.hammer, quantity)
    assert services.cart.get(shop.customer).quantity_of(shop.hammer) == 1


def test_an_unknown_product_is_not_found(services, shop):
    with pytest.raises(NotFound):
        services.cart.set_quantity(shop.customer, 999_999, 1)


def test_a_line_whose_stock_ran_out_is_flagged_not_dropped(services, shop):
    services.cart.set_quantity(shop.customer, shop.saw, 2)
    services.cart.set_quantity(shop.other, shop.saw, 2)
    services.orders.checkout(shop.other, "other-1")
    cart = services.cart.get(shop.customer)
    assert cart.quantity_of(shop.saw) == 2
    assert cart.lines[0].short_by == 2 and not cart.can_checkout
    assert stock_of(services, shop.saw) == 0


def test_clear_empties_the_cart(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 2)
    assert services.cart.clear(shop.customer).is_empty
