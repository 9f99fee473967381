"""The web companion under load: GET /api/products and the checkout-and-pay path.

    .venv/bin/python bench/web.py [--database-url URL] [--seconds S] [--connections 32]
                                  [--workers W] [--threads T] [--products 10000] [--quick]

A scratch database on the server (WORKSHOP_DATABASE_URL, --database-url, or
the local postgresql://postgres@127.0.0.1:5432/postgres) gets ~10,000 products
over 100 sellers; `workshop web` (granian, W processes of T threads) serves it
on 127.0.0.1. The product list is loaded by wrk (Debian's `wrk` package) when it
is installed, since a load client in Python spends as much CPU per request as
the server and shares its cores; otherwise, and always for the checkout-and-pay
flow (cookies, CSRF, one step after another), by a Python client holding 32
keep-alive connections over 4 processes. It prints p50 / p99 latency and
requests/s per phase. The database is dropped afterwards and the invariants of
DESIGN.md are checked on it first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workshop_tui.config import Settings  # noqa: E402
from workshop_tui.db.engine import mask_url  # noqa: E402
from workshop_tui.stress.checks import check_invariants  # noqa: E402
from workshop_tui.stress.scratch_db import scratch_database, seed_shop  # noqa: E402

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
CLIENT_PROCESSES = 4
PIN = "246810"  # seed_shop's customers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    url: str, port: int, workers: int, threads: int, data_dir: str
) -> subprocess.Popen:
    env = {
        **os.environ,
        "WORKSHOP_DATA_DIR": data_dir,
        "WORKSHOP_SECRET_KEY": uuid.uuid4().hex,
    }
    cmd = [sys.executable, "-m", "workshop_tui.cli", "--database-url", url, "web",
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
           "--threads", str(threads)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"workshop web exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("workshop web did not start in 30 s")


class Client:
    """One keep-alive connection with its own session cookie and CSRF token."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Accept": "application/json"}

    def call(self, method: str, path: str, body=None, headers=None) -> tuple[int, dict, float]:
        sent = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body)
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        start = time.perf_counter()
        self.conn.request(method, path, body=data, headers=sent)
        response = self.conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - start
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.headers["Cookie"] = cookie.split(";", 1)[0]
        return response.status, (json.loads(raw) if raw else {}), elapsed

    def login(self, login: str) -> None:
        status, body, _ = self.call("POST", "/api/auth/login", {"login": login, "password": PIN})
        if status != 200:
            raise RuntimeError(f"login {login}: {status} {body}")
        self.headers["X-CSRF-Token"] = body["csrf_token"]


WRK_SCRIPT = """
local counter = 1
function setup(thread)
  thread:set("seed", counter)
  counter = counter + 1
end
function init(args)
  math.randomseed(os.time() * 100 + seed)
end
function request()
  local after = math.random(0, LAST_ID - 50)
  local path = after > 0 and ("/api/products?after=" .. after) or "/api/products"
  return wrk.format("GET", path, {["Accept"] = "application/json"})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def wrk_products(port: int, seconds: float, connections: int, last_id: int) -> dict:
    """The product-list phase under wrk: p50, p99 (ms), requests/s and errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.replace("LAST_ID", str(last_id)))
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s",
             script.name, f"http://127.0.0.1:{port}"],  # fmt: skip
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    requests, duration_us, p50_us, p99_us, errors = map(int, line.split()[1:])
    return {"n": requests, "p50": p50_us / 1000, "p99": p99_us / 1000,
            "rate": requests / (duration_us / 1e6), "errors": errors}  # fmt: skip


def product_worker(port: int, seconds: float, ready, last_id: int, out: list) -> None:
    client = Client(port)
    ready.wait()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        after = random.randrange(0, max(1, last_id - 50))
        status, _, elapsed = client.call(
            "GET", f"/api/products?after={after}" if after else "/api/products"
        )
        out.append(("products", status, elapsed))


