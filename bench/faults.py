"""Checkout-and-pay while the database blips: restarts and terminated backends under load.

    .venv/bin/python bench/faults.py [--quick] [--clients N] [--restarts K] [--seconds S]

A private PostgreSQL (bench/_controlled_pg.py: the embedded binaries, a temp dir) that
this script stops and starts K times (alternately `immediate`, a crash, and `fast`)
while N client processes sell: each sale is cart.set_quantity + orders.checkout +
payments.pay of one unit, and a failed step is tried again with the same idempotency
key, as a counter terminal does. Between restarts a killer terminates a random
backend of the shop every `--kill-every` seconds, the stock listener's included.

Printed: operations and failures by type (only `unavailable` and `busy` are allowed:
anything else is a raw error reaching a screen), committed orders lost (every order
and payment a client was told about must exist: 0), stock notifications lost (those
the publisher could not send, and those missing at the listener outside its own
reconnects, which the listener's catch-up read must cover: no product may be shown
stale at the end), the time from each server start to the first completed sale, and
the invariants of DESIGN.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg2  # noqa: E402

from bench._controlled_pg import ControlledServer  # noqa: E402
from workshop_tui.config import Settings  # noqa: E402
from workshop_tui.db.engine import Database  # noqa: E402
from workshop_tui.db.migrate import upgrade  # noqa: E402
from workshop_tui.services import Services  # noqa: E402
from workshop_tui.services.errors import ServiceError  # noqa: E402
from workshop_tui.services.events import LISTENER_NAME  # noqa: E402
from workshop_tui.services.types import Account, StockChange  # noqa: E402
from workshop_tui.stress.checks import check_invariants  # noqa: E402
from workshop_tui.stress.scratch_db import seed_shop  # noqa: E402

DATABASE = "shop"
ALLOWED = {"unavailable", "busy"}
STOCK = 100_000


# --- one client (its own process, as each terminal is) ------------------------------------


def client(n: int, url: str, customer: Account, products: list[int], stop, selling, out: str):
    """Sell until `stop` is set; count up `selling` after the first completed sale."""
    logging.getLogger("workshop_tui").setLevel(logging.ERROR)
    services = Services(Database(Settings(database_url=url), pool_size=2))
    rng = random.Random(n)
    outcomes: Counter[str] = Counter()
    orders: list[int] = []
    payments: list[int] = []
    sales: list[float] = []

    def attempt(op: str, call):
        """Call until it succeeds (or the run ends), counting each failure by its type."""
        while not stop.is_set():
            try:
                result = call()
                outcomes[f"{op} ok"] += 1
                return result
            except ServiceError as exc:
                outcomes[f"{op} {exc.code}"] += 1
            except Exception as exc:  # noqa: BLE001 - a raw error is what this bench counts
                outcomes[f"{op} raw {type(exc).__name__}: {str(exc).splitlines()[0][:60]}"] += 1
            time.sleep(0.05)
        return None

    sale = 0
    while not stop.is_set():
        sale += 1
        product = rng.choice(products)
        if (
            attempt(
                "cart", lambda p=product: services.cart.set_quantity(customer, p, 1, replace=True)
            )
            is None
        ):
            break
        key = f"c{n}-{sale}"
        order = attempt(
            "checkout", lambda k=key: services.orders.checkout(customer, k, channel="stress")
        )
        if order is None:
            break
        orders.append(order.id)
        paid = attempt(
            "pay",
            lambda o=order, k=key: services.payments.pay(
                customer, o.id, method="card", idempotency_key="p" + k
            ),
        )
        if paid is None:
            break
        payments.append(paid.payment.id)
        sales.append(time.time())
        if len(sales) == 1:
            with selling.get_lock():
                selling.value += 1
    Path(out).write_text(
        json.dumps(
            {
                "outcomes": outcomes,
                "orders": orders,
                "payments": payments,
                "sales": sales,
                "notify_lost": services.events.lost,
            }
        )
    )
    services.close()


# --- the listener, the killer and the restarts (this process) -----------------------------


@dataclass
class Listening:
    seen: set[tuple[int, int]] = field(default_factory=set)
    latest: dict[int, int] = field(default_factory=dict)  # what a screen would show now
    outages: list[list[float]] = field(default_factory=list)  # [lost at, back at]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_changes(self, batch: list[StockChange]) -> None:
        with self.lock:
            self.seen.update((c.product_id, c.stock) for c in batch)
            self.latest.update((c.product_id, c.stock) for c in batch)

    def on_reconnect(self) -> None:
        with self.lock:
            if self.outages and len(self.outages[-1]) == 1:
                self.outages[-1].append(time.time())


def watch_listener(pg: ControlledServer, listening: Listening, stop: threading.Event) -> None:
    """Note when the listener's backend disappears (its outage starts there)."""
    was_there = True
    while not stop.wait(0.1):
        try:
            conn = psycopg2.connect(pg.dsn(DATABASE), connect_timeout=1)
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    (LISTENER_NAME,),
                )
                there = cur.fetchone()[0] > 0
            conn.close()
        except psycopg2.Error:
            there = False
        with listening.lock:
            if (
                was_there
                and not there
                and (not listening.outages or len(listening.outages[-1]) == 2)
            ):
                listening.outages.append([time.time()])
        was_there = there


