"""The Textual app (the terminal app issue replaces this first login screen)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from workshop_tui.config import Settings
from workshop_tui.services import Services


class WorkshopApp(App[None]):
    TITLE = "Workshop"

    def __init__(self, settings: Settings, services: Services) -> None:
        super().__init__()
        self.settings = settings
        self.services = services

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Workshop login: the terminal screens are being built. Press ctrl+q to quit.")
        yield Footer()


def make_app(settings: Settings, services: Services) -> WorkshopApp:
    return WorkshopApp(settings, services)
