"""Payment throughput with one ledger chain per seller against one global chain.

Every payment appends to a hash chain and must lock that chain's head row until
it commits. With one global chain every payment in the shop queues on one row;
with a chain per seller (what Workshop does) only payments to the same seller
do. This runs both designs on one server in one run, through the services,
with the same orders shape, and prints the ratio.

    python bench/ledger_chains.py [--clients 16] [--orders 600] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._pg import server  # noqa: E402
from workshop_tui.config import Settings  # noqa: E402
from workshop_tui.services import Services, ledger  # noqa: E402
from workshop_tui.stress.scratch_db import scratch_database, seed_shop  # noqa: E402


@contextmanager
def single_global_chain():
    """Route every ledger append to one chain: the design Workshop does not use."""
    original = ledger.chain_for_seller
    ledger.chain_for_seller = lambda _seller_id: "global"
    try:
        yield
    finally:
        ledger.chain_for_seller = original


def place_orders(services: Services, shop, count: int, tag: str) -> list[tuple]:
    """`count` unpaid orders, dealt round-robin over customers and sellers."""
    sellers = list(shop.sellers)

    def one(n: int):
        customer = shop.customers[n % len(shop.customers)]
        product = shop.products[sellers[n % len(sellers)]][0]
        lock = locks[customer.id]
        with lock:  # a customer has one cart: its checkouts go one at a time
            services.cart.set_quantity(customer, product, 1, replace=True)
            return customer, services.orders.checkout(customer, f"{tag}-{n}").id

    locks = {c.id: threading.Lock() for c in shop.customers}
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


def pay_all(
    services: Services, orders: list[tuple], clients: int, tag: str
) -> tuple[float, list[float]]:
    latencies: list[float] = []

    def pay(item):
        customer, order_id = item
        start = time.perf_counter()
        services.payments.pay(customer, order_id, method="upi", idempotency_key=f"{tag}-{order_id}")
        latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(pay, orders))
    return len(orders) / (time.perf_counter() - start), latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--orders", type=int, default=600, help="payments per design")
    parser.add_argument("--sellers", type=int, default=16)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with (
        server(args.database_url) as url,
        scratch_database(
            Settings(database_url=url, order_ttl_minutes=120),
            prefix="workshop_bench_ledger",
            pool_size=args.clients + 4,
        ) as db,
    ):
        services = Services(db)
        shop = seed_shop(
            db, sellers=args.sellers, products=args.sellers, stock=10**6, customers=32, tag="ledger"
        )
        results = {}
        # Alternate the two designs twice so drift in the shared machine's load hits both alike.
        for round_no in range(2):
            for design in ("per-seller", "global"):
                tag = f"{design}-{round_no}"
                orders = place_orders(services, shop, args.orders, tag)
                if design == "global":
                    with single_global_chain():
                        rate, lat = pay_all(services, orders, args.clients, tag)
                else:
                    rate, lat = pay_all(services, orders, args.clients, tag)
                results.setdefault(design, []).append((rate, lat))
                p95 = statistics.quantiles(lat, n=20)[-1] * 1000
                print(
                    f"round {round_no + 1} {design:>10}: {rate:8.1f} payments/s  p95 {p95:6.1f} ms",
                    flush=True,
                )
        verified = services.ledger.verify()
        best = {d: max(r for r, _ in runs) for d, runs in results.items()}
        print(f"ledger verify: {verified.summary}")
        print(
            f"ledger chains: clients={args.clients} sellers={args.sellers} "
            f"per-seller={best['per-seller']:.1f}/s global={best['global']:.1f}/s "
            f"ratio={best['per-seller'] / best['global']:.2f} ledger={'ok' if verified.ok else 'BROKEN'}"
        )
        return 0 if verified.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
