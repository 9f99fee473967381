"""The OpenAPI document covers every route, and a property-based run against it finds
no server error and no response outside the spec (schemathesis, positive and negative data)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

EXAMPLES = 25


def test_every_api_route_is_in_the_spec(app, client):
    spec = client.get("/api/openapi.json").json
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented


def test_the_spec_documents_the_csrf_header_and_the_error_shape(client):
    spec = client.get("/api/openapi.json").json
    assert "X-CSRF-Token" in spec["info"]["description"]
    assert spec["components"]["securitySchemes"]["csrf"]["name"] == "X-CSRF-Token"
    error = spec["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(error["required"]) == {"code", "message"}


@pytest.fixture
def web_schema(app, as_customer, shelf):
    # Something real to find: a cart and a pending order of the signed-in customer.
    as_customer.put(f"/api/cart/items/{shelf.hammer}", json={"quantity": 1})
    assert as_customer.post("/api/checkout", key="seed-order").status_code == 201
    as_customer.put(f"/api/cart/items/{shelf.nails}", json={"quantity": 2})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=EXAMPLES,
        deterministic=True,
        database="none",
        allow_x00=True,  # NULs in generated text too (the default, said out loud)
        codec="utf-8",
    )
    return schema


@pytest.fixture
def signed_in_headers(as_customer):
    cookie = as_customer.client.get_cookie("workshop_session")
    return {"Cookie": f"workshop_session={cookie.value}", "X-CSRF-Token": as_customer.csrf}


schema = schemathesis.pytest.from_fixture("web_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_no_response_outside_the_spec(case, signed_in_headers):
    headers = dict(signed_in_headers)
    if case.path == "/api/auth/login":
        headers.pop("Cookie")
    # A schema-valid body can still break a rule (a PIN of 6-8 digits for a new account,
    # an empty cart at checkout): that 400 is documented, so positive_data_acceptance is off.
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])


CONTROLS = "\x00\x01\x07\x09\x0a\x0d\x1b\x7f\x85"


def _poison(value, char):
    """Every string in a query or body with a control character in it (None when there is none)."""
    if isinstance(value, str):
        return value[:3] + char + value[3:]
    if isinstance(value, dict):
        out = {k: _poison(v, char) for k, v in value.items()}
        return out if any(out[k] is not None for k in out) else None
    if isinstance(value, list):
        out = [_poison(v, char) for v in value]
        return out if any(v is not None for v in out) else None
    return None


def _merge(original, poisoned):
    if isinstance(original, dict) and isinstance(poisoned, dict):
        return {k: _merge(v, poisoned.get(k)) for k, v in original.items()}
    if isinstance(original, list) and isinstance(poisoned, list):
        return [_merge(o, p) for o, p in zip(original, poisoned, strict=True)]
    return original if poisoned is None else poisoned


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_a_control_character_in_any_text_is_invalid_input(case, signed_in_headers):
    if case.method.upper() != case.operation.method.upper():
        return  # negative data may change the method: that is a 405 before any text is read
    char = CONTROLS[len(repr(case.query) + repr(case.body)) % len(CONTROLS)]
    touched = False
    for part in ("query", "body"):
        value = getattr(case, part, None)
        if not isinstance(value, dict | list):
            continue
        if part == "body" and case.media_type != "application/json":
            continue
        if (
            part == "query"
            and isinstance(value, dict)
            and any(isinstance(v, dict) for v in value.values())
        ):
            continue  # a nested value reaches the URL as its repr, the character escaped
        poisoned = _poison(value, char)
        if poisoned is not None:
            setattr(case, part, _merge(value, poisoned))
            touched = True
    if not touched:
        return  # no text to put a control character in
    headers = dict(signed_in_headers)
    if case.path == "/api/auth/login":
        headers.pop("Cookie")
    response = case.call(headers=headers)
    assert response.status_code == 400, (case.path, case.query, case.body, response.text)
    assert response.json()["error"]["code"] == "invalid_input"
