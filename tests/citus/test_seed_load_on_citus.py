"""`workshop seed load` into the distributed database: the files are COPYed through the
coordinator, checked as on one server, and their rows land on the sellers' shards; the
ledger, the stock and every invariant are clean after it and the shop sells at once."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from seed.data_generator import Sizes, generate
from tests.engine.conftest import run_cli
from workshop_tui.db import Database
from workshop_tui.services import Services
from workshop_tui.stress.checks import check_invariants

pytestmark = pytest.mark.citus

SMALL = Sizes(sellers=4, products=40, customers=30, orders=300)


@pytest.fixture(scope="module")
def seed_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("citus-seed") / "small"
    generate(sizes=SMALL, seed=17, out=out, quiet=True)
    return out


def rows_per_worker(db: Database, table: str) -> dict[int, int]:
    """Rows of `table` on each worker's shards (by port), counted on the shards themselves."""
    with db.engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT p.nodeport, sum(r.result::bigint) FROM run_command_on_shards("
                " CAST(:t AS regclass), 'SELECT count(*) FROM %s') r"
                " JOIN pg_dist_shard_placement p USING (shardid) GROUP BY 1"
            ),
            {"t": table},
        ).all()
    return {int(port): int(n) for port, n in found}


def file_rows(path: Path) -> int:
    with path.open(newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_seed_load_puts_every_row_on_its_sellers_shard_with_the_books_clean(
    database: Database, seed_files: Path
) -> None:
    loaded = run_cli(database.url, "seed", "load", str(seed_files))
    assert loaded.exit_code == 0, loaded.output
    for table in ("orders", "order_items", "payments", "transactions", "returns"):
        on_shards = rows_per_worker(database, table)
        assert sum(on_shards.values()) == file_rows(seed_files / f"{table}.csv")
        assert len(on_shards) == 2 and all(on_shards.values()), (table, on_shards)
    assert run_cli(database.url, "ledger", "verify").exit_code == 0
    assert run_cli(database.url, "reconcile").exit_code == 0
    report = check_invariants(database)
    assert report.ok, report.checks


def test_a_loaded_customer_buys_and_pays_at_once(database: Database, seed_files: Path) -> None:
    assert run_cli(database.url, "seed", "load", str(seed_files)).exit_code == 0
    services = Services(database)
    with database.engine.connect() as conn:
        phone = conn.execute(
            text("SELECT phone FROM customers WHERE role = 'customer' ORDER BY id LIMIT 1")
        ).scalar_one()
        product = conn.execute(
            text(
                "SELECT i.product_id FROM inventory i JOIN products p"
                " ON p.seller_id = i.seller_id AND p.id = i.product_id"
                " WHERE i.stock_remaining > 0 AND p.is_active ORDER BY 1 LIMIT 1"
            )
        ).scalar_one()
        last_order = conn.execute(text("SELECT max(id) FROM orders")).scalar_one()
    me = services.auth.login_or_register(phone.removeprefix("+91"), "123456").account
    services.cart.set_quantity(me, product_id=product, quantity=1)
    order = services.orders.checkout(me, idempotency_key="after-seed")
    paid = services.payments.pay(me, order.id, method="upi", idempotency_key="pay-after-seed")
    assert order.id > last_order  # the sequences were moved past the loaded ids
    assert paid.order.status == "paid"
    assert services.ledger.verify().ok


def test_a_duplicate_id_under_another_seller_is_refused_with_its_line_and_nothing_is_loaded(
    database: Database, seed_files: Path, tmp_path: Path
) -> None:
    """The distributed keys include the seller, so they alone would take this row."""
    files = Path(shutil.copytree(seed_files, tmp_path / "csv"))
    with (files / "orders.csv").open(newline="") as handle:
        header, first, *rest = list(csv.reader(handle))
    twin = list(first)
    seller = header.index("seller_id")
    twin[seller] = "2" if first[seller] != "2" else "3"
    with (files / "orders.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([header, first, *rest, twin])
    refused = run_cli(database.url, "seed", "load", str(files))
    assert refused.exit_code != 0
    assert f"orders.csv: line {len(rest) + 3}: duplicate id {first[0]}" in refused.output
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM orders")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM sellers")).scalar_one() == 0


def test_a_load_with_replace_empties_the_cluster_first_and_loads_again(
    database: Database, seed_files: Path
) -> None:
    assert run_cli(database.url, "seed", "load", str(seed_files)).exit_code == 0
    again = run_cli(database.url, "seed", "load", str(seed_files), "--replace")
    assert again.exit_code == 0, again.output
    assert sum(rows_per_worker(database, "orders").values()) == file_rows(seed_files / "orders.csv")
    assert run_cli(database.url, "ledger", "verify").exit_code == 0
