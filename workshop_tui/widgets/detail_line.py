"""The highlighted row in full, under a table whose columns had to be cut to fit.

`show("Claw Hammer", "SKU ACME-001", "Acme Tools", ...)`: the name bold, then the
facts; user text is never read as markup. Two lines, so a long name still fits at 80;
a fact that would not fit on the line starts the next one instead of breaking in two.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

SEPARATOR = " · "


class DetailLine(Widget):
    DEFAULT_CSS = """
    DetailLine { height: 2; padding: 0 1; background: $surface; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.named = ""  # the title shown: screens and tests read it
        self.facts: tuple[str, ...] = ()

    def show(self, title: str | None, *facts: str) -> None:
        """Describe one row (None: nothing is highlighted)."""
        self.named = title or ""
        self.facts = tuple(fact for fact in facts if fact) if title else ()
        self.refresh()

    def render(self) -> Text:
        if not self.named:
            return Text("")
        width = self.content_region.width or 78
        text = Text(self.named, style="bold", overflow="fold")
        line = text.cell_len % width if width else 0
        for fact in self.facts:
            if line + len(SEPARATOR) + len(fact) <= width:
                text.append(SEPARATOR, style="dim")
                line += len(SEPARATOR)
            else:
                text.append("\n")
                line = 0
            text.append(fact)
            line += len(fact)
        return text