def kill_backends(
    pg: ControlledServer, every: float, stop: threading.Event, killed: Counter
) -> None:
    rng = random.Random(7)
    while not stop.wait(rng.uniform(every / 2, every * 1.5)):
        try:
            conn = psycopg2.connect(pg.dsn(DATABASE), connect_timeout=1)
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT pid, application_name FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                    (DATABASE,),
                )
                backends = cur.fetchall()
                if backends:
                    pid, name = rng.choice(backends)
                    cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
                    killed[name or "?"] += 1
            conn.close()
        except psycopg2.Error:
            pass  # the server is restarting


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--restarts", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=30.0, help="the whole run")
    parser.add_argument("--down", type=float, default=0.5, help="seconds the server stays down")
    parser.add_argument("--kill-every", type=float, default=0.5)
    parser.add_argument("--quick", action="store_true", help="3 clients, 2 restarts, 8 s")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.restarts, args.seconds = 3, 2, 8.0
    # The listener logs each lost connection: dozens of lines here, by design.
    logging.getLogger("workshop_tui").setLevel(logging.ERROR)

    pg = ControlledServer(Path(tempfile.mkdtemp(prefix="workshop-bench-faults-"))).init()
    pg.start()
    try:
        run(pg, args)
    finally:
        pg.destroy()


def run(pg: ControlledServer, args: argparse.Namespace) -> None:
    admin = psycopg2.connect(pg.dsn())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {DATABASE}")
    admin.close()
    url = pg.url(DATABASE)
    db = Database(Settings(database_url=url), pool_size=2)
    upgrade(db)
    shop = seed_shop(db, sellers=4, products=40, stock=STOCK, customers=args.clients)
    products = [p for pids in shop.products.values() for p in pids]
    services = Services(db)

    listening, stop = Listening(), threading.Event()
    threads = [
        threading.Thread(
            target=services.events.listen,
            args=(listening.on_changes, stop, threading.Event()),
            kwargs={"on_reconnect": listening.on_reconnect},
            daemon=True,
        ),
        threading.Thread(target=watch_listener, args=(pg, listening, stop), daemon=True),
    ]
    killed: Counter[str] = Counter()
    threads.append(
        threading.Thread(
            target=kill_backends, args=(pg, args.kill_every, stop, killed), daemon=True
        )
    )
    for t in threads:
        t.start()

    out = Path(tempfile.mkdtemp(prefix="workshop-bench-faults-out-"))
    ctx = mp.get_context("spawn")
    stop_selling, selling = ctx.Event(), ctx.Value("i", 0)
    procs = [
        ctx.Process(
            target=client,
            args=(
                n,
                url,
                shop.customers[n],
                products,
                stop_selling,
                selling,
                str(out / f"{n}.json"),
            ),
        )
        for n in range(args.clients)
    ]
    for p in procs:
        p.start()

    ups: list[tuple[str, float]] = []
    deadline = time.time() + 120
    while selling.value < args.clients and time.time() < deadline:
        time.sleep(0.05)  # every client is selling (spawned processes import for seconds)
    started = time.time()
    gap = args.seconds / (args.restarts + 1)
    for k in range(args.restarts):
        time.sleep(max(0.0, started + gap * (k + 1) - time.time()))
        mode = "immediate" if k % 2 == 0 else "fast"
        pg.stop(mode)
        time.sleep(args.down)
        pg.start()
        ups.append((mode, time.time()))
    time.sleep(max(0.0, started + args.seconds - time.time()))
    stop_selling.set()
    for p in procs:
        p.join(60)
    time.sleep(1.0)  # the last notifications
    stop.set()
    for t in threads:
        t.join(5)

    db.engine.dispose()  # its idle connections died in the restarts
    results = [json.loads((out / f"{n}.json").read_text()) for n in range(args.clients)]
    shutil.rmtree(out, ignore_errors=True)
    report(db, args, results, ups, listening, killed, time.time() - started)
    db.dispose()


