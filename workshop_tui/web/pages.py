"""The five pages of the seed, rendered from templates; their JS modules use only the API."""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from workshop_tui.web.security import signed_in

pages = Blueprint("pages", __name__)

# Where a login may send the browser on: this app's own pages, nothing else, so no
# spelling of another host (//x, /\x, /%09/x, https://x) survives.
NEXT_PAGES = re.compile(r"/(shop|profile|payment/[1-9][0-9]{0,9})?")


def safe_next(target: str) -> str:
    return target if NEXT_PAGES.fullmatch(target) else "/shop"


def login_first() -> Response:
    return redirect(url_for("pages.login", next=request.path))


@pages.get("/")
def index() -> str:
    return render_template("index.html", signed_in=signed_in())


@pages.get("/login")
def login() -> str:
    return render_template("client_login.html", next_url=safe_next(request.args.get("next", "")))


@pages.get("/shop")
def shop() -> str | Response:
    return render_template("shop.html") if signed_in() else login_first()


@pages.get("/payment/<int:order_id>")
def payment(order_id: int) -> str | Response:
    return render_template("payment.html", order_id=order_id) if signed_in() else login_first()


@pages.get("/profile")
def profile() -> str | Response:
    return render_template("profile.html") if signed_in() else login_first()
