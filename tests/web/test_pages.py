"""The five pages render from templates, send visitors to the login page, and ship their JS."""

from __future__ import annotations

import pytest

from workshop_tui.services.errors import Busy


@pytest.mark.parametrize("path", ["/", "/login"])
def test_public_pages_render(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert b"/static/js/auth.js" in r.data


@pytest.mark.parametrize("path", ["/shop", "/payment/1", "/profile"])
def test_private_pages_send_a_visitor_to_the_login_page(client, path):
    r = client.get(path)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("path", "script"),
    [("/shop", b"js/shop.js"), ("/payment/7", b"js/payment.js"), ("/profile", b"js/profile.js")],
)
def test_private_pages_render_with_their_module_when_signed_in(as_customer, path, script):
    r = as_customer.get(path)
    assert r.status_code == 200
    assert script in r.data


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_the_login_page_never_redirects_off_site(client, target):
    r = client.get("/login", query_string={"next": target})
    assert b'data-next="/shop"' in r.data


@pytest.mark.parametrize(
    "asset", ["js/auth.js", "js/shop.js", "js/payment.js", "js/profile.js", "css/workshop.css"]
)
def test_static_assets_are_served(client, asset):
    r = client.get(f"/static/{asset}")
    assert r.status_code == 200
    r.close()


def test_pages_carry_a_content_security_policy(client):
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_a_busy_database_is_503(app, client):
    def contended():
        raise Busy("the database is busy; nothing was changed")

    app.add_url_rule("/api/test-busy", view_func=contended)
    r = client.get("/api/test-busy")
    assert r.status_code == 503
    assert r.json["error"]["code"] == "busy"


def test_an_unexpected_error_is_a_json_500_without_details(app, client):
    def broken():
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/test-broken", view_func=broken)
    r = client.get("/api/test-broken")
    assert r.status_code == 500
    assert r.json["error"]["code"] == "internal_error"
    assert b"secret" not in r.data
