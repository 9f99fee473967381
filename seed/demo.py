"""First-run demo data for `make run` (`workshop seed demo`): small, quick, idempotent."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from seed.data_generator import Sizes, generate
from seed.loader import LoadError, load
from seed.people import DEMO_PIN, STAFF_ACCOUNTS, STAFF_PASSWORD
from workshop_tui.config import demo_logins_path
from workshop_tui.db.engine import Database

DEMO_SIZES = Sizes(sellers=20, products=300, customers=150, orders=1_500)
DEMO_SEED = 7
BUSIEST_CUSTOMER = text(
    """SELECT c.phone FROM customers c JOIN orders o ON o.customer_id = c.id
        WHERE c.role = 'customer' AND c.phone IS NOT NULL AND c.is_active
        GROUP BY c.id, c.phone ORDER BY COUNT(*) DESC, c.id LIMIT 1"""
)


def ensure_demo_data(database: Database) -> str:
    """Load the demo set into a database without products; say how to log in."""
    with database.engine.connect() as conn:
        if conn.execute(text("SELECT EXISTS (SELECT 1 FROM products)")).scalar():
            return "demo data already present (the database has products); nothing loaded"
    directory = database.settings.data_dir / "demo-seed"
    # Orders run up to now, so today's sales and the newest orders look alive.
    until = datetime.now(UTC).replace(second=0, microsecond=0)
    generate(sizes=DEMO_SIZES, seed=DEMO_SEED, out=directory, until=until, quiet=True)
    try:
        counts = load(database, directory)
    except LoadError as exc:
        return (
            f"demo data not loaded: {exc}\n"
            f"(`workshop seed load {directory} --replace` empties the database and loads it)"
        )
    with database.engine.connect() as conn:
        phone = conn.execute(BUSIEST_CUSTOMER).scalar()
    staff = ", ".join(
        f"{username} / {STAFF_PASSWORD} ({role})" for username, role, _ in STAFF_ACCOUNTS
    )
    lines = [
        f"demo data loaded: {counts['sellers']} sellers, {counts['products']} products, "
        f"{counts['customers'] - len(STAFF_ACCOUNTS)} customers, {counts['orders']:,} orders",
        f"staff logins: {staff}",
    ]
    write_demo_logins(database, phone.removeprefix("+91") if phone else None)
    if phone:
        lines.append(
            f"customer login: {phone.removeprefix('+91')} with PIN {DEMO_PIN} "
            f"(every demo customer uses PIN {DEMO_PIN})"
        )
    return "\n".join(lines)


def write_demo_logins(database: Database, customer_phone: str | None) -> None:
    """Mark the data directory as holding the demo set: the login screen shows these."""
    logins = {
        "staff": [[username, STAFF_PASSWORD] for username, _, _ in STAFF_ACCOUNTS],
        "customer": [customer_phone, DEMO_PIN] if customer_phone else None,
    }
    path = demo_logins_path(database.settings.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(logins), encoding="utf-8")
