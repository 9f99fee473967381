import pytest

from tests import factories as f
from workshop_tui.services.errors import InvalidInput, NotFound


def test_the_catalog_lists_only_products_in_stock_with_their_seller(services, database, shop):
    f.product(database, shop.acme, name="Sold Out Vice", stock=0)
    page = services.catalog.search()
    assert [p.name for p in page.items] == ["Claw Hammer", "Hand Saw", "Drill"]
    assert page.items[0].seller_name == "Acme Tools"
    assert page.next_after is None


def test_search_matches_name_or_sku_case_insensitively(services, shop):
    assert [p.id for p in services.catalog.search("hAmMeR").items] == [shop.hammer]
    assert [p.id for p in services.catalog.search("drl-0").items] == [shop.drill]


def test_search_treats_like_wildcards_as_plain_text(services, database, shop):
    f.product(database, shop.acme, name="100% Cotton Rag", stock=3)
    assert [p.name for p in services.catalog.search("100%").items] == ["100% Cotton Rag"]
    assert services.catalog.search("_").items == ()


def test_filters_by_seller_and_category(services, database, shop):
    cat = f.category(database, "Power tools")
    grinder = f.product(database, shop.bolt, name="Grinder", category_id=cat, stock=4)
    assert {p.id for p in services.catalog.search(seller_id=shop.bolt).items} == {
        shop.drill,
        grinder,
    }
    assert [p.id for p in services.catalog.search(category_id=cat).items] == [grinder]


def test_keyset_pages_cover_every_product_once_in_a_stable_order(services, database, shop):
    for i in range(7):
        f.product(database, shop.acme, name=f"Bit {i}", stock=1)
    seen, after = [], None
    while True:
        page = services.catalog.search(limit=3, after=after)
        seen += [p.id for p in page.items]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 10


@pytest.mark.parametrize(
    "kwargs", [{"limit": 0}, {"limit": 1000}, {"after": -1}, {"seller_id": "1"}, {"limit": True}]
)
def test_bad_catalog_arguments_are_invalid_input(services, kwargs):
    with pytest.raises(InvalidInput):
        services.catalog.search(**kwargs)


def test_a_scanned_sku_finds_its_product_and_an_unknown_one_is_not_found(services, shop):
    assert services.catalog.by_sku("ham-001").id == shop.hammer
    with pytest.raises(NotFound):
        services.catalog.by_sku("NOPE-1")
