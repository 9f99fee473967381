"""The session, the signed-in account, the CSRF token and the secret key.

The session cookie (HttpOnly, SameSite=Lax) holds the account id and a
per-session CSRF token. Every state-changing API request (POST, PUT, PATCH,
DELETE) must send that token in the `X-CSRF-Token` header; the token comes
back from `POST /api/auth/login` and `GET /api/me`. The login itself, which
has no session yet, must be sent as `application/json`: a cross-site HTML
form cannot send that content type without a CORS preflight, which this app
never grants.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from flask import current_app, g, request, session

from workshop_tui.services import Services
from workshop_tui.services.errors import InvalidInput, NotFound, ServiceError
from workshop_tui.services.types import Account

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
    return current_app.extensions["workshop"].get()


def start_session(account: Account) -> str:
    """A fresh session for this account (no fixation) with a new CSRF token."""
    session.clear()
    session.permanent = True
    session["account_id"] = account.id
    session["csrf"] = secrets.token_urlsafe(32)
    g.account = account
    return session["csrf"]


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def current_account() -> Account:
    """The signed-in account, or auth_required (401)."""
    if "account" in g:
        return g.account
    account_id = session.get("account_id")
    if not isinstance(account_id, int):
        raise AuthRequired("log in first")
    try:
        account = services().auth.get(account_id)
    except NotFound:
        session.clear()
        raise AuthRequired("log in first") from None
    g.account = account
    return account


def signed_in() -> bool:
    return isinstance(session.get("account_id"), int)


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
