"""Logging in, the session cookie, CSRF and the secret key."""

from __future__ import annotations

import os
import stat

from tests import factories as f
from tests.web.conftest import sign_in
from workshop_tui.web import create_app
from workshop_tui.web.security import load_secret_key


def test_a_new_phone_number_registers_with_201(client):
    r = client.post("/api/auth/login", json={"login": "98765 43210", "password": "274913"})
    assert r.status_code == 201
    assert r.json["created"] is True
    assert r.json["account"]["phone"] == "+919876543210"
    assert r.json["csrf_token"]


def test_a_known_login_logs_in_with_200(client, database):
    f.account(database, phone="+919876543210", secret="123456")
    r = client.post("/api/auth/login", json={"login": "9876543210", "password": "123456"})
    assert r.status_code == 200
    assert r.json["created"] is False


def test_a_wrong_pin_is_401_auth_failed(client, database):
    f.account(database, phone="+919876543210", secret="123456")
    r = client.post("/api/auth/login", json={"login": "9876543210", "password": "654321"})
    assert r.status_code == 401
    assert r.json["error"]["code"] == "auth_failed"
    assert client.get("/api/me").status_code == 401


def test_repeated_failures_are_throttled_with_429_and_retry_after(make_services, database):
    services = make_services(login_max_failures=2, login_lockout_seconds=60)
    client = create_app(services=services).test_client()
    f.account(database, username="asha", secret="123456")
    for _ in range(2):
        client.post("/api/auth/login", json={"login": "asha", "password": "000000"})
    r = client.post("/api/auth/login", json={"login": "asha", "password": "123456"})
    assert r.status_code == 429
    assert r.json["error"]["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) > 0


def test_login_needs_a_json_content_type(client):
    r = client.post(
        "/api/auth/login",
        data="login=asha&password=123456",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 400
    assert r.json["error"]["code"] == "invalid_input"


def test_login_with_a_missing_password_is_400(client):
    r = client.post("/api/auth/login", json={"login": "asha"})
    assert r.status_code == 400
    assert "password" in r.json["error"]["message"]


def test_login_with_a_number_as_login_is_400(client):
    r = client.post("/api/auth/login", json={"login": 9876543210, "password": "123456"})
    assert r.status_code == 400


def test_the_session_cookie_is_httponly_and_samesite_lax(client):
    r = client.post("/api/auth/login", json={"login": "9876543210", "password": "274913"})
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("workshop_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_me_is_401_without_a_session(client):
    r = client.get("/api/me")
    assert r.status_code == 401
    assert r.json["error"]["code"] == "auth_required"


def test_me_returns_the_account_and_its_csrf_token(as_customer):
    r = as_customer.get("/api/me")
    assert r.status_code == 200
    assert r.json["account"]["id"] == as_customer.account.id
    assert r.json["csrf_token"] == as_customer.csrf


def test_logout_ends_the_session(as_customer):
    assert as_customer.post("/api/auth/logout").status_code == 204
    assert as_customer.get("/api/me").status_code == 401


def test_a_write_without_the_csrf_token_is_403(as_customer, shelf):
    r = as_customer.client.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 1})
    assert r.status_code == 403
    assert r.json["error"]["code"] == "csrf_failed"


def test_a_write_with_a_wrong_csrf_token_is_403(as_customer):
    r = as_customer.client.post("/api/auth/logout", headers={"X-CSRF-Token": "guess"})
    assert r.status_code == 403
    assert as_customer.get("/api/me").status_code == 200


def test_a_write_without_a_session_is_401(client, shelf):
    r = client.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 1})
    assert r.status_code == 401
    assert r.json["error"]["code"] == "auth_required"


def test_a_session_of_a_deleted_account_is_401(client, database):
    ghost = f.account(database, username="ghost", secret="274913")
    browser = sign_in(client, ghost)
    with database.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM customers WHERE id = %s", (ghost.id,))
    assert browser.get("/api/cart").status_code == 401


def test_the_secret_key_is_generated_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKSHOP_SECRET_KEY", raising=False)
    first = load_secret_key(tmp_path)
    assert load_secret_key(tmp_path) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_the_secret_key_comes_from_the_environment_first(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_SECRET_KEY", "from-the-env")
    assert load_secret_key(tmp_path) == "from-the-env"
    assert not (tmp_path / "secret_key").exists()


def test_registering_keeps_the_name_given(client):
    r = client.post(
        "/api/auth/login", json={"login": "9876543210", "password": "274913", "name": "Asha"}
    )
    assert r.json["account"]["display_name"] == "Asha"


def test_an_unknown_login_field_is_400(client):
    r = client.post(
        "/api/auth/login", json={"login": "9876543210", "password": "123456", "role": "admin"}
    )
    assert r.status_code == 400
    assert "role" in r.json["error"]["message"]
