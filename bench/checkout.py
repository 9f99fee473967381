"""Checkout-and-pay throughput: the services against the same rows written as raw SQL.

    .venv/bin/python bench/checkout.py [--quick] [--database-url URL] [--seconds S] [--threads]

One server (an embedded PostgreSQL in a temp dir unless --database-url), one
scratch database, one run. Each operation is one customer's order of 1-2 units:
through the services that is cart.set_quantity per line + orders.checkout +
payments.pay; raw it is bare psycopg2 (bench/_raw_checkout.py). Two shapes:
`spread` (10,000 products over 100 sellers) and `hot` (5 products of one seller,
so every order fights for the same rows and ledger chain), at 4 and 16 clients;
each client is its own process (as each terminal is) unless --threads. Each
shape and client count runs in four halves, raw, services, services, raw (ABBA):
a drift in the shared machine's load between halves then falls on both paths
alike instead of on whichever ran second. The
invariants of DESIGN.md are checked after every run. The last line is
`checkout ratio: spread=R1 hot=R2 invariants=ok` with R = services/raw ops/s
at 16 clients.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pg import server, server_version  # noqa: E402
from _profile import profile  # noqa: E402
from _raw_checkout import RawPath  # noqa: E402

from workshop_tui.config import Settings  # noqa: E402
from workshop_tui.db.engine import Database, mask_url  # noqa: E402
from workshop_tui.services import Services  # noqa: E402
from workshop_tui.services.routing import OrderRoute  # noqa: E402
from workshop_tui.services.types import Account  # noqa: E402
from workshop_tui.stress.checks import check_invariants  # noqa: E402
from workshop_tui.stress.report import p95  # noqa: E402
from workshop_tui.stress.scratch_db import scratch_database, seed_shop  # noqa: E402

SPREAD_PRODUCTS, SPREAD_SELLERS, HOT_PRODUCTS = 10_000, 100, 5
CLIENTS = (4, 16)
WARMUP_OPS = 3


class ServicesPath:
    def __init__(self, url: str, customer: Account) -> None:
        self.db = Database(Settings(database_url=url), pool_size=2)
        self.s = Services(self.db)
        self.me = customer

    def close(self) -> None:
        self.db.dispose()

    def one(self, key: str, lines: list[tuple[int, int]]) -> int:
        for n, (product_id, quantity) in enumerate(lines):
            self.s.cart.set_quantity(self.me, product_id, quantity, replace=n == 0)
        order = self.s.orders.checkout(self.me, key, channel="stress")
        # The terminal holds the order it pays, so it names the order's seller (its shard).
        self.s.payments.pay(
            self.me,
            order.id,
            method="card",
            outcome="success",
            idempotency_key=key + "-pay",
            route=OrderRoute(order.seller_id, order.customer_id),
        )
        return order.id


@dataclass(frozen=True)
class Job:
    path: str  # services | raw
    shape: str  # spread | hot
    clients: int
    part: int  # which half of the ABBA order: keys never repeat across halves
    url: str
    sellers: tuple[tuple[int, tuple[int, ...]], ...]  # (seller, its products) orders draw from
    seconds: float


def client(job: Job, n: int, customer: Account, go: Any, start: Any, out: Any) -> None:
    """One client: warm up, wait for the start, then order until the deadline."""
    try:
        rng = random.Random(f"{job.path}{job.shape}{job.clients}{n}")
        path = (
            ServicesPath(job.url, customer)
            if job.path == "services"
            else RawPath(job.url, customer.id)
        )
        tag = f"{job.path[0]}{job.shape[0]}{job.clients}.{job.part}-{n}"

        def lines() -> list[tuple[int, int]]:
            _, products = rng.choice(job.sellers)
            return [(p, 1) for p in rng.sample(products, k=rng.randint(1, 2))]

        for i in range(WARMUP_OPS):
            path.one(f"{tag}-warm{i}", lines())
        out.put(("ready", n))
        go.wait()
        deadline = start.value + job.seconds
        latencies: list[float] = []
        while time.monotonic() < deadline:
            began = time.perf_counter()
            path.one(f"{tag}-{len(latencies)}", lines())
            latencies.append(time.perf_counter() - began)
        out.put(("done", n, latencies, time.monotonic()))
        path.close()
    except Exception:
        out.put(("error", n, traceback.format_exc()))


def run(job: Job, customers: tuple[Account, ...], threads: bool) -> tuple[float, list[float]]:
    """(seconds elapsed, each op's latency in s) of one path, shape and client count."""
    ctx: Any = threading if threads else mp.get_context("fork")
    queue: Any = __import__("queue").Queue() if threads else ctx.Queue()
    go, start = ctx.Event(), mp.Value("d", 0.0)
    workers = [
        ctx.Thread(target=client, args=(job, n, customers[n], go, start, queue), daemon=True)
        if threads
        else ctx.Process(target=client, args=(job, n, customers[n], go, start, queue))
        for n in range(job.clients)
    ]
    for w in workers:
        w.start()
    results = []
    for _ in range(2 * job.clients):
        message = queue.get(timeout=120)
        if message[0] == "error":
            go.set()
            raise RuntimeError(f"client {message[1]} failed:\n{message[2]}")
        if message[0] == "ready" and sum(m[0] == "ready" for m in results) == job.clients - 1:
            start.value = time.monotonic()
            go.set()
        results.append(message)
    for w in workers:
        w.join()
    done = [m for m in results if m[0] == "done"]
    latencies = [x for m in done for x in m[2]]
    return max(m[3] for m in done) - start.value, latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 s per run (about 2 minutes)")
    parser.add_argument("--seconds", type=float, help="seconds per run (default 20, quick 8)")
    parser.add_argument("--database-url", help="a server to use instead of an embedded one")
    parser.add_argument("--threads", action="store_true", help="clients as threads, not processes")
    args = parser.parse_args()
    seconds = args.seconds or (8.0 if args.quick else 20.0)
    began = time.monotonic()
    with server(args.database_url) as url:
        where = "--database-url" if args.database_url else "embedded, temp dir"
        print(f"server: PostgreSQL {server_version(url)} ({where})", flush=True)
        with scratch_database(Settings(database_url=url), prefix="workshop_bench") as db:
            return measure(db, seconds, args.threads, began)


def measure(db: Database, seconds: float, threads: bool, began: float) -> int:
    print(f"scratch database: {mask_url(db.url)}", flush=True)
    spread = seed_shop(
        db,
        sellers=SPREAD_SELLERS,
        products=SPREAD_PRODUCTS,
        stock=100_000,
        customers=max(CLIENTS),
        tag="spread",
    )
    hot = seed_shop(db, sellers=1, products=HOT_PRODUCTS, stock=10_000_000, customers=0, tag="hot")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    shapes = {
        "spread": tuple(spread.products.items()),
        "hot": tuple(hot.products.items()),
    }
    print(
        f"seeded {SPREAD_PRODUCTS} products over {SPREAD_SELLERS} sellers (spread) and "
        f"{HOT_PRODUCTS} products of one seller (hot) in {time.monotonic() - began:.1f} s",
        flush=True,
    )
    print(
        "op = one order of 1-2 units: services = cart.set_quantity per line + checkout + pay; "
        "raw = the same cart, order, stock, movement, payment and ledger rows in bare psycopg2",
        flush=True,
    )
    print(
        f"{seconds:g} s per path and shape, in two halves (raw, services, services, raw), after "
        f"{WARMUP_OPS} warm-up ops per client; clients are "
        + ("threads" if threads else "processes"),
        flush=True,
    )
    services_path = ServicesPath(db.url, spread.customers[0])
    raw_path = RawPath(db.url, spread.customers[1].id)
    profile(services_path, raw_path, shapes["spread"], lambda line: print(line, flush=True))
    services_path.close()
    raw_path.close()
    print(f"{'shape':<7}{'clients':>8}  {'path':<9}{'ops':>7}{'ops/s':>9}{'p95 ms':>9}  invariants")
    rates: dict[tuple[str, int, str], float] = {}
    all_ok = True
    for shape, sellers in shapes.items():
        for clients in CLIENTS:
            elapsed = {"raw": 0.0, "services": 0.0}
            latencies: dict[str, list[float]] = {"raw": [], "services": []}
            bad: dict[str, set[str]] = {"raw": set(), "services": set()}
            for part, path in enumerate(("raw", "services", "services", "raw")):
                db.engine.dispose()  # no pooled connection may cross a fork
                job = Job(path, shape, clients, part, db.url, sellers, seconds / 2)
                took, late = run(job, spread.customers, threads)
                elapsed[path] += took
                latencies[path] += late
                report = check_invariants(db)
                all_ok = all_ok and report.ok and report.oversold_units == 0
                bad[path] |= {c.name for c in report.checks if not c.ok}
            for path in ("raw", "services"):
                ops = len(latencies[path])
                rate = rates[(shape, clients, path)] = ops / elapsed[path]
                print(
                    f"{shape:<7}{clients:>8}  {path:<9}{ops:>7}{rate:>9.1f}"
                    f"{p95(latencies[path]) * 1000:>9.1f}  "
                    + ("ok" if not bad[path] else "FAILED: " + ", ".join(sorted(bad[path]))),
                    flush=True,
                )
    for shape in shapes:
        parts = [
            f"{c} clients {rates[(shape, c, 'services')] / rates[(shape, c, 'raw')]:.2f}"
            for c in CLIENTS
        ]
        print(f"services/raw {shape}: " + ", ".join(parts))
    print(
        f"total {time.monotonic() - began:.0f} s; ratios below are services/raw ops/s at 16 clients"
    )
    ratio = {s: rates[(s, 16, "services")] / rates[(s, 16, "raw")] for s in shapes}
    print(
        f"checkout ratio: spread={ratio['spread']:.2f} hot={ratio['hot']:.2f} "
        f"invariants={'ok' if all_ok else 'FAILED'}"
    )
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
