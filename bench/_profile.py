"""Where a services checkout-and-pay spends its time, next to the raw path (one client).

Counts, per operation and per service call: SQL statements, transactions and
connection checkouts (each one a pre-ping round trip), wall time and this
process's CPU; then the top functions of a cProfile run by own time.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import psycopg2.extensions
import sqlalchemy
from sqlalchemy import event

from workshop_tui.db.engine import RowCursor
from workshop_tui.services.routing import OrderRoute

OPS = 25


class CountingCursor(psycopg2.extensions.cursor):
    statements = 0

    def execute(self, query: Any, vars: Any = None) -> Any:  # noqa: A002 - psycopg2's name
        CountingCursor.statements += 1
        return super().execute(query, vars)


def site_packages() -> str:
    return sqlalchemy.__file__.rsplit("/sqlalchemy/", 1)[0] + "/"


def _lines(rng: random.Random, sellers: tuple) -> list[tuple[int, int]]:
    _, products = rng.choice(sellers)
    return [(p, 1) for p in rng.sample(products, k=2)]


def _timed(fn: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def profile(services_path: Any, raw_path: Any, sellers: tuple, echo: Callable[[str], Any]) -> None:
    rng = random.Random(7)
    engine = services_path.db.engine
    counts: Counter[str] = Counter()
    # The sale runs on the driver's cursor (services._sql), not through SQLAlchemy's events:
    # each execute is one message to the server, one round trip.
    plain_execute = RowCursor.execute

    def counted(cursor: Any, query: Any, vars: Any = None) -> None:  # noqa: A002
        counts.update(["statements"])
        # COMMIT may travel with the transaction's last statement (and a NOTIFY after it).
        if isinstance(query, str) and "; COMMIT" in query.upper() or query == "COMMIT":
            counts.update(["transactions"])
        plain_execute(cursor, query, vars)

    RowCursor.execute = counted  # type: ignore[method-assign]
    event.listen(engine.pool, "checkout", lambda *a: counts.update(["checkouts"]))
    s, me = services_path.s, services_path.me
    per_call: dict[str, Counter[str]] = {k: Counter() for k in ("cart_set", "checkout", "pay")}

    def call(kind: str, fn: Callable[[], Any]) -> Any:
        before = counts.copy()
        box: list[Any] = []
        wall, cpu = _timed(lambda: box.append(fn()))
        per_call[kind].update(counts - before)
        per_call[kind].update({"wall_us": int(wall * 1e6), "cpu_us": int(cpu * 1e6)})
        return box[0]

    def services_op(i: int) -> None:
        for n, (pid, qty) in enumerate(_lines(rng, sellers)):
            call(
                "cart_set",
                lambda pid=pid, qty=qty, first=n == 0: s.cart.set_quantity(
                    me, pid, qty, replace=first
                ),
            )
        order = call("checkout", lambda: s.orders.checkout(me, f"prof-{i}", channel="stress"))
        call(
            "pay",
            lambda: s.payments.pay(
                me,
                order.id,
                method="card",
                idempotency_key=f"prof-{i}-pay",
                route=OrderRoute(order.seller_id, order.customer_id),
            ),
        )

    services_op(-1)  # warm the statement caches
    per_call = {k: Counter() for k in per_call}
    wall, cpu = _timed(lambda: [services_op(i) for i in range(OPS)])
    raw_path.conn.cursor_factory = CountingCursor
    raw_path.one("prof-raw-warm", _lines(rng, sellers))
    CountingCursor.statements = 0
    raw_wall, raw_cpu = _timed(
        lambda: [raw_path.one(f"prof-raw-{i}", _lines(rng, sellers)) for i in range(OPS)]
    )
    echo(f"profile: one client, {OPS} ops of 2 lines each, per op:")
    echo(
        f"  raw       {raw_wall / OPS * 1000:6.1f} ms wall {raw_cpu / OPS * 1000:6.1f} ms client CPU"
        f"  {CountingCursor.statements / OPS:5.1f} statements (+ 4 BEGIN round trips)  4 transactions"
    )
    total = sum(per_call.values(), Counter())
    echo(
        f"  services  {wall / OPS * 1000:6.1f} ms wall {cpu / OPS * 1000:6.1f} ms client CPU"
        f"  {total['statements'] / OPS:5.1f} round trips {total['transactions'] / OPS:4.1f} transactions"
        f" {total['checkouts'] / OPS:4.1f} pool checkouts (no NOTIFY counted)"
    )
    for kind, c in per_call.items():
        n = OPS * (2 if kind == "cart_set" else 1)
        echo(
            f"    {kind:<9} {c['wall_us'] / n / 1000:6.1f} ms wall {c['cpu_us'] / n / 1000:6.1f} ms CPU"
            f"  {c['statements'] / n:5.1f} round trips {c['transactions'] / n:4.1f} transactions"
            f" {c['checkouts'] / n:4.1f} checkouts"
        )
    RowCursor.execute = plain_execute  # type: ignore[method-assign]
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for i in range(10):
        services_op(1000 + i)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(10)
    echo("  cProfile (CPU time) of 10 services ops, top functions by own time:")
    for line in out.getvalue().splitlines():
        if line.strip() and ("{" in line or ".py:" in line) and "ncalls" not in line:
            ncalls, tottime, _, cumtime, _, *where = line.split()
            name = " ".join(where).replace(site_packages(), "")
            echo(f"    {tottime:>7} s own {cumtime:>7} s cum {ncalls:>9} calls  {name}"[:150])
