"""Hostile or careless seed files: wrong payment amounts, broken quotes, other encodings, secrets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from seed.data_generator import Sizes, generate
from seed.loader import LoadError, load
from tests.seed.test_bad_input import rows_of, set_cell
from workshop_tui.db import Database


def _succeeded_charge_line(directory: Path) -> int:
    rows = rows_of(directory / "payments.csv")
    kind, status = rows[0].index("kind"), rows[0].index("status")
    return next(
        n for n, r in enumerate(rows[1:], 2) if r[kind] == "charge" and r[status] == "succeeded"
    )


def test_a_charge_that_disagrees_with_its_order_total_is_refused(database: Database, small_copy):
    line = _succeeded_charge_line(small_copy)
    set_cell(small_copy, "payments", line, "amount", "0.01")
    with pytest.raises(LoadError, match=rf"payments\.csv: line {line}: .*charge of 0\.01"):
        load(database, small_copy, verify_hashes=False)


def test_a_payment_booked_to_another_customer_than_its_orders_is_refused(
    database: Database, small_copy
):
    rows = rows_of(small_copy / "payments.csv")
    customer = rows[0].index("customer_id")
    other = "2" if rows[1][customer] == "1" else "1"
    set_cell(small_copy, "payments", 2, "customer_id", other)
    with pytest.raises(LoadError, match=r"payments\.csv.*fk_payments_order_customer"):
        load(database, small_copy, verify_hashes=False)


def test_an_edited_last_ledger_row_is_refused_though_no_row_links_to_it(
    database: Database, small_copy
):
    line = len(rows_of(small_copy / "transactions.csv"))
    set_cell(small_copy, "transactions", line, "amount", "1.00")
    with pytest.raises(LoadError, match=rf"transactions\.csv: line {line}: .*hash does not match"):
        load(database, small_copy)


def test_an_edited_ledger_payload_is_refused(database: Database, small_copy):
    set_cell(small_copy, "transactions", 2, "payload", '{"outcome": "forged"}')
    with pytest.raises(LoadError, match=r"transactions\.csv: line 2: .*hash does not match"):
        load(database, small_copy)


def test_a_ledger_payload_spelled_otherwise_but_equal_in_content_loads(
    database: Database, small_copy
):
    rows = rows_of(small_copy / "transactions.csv")
    column = rows[0].index("payload")
    line = next(n for n, r in enumerate(rows[1:], 2) if r[column] == '{"outcome":"succeeded"}')
    set_cell(small_copy, "transactions", line, "payload", '{ "outcome" :  "succeeded" }')
    counts = load(database, small_copy)
    assert counts["transactions"] == len(rows) - 1


def test_an_unterminated_quote_is_reported_on_its_own_line(database: Database, small_copy):
    path = small_copy / "customers.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) > 12
    lines[9] = lines[9].replace(",", ',"', 1)  # line 10 opens a quote it never closes
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(LoadError, match=r"customers\.csv: line 10: "):
        load(database, small_copy)


def test_a_file_that_is_not_utf8_names_its_line(database: Database, small_copy):
    path = small_copy / "sellers.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2] + b"\xe9\xff"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(LoadError, match=r"sellers\.csv: line 3: not UTF-8"):
        load(database, small_copy)


def test_the_file_of_password_hashes_is_readable_by_its_owner_only(tmp_path):
    generate(sizes=Sizes(sellers=2, products=5, customers=3, orders=5), seed=3, out=tmp_path,
             quiet=True)  # fmt: skip
    assert stat.S_IMODE((tmp_path / "customers.csv").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "products.csv").stat().st_mode) & 0o004
