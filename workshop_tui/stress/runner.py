"""`workshop stress`: concurrent shoppers in a scratch database, then the invariants.

N client threads share one `Services` for S seconds on a few hot products with
little stock, so they really fight over the same inventory rows, orders and
ledger chains. Each client fills a cart and checks out with an idempotency key
(sometimes submitting it twice at once, sometimes retrying it later), pays
(declines, successes, the same key twice), cancels, and, playing staff, fulfils,
takes partial returns, restocks and cancels other clients' orders. Afterwards
the five invariants of DESIGN.md are checked exactly (`stress.checks`) and the
scratch database is dropped, whatever happened.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from workshop_tui.config import Settings
from workshop_tui.db.engine import Database, mask_url
from workshop_tui.services import Services, _tx
from workshop_tui.services.errors import InvalidInput
from workshop_tui.services.types import Order, ReturnRequest
from workshop_tui.stress.checks import check_invariants
from workshop_tui.stress.report import (
    Recorder,
    StressReport,
    attempt,
    print_report,
    summarise,
)
from workshop_tui.stress.scratch_db import Shop, scratch_database, seed_shop

log = logging.getLogger(__name__)

T = TypeVar("T")

HOT_STOCK = 20  # units per hot product at the start: small, so checkouts collide on it
METHODS = ("cash", "card", "upi")


class Shared:
    """Orders other clients may interfere with (staff cancels and returns)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.recent: deque[int] = deque(maxlen=64)
        self.fulfilled: deque[tuple[int, int]] = deque(maxlen=64)  # (order id, product id)

    def pick(self, rng: random.Random, which: deque[T]) -> T | None:
        with self.lock:
            return rng.choice(which) if which else None


class Client:
    def __init__(
        self, n: int, services: Services, shop: Shop, shared: Shared, deadline: float, seed: int
    ) -> None:
        self.n = n
        self.s = services
        self.shop = shop
        self.me = shop.customers[n]
        self.shared = shared
        self.deadline = deadline
        self.rng = random.Random(seed * 1000 + n)
        self.rec = Recorder()
        self.cycles = 0
        self.double_orders = 0
        self.double_charges = 0
        self.cart_dirty = False
        self.abandoned: list[int] = []  # this client's unpaid orders, oldest first

    def run(self) -> Client:
        while time.perf_counter() < self.deadline:
            roll = self.rng.random()
            if roll < 0.04:
                self.restock()
            elif roll < 0.08:
                self.interfere()
            else:
                self.order_cycle()
        return self

    def restock(self) -> None:
        product = self.rng.choice([p for ps in self.shop.products.values() for p in ps])
        self.rec.call(
            "restock", self.s.stock.restock, self.shop.staff, product, self.rng.randint(5, 15)
        )

    def interfere(self) -> None:
        """Staff acting on someone else's order while its owner may be paying or returning."""
        staff = self.shop.staff
        if self.rng.random() < 0.5:
            order_id = self.shared.pick(self.rng, self.shared.recent)
            if order_id is not None:
                self.rec.call("staff_cancel", self.s.orders.cancel, staff, order_id, "stress")
        else:
            picked = self.shared.pick(self.rng, self.shared.fulfilled)
            if picked is not None:
                order_id, product_id = picked
                self.rec.call(
                    "staff_return",
                    self.s.orders.return_items,
                    staff,
                    order_id,
                    [ReturnRequest(product_id, 1)],
                    "stress: counter return",
                )

    def fill_cart(self) -> bool:
        if self.cart_dirty:
            self.rec.call("cart_clear", self.s.cart.clear, self.me)
            self.cart_dirty = False
        seller = self.rng.choice(self.shop.sellers)
        choices = self.shop.products[seller]
        picks = self.rng.sample(choices, k=self.rng.randint(1, min(2, len(choices))))
        filled = False
        for product in picks:
            cart = self.rec.call(
                "cart_set",
                self.s.cart.set_quantity,
                self.me,
                product,
                self.rng.randint(1, 3),
                replace=True,
            )
            filled = filled or cart is not None
        self.cart_dirty = filled
        return filled

    def checkout(self, key: str) -> Order | None:
        checkout = self.s.orders.checkout
        if self.rng.random() < 0.05:  # a double click: the same key from two threads at once
            box: list[Any] = []
            twin = threading.Thread(
                target=lambda: box.append(
                    (time.perf_counter(), attempt(checkout, self.me, key, channel="stress"))
                )
            )
            started = time.perf_counter()
            twin.start()
            order: Order | None = self.rec.call(
                "checkout", checkout, self.me, key, channel="stress"
            )
            twin.join()
            ended, other = box[0]
            self.rec.note("checkout_double", other, ended - started)
            if isinstance(order, Order) and isinstance(other, Order) and order.id != other.id:
                self.double_orders += 1
        else:
            order = self.rec.call("checkout", checkout, self.me, key, channel="stress")
        if order is not None and self.rng.random() < 0.15:  # a retry after a lost reply
            again = self.rec.call("checkout_retry", checkout, self.me, key, channel="stress")
            if again is not None and again.id != order.id:
                self.double_orders += 1
        return order

    def order_cycle(self) -> None:
        self.cycles += 1
        if not self.fill_cart():
            return
        key = f"stress-{self.n}-{self.cycles}"
        order = self.checkout(key)
        if order is None:
            return  # out of stock: the lines stay in the cart, cleared next cycle
        self.cart_dirty = False
        with self.shared.lock:
            self.shared.recent.append(order.id)
        roll = self.rng.random()
        if roll < 0.04:
            # Abandoned: stays unpaid, its stock held. A customer may hold only a few, so
            # before the limit would refuse the next checkout, the oldest is given up on.
            self.abandoned.append(order.id)
            if len(self.abandoned) >= self.s.settings.max_unpaid_orders:
                oldest = self.abandoned.pop(0)
                self.rec.call("cancel", self.s.orders.cancel, self.me, oldest, "gave up")
            return
        if roll < 0.14:
            self.rec.call("cancel", self.s.orders.cancel, self.me, order.id, "changed my mind")
            return
        pay = self.s.payments.pay
        method = self.rng.choice(METHODS)
        if self.rng.random() < 0.15:
            self.rec.call(
                "pay_decline",
                pay,
                self.me,
                order.id,
                method=method,
                outcome="decline",
                idempotency_key=f"{key}-declined",
            )
        paid = self.rec.call(
            "pay", pay, self.me, order.id, method=method, idempotency_key=f"{key}-pay"
        )
        if paid is None:
            return  # a staff member cancelled it meanwhile
        if self.rng.random() < 0.15:  # the same payment submitted twice
            again = self.rec.call(
                "pay_retry", pay, self.me, order.id, method=method, idempotency_key=f"{key}-pay"
            )
            if again is not None and again.payment.id != paid.payment.id:
                self.double_charges += 1
        roll = self.rng.random()
        if roll < 0.12:
            self.rec.call("cancel_paid", self.s.orders.cancel, self.me, order.id, "refund please")
        elif roll < 0.8:
            done = self.rec.call("fulfil", self.s.orders.fulfil, self.shop.staff, order.id)
            if done is None:
                return
            line = self.rng.choice(done.lines)
            with self.shared.lock:
                self.shared.fulfilled.append((order.id, line.product_id))
            if self.rng.random() < 0.5:
                self.rec.call(
                    "return",
                    self.s.orders.return_items,
                    self.me,
                    order.id,
                    [ReturnRequest(line.product_id, self.rng.randint(1, line.quantity))],
                    "stress: partial return",
                )


