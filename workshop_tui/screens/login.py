"""Login: phone or username, then PIN/password; a new customer picks a PIN twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.reactive import reactive
from textual.widgets import Button, Header, Input, Label, Static

from workshop_tui.config import demo_logins_path
from workshop_tui.messages import LoggedIn, ServiceFailed, ServiceResult
from workshop_tui.service_call import ServiceCall, WorkshopScreen
from workshop_tui.services.types import LoginResult
from workshop_tui.widgets.footer import Footer

EXISTS = ServiceCall[bool]("auth.exists")
LOGIN = ServiceCall[LoginResult]("auth.login")
DEMO = ServiceCall[str]("demo.logins")


def demo_logins(data_dir: Path) -> str:
    """One line of the demo logins when `workshop seed demo` loaded this data ("" if not)."""
    try:
        logins = json.loads(demo_logins_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(logins, dict):
        return ""
    by_secret: dict[str, list[str]] = {}  # one line at 80 columns: staff sharing a password
    for user, secret in logins.get("staff") or []:
        by_secret.setdefault(str(secret), []).append(str(user))
    parts = [f"{', '.join(users)} / {secret}" for secret, users in by_secret.items()]
    customer = logins.get("customer")
    if customer:
        parts.append(f"customer {customer[0]} / PIN {customer[1]}")
    return f"Demo logins: {' · '.join(parts)}" if parts else ""


ERRORS = {
    "auth_failed": "Wrong login or PIN/password. Try again.",
}


class LoginScreen(WorkshopScreen[None]):
    """Steps: "login" (who), "secret" (existing account), "register" (new PIN twice)."""

    HELP_TITLE = "Log in"
    BINDINGS = [
        Binding(
            "escape", "back", "Back", tooltip="Start again with another login", id="login.back"
        ),
    ]
    step: reactive[str] = reactive("login", init=False, bindings=True)

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="login-box"):
            yield Static("Welcome to Workshop", id="login-title")
            yield Label("Phone number or username", id="login-prompt")
            yield Input(placeholder="e.g. 98765 43210", id="login", max_length=40, compact=True)
            yield Input(placeholder="PIN or password", password=True, id="secret", compact=True)
            yield Input(
                placeholder="New PIN (6 to 8 digits)", password=True, id="pin1", compact=True
            )
            yield Input(placeholder="PIN again", password=True, id="pin2", compact=True)
            yield Input(placeholder="Your name (optional)", id="name", max_length=80, compact=True)
            yield Label("", id="login-error")
            yield Button("Continue", id="login-go", variant="primary", compact=True)
        yield Label("", id="demo-logins", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._show_step()
        directory = self.workshop.settings.data_dir
        self.call(DEMO, lambda: demo_logins(directory))

    # --- steps ----------------------------------------------------------------

    def watch_step(self) -> None:
        self._show_step()

    def _show_step(self) -> None:
        step = self.step
        login = self.query_one("#login", Input)
        login.disabled = step != "login"
        self.query_one("#secret").display = step == "secret"
        for field in ("#pin1", "#pin2", "#name"):
            self.query_one(field).display = step == "register"
        prompt = {
            "login": "Phone number or username",
            "secret": "Enter your PIN or password",
            "register": "New here? Choose a PIN of 6 to 8 digits, twice:",
        }[step]
        self.query_one("#login-prompt", Label).update(prompt)
        self.query_one("#login-go", Button).label = (
            "Create account" if step == "register" else "Continue"
        )
        first = {"login": "#login", "secret": "#secret", "register": "#pin1"}[step]
        self.query_one(first, Input).focus()

    def _error(self, text: str) -> None:
        self.query_one("#login-error", Label).update(text)

    def reset(self) -> None:
        """Forget a half-typed login (a kiosk left idle)."""
        if not self.query("#login"):
            return  # not composed yet: nothing typed
        self.query_one("#login", Input).value = ""
        self.query_one("#name", Input).value = ""
        self.action_back()
        self._show_step()

    def action_back(self) -> None:
        self._error("")
        for field in ("#secret", "#pin1", "#pin2"):
            self.query_one(field, Input).value = ""
        self.step = "login"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.step != "login"
        return True

    # --- submitting -----------------------------------------------------------

    @on(Input.Submitted)
    @on(Button.Pressed, "#login-go")
    def submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        if isinstance(event, Input.Submitted) and event.input.id in ("pin1",):
            self.query_one("#pin2", Input).focus()
            return
        if isinstance(event, Input.Submitted) and event.input.id == "pin2":
            self.query_one("#name", Input).focus()
            return
        self._error("")
        services = self.workshop.services
        login = self.query_one("#login", Input).value.strip()
        if self.step == "login":
            self.call(EXISTS, lambda: services.auth.exists(login), group="auth")
        elif self.step == "secret":
            secret = self.query_one("#secret", Input).value
            self._log_in(login, secret, "")
        else:
            pin1 = self.query_one("#pin1", Input).value
            pin2 = self.query_one("#pin2", Input).value
            if pin1 != pin2:
                self._error("The two PINs differ. Type the same PIN twice.")
                self.query_one("#pin2", Input).value = ""
                self.query_one("#pin2", Input).focus()
                return
            self._log_in(login, pin1, self.query_one("#name", Input).value.strip())

    def _log_in(self, login: str, secret: str, name: str) -> None:
        services = self.workshop.services
        self.call(
            LOGIN, lambda: services.auth.login_or_register(login, secret, name=name), group="auth"
        )

    def busy_changed(self) -> None:
        self.query_one("#login-go", Button).disabled = self.is_busy("auth")

    @on(ServiceResult)
    def result(self, message: ServiceResult[Any]) -> None:
        if DEMO.answered(message):
            self.query_one("#demo-logins", Label).update(message.value)
        elif EXISTS.answered(message):
            self.step = "secret" if message.value else "register"
        elif LOGIN.answered(message):
            self.post_message(LoggedIn(message.value.account, message.value.created))

    @on(ServiceFailed)
    def failed(self, message: ServiceFailed) -> None:
        text = ERRORS.get(message.code, message.message)
        self._error(text[:1].upper() + text[1:])
        for field in ("#secret", "#pin1", "#pin2"):
            self.query_one(field, Input).value = ""
        if self.step != "login":
            self._show_step()
