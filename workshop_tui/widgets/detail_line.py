"""The highlighted row in full, under a table whose columns had to be cut to fit.

`show("Claw Hammer", "SKU ACME-001", "Acme Tools", ...)`: the name bold, then the
facts; user text is never read as markup. Two lines, so a long name still fits at 80.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class DetailLine(Static):
    DEFAULT_CSS = """
    DetailLine { height: 2; padding: 0 1; background: $surface; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("", id=id, markup=False)
        self.named = ""  # the title shown: tests and screens read it

    def show(self, title: str | None, *facts: str) -> None:
        """Describe one row (None: nothing is highlighted)."""
        self.named = title or ""
        if title is None:
            self.update("")
            return
        text = Text(title, style="bold", overflow="fold")
        for fact in facts:
            if fact:
                text.append(" · ", style="dim")
                text.append(fact)
        self.update(text)
