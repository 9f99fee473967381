"""Sample data: our vectorised generator + COPY loader against the naive way, in one run.

    .venv/bin/python bench/seed.py                      # scales 0.1 and 1, embedded server
    .venv/bin/python bench/seed.py --scales 0.1 --database-url postgresql://postgres@127.0.0.1/postgres

For each scale: generation time, load time (COPY, checks, derived tables, full
ledger re-verification) and rows/s, and two floors measured in the same run:
- bare COPY: the same files COPYed into the same freshly migrated tables in one
  transaction with nothing else (no checks, no derived tables, no ledger
  re-verification); the schema's keys and indexes are maintained row by row;
- COPY with foreign keys and secondary indexes dropped first and never rebuilt:
  no real load can be that fast (it leaves the schema without them).
The last line is `seed ratio: load/copy=R`, R = bare COPY time / our load time at
--ratio-scale (0.1). The naive baseline writes the same kinds of
rows one by one: Faker called per row, an ORM object added and flushed per row
(one round trip each), each ledger row hashed with ledger_codec. It hashes the
demo PIN once too, so argon2 does not inflate the ratio. Speed-up = our end-to-end
rows/s over the naive rows/s.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._pg import server  # noqa: E402
from seed import TABLES  # noqa: E402
from seed.data_generator import generate  # noqa: E402
from seed.loader import copy_sql, detach, load  # noqa: E402
from seed.people import seeded_hash  # noqa: E402
from workshop_tui.config import Settings  # noqa: E402
from workshop_tui.db import models as m  # noqa: E402
from workshop_tui.services.ledger_codec import (  # noqa: E402
    GENESIS_HASH,
    canonical_content,
    chain_for_seller,
    entry_hash,
)
from workshop_tui.stress.scratch_db import scratch_database  # noqa: E402


def ours(settings: Settings, scale: float, workdir: Path, repeat: int = 1) -> dict[str, float]:
    """Generate once, then (best of `repeat`) our load and the bare COPY, taken in turns."""
    out = workdir / f"scale-{scale}"
    began = time.perf_counter()
    report = generate(scale=scale, seed=42, out=out, quiet=True)
    generated = time.perf_counter() - began
    loads, copies, floors = [], [], []
    for _ in range(repeat):
        copies.append(bare_copy(settings, out))
        floors.append(bare_copy(settings, out, keys_aside=True))
        with scratch_database(settings, prefix="workshop_bench_seed", pool_size=2) as db:
            began = time.perf_counter()
            counts = load(db, out)
            loads.append(time.perf_counter() - began)
    return {
        "rows": report.total_rows,
        "loaded_rows": sum(counts.values()),
        "generate_s": generated,
        "load_s": min(loads),
        "copy_s": min(copies),
        "floor_s": min(floors),
    }


def bare_copy(settings: Settings, out: Path, *, keys_aside: bool = False) -> float:
    """Seconds to COPY the files into a fresh migrated database in one transaction, nothing else.

    keys_aside: drop the foreign keys and secondary indexes first and never build them
    again (a floor no real load can reach: the schema is left without them).
    """
    with scratch_database(settings, prefix="workshop_bench_bare", pool_size=2) as db:
        raw = db.engine.raw_connection()
        try:
            conn = raw.driver_connection
            if keys_aside:
                with conn.cursor() as cur:
                    detach(cur)
            began = time.perf_counter()
            with conn.cursor() as cur:
                cur.execute("SET LOCAL statement_timeout = 0")
                cur.execute("DELETE FROM customers")  # the migration's walk-in holds a file's id
                for table in TABLES:
                    path = out / f"{table}.csv"
                    with path.open(newline="", encoding="utf-8") as handle:
                        header = next(csv.reader(handle))
                    with path.open("rb") as handle:
                        cur.copy_expert(copy_sql(table, header), handle)
            conn.commit()
            return time.perf_counter() - began
        finally:
            raw.close()


def naive(settings: Settings, orders: int) -> dict[str, float]:
    """Row by row: Faker per row, ORM add + flush per row. Same kinds of rows as the CSVs."""
    from faker import Faker

    fake = Faker("en_IN")
    fake.seed_instance(1)
    rnd = random.Random(1)
    sellers, products, customers = max(2, orders // 500), max(10, orders // 5), max(5, orders // 10)
    pin = seeded_hash("123456", 1)
    start = datetime(2026, 5, 1, tzinfo=UTC)
    rows = 0
    with scratch_database(settings, prefix="workshop_bench_naive", pool_size=2) as db:
        began = time.perf_counter()
        with db.begin() as s:

            def put(obj):
                nonlocal rows
                s.add(obj)
                s.flush()
                rows += 1
                return obj

            cats = [put(m.Category(name=f"{fake.word()} {i}")).id for i in range(16)]
            seller_ids = [
                put(
                    m.Seller(name=fake.company(), phone=fake.phone_number()[:20], city=fake.city())
                ).id
                for _ in range(sellers)
            ]
            catalog = []
            for i in range(products):
                seller = rnd.choice(seller_ids)
                price = Decimal(rnd.randint(1000, 500000)) / 100
                p = put(
                    m.Product(
                        seller_id=seller,
                        category_id=rnd.choice(cats),
                        sku=f"NV-{i:06d}",
                        name=fake.catch_phrase()[:200],
                        description=fake.sentence(),
                        price=price,
                    )
                )
                put(m.Inventory(product_id=p.id, stock_remaining=10_000, initial_stock=10_000))
                catalog.append((p.id, seller, price))
            people = [
                put(
                    m.Customer(
                        phone=f"+91{rnd.randint(6_000_000_000, 9_999_999_999)}",
                        name=fake.name(),
                        email=fake.email(),
                        address=fake.address().replace("\n", ", "),
                        city=fake.city(),
                        password_hash=pin,
                    )
                ).id
                for _ in range(customers)
            ]
            heads: dict[int, tuple[int, str]] = {}
            for k in range(orders):
                first = rnd.choice(catalog)
                lines = [p for p in catalog if p[1] == first[1]]
                picked = {first[0]: first} | {
                    p[0]: p for p in rnd.sample(lines, min(len(lines), rnd.randint(0, 3)))
                }
                subtotal = sum((p[2] for p in picked.values()), Decimal("0"))
                when = start + timedelta(minutes=k)
                order = put(
                    m.Order(
                        customer_id=rnd.choice(people),
                        seller_id=first[1],
                        status="paid",
                        subtotal=subtotal,
                        total=subtotal,
                        idempotency_key=f"nv-{k}",
                        created_at=when,
                        paid_at=when,
                    )
                )
                for pid, _, price in picked.values():
                    put(
                        m.OrderItem(order_id=order.id, product_id=pid, quantity=1, unit_price=price)
                    )
                pay = put(
                    m.Payment(
                        order_id=order.id,
                        customer_id=order.customer_id,
                        kind="charge",
                        method="upi",
                        status="succeeded",
                        amount=subtotal,
                        reference=f"UPI-{order.id}-1",
                        idempotency_key=f"nv-pay-{k}",
                        created_at=when,
                    )
                )
                for kind, payload in (("attempt", {"outcome": "succeeded"}), ("charge", {})):
                    seq, prev = heads.get(first[1], (0, GENESIS_HASH))
                    chain = chain_for_seller(first[1])
                    content = canonical_content(
                        chain=chain,
                        kind=kind,
                        order_id=order.id,
                        payment_id=pay.id,
                        amount=subtotal,
                        method="upi",
                        created_at=when,
                        payload=payload,
                    )
                    digest = entry_hash(seq + 1, prev, content)
                    put(
                        m.Transaction(
                            chain=chain,
                            seq=seq + 1,
                            kind=kind,
                            order_id=order.id,
                            payment_id=pay.id,
                            amount=subtotal,
                            method="upi",
                            payload=payload,
                            created_at=when,
                            prev_hash=prev,
                            hash=digest,
                        )
                    )
                    heads[first[1]] = (seq + 1, digest)
        seconds = time.perf_counter() - began
    return {"rows": rows, "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description="seed generator + loader benchmark")
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--naive-orders", type=int, default=1_000)
    parser.add_argument("--database-url", help="a server (default: a throwaway embedded one)")
    parser.add_argument(
        "--ratio-scale", type=float, default=0.1, help="the scale of the last line's ratio"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="loads and bare COPYs per scale, best taken"
    )
    parser.add_argument("--no-naive", action="store_true", help="skip the row-by-row baseline")
    args = parser.parse_args()
    scales = list(dict.fromkeys([*args.scales, args.ratio_scale]))
    with server(args.database_url) as url, tempfile.TemporaryDirectory(prefix="seed-bench-") as tmp:
        settings = Settings(database_url=url, data_dir=Path(tmp))
        base_rate = None
        if not args.no_naive:
            base = naive(settings, args.naive_orders)
            base_rate = base["rows"] / base["seconds"]
            print(
                f"naive  ({args.naive_orders:,} orders): {base['rows']:,} rows in "
                f"{base['seconds']:.1f} s = {base_rate:,.0f} rows/s "
                "(Faker per row, ORM add+flush per row)"
            )
        ratios = {}
        for scale in scales:
            r = ours(settings, scale, Path(tmp), args.repeat)
            ratios[scale] = r["copy_s"] / r["load_s"]
            total = r["generate_s"] + r["load_s"]
            rate = r["rows"] / total
            versus = f" -> {rate / base_rate:.0f}x the naive way" if base_rate else ""
            print(
                f"scale {scale:g}: {r['rows']:,} CSV rows; generate {r['generate_s']:.1f} s "
                f"({r['rows'] / r['generate_s']:,.0f} rows/s), load {r['load_s']:.1f} s "
                f"({r['loaded_rows'] / r['load_s']:,.0f} rows/s incl. derived); end to end "
                f"{total:.1f} s = {rate:,.0f} rows/s{versus}"
            )
            print(
                f"  bare COPY {r['copy_s']:.1f} s (load/copy {ratios[scale]:.2f}); COPY with "
                f"keys and indexes set aside {r['floor_s']:.1f} s "
                f"(load/floor {r['floor_s'] / r['load_s']:.2f})"
            )
        print(f"seed ratio: load/copy={ratios[args.ratio_scale]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
