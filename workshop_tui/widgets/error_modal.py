"""A modal for unexpected failures (STYLE.md P4): the app stays alive."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ErrorModal(ModalScreen[None]):
    DEFAULT_CSS = """
    ErrorModal { align: center middle; }
    ErrorModal > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: thick $error; background: $panel; padding: 1 2;
    }
    ErrorModal #error-title { text-style: bold; color: $error; }
    ErrorModal Button { margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close", id="error.close")]

    def __init__(self, title: str, detail: str) -> None:
        super().__init__()
        self.title_text = title
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="error-title", markup=False)
            yield Static(self.detail, id="error-detail", markup=False)
            yield Button("Close", id="error-ok", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
