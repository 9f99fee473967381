"""Fixtures for the web companion: the app on the test database, a test client, signing in."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories as f
from workshop_tui.db import Database
from workshop_tui.services import Services
from workshop_tui.services.types import Account
from workshop_tui.web import create_app


@pytest.fixture
def app(services: Services) -> Flask:
    return create_app(services=services, config={"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Browser:
    """A test client signed in as one account, sending its CSRF token on every write."""

    def __init__(self, client: FlaskClient, account: Account, csrf: str) -> None:
        self.client = client
        self.account = account
        self.csrf = csrf

    def _headers(self, key: str | None, extra: dict | None) -> dict:
        headers = {"X-CSRF-Token": self.csrf}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers | (extra or {})

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, json=None, *, key: str | None = None, headers: dict | None = None):
        return self.client.post(path, json=json, headers=self._headers(key, headers))

    def put(self, path: str, json=None, *, headers: dict | None = None):
        return self.client.put(path, json=json, headers=self._headers(None, headers))

    def delete(self, path: str, *, headers: dict | None = None):
        return self.client.delete(path, headers=self._headers(None, headers))


def sign_in(client: FlaskClient, account: Account) -> Browser:
    """Start a server-side session for the account directly (no argon2 round trip)."""
    csrf = secrets.token_urlsafe(16)
    sid = client.application.extensions["workshop"].get().sessions.start(account)
    with client.session_transaction() as session:
        session["sid"] = sid
        session["csrf"] = csrf
    return Browser(client, account, csrf)


@pytest.fixture
def customer(database: Database) -> Account:
    return f.account(database, phone="+919876543210", name="Asha")


@pytest.fixture
def staff(database: Database) -> Account:
    return f.account(database, role="staff", username="counter", secret="password1")


@pytest.fixture
def as_customer(client: FlaskClient, customer: Account) -> Browser:
    return sign_in(client, customer)


@pytest.fixture
def as_staff(app: Flask, staff: Account) -> Browser:
    return sign_in(app.test_client(), staff)


@pytest.fixture
def new_browser(app: Flask) -> Callable[[Account], Browser]:
    return lambda account: sign_in(app.test_client(), account)


@dataclass
class Shelf:
    seller: int
    other_seller: int
    hammer: int
    nails: int
    saw: int  # sold by the other seller


@pytest.fixture
def shelf(database: Database) -> Shelf:
    acme = f.seller(database, "Acme Tools")
    bolt = f.seller(database, "Bolt & Co")
    return Shelf(
        seller=acme,
        other_seller=bolt,
        hammer=f.product(database, acme, name="Hammer", price="250.00", stock=5),
        nails=f.product(database, acme, name="Nails (100)", price="40.00", stock=50),
        saw=f.product(database, bolt, name="Hand saw", price="600.00", stock=2),
    )


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app on 127.0.0.1 at a free port, served from a thread for the browser."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
