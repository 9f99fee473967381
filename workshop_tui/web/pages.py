"""The five pages of the seed, rendered from templates; their JS modules use only the API."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from workshop_tui.web.security import signed_in

pages = Blueprint("pages", __name__)


def login_first():
    return redirect(url_for("pages.login", next=request.path))


@pages.get("/")
def index():
    return render_template("index.html", signed_in=signed_in())


@pages.get("/login")
def login():
    target = request.args.get("next", "")
    safe = target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/shop"
    return render_template("client_login.html", next_url=safe)


@pages.get("/shop")
def shop():
    return render_template("shop.html") if signed_in() else login_first()


@pages.get("/payment/<int:order_id>")
def payment(order_id: int):
    return render_template("payment.html", order_id=order_id) if signed_in() else login_first()


@pages.get("/profile")
def profile():
    return render_template("profile.html") if signed_in() else login_first()