def report(
    db: Database,
    args,
    results: list[dict],
    ups,
    listening: Listening,
    killed: Counter,
    elapsed: float,
) -> None:
    outcomes: Counter[str] = Counter()
    for r in results:
        outcomes.update(r["outcomes"])
    ok = sum(v for k, v in outcomes.items() if k.endswith(" ok"))
    failures = {k: v for k, v in outcomes.items() if not k.endswith(" ok")}
    bad = {k: v for k, v in failures.items() if k.split(" ", 1)[1] not in ALLOWED}
    orders = [o for r in results for o in r["orders"]]
    payments = [p for r in results for p in r["payments"]]
    with db.engine.connect() as conn:
        conn = conn.connection.dbapi_connection
        with conn.cursor() as cur:
            cur.execute("SELECT id, status FROM orders WHERE id = ANY(%s)", (orders,))
            found = dict(cur.fetchall())
            cur.execute(
                "SELECT count(*) FROM payments WHERE id = ANY(%s) AND status = 'succeeded'",
                (payments,),
            )
            (paid_found,) = cur.fetchone()
            cur.execute(
                # Each sale takes one unit: the stock it left is the level its NOTIFY carried.
                "SELECT product_id, extract(epoch FROM created_at),"
                " sum(delta) OVER (PARTITION BY product_id ORDER BY id)"
                " FROM stock_movements WHERE reason = 'sale'"
            )
            movements = cur.fetchall()
            cur.execute("SELECT count(*) FROM orders")
            (all_orders,) = cur.fetchone()
            cur.execute("SELECT product_id, stock_remaining FROM inventory")
            levels = dict(cur.fetchall())
    lost_orders = [o for o in orders if o not in found]
    lost_payments = len(payments) - paid_found
    print(
        f"faults: {args.clients} clients, {len(ups)} restarts ({', '.join(m for m, _ in ups)}), "
        f"{sum(killed.values())} backends terminated ({dict(killed)}), {elapsed:.1f} s"
    )
    print(
        f"operations ok: {ok} ({dict((k, v) for k, v in sorted(outcomes.items()) if k.endswith(' ok'))})"
    )
    print(f"sales completed: {len(payments)}; orders in the database: {all_orders}")
    print(f"failures by type: {dict(sorted(failures.items())) or 'none'}")
    print(f"failures other than unavailable/busy: {sum(bad.values())}")
    print(f"committed orders lost: {len(lost_orders)}; committed payments lost: {lost_payments}")

    publisher_lost = sum(r["notify_lost"] for r in results)
    outages = [(o[0] - 2.0, o[1] if len(o) == 2 else float("inf")) for o in listening.outages]
    missing = [
        (p, s, t)
        for p, t, s in ((p, float(t), STOCK + int(d)) for p, t, d in movements)
        if (p, s) not in listening.seen
    ]
    away = [m for m in missing if any(a <= m[2] <= b for a, b in outages)]
    print(
        f"stock notifications: {len(movements)} sales, {len(listening.seen)} seen by the listener, "
        f"{len(listening.outages)} listener reconnects"
    )
    print(
        f"notifications lost: {publisher_lost} not published (server down at NOTIFY time); "
        f"{len(missing)} missing at the listener, {len(away)} of them while it was reconnecting, "
        f"{len(missing) - len(away)} after it had reconnected"
    )
    stale = [p for p, s in levels.items() if listening.latest.get(p, STOCK) != s]
    print(f"listener's view at the end: {len(stale)} of {len(levels)} products stale")
    sales = sorted(t for r in results for t in r["sales"])
    firsts = []
    for mode, up in ups:
        after = next((t for t in sales if t >= up), None)
        firsts.append(f"{mode} {after - up:.2f} s" if after is not None else f"{mode} none")
    print(f"server up -> first completed sale: {', '.join(firsts)}")
    report_ = check_invariants(db)
    for check in report_.checks:
        print(f"  {'ok  ' if check.ok else 'FAIL'} {check.name} {check.detail}")
    verdict = (
        "ok"
        if report_.ok and not bad and not lost_orders and not lost_payments and not stale
        else "FAILED"
    )
    print(
        f"faults: raw={sum(bad.values())} lost_orders={len(lost_orders)} invariants={'ok' if report_.ok else 'FAILED'} -> {verdict}"
    )


if __name__ == "__main__":
    main()
