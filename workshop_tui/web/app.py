"""The app factory: settings, the secret key, the services, blueprints and error handlers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from workshop_tui.config import Settings
from workshop_tui.services import Services
from workshop_tui.services.errors import ServiceError
from workshop_tui.web.security import check_csrf, load_secret_key, refuse_control_characters

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
HTTP_CODES = {
    400: "invalid_input",
    401: "auth_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "invalid_input",
    415: "invalid_input",
}


class ServicesHolder:
    """The services, built on first use when the app was given a factory (thread-safe)."""

    def __init__(self, services: Services | None, factory: Callable[[], Services] | None) -> None:
        if services is None and factory is None:
            raise ValueError("create_app needs services or a services_factory")
        self._services = services
        self._factory = factory
        self._lock = threading.Lock()

    def get(self) -> Services:
        if self._services is None:
            with self._lock:
                if self._services is None:
                    assert self._factory is not None
                    self._services = self._factory()
        return self._services


def create_app(
    *,
    services: Services | None = None,
    services_factory: Callable[[], Services] | None = None,
    settings: Settings | None = None,
    config: dict[str, Any] | None = None,
) -> Flask:
    """The Flask companion on the given services (or ones built lazily by the factory)."""
    app = Flask(__name__)
    if settings is None:
        settings = services.settings if services is not None else Settings.from_env()
    app.config.update(
        SECRET_KEY=load_secret_key(settings.data_dir),
        SESSION_COOKIE_NAME="workshop_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if config:
        app.config.update(config)
    app.extensions["workshop"] = ServicesHolder(services, services_factory)
    app.extensions["workshop_settings"] = settings

    from workshop_tui.web.api import api
    from workshop_tui.web.pages import pages

    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.before_request(refuse_control_characters)
    app.before_request(check_csrf)
    app.after_request(_security_headers)
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def error_response(status: int, code: str, message: str, **details: Any) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    response = jsonify(error=body)
    response.status_code = status
    return response


def _service_error(exc: ServiceError) -> Response:
    response = jsonify(error=exc.to_dict())
    response.status_code = exc.http_status
    retry_after = exc.details.get("retry_after")
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _http_error(exc: HTTPException) -> Response | HTTPException:
    if not request.path.startswith("/api/"):
        return exc
    status = exc.code or 500
    if status == 413:
        status = 400
    message = {
        400: "the request is malformed",
        404: "no such resource",
        405: f"{request.method} is not allowed here",
    }.get(status, exc.description or exc.name)
    if exc.code == 413:
        message = f"the body is larger than {MAX_BODY_BYTES // 1024} KiB"
    response = error_response(status, HTTP_CODES.get(status, "http_error"), message)
    if status == 405:
        response.headers["Allow"] = ", ".join(exc.valid_methods or [])  # type: ignore[attr-defined]
    return response


def _unexpected_error(exc: Exception) -> Response:
    from workshop_tui.db import DatabaseUnavailable

    if isinstance(exc, DatabaseUnavailable):
        return error_response(503, "unavailable", "the database cannot be reached; try again")
    log.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "something went wrong on our side")


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    else:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'",
        )
    return response
