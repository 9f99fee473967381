"""The web under hostile use: redirects after login, replayed cookies, control characters."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.web.conftest import sign_in
from workshop_tui.config import Settings
from workshop_tui.web import create_app


@pytest.mark.parametrize(
    "target",
    ["/%09/evil.example/x", "/\t/evil.example/x", "/\n/evil.example", "/\r/evil.example",
     "//evil.example", "/\\evil.example", "https://evil.example", "/shop/../evil",
     "/payment/1/../../evil", "/login", "javascript:alert(1)", "/%2F%2Fevil.example"],
)  # fmt: skip
def test_the_login_page_sends_anything_but_its_own_pages_to_the_shop(client, target):
    r = client.get("/login", query_string={"next": target})
    assert b'data-next="/shop"' in r.data
    assert b"evil" not in r.data


def test_a_raw_tab_escape_in_next_is_refused(client):
    r = client.get("/login?next=/%09/evil.example/x")
    assert b'data-next="/shop"' in r.data and b"evil" not in r.data


@pytest.mark.parametrize("target", ["/", "/shop", "/profile", "/payment/42"])
def test_the_login_page_keeps_a_next_page_of_its_own(client, target):
    r = client.get("/login", query_string={"next": target})
    assert f'data-next="{target}"'.encode() in r.data


def test_a_cookie_replayed_after_logout_is_401(app, database):
    f.account(database, phone="+919876543210", secret="274913")
    client = app.test_client()
    r = client.post("/api/auth/login", json={"login": "9876543210", "password": "274913"})
    csrf = r.json["csrf_token"]
    saved = client.get_cookie("workshop_session").value
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    replay = app.test_client()
    replay.set_cookie("workshop_session", saved)
    assert replay.get("/api/me").status_code == 401
    assert replay.get("/shop").status_code == 302


def test_a_deactivated_account_loses_its_session_at_once(as_customer, database):
    assert as_customer.get("/api/me").status_code == 200
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE customers SET is_active = false WHERE id = %s", (as_customer.account.id,)
        )
    assert as_customer.get("/api/me").status_code == 401


def test_the_session_cookie_is_secure_when_configured(services, tmp_path, database):
    settings = Settings(database_url=services.settings.database_url, data_dir=tmp_path,
                        cookie_secure=True)  # fmt: skip
    client = create_app(services=services, settings=settings).test_client()
    f.account(database, phone="+919876543210", secret="274913")
    r = client.post("/api/auth/login", json={"login": "9876543210", "password": "274913"})
    assert "Secure" in r.headers["Set-Cookie"]


def test_the_cookie_secure_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("WORKSHOP_COOKIE_SECURE", "1")
    assert Settings.from_env().cookie_secure is True


def test_web_logins_are_throttled_per_client_address(make_services, database):
    services = make_services(login_max_failures=1, login_lockout_seconds=60)
    app = create_app(services=services)
    for n in range(5):
        f.account(database, phone=f"+91900000{n:04d}")
    client = app.test_client()
    codes = [
        client.post(
            "/api/auth/login", json={"login": f"900000{n:04d}", "password": "000001"}
        ).status_code
        for n in range(5)
    ]
    assert codes == [401, 401, 401, 401, 429]
    other = app.test_client()
    r = other.post(
        "/api/auth/login",
        json={"login": "9000000004", "password": "123456"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert r.status_code == 200


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\n"])
def test_a_control_character_in_a_search_is_400(client, char):
    r = client.get("/api/products", query_string={"q": f"ham{char}mer"})
    assert r.status_code == 400
    assert r.json["error"]["code"] == "invalid_input"


def test_a_nul_escape_in_the_raw_query_is_400(client):
    r = client.get("/api/products?q=%00")
    assert r.status_code == 400
    assert r.json["error"]["code"] == "invalid_input"


def test_a_nul_in_a_name_at_registration_is_400(client):
    r = client.post(
        "/api/auth/login", json={"login": "9876543210", "password": "274913", "name": "A\x00"}
    )
    assert r.status_code == 400
    assert r.json["error"]["code"] == "invalid_input"


def test_a_nul_in_a_cancel_or_return_reason_is_400(as_customer, shelf):
    as_customer.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 1})
    order = as_customer.post("/api/checkout", key="k1").json
    r = as_customer.post(f"/api/orders/{order['id']}/cancel", json={"reason": "no\x00"})
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_input")
    r = as_customer.post(
        f"/api/orders/{order['id']}/returns",
        json={"items": [{"product_id": shelf.hammer, "quantity": 1}], "reason": "bad\x00"},
    )
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_input")


def test_registering_a_reserved_login_from_the_web_is_400(client):
    for login in ("walk-in", "admin-x", "Support"):
        r = client.post("/api/auth/login", json={"login": login, "password": "274913"})
        assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_input")


def test_registering_a_common_pin_from_the_web_is_400_with_a_clear_message(client):
    r = client.post("/api/auth/login", json={"login": "9876543210", "password": "123456"})
    assert r.status_code == 400
    assert "choose another PIN" in r.json["error"]["message"]


__all__ = ["sign_in"]
