"""`workshop stress` as the engine's concurrency test: 16 clients fight over 5 hot
products for a few seconds, then every invariant of DESIGN.md must hold exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from workshop_tui.cli import main
from workshop_tui.config import Settings
from workshop_tui.db.engine import normalise_url
from workshop_tui.stress.checks import check_invariants
from workshop_tui.stress.runner import run_stress
from workshop_tui.stress.scratch_db import scratch_database, seed_shop

pytestmark = pytest.mark.slow


def database_names(url: str) -> set[str]:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return set(conn.scalars(text("SELECT datname FROM pg_database")))
    finally:
        engine.dispose()


def test_sixteen_clients_on_hot_products_keep_every_invariant(
    test_database_url: str, tmp_path: Path
) -> None:
    lines: list[str] = []
    report = run_stress(
        Settings(database_url=test_database_url, data_dir=tmp_path),
        clients=16,
        seconds=3.0,
        hot_products=5,
        echo=lines.append,
        seed=20261124,
    )

    failed = [f"{c.name}: {c.detail}" for c in report.invariants.checks if not c.ok]
    assert failed == [], "\n".join(lines)
    assert report.oversells == 0
    assert report.double_charges == 0
    assert report.double_orders == 0
    assert report.unexpected == ()
    assert report.ok
    done = {op.kind: dict(op.outcomes).get("ok", 0) for op in report.ops}
    for kind in ("checkout", "pay", "cancel", "fulfil", "return"):
        assert done.get(kind, 0) > 0, f"no successful {kind}:\n" + "\n".join(lines)
    assert lines[-2] == "stress: ok"


def test_the_checks_catch_stock_changed_behind_the_movements(
    test_database_url: str, tmp_path: Path
) -> None:
    with scratch_database(Settings(database_url=test_database_url, data_dir=tmp_path)) as db:
        seed_shop(db, sellers=1, products=2, stock=5, customers=1)
        with db.begin() as s:
            s.execute(text("UPDATE inventory SET stock_remaining = stock_remaining + 1"))

        report = check_invariants(db)

    failed = {c.name for c in report.checks if not c.ok}
    assert failed == {"2 stock conserved per product", "reconcile: no drift"}
    assert not report.ok


def test_cli_stress_exits_0_and_drops_its_scratch_database(
    test_database_url: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        ["--database-url", test_database_url, "stress", "--clients", "4", "--seconds", "1"],
        env={"WORKSHOP_DATA_DIR": str(tmp_path)},
    )

    assert result.exit_code == 0, result.output
    assert "stress: ok" in result.output
    assert "oversells: 0" in result.output
    scratch = re.search(r"scratch database \S*?/(workshop_stress_[0-9a-f]+)", result.output)
    assert scratch is not None, result.output
    assert scratch.group(1) not in database_names(test_database_url)