@dataclass
class _Run:
    clients: list[Client] = field(default_factory=list)
    elapsed: float = 0.0


def drive(services: Services, shop: Shop, *, clients: int, seconds: float, seed: int) -> _Run:
    """Run the client threads until the deadline; return them with the wall time taken."""
    shared = Shared()
    started = time.perf_counter()
    deadline = started + seconds
    run = _Run()
    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="stress") as pool:
        futures = [
            pool.submit(Client(n, services, shop, shared, deadline, seed).run)
            for n in range(clients)
        ]
        run.clients = [f.result() for f in futures]
    run.elapsed = time.perf_counter() - started
    return run


def run_stress(
    settings: Settings,
    *,
    clients: int = 16,
    seconds: float = 5.0,
    hot_products: int = 5,
    echo: Callable[[str], Any] = print,
    seed: int | None = None,
) -> StressReport:
    """Create a scratch database, hammer it, check the invariants, drop it; print as it goes."""
    for name, value, low in (("clients", clients, 1), ("hot_products", hot_products, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InvalidInput(f"{name} must be a whole number >= {low}")
    if not seconds > 0:
        raise InvalidInput("seconds must be positive")
    seed = random.randrange(1_000_000) if seed is None else seed
    with scratch_database(settings, pool_size=clients + 2) as db:
        echo(f"stress: scratch database {mask_url(db.url)}")
        report = stress_in(
            db, clients=clients, seconds=seconds, hot_products=hot_products, echo=echo, seed=seed
        )
    print_report(report, echo)
    echo("stress: scratch database dropped")
    return report


def stress_in(
    db: Database,
    *,
    clients: int,
    seconds: float,
    hot_products: int,
    echo: Callable[[str], Any],
    seed: int,
) -> StressReport:
    """Seed a shop into `db` (a migrated database, maybe distributed), hammer it, check it."""
    services = Services(db)
    shop = seed_shop(
        db,
        sellers=max(1, min(3, (hot_products + 1) // 2)),
        products=hot_products,
        stock=HOT_STOCK,
        customers=clients,
    )
    echo(
        f"stress: {clients} clients for {seconds:g} s on {hot_products} hot products "
        f"({HOT_STOCK} units each to start, seed {seed})"
    )
    retries_before = _tx.retries.value
    run = drive(services, shop, clients=clients, seconds=seconds, seed=seed)
    retries = _tx.retries.value - retries_before
    double_orders = sum(c.double_orders for c in run.clients)
    invariants = check_invariants(
        db,
        double_orders_seen=double_orders,
        double_charges_seen=sum(c.double_charges for c in run.clients),
    )
    report = summarise(
        [c.rec for c in run.clients],
        run.elapsed,
        retries=retries,
        double_orders=double_orders,
        invariants=invariants,
    )
    return report
