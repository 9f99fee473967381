"""Checkout-and-pay on one plain PostgreSQL against a Citus cluster on the same machine.

    .venv/bin/python bench/citus.py [--seconds S] [--clients N] [--traced-sales N]

Both servers are started here and stopped at the end: an embedded PostgreSQL in a temp
dir, and a coordinator with two workers (../shared/vendor/citus: build.sh, cluster.sh),
where the schema is `db upgrade`d and `db distribute`d. Each gets the same shop (100
sellers, 2,000 products, 16 customers) and the same load: N clients (processes, as
terminals are), each ordering 1-2 units of one random seller's products through the
services (cart.set_quantity per line, orders.checkout, payments.pay with the order's
route). The invariants of DESIGN.md are checked after each run.

Then, on the cluster, `--traced-sales` more sales run with the coordinator logging every
command it sends to a worker (citus.log_remote_commands): a sale counts as single-shard
when its checkout transaction and its payment transaction each touched one shard group,
over one worker connection, and committed without two-phase commit
(workshop_tui.db.shard_trace). The cluster will not be faster on one machine (three
servers share two cores); the figures show the overhead and that sales stay on one shard.

The last line: `citus ratio: cluster/plain=R single-shard=P% invariants=ok`.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pg import server  # noqa: E402

from workshop_tui.config import Settings  # noqa: E402
from workshop_tui.db.distribute import distribute  # noqa: E402
from workshop_tui.db.engine import Database  # noqa: E402
from workshop_tui.db.migrate import upgrade  # noqa: E402
from workshop_tui.db.shard_trace import one_shard, shard_groups, trace  # noqa: E402
from workshop_tui.services import Services  # noqa: E402
from workshop_tui.services.routing import OrderRoute  # noqa: E402
from workshop_tui.services.types import Account  # noqa: E402
from workshop_tui.stress.checks import check_invariants  # noqa: E402
from workshop_tui.stress.scratch_db import Shop, scratch_database, seed_shop  # noqa: E402

VENDOR = Path(__file__).resolve().parents[1].parent / "shared" / "vendor" / "citus"
SELLERS, PRODUCTS = 100, 2_000
PORT = 9760
WARMUP = 3


def sale(services: Services, me: Account, key: str, lines: list[tuple[int, int]]) -> None:
    for n, (product_id, quantity) in enumerate(lines):
        services.cart.set_quantity(me, product_id, quantity, replace=n == 0)
    order = services.orders.checkout(me, key, channel="stress")
    services.payments.pay(
        me,
        order.id,
        method="card",
        idempotency_key=key + "-pay",
        route=OrderRoute(order.seller_id, order.customer_id),
    )


def pick(rng: random.Random, shop: Shop) -> list[tuple[int, int]]:
    products = shop.products[rng.choice(shop.sellers)]
    return [(p, 1) for p in rng.sample(products, k=rng.randint(1, 2))]


def client(url: str, shop: Shop, n: int, tag: str, seconds: float, go: Any, out: Any) -> None:
    try:
        rng = random.Random(f"{tag}{n}")
        db = Database(Settings(database_url=url), pool_size=2)
        services, me = Services(db), shop.customers[n]
        for i in range(WARMUP):
            sale(services, me, f"{tag}-{n}-warm{i}", pick(rng, shop))
        out.put(("ready", n))
        go.wait()
        deadline, done = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            sale(services, me, f"{tag}-{n}-{done}", pick(rng, shop))
            done += 1
        out.put(("done", n, done))
        db.dispose()
    except Exception:
        out.put(("error", n, traceback.format_exc()))


def load(db: Database, shop: Shop, clients: int, seconds: float, tag: str) -> float:
    """Sales per second of `clients` processes for `seconds`."""
    db.engine.dispose()  # no pooled connection may cross a fork
    ctx = mp.get_context("fork")
    out, go = ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=client, args=(db.url, shop, n, tag, seconds, go, out))
        for n in range(clients)
    ]
    for p in procs:
        p.start()
    ready, done, began = 0, 0, 0.0
    for _ in range(2 * clients):
        message = out.get(timeout=300)
        if message[0] == "error":
            go.set()
            for p in procs:
                p.kill()
            raise RuntimeError(f"client {message[1]} failed:\n{message[2]}")
        if message[0] == "ready":
            ready += 1
            if ready == clients:
                began = time.monotonic()
                go.set()
        else:
            done += message[2]
    elapsed = time.monotonic() - began
    for p in procs:
        p.join()
    return done / elapsed


def traced_share(url: str, shop: Shop, sales: int) -> tuple[int, int]:
    """(single-shard sales, sales) over `sales` sales with every remote command logged."""
    db = Database(Settings(database_url=url), pool_size=2)
    logs = trace(db)
    services, groups = Services(db), shard_groups(db)
    rng, single = random.Random("traced"), 0

    def taken() -> list[str]:
        return [notice for log in logs for notice in log.take()]

    try:
        me = shop.customers[0]
        for n in range(sales):
            lines = pick(rng, shop)
            for i, (product_id, quantity) in enumerate(lines):
                services.cart.set_quantity(me, product_id, quantity, replace=i == 0)
            taken()  # the cart's transactions are not the sale's
            order = services.orders.checkout(me, f"traced-{n}", channel="stress")
            checkout_ok = one_shard(taken(), groups)
            route = OrderRoute(order.seller_id, order.customer_id)
            services.payments.pay(
                me, order.id, method="card", idempotency_key=f"traced-{n}-pay", route=route
            )
            single += checkout_ok and one_shard(taken(), groups)
    finally:
        db.dispose()
    return single, sales


@contextmanager
def cluster(python: str) -> Iterator[str]:
    if not (VENDOR / "cluster.sh").exists():
        raise SystemExit(f"no Citus at {VENDOR}: this benchmark needs ../shared/vendor/citus")
    built = subprocess.run(["bash", str(VENDOR / "build.sh"), python], capture_output=True)
    if built.returncode:
        raise SystemExit(f"building Citus failed:\n{built.stdout.decode()}{built.stderr.decode()}")
    data = Path(tempfile.mkdtemp(prefix="workshop-citus-bench-"))
    data.chmod(0o777)
    script = ["bash", str(VENDOR / "cluster.sh")]
    try:
        started = subprocess.run(
            [*script, "start", str(data), str(PORT), "2", python],
            capture_output=True,
            text=True,
            check=True,
        )
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([*script, "stop", str(data)], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def prepared(db: Database, customers: int) -> Shop:
    shop = seed_shop(
        db, sellers=SELLERS, products=PRODUCTS, stock=1_000_000, customers=customers, tag="bench"
    )
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    return shop


def invariants(db: Database) -> bool:
    report = check_invariants(db)
    for check in report.checks:
        if not check.ok:
            print(f"  invariant {check.name}: FAILED ({check.detail})", flush=True)
    return report.ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--traced-sales", type=int, default=200)
    args = parser.parse_args()
    print(
        f"{args.clients} clients (processes), {args.seconds:g} s per run, {SELLERS} sellers,"
        f" {PRODUCTS} products; a sale = cart lines + checkout + pay",
        flush=True,
    )
    with (
        server(None) as url,
        scratch_database(Settings(database_url=url), prefix="workshop_bench") as db,
    ):
        shop = prepared(db, args.clients)
        plain = load(db, shop, args.clients, args.seconds, "plain")
        plain_ok = invariants(db)
        print(f"plain PostgreSQL (one server): {plain:.1f} sales/s", flush=True)
    with cluster(sys.executable) as url:
        db = Database(Settings(database_url=url), pool_size=4)
        upgrade(db)
        distribute(db)
        shop = prepared(db, args.clients)
        spread = load(db, shop, args.clients, args.seconds, "citus")
        cluster_ok = invariants(db)
        print(f"Citus (coordinator + 2 workers): {spread:.1f} sales/s", flush=True)
        single, sales = traced_share(url, shop, args.traced_sales)
        print(
            f"traced {sales} sales on the cluster: {single} single-shard"
            " (checkout and pay each on one shard group, one worker connection, no 2PC)",
            flush=True,
        )
        db.dispose()
    ok = plain_ok and cluster_ok
    print(
        f"citus ratio: cluster/plain={spread / plain:.2f} single-shard={100 * single / sales:.0f}%"
        f" invariants={'ok' if ok else 'FAILED'}",
        flush=True,
    )
    return 0 if ok and single == sales else 1


if __name__ == "__main__":
    raise SystemExit(main())
