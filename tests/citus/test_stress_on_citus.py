"""`workshop stress`'s load on the cluster, with the invariants, the ledger and the stock
movements checked after it (the stress runner's own database is the distributed one)."""

import pytest

from tests.engine.conftest import run_cli
from workshop_tui.stress.report import print_report
from workshop_tui.stress.runner import stress_in

pytestmark = pytest.mark.citus


def test_stress_on_the_cluster_keeps_every_invariant_and_the_books_clean(database):
    lines: list[str] = []
    report = stress_in(database, clients=8, seconds=6, hot_products=5, echo=lines.append, seed=17)
    print_report(report, lines.append)
    assert report.ok, "\n".join(lines)
    assert report.total_ops > 0
    assert run_cli(database.url, "ledger", "verify").exit_code == 0
    assert run_cli(database.url, "reconcile").exit_code == 0
