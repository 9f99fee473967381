"""Sellers and accounts (customers, staff, admin): Faker fills small pools, numpy samples them.

Demo credentials: every seeded customer logs in with their 10-digit mobile number
and the PIN 123456; the accounts `staff` and `admin` use the password workshop123.
Each secret is hashed once per run with the engine's argon2id parameters and a salt
derived from the seed, so the same seed still writes byte-identical files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker import Faker

from seed.fmt import NULL_TIME, US_PER_DAY, US_PER_H, Table, nullable, times
from seed.vocab import CITY_FALLBACK, SELLER_SUFFIXES
from workshop_tui.services.passwords import HASHER

DEMO_PIN = "123456"
STAFF_PASSWORD = "workshop123"
STAFF_ACCOUNTS = (("staff", "staff", "Counter Staff"), ("admin", "admin", "Shop Admin"))
FIRST_CUSTOMER_ID = len(STAFF_ACCOUNTS) + 1


@dataclass(frozen=True)
class Pools:
    names: np.ndarray
    last_names: np.ndarray
    addresses: np.ndarray
    cities: np.ndarray


def make_pools(seed: int, size: int) -> Pools:
    """A few thousand Faker values (en_IN) at most, whatever the scale."""
    fake = Faker("en_IN")
    fake.seed_instance(seed)
    names = [fake.name() for _ in range(size)]
    last = [fake.last_name() for _ in range(max(50, size // 10))]
    addresses = [fake.address().replace("\n", ", ") for _ in range(size)]
    cities = [fake.city() for _ in range(max(40, size // 20))] or list(CITY_FALLBACK)
    return Pools(
        np.array(names, dtype=object),
        np.array(last, dtype=object),
        np.array(addresses, dtype=object),
        np.array(cities, dtype=object),
    )


def seeded_hash(secret: str, seed: int) -> str:
    """argon2id with the engine's parameters (services.passwords) and a seed-derived salt."""
    salt = hashlib.sha256(f"workshop-seed:{seed}:{secret}".encode()).digest()[:16]
    return HASHER.hash(secret, salt=salt)


def unique_mobiles(rng: np.random.Generator, count: int) -> np.ndarray:
    """Distinct Indian mobile numbers as the engine stores them: '+91' and 10 digits from 6-9."""
    numbers = 6_000_000_000 + rng.choice(4_000_000_000, size=count, replace=False)
    return np.array([f"+91{n}" for n in numbers.tolist()], dtype=object)


def sellers_table(
    rng: np.random.Generator, pools: Pools, count: int, created_us: np.ndarray
) -> Table:
    last = pools.last_names[rng.integers(0, len(pools.last_names), count)]
    suffix = np.array(SELLER_SUFFIXES, dtype=object)[rng.integers(0, len(SELLER_SUFFIXES), count)]
    rating_tenths = np.clip(np.round(rng.normal(41, 5, count)), 25, 50).astype(np.int64)
    phones = 6_000_000_000 + rng.integers(0, 4_000_000_000, count)
    return {
        "id": np.arange(1, count + 1),
        "name": last + " " + suffix,
        "rating": [f"{r // 10}.{r % 10}" for r in rating_tenths.tolist()],
        "phone": [f"+91{p}" for p in phones.tolist()],
        "city": pools.cities[rng.integers(0, len(pools.cities), count)],
        "created_at": times(created_us),
    }


def accounts_table(
    rng: np.random.Generator,
    pools: Pools,
    count: int,
    first_order_us: np.ndarray,
    horizon: tuple[int, int],
    seed: int,
) -> Table:
    """Staff and admin first (ids 1 and 2), then `count` customers with the demo PIN."""
    start, end = horizon
    pin_hash = seeded_hash(DEMO_PIN, seed)
    staff_hash = seeded_hash(STAFF_PASSWORD, seed)
    ids = np.arange(FIRST_CUSTOMER_ID, FIRST_CUSTOMER_ID + count)
    names = pools.names[rng.integers(0, len(pools.names), count)]
    slug = pd.Series(names).str.lower().str.replace(r"[^a-z]+", ".", regex=True).str.strip(".")
    has_email = rng.random(count) < 0.7
    email = nullable((slug + ids.astype(str) + "@example.in").to_numpy(), has_email)
    # A customer signs up some time before their first order (or at any time, if none).
    lead = rng.integers(US_PER_H, 60 * US_PER_DAY, count)
    never = first_order_us == NULL_TIME
    created = np.where(never, rng.integers(start, end, count), first_order_us - lead)
    staff = len(STAFF_ACCOUNTS)
    staff_created = times(np.full(staff, start - 400 * US_PER_DAY))
    blank = [None] * staff
    return {
        "id": list(range(1, staff + 1)) + ids.tolist(),
        "username": [a[0] for a in STAFF_ACCOUNTS] + [None] * count,
        "phone": blank + unique_mobiles(rng, count).tolist(),
        "name": [a[2] for a in STAFF_ACCOUNTS] + names.tolist(),
        "email": blank + email,
        "address": blank + pools.addresses[rng.integers(0, len(pools.addresses), count)].tolist(),
        "city": blank + pools.cities[rng.integers(0, len(pools.cities), count)].tolist(),
        "role": [a[1] for a in STAFF_ACCOUNTS] + ["customer"] * count,
        "password_hash": [staff_hash] * staff + [pin_hash] * count,
        "is_active": ["true"] * (staff + count),
        "created_at": staff_created + times(created),
    }