def checkout_worker(
    port: int, seconds: float, ready, login: str, products: list[int], out: list
) -> None:
    client = Client(port)
    client.login(login)  # argon2 on the server: every client logs in before the clock starts
    ready.wait()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        flow_start = time.perf_counter()
        pid = random.choice(products)
        status, _, t = client.call("PUT", f"/api/cart/items/{pid}", {"quantity": 1})
        out.append(("cart", status, t))
        if status != 200:
            continue
        status, order, t = client.call(
            "POST", "/api/checkout", headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        out.append(("checkout", status, t))
        if status != 201:
            continue
        status, _, t = client.call("POST", f"/api/orders/{order['id']}/pay", {"method": "upi"},
                                   headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
        out.append(("pay", status, t))
        out.append(("flow", status, time.perf_counter() - flow_start))


def client_process(kind: str, port: int, seconds: float, ready, jobs: list, queue) -> None:
    out: list = []
    threads = []
    for job in jobs:
        target = product_worker if kind == "products" else checkout_worker
        threads.append(threading.Thread(target=target, args=(port, seconds, ready, *job, out)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(out)


def run_phase(kind: str, port: int, seconds: float, jobs: list) -> list:
    ctx = mp.get_context("fork")
    queue, ready = ctx.Queue(), ctx.Barrier(len(jobs))
    groups = [jobs[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
    procs = [
        ctx.Process(target=client_process, args=(kind, port, seconds, ready, g, queue))
        for g in groups
        if g
    ]
    for p in procs:
        p.start()
    results = [row for _ in procs for row in queue.get()]
    for p in procs:
        p.join()
    return results


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(title: str, rows: list, seconds: float, kinds: tuple[str, ...]) -> dict:
    print(f"\n{title}")
    summary = {}
    for kind in kinds:
        times = [t for k, _, t in rows if k == kind]
        bad = sum(1 for k, s, _ in rows if k == kind and s >= 400)
        if not times:
            print(f"  {kind:9s} no requests")
            continue
        summary[kind] = (pct(times, 0.50), pct(times, 0.99), len(times) / seconds)
        p50, p99, rate = summary[kind]
        print(f"  {kind:9s} n={len(times):6d}  p50={p50:7.2f} ms  p99={p99:7.2f} ms  "
              f"mean={statistics.fmean(times) * 1000:7.2f} ms  {rate:8.1f}/s  errors={bad}")  # fmt: skip
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("WORKSHOP_DATABASE_URL") or LOCAL_SERVER
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--threads", type=int, default=2, help="request threads per process")
    parser.add_argument(
        "--python-client", action="store_true", help="load the product list from Python, not wrk"
    )
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2 s phases, 1,000 products")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.products = 2.0, 1_000
    settings = Settings.from_env(database_url=args.database_url)
    print(f"server {mask_url(args.database_url)}; {args.products:,} products; "
          f"{args.connections} connections; server {args.workers} processes x {args.threads} threads; {args.seconds:g} s per phase")  # fmt: skip
    with (
        scratch_database(settings, prefix="workshop_bench_web") as db,
        tempfile.TemporaryDirectory() as tmp,
    ):
        shop = seed_shop(db, sellers=100, products=args.products, stock=1_000_000,
                         customers=args.connections, tag="bench")  # fmt: skip
        all_products = [pid for pids in shop.products.values() for pid in pids]
        port = free_port()
        server = start_server(db.url, port, args.workers, args.threads, tmp)
        try:
            last_id = max(all_products)
            warm = run_phase("products", port, 1.0, [(last_id,)] * 4)
            assert all(s == 200 for _, s, _ in warm), "product list failed during warm-up"
            title = "GET /api/products (50 per page, random keyset page)"
            if shutil.which("wrk") and not args.python_client:
                got = wrk_products(port, args.seconds, args.connections, last_id)
                print(f"\n{title}, loaded by wrk\n  products  n={got['n']:6d}  "
                      f"p50={got['p50']:7.2f} ms  p99={got['p99']:7.2f} ms  "
                      f"{got['rate']:8.1f}/s  errors={got['errors']}")  # fmt: skip
                products = (got["p50"], got["p99"], got["rate"])
            else:
                rows = run_phase("products", port, args.seconds, [(last_id,)] * args.connections)
                products = report(f"{title}, Python client", rows, args.seconds, ("products",))[
                    "products"
                ]
            jobs = [(c.username, all_products) for c in shop.customers]
            rows = run_phase("checkout", port, args.seconds, jobs)
            flows = report("checkout-and-pay (PUT cart item, POST checkout, POST pay)", rows, args.seconds,
                           ("cart", "checkout", "pay", "flow"))  # fmt: skip
        finally:
            server.terminate()
            server.wait(10)
        invariants = check_invariants(db)
        print(f"\ninvariants: {'ok' if invariants.ok else 'BROKEN'}")
    p99 = products[1]
    print(f"web: products p99={p99:.1f} ms ({'<' if p99 < 50 else '>='} 50 ms target), "
          f"{products[2]:.0f} req/s; checkout-and-pay {flows.get('flow', (0, 0, 0))[2]:.1f} flows/s, "
          f"flow p50={flows.get('flow', (0, 0, 0))[0]:.1f} ms p99={flows.get('flow', (0, 0, 0))[1]:.1f} ms; "
          f"server {args.workers} processes x {args.threads} threads")  # fmt: skip
    sys.exit(0 if invariants.ok else 1)


if __name__ == "__main__":
    main()
