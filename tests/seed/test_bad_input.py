"""Bad files stop the load with the file, the line and the reason, and nothing is loaded."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from seed.loader import DERIVED, TABLES, LoadError, load
from workshop_tui.db import Database


def rows_of(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def set_cell(directory: Path, table: str, line: int, column: str, value: str) -> None:
    path = directory / f"{table}.csv"
    rows = rows_of(path)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(path, rows)


def drop_column(directory: Path, table: str, column: str) -> None:
    path = directory / f"{table}.csv"
    rows = rows_of(path)
    index = rows[0].index(column)
    write_rows(path, [row[:index] + row[index + 1 :] for row in rows])


def repeat_line(directory: Path, table: str, line: int) -> None:
    path = directory / f"{table}.csv"
    rows = rows_of(path)
    write_rows(path, rows + [rows[line - 1]])


def add_to_cell(directory: Path, table: str, line: int, column: str, delta: int) -> None:
    value = rows_of(directory / f"{table}.csv")[line - 1][
        rows_of(directory / f"{table}.csv")[0].index(column)
    ]
    set_cell(directory, table, line, column, str(int(value) + delta))


def last_line(directory: Path, table: str) -> int:
    return len(rows_of(directory / f"{table}.csv"))


CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "missing file": (lambda d: (d / "returns.csv").unlink(), r"missing file\(s\) returns\.csv"),
    "missing column": (
        lambda d: drop_column(d, "orders", "total"),
        r"orders\.csv: line 1: missing column\(s\) total",
    ),
    "bad number": (
        lambda d: set_cell(d, "order_items", 5, "quantity", "two"),
        r"order_items\.csv: line 5: invalid input syntax for type integer",
    ),
    "bad date": (
        lambda d: set_cell(d, "orders", 3, "created_at", "2026-13-45T10:00:00+00:00"),
        r"orders\.csv: line 3: .*(out of range|invalid)",
    ),
    "duplicate id": (
        lambda d: repeat_line(d, "sellers", 2),
        r"sellers\.csv: line 6: duplicate id 1$",
    ),
    "duplicate phone": (
        lambda d: set_cell(d, "customers", 9, "phone", rows_of(d / "customers.csv")[5][2]),
        r"customers\.csv: line 9: duplicate phone \+91\d{10}",
    ),
    "dangling reference": (
        lambda d: set_cell(d, "order_items", 4, "product_id", "99999"),
        r"order_items\.csv: line 4: product_id 99999 refers to no row of products",
    ),
    "a line under another seller than its order's": (
        lambda d: set_cell(
            d, "order_items", 4, "seller_id", str(int(rows_of(d / "order_items.csv")[3][3]) % 3 + 1)
        ),
        r"order_items\.csv: line 4: .*seller_id",
    ),
    "total not the sum of the items": (
        lambda d: (
            set_cell(d, "orders", 2, "subtotal", "1.00"),
            set_cell(d, "orders", 2, "total", "1.00"),
            set_cell(d, "orders", 2, "discount_total", "0.00"),
        ),
        r"orders\.csv: line 2: order 1: subtotal 1\.00 is not the sum of its items",
    ),
    "returned more than bought": (
        lambda d: add_to_cell(d, "returns", 2, "quantity", 50),
        r"returns\.csv: line 2: return 1: 5\d units of product \d+ returned from order \d+, which bought \d+$",
    ),
    "stock not what the orders leave": (
        lambda d: add_to_cell(d, "inventory", 2, "stock_remaining", 1),
        r"inventory\.csv: line 2: product 1: stock_remaining",
    ),
    "edited ledger row": (
        lambda d: set_cell(d, "transactions", 3, "amount", "1.00"),
        r"transactions\.csv: line 3: .*hash does not match",
    ),
}


def loaded_rows(db: Database) -> int:
    with db.engine.connect() as conn:
        return sum(
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES + DERIVED
        )


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_with_file_line_and_reason_and_loads_nothing(
    case: str, database: Database, small_copy: Path
) -> None:
    spoil, message = CASES[case]
    spoil(small_copy)
    with pytest.raises(LoadError, match=message):
        load(database, small_copy)
    assert loaded_rows(database) == 0


def test_the_cli_exits_2_with_the_message(database: Database, small_copy: Path) -> None:
    from click.testing import CliRunner

    from workshop_tui.cli import main

    set_cell(small_copy, "order_items", 5, "quantity", "two")
    result = CliRunner().invoke(
        main, ["--database-url", database.url, "seed", "load", str(small_copy)]
    )
    assert result.exit_code == 2
    assert "order_items.csv: line 5" in result.output
    assert loaded_rows(database) == 0
