"""`workshop seed demo`: loads once into an empty database and tells how to log in."""

from __future__ import annotations

import json
import re

from seed.demo import ensure_demo_data
from workshop_tui.config import demo_logins_path
from workshop_tui.db import Database
from workshop_tui.services import Services


def test_demo_data_loads_once_and_its_customer_login_works(database: Database) -> None:
    message = ensure_demo_data(database)
    assert "staff / workshop123" in message and "admin / workshop123" in message
    phone = re.search(r"customer login: (\d{10}) with PIN 123456", message)
    assert phone, message
    services = Services(database)
    assert services.auth.login(phone.group(1), "123456").role == "customer"
    assert len(services.catalog.search("").items) > 0
    assert services.ledger.verify().ok
    assert (database.settings.data_dir / "demo-seed" / "orders.csv").exists()
    logins = json.loads(demo_logins_path(database.settings.data_dir).read_text())
    assert logins["customer"] == [phone.group(1), "123456"]  # the login screen shows these
    assert ensure_demo_data(database).startswith("demo data already present")
