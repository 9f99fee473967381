"""Generate Workshop's sample data: 11 consistent CSV files, one per table.

    python seed/data_generator.py --scale 0.01 --seed 42 --out data/seed
    workshop seed generate --scale 1 --out data/seed

Scale 1 is 1,000 sellers, 100,000 products, 50,000 customers and 500,000 orders
(about 1.25 M order lines and 1.2 M ledger rows) over the 180 days before
--until (default 2026-11-01 UTC, so a seed alone fixes every byte).
Everything is vectorised numpy/pandas; Faker (en_IN) only fills pools of a few
thousand names, addresses and cities that are then sampled. The same seed gives
byte-identical files.

Demo logins: customers use their 10-digit mobile number and PIN 123456; the
accounts `staff` and `admin` use the password workshop123.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python seed/data_generator.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from seed import TABLES, flows
from seed.catalog import build_catalog, categories_table, inventory_table
from seed.fmt import NULL_TIME, US_PER_DAY, Table, to_us, write_table
from seed.ledger_rows import write_transactions
from seed.orders import CANCELLED, build_orders
from seed.people import FIRST_CUSTOMER_ID, STAFF_ACCOUNTS, accounts_table, make_pools, sellers_table

DEFAULT_UNTIL = datetime(2026, 11, 1, tzinfo=UTC)
HORIZON_DAYS = 180


@dataclass(frozen=True)
class Sizes:
    sellers: int
    products: int
    customers: int
    orders: int

    @classmethod
    def for_scale(cls, scale: float) -> Sizes:
        if not scale > 0:
            raise ValueError("scale must be positive")
        sellers = max(2, round(1_000 * scale))
        return cls(
            sellers=sellers,
            products=max(sellers, round(100_000 * scale)),
            customers=max(5, round(50_000 * scale)),
            orders=max(10, round(500_000 * scale)),
        )


@dataclass
class GenerateReport:
    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def summary(self) -> str:
        counts = ", ".join(f"{t} {n:,}" for t, n in self.rows.items())
        return f"wrote {len(self.rows)} files to {self.out} in {self.seconds:.1f} s: {counts}"


def generate(
    *,
    scale: float = 0.01,
    seed: int = 42,
    out: Path | str = Path("data/seed"),
    sizes: Sizes | None = None,
    until: datetime | None = None,
    quiet: bool = False,
) -> GenerateReport:
    """Write the 11 CSV files into `out` (created if needed); return the row counts."""
    began = time.perf_counter()
    sizes = sizes or Sizes.for_scale(scale)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    end = to_us(until or DEFAULT_UNTIL)
    start = end - HORIZON_DAYS * US_PER_DAY
    rng = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    report = GenerateReport(out)

    with _progress(quiet, sizes) as advance:

        def write(table: str, columns: Table) -> None:
            report.rows[table] = write_table(columns, out / f"{table}.csv")
            advance(table, report.rows[table], done=True)

        pools = make_pools(seed, min(3_000, max(100, sizes.customers)))
        seller_created = start - rng[0].integers(200 * US_PER_DAY, 900 * US_PER_DAY, sizes.sellers)
        sellers = sellers_table(rng[0], pools, sizes.sellers, seller_created)
        catalog = build_catalog(rng[1], pools, sizes.products, sizes.sellers, seller_created, start)
        customer_ids = np.arange(FIRST_CUSTOMER_ID, FIRST_CUSTOMER_ID + sizes.customers)
        staff_ids = tuple(range(1, len(STAFF_ACCOUNTS) + 1))
        o = build_orders(rng[2], catalog, sizes.orders, customer_ids, staff_ids, (start, end))
        cancel_reason, return_reason = flows.reasons(rng[5], o)
        payments = flows.build_payments(o, cancel_reason, return_reason)
        # The ledger (a third of the bytes, hashed row by row) is written by a second
        # process while this one writes the other ten files.
        ledger = Background(
            lambda progress: write_transactions(payments, out / "transactions.csv", progress)
        )
        try:
            write("sellers", sellers)
            write("categories", categories_table())
            write("products", catalog.table)
            live = o.status[o.item_order] != CANCELLED
            slots = len(catalog.product_id)
            sold = np.bincount(o.item_slot, weights=o.item_qty, minlength=slots).astype(np.int64)
            held_units = np.where(live, o.item_qty - o.item_returned, 0)
            held = np.bincount(o.item_slot, weights=held_units, minlength=slots).astype(np.int64)
            write("inventory", inventory_table(rng[3], catalog, sold, held, end))

            first_order = np.full(sizes.customers, NULL_TIME)
            buyers, first_index = np.unique(o.customer, return_index=True)
            first_order[buyers - FIRST_CUSTOMER_ID] = o.created[first_index]
            write(
                "customers",
                accounts_table(rng[4], pools, sizes.customers, first_order, (start, end), seed),
            )
            write("orders", flows.orders_table(o))
            write("order_items", flows.order_items_table(o))
            write("payments", payments.table)
            write("cancellations", flows.cancellations_table(o, cancel_reason))
            write("returns", flows.returns_table(o, return_reason))
            report.rows["transactions"] = ledger.wait(lambda n: advance("transactions", n))
        finally:
            ledger.stop()
        advance("transactions", 0, done=True)

    report.rows = {t: report.rows[t] for t in TABLES}
    report.seconds = time.perf_counter() - began
    return report


class Background:
    """`work(progress)` in a second process (forked: it shares this one's arrays as they
    are), returning an int; `progress(n)` there reports n more rows. Where a process
    cannot be forked, the work runs in this one when `wait` is called."""

    def __init__(self, work: Callable[[Callable[[int], None]], int]) -> None:
        self.work = work
        self.process: Any = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self.rows = context.Value("q", 0, lock=False)  # written so far, for the progress bar
        self.answer, answer = context.Pipe(duplex=False)

        def run() -> None:
            def progress(n: int) -> None:
                self.rows.value += n

            try:
                answer.send(("ok", work(progress)))
            except BaseException:  # noqa: BLE001 - sent to the parent, which raises it
                answer.send(("error", traceback.format_exc()))

        self.process = context.Process(target=run, daemon=True)
        self.process.start()

    def wait(self, progress: Callable[[int], None]) -> int:
        if self.process is None:
            return self.work(progress)
        shown = 0
        while not self.answer.poll(0.1):
            if not self.process.is_alive() and not self.answer.poll():
                raise RuntimeError(f"the background writer died (exit {self.process.exitcode})")
            progress(self.rows.value - shown)
            shown = self.rows.value
        progress(self.rows.value - shown)
        status, value = self.answer.recv()
        self.process.join()
        if status != "ok":
            raise RuntimeError(f"the background writer failed:\n{value}")
        return int(value)

    def stop(self) -> None:
        """End the process (at once if this one failed first)."""
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join()


@contextmanager
def _progress(quiet: bool, sizes: Sizes) -> Iterator:
    """A Rich bar per table on stderr; advance(table, rows, done=) moves one."""
    if quiet:
        yield lambda table, rows, done=False: None
        return
    progress = Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
    # Estimates until a table is written (orders have ~2 lines and ~2.3 ledger rows each).
    guess = {
        "sellers": sizes.sellers,
        "categories": 16,
        "products": sizes.products,
        "inventory": sizes.products,
        "customers": sizes.customers + len(STAFF_ACCOUNTS),
        "orders": sizes.orders,
        "order_items": sizes.orders * 2,
        "payments": sizes.orders,
        "transactions": round(sizes.orders * 2.3),
        "cancellations": sizes.orders // 10,
        "returns": sizes.orders // 10,
    }
    tasks = {t: progress.add_task(t, total=guess[t]) for t in TABLES}

    def advance(table: str, rows: int, done: bool = False) -> None:
        task = tasks[table]
        if done:
            total = progress.tasks[task].completed if table == "transactions" else rows
            progress.update(task, total=total, completed=total)
        else:
            progress.advance(task, rows)

    with progress:
        yield advance


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01, help="1.0 is 100,000 products")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path("data/seed"))
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    report = generate(scale=args.scale, seed=args.seed, out=args.out, quiet=args.quiet)
    print(report.summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
