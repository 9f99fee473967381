"""A kiosk's way out: a staff member logs in (never registers) to leave the app."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Input, Label

from workshop_tui.messages import ServiceFailed, ServiceResult
from workshop_tui.service_call import ServiceCall, WorkshopModal
from workshop_tui.services.types import Account

UNLOCK = ServiceCall[Account]("auth.unlock")


class StaffUnlockModal(WorkshopModal[Account | None]):
    """Dismisses with the staff Account, or None when cancelled."""

    DEFAULT_CSS = """
    StaffUnlockModal { align: center middle; }
    StaffUnlockModal > Vertical {
        width: 50; max-width: 95%; height: auto;
        border: thick $warning; background: $panel; padding: 1 2;
    }
    StaffUnlockModal #unlock-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="unlock.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Staff only: log in to leave the kiosk")
            yield Input(placeholder="Staff username", id="unlock-login")
            yield Input(placeholder="Password", password=True, id="unlock-secret")
            yield Label("", id="unlock-error")
            yield Button("Leave kiosk", id="unlock-go", variant="warning")

    @on(Input.Submitted, "#unlock-login")
    def next_field(self) -> None:
        self.query_one("#unlock-secret", Input).focus()

    @on(Input.Submitted, "#unlock-secret")
    @on(Button.Pressed, "#unlock-go")
    def submit(self) -> None:
        login = self.query_one("#unlock-login", Input).value
        secret = self.query_one("#unlock-secret", Input).value
        services = self.workshop.services
        self.call(UNLOCK, lambda: services.auth.login(login, secret))

    @on(ServiceResult)
    def done(self, message: ServiceResult[Any]) -> None:
        if not UNLOCK.answered(message):
            return
        account = message.value
        if not account.is_staff:
            self.query_one("#unlock-error", Label).update("Only staff can leave the kiosk.")
            return
        self.dismiss(account)

    @on(ServiceFailed)
    def failed(self, message: ServiceFailed) -> None:
        self.query_one("#unlock-error", Label).update(message.message)
        self.query_one("#unlock-secret", Input).value = ""

    def action_cancel(self) -> None:
        self.dismiss(None)
