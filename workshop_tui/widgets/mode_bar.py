"""One line of the areas this session may open (F2 Shop, F3 Orders, F4 Counter...),
the current one marked, and F1 for help: generated from the App's modes, so it never
lists a screen the person cannot open. Fits 80 columns with every staff area."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from workshop_tui.session import Workshop


class ModeBar(Static):
    DEFAULT_CSS = """
    ModeBar {
        height: 1; width: 100%; background: $panel; color: $text-muted;
        link-style: none; link-color: $text; link-style-hover: bold underline;
    }
    """

    def __init__(self, mode: str) -> None:
        super().__init__(id="mode-bar", markup=False)
        self.mode = mode  # the mode of the screen this bar is on

    def render(self) -> Content:
        app = self.app
        if not isinstance(app, Workshop):
            return Content("")
        parts: list[Content | tuple[str, str]] = []
        for name, spec in sorted(app.mode_specs.items(), key=lambda item: item[1].key):
            if not app.mode_allowed(name):
                continue
            key = spec.key.upper()
            if name == self.mode:
                parts.append((f" {key} {spec.label} ", "bold $background on $primary"))
            else:
                # Names, keys and labels are the code's own (screens.modes), never user text.
                parts.append(
                    Content.from_markup(
                        f"[@click=app.open_mode('{name}')] [b]{key}[/b] {spec.label} [/]"
                    )
                )
        parts.append(Content.from_markup("[@click=app.help]  [b]F1[/b] Help[/]"))
        return Content.assemble(*parts)
