"""The session, the signed-in account, the CSRF token and the secret key.

The session cookie (HttpOnly, SameSite=Lax, Secure with WORKSHOP_COOKIE_SECURE)
holds the random id of a server-side session (services.sessions: revoked at
logout, on deactivation and password change, sliding and absolute expiry) and
a per-session CSRF token; every request checks the session row. Every state-changing API request (POST, PUT, PATCH,
DELETE) must send that token in the `X-CSRF-Token` header; the token comes
back from `POST /api/auth/login` and `GET /api/me`. The login itself, which
has no session yet, must be sent as `application/json`: a cross-site HTML
form cannot send that content type without a CORS preflight, which this app
never grants.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from pathlib import Path

from flask import current_app, g, request, session

from workshop_tui.services import Services
from workshop_tui.services.errors import InvalidInput, ServiceError
from workshop_tui.services.types import Account
from workshop_tui.services.validate import has_control

CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOGIN_PATH = "/api/auth/login"
SECRET_KEY_FILE = "secret_key"


class AuthRequired(ServiceError):
    code = "auth_required"
    http_status = 401


class CsrfFailed(ServiceError):
    code = "csrf_failed"
    http_status = 403


def load_secret_key(data_dir: Path) -> str:
    """WORKSHOP_SECRET_KEY, or a key generated once into the data dir (mode 0600)."""
    from_env = os.environ.get("WORKSHOP_SECRET_KEY")
    if from_env:
        return from_env
    path = Path(data_dir) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        key = path.read_text().strip()
        if key:
            return key
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def services() -> Services:
    # create_app stores a ServicesHolder here (not imported: web.app imports this module).
    shop_services: Services = current_app.extensions["workshop"].get()
    return shop_services


def start_session(account: Account) -> str:
    """A fresh server-side session for this account (no fixation) with a new CSRF token."""
    end_session()
    session.permanent = True
    session["sid"] = services().sessions.start(account)
    token = session["csrf"] = secrets.token_urlsafe(32)
    g.account = account
    return token


def end_session() -> None:
    """Logout: revoke the server-side session, so a saved copy of the cookie is worthless."""
    sid = session.get("sid")
    if sid:
        services().sessions.end(sid)
    session.clear()
    g.pop("account", None)


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def current_account() -> Account:
    """The signed-in account of a live session, or auth_required (401)."""
    if "account" in g:
        signed_in_account: Account = g.account  # only ever set to an Account, here and above
        return signed_in_account
    account = services().sessions.account(session.get("sid"))
    if account is None:
        session.clear()
        raise AuthRequired("log in first")
    g.account = account
    return account


def signed_in() -> bool:
    try:
        current_account()
    except AuthRequired:
        return False
    return True


def client_source() -> str:
    """Who is logging in, for the throttle: the web and the client's address."""
    return f"web:{request.remote_addr or 'unknown'}"


def refuse_control_characters() -> None:
    """before_request: any control character in a query value or a JSON string is invalid_input.

    The engine checks the text it stores too; this also covers what only reaches a
    query (a search), so no route can turn a NUL into a database error.
    """
    if not request.path.startswith("/api/"):
        return  # the pages take only `next`, which the login page checks against its own list
    for name, value in request.args.items(multi=True):
        if has_control(name) or has_control(value):
            raise InvalidInput(f"{name[:40]!r} must not contain control characters")
    raw = request.get_data(cache=True) if request.method in UNSAFE_METHODS else b""
    if raw.strip():
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            return  # the route's own parsing says what is wrong
        if _holds_control(body):
            raise InvalidInput("text in the body must not contain control characters")


def _holds_control(value: object, depth: int = 0) -> bool:
    if isinstance(value, str):
        return has_control(value)
    if depth > 20:
        return False
    if isinstance(value, dict):
        return any(_holds_control(k) or _holds_control(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_control(v, depth + 1) for v in value)
    return False


def check_csrf() -> None:
    """before_request: refuse a state-changing API call without the session's token."""
    if request.method not in UNSAFE_METHODS or not request.path.startswith("/api/"):
        return
    if request.routing_exception is not None:
        return  # an unknown route or method: its 404 / 405 comes from routing
    if request.path == LOGIN_PATH:
        if request.mimetype != "application/json":
            raise InvalidInput("send the login as application/json")
        return
    if not signed_in():
        raise AuthRequired("log in first")
    sent = request.headers.get(CSRF_HEADER, "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfFailed(f"missing or wrong {CSRF_HEADER} header; GET /api/me gives the token")
