"""The generator's contract: 11 files, the schema's headers, the same seed the same bytes."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from seed.data_generator import TABLES, Background, Sizes, generate
from seed.loader import allowed_columns
from tests.seed.conftest import SMALL

ROOT = Path(__file__).resolve().parents[2]


def files_of(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.csv"))}


def test_writes_one_file_per_table_with_the_tables_columns_as_header(small_set: Path) -> None:
    assert sorted(p.name for p in small_set.glob("*.csv")) == sorted(f"{t}.csv" for t in TABLES)
    for table in TABLES:
        with (small_set / f"{table}.csv").open(newline="") as handle:
            header = next(csv.reader(handle))
        assert header == allowed_columns(table), table  # seller_id too, where the table has it


def test_the_same_seed_gives_byte_identical_files(small_set: Path, tmp_path: Path) -> None:
    generate(sizes=SMALL, seed=11, out=tmp_path / "again", quiet=True)
    assert files_of(tmp_path / "again") == files_of(small_set)


def test_another_seed_gives_other_files(small_set: Path, tmp_path: Path) -> None:
    generate(sizes=SMALL, seed=12, out=tmp_path / "other", quiet=True)
    other = files_of(tmp_path / "other")
    changed = [name for name, data in files_of(small_set).items() if other[name] != data]
    assert set(changed) >= {"customers.csv", "products.csv", "orders.csv", "transactions.csv"}


def test_scale_one_is_the_documented_size() -> None:
    assert Sizes.for_scale(1) == Sizes(
        sellers=1_000, products=100_000, customers=50_000, orders=500_000
    )
    assert Sizes.for_scale(0.01) == Sizes(sellers=10, products=1_000, customers=500, orders=5_000)


def test_runs_as_a_script(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "seed/data_generator.py",
            "--scale",
            "0.0005",
            "--out",
            str(tmp_path),
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "wrote 11 files" in result.stdout
    assert len(list(tmp_path.glob("*.csv"))) == 11


def test_a_background_writer_that_fails_is_raised_in_the_generator_with_its_reason() -> None:
    def fail(progress) -> int:
        progress(5)
        raise OSError("disk full")

    writer = Background(fail)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            writer.wait(lambda n: None)
    finally:
        writer.stop()


def test_a_background_writer_reports_its_rows_and_its_progress() -> None:
    def write(progress) -> int:
        for _ in range(3):
            progress(2)
        return 6

    seen: list[int] = []
    writer = Background(write)
    try:
        assert writer.wait(seen.append) == 6
    finally:
        writer.stop()
    assert sum(seen) == 6
