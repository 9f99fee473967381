"""The command line's contract: exit 0 ok, 1 the check failed, 2 bad usage or input."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import text

from tests.engine.conftest import paid_order
from tests.engine.conftest import run_cli as run
from workshop_tui.cli import main


def test_an_unreachable_server_is_one_masked_line_and_exit_2():
    result = run("postgresql://nobody:hunter2@127.0.0.1:1/x", "db", "status")
    assert result.exit_code == 2
    assert "cannot connect to postgresql+psycopg2://nobody:***@127.0.0.1:1/x" in result.output
    assert "hunter2" not in result.output and "Traceback" not in result.output


def test_a_setting_that_does_not_parse_is_one_line_naming_it_and_exit_2(tmp_path):
    result = CliRunner().invoke(
        main,
        ["db", "status"],
        env={"WORKSHOP_KIOSK_IDLE": "abc", "WORKSHOP_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("workshop: WORKSHOP_KIOSK_IDLE='abc': input should be a")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_db_upgrade_twice_is_a_no_op_and_status_says_so(scratch_url):
    assert run(scratch_url, "db", "status").exit_code == 1
    first = run(scratch_url, "db", "upgrade")
    second = run(scratch_url, "db", "upgrade")
    assert first.exit_code == second.exit_code == 0
    assert "(already)" in second.output
    assert run(scratch_url, "db", "status").exit_code == 0


def test_ledger_verify_exits_0_when_intact_and_1_naming_the_bad_row(services, database, shop):
    paid_order(services, shop)
    assert run(database.url, "ledger", "verify").exit_code == 0
    with database.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("UPDATE transactions SET amount = 1 WHERE seq = 2"))
    result = run(database.url, "ledger", "verify")
    assert result.exit_code == 1 and "seq 2" in result.output


def test_ledger_verify_with_a_witness_file(services, database, shop, tmp_path):
    paid_order(services, shop)
    witness = tmp_path / "heads.txt"
    witness.write_text(run(database.url, "ledger", "export-heads").output)
    assert run(database.url, "ledger", "verify", "--witness", str(witness)).exit_code == 0
    assert (
        run(database.url, "ledger", "verify", "--witness", str(tmp_path / "missing")).exit_code == 2
    )


def test_reconcile_exits_1_on_drift(services, database, shop):
    assert run(database.url, "reconcile").exit_code == 0
    with database.engine.begin() as conn:
        conn.execute(
            text("UPDATE inventory SET stock_remaining = 42 WHERE product_id = :p"), {"p": shop.saw}
        )
    result = run(database.url, "reconcile")
    assert result.exit_code == 1 and f"product {shop.saw}" in result.output


def test_user_add_reads_the_password_from_stdin(database):
    result = run(
        database.url,
        "user",
        "add",
        "--username",
        "priya",
        "--role",
        "staff",
        stdin="a long password\n",
    )
    assert result.exit_code == 0 and "added staff priya" in result.output
    refused = run(
        database.url,
        "user",
        "add",
        "--username",
        "priya",
        "--role",
        "staff",
        stdin="a long password\n",
    )
    assert refused.exit_code == 2 and "taken" in refused.output


def test_orders_expire_reports_what_it_cancelled(make_services, database, shop):
    services = make_services(order_ttl_minutes=0)
    services.cart.set_quantity(shop.customer, shop.saw, 1)
    order = services.orders.checkout(shop.customer, "k")
    result = CliRunner().invoke(
        main,
        ["--database-url", database.url, "orders", "expire"],
        env={"WORKSHOP_ORDER_TTL_MINUTES": "0"},
    )
    assert result.exit_code == 0 and f"expired 1 order(s): {order.id}" in result.output


def test_db_distribute_on_plain_postgresql_is_refused_in_one_line_with_exit_2(scratch_url):
    assert run(scratch_url, "db", "upgrade").exit_code == 0
    refused = run(scratch_url, "db", "distribute")
    assert refused.exit_code == 2
    assert refused.stderr.strip().count("\n") == 0
    assert "Citus" in refused.stderr


def test_db_status_says_the_tables_are_on_one_server_when_not_distributed(scratch_url):
    run(scratch_url, "db", "upgrade")
    assert "not distributed" in run(scratch_url, "db", "status").output
