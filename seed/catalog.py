"""Categories, products and inventory.

Products are built in "slots" grouped by seller (so an order can draw its lines
from one seller's contiguous block), while their ids are a random permutation,
as if sellers had listed them over time. Popularity is heavy-tailed: a few
products sell a lot, most rarely.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seed.fmt import Table, money, ordered, times
from seed.people import Pools
from seed.vocab import ADJECTIVES, BRAND_SUFFIXES, CATEGORIES, DESCRIPTIONS

# Typical price (rupees) per category, in CATEGORIES order.
BASE_PRICE = (400, 3200, 150, 500, 600, 350, 450, 200, 300, 500, 600, 2200, 1200, 250, 120, 400)
PRODUCT_COLUMNS = (
    "id",
    "seller_id",
    "category_id",
    "sku",
    "name",
    "description",
    "price",
    "is_active",
    "created_at",
)


@dataclass(frozen=True)
class Catalog:
    """Per slot (products grouped by seller): seller index, product id, price, popularity."""

    seller: np.ndarray  # 0-based seller index per slot
    product_id: np.ndarray
    price: np.ndarray  # paise
    weight: np.ndarray
    block_start: np.ndarray  # first slot of each seller
    block_size: np.ndarray
    table: Table  # products.csv rows, ordered by id


def categories_table() -> Table:
    return {"id": np.arange(1, len(CATEGORIES) + 1), "name": [c[0] for c in CATEGORIES]}


def build_catalog(
    rng: np.random.Generator,
    pools: Pools,
    count: int,
    sellers: int,
    seller_created_us: np.ndarray,
    start_us: int,
) -> Catalog:
    size = 1 + rng.multinomial(count - sellers, _normalised(rng.lognormal(0.0, 1.0, sellers)))
    seller = np.repeat(np.arange(sellers), size)
    block_start = np.concatenate(([0], np.cumsum(size)[:-1]))
    product_id = rng.permutation(count) + 1
    weight = rng.lognormal(0.0, 1.3, count)

    n_cat = len(CATEGORIES)
    main_category = rng.integers(0, n_cat, sellers)[seller]
    category = np.where(rng.random(count) < 0.65, main_category, rng.integers(0, n_cat, count))
    noun_i = rng.integers(0, 6, count)
    spec_i = rng.integers(0, 6, count)
    adj_i = rng.integers(0, len(ADJECTIVES), count)
    tmpl_i = rng.integers(0, len(DESCRIPTIONS), count)
    brands = [
        f"{last} {BRAND_SUFFIXES[i % len(BRAND_SUFFIXES)]}"
        for i, last in enumerate(pools.last_names)
    ]
    brand_i = rng.integers(0, len(brands), count)

    base = np.array(BASE_PRICE, dtype=np.float64)[category]
    rupees = np.maximum(10, np.round(base * rng.lognormal(0.0, 0.6, count))).astype(np.int64)
    price = rupees * 100 - (rng.random(count) < 0.25).astype(np.int64)  # some end in .99

    names, descriptions, skus = [], [], []
    for slot in range(count):
        cat_name, prefix, nouns, specs = CATEGORIES[category[slot]]
        noun = nouns[noun_i[slot] % len(nouns)]
        spec = specs[spec_i[slot] % len(specs)]
        adj = ADJECTIVES[adj_i[slot]]
        names.append(f"{brands[brand_i[slot]]} {adj} {noun} {spec}")
        descriptions.append(
            DESCRIPTIONS[tmpl_i[slot]].format(
                adj=adj, noun=noun, spec=spec, adj_lower=adj.lower(), noun_lower=noun.lower()
            )
        )
        skus.append(f"{prefix}-{product_id[slot]:06d}")

    listed = seller_created_us[seller]
    created = listed + (rng.random(count) * (start_us - listed)).astype(np.int64)
    table = {
        "id": product_id,
        "seller_id": seller + 1,
        "category_id": category + 1,
        "sku": skus,
        "name": names,
        "description": descriptions,
        "price": money(price),
        "is_active": np.where(rng.random(count) < 0.98, "true", "false"),
        "created_at": times(created),
    }
    table = ordered(table, np.argsort(product_id))
    return Catalog(seller, product_id, price, weight, block_start, size, table)


def inventory_table(
    rng: np.random.Generator,
    catalog: Catalog,
    sold_ever: np.ndarray,
    held: np.ndarray,
    updated_us: int,
) -> Table:
    """Initial stock covers every unit ever ordered, so no order was ever short.

    stock_remaining = initial - units still held by live orders (cancelled orders
    and returned units gave theirs back). A few products end sold out or low.
    """
    count = len(catalog.product_id)
    roll = rng.random(count)
    extra = np.where(
        roll < 0.04,
        0,
        np.where(roll < 0.12, rng.integers(1, 6, count), rng.integers(10, 300, count)),
    )
    initial = sold_ever + extra
    remaining = initial - held
    table = {
        "product_id": catalog.product_id,
        "seller_id": catalog.seller + 1,
        "stock_remaining": remaining,
        "initial_stock": initial,
        "low_stock_threshold": np.array([3, 5, 5, 5, 10])[rng.integers(0, 5, count)],
        "updated_at": times(np.full(count, updated_us)),
    }
    return ordered(table, np.argsort(catalog.product_id))


def _normalised(values: np.ndarray) -> np.ndarray:
    return values / values.sum()
