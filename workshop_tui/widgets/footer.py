"""Textual's Footer, rebuilt only when the keys it shows change, and cheaper to build.

Textual's Footer removes and mounts every key it shows whenever the screen's
bindings may have changed: each focus move, each service call that starts or ends
(busy_changed), each screen resumed. Over SSH, with fifty terminals on one server,
that was a fifth of a served app's CPU per sale, nearly always to draw the same
keys again. Here the footer compares what it would show with what it shows.

Each new key also restyled itself twice as it mounted (its `compact` starts True,
then the footer's False arrives): each key is made with the footer's value instead.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

Shown = tuple[tuple[str, str, str, str, bool, str], ...]


class Footer(TextualFooter):
    _shown: Shown | None = None

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # As data_bind(compact=Footer.compact) would set it, without a restyle.
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def _keys(self, screen: Screen[object]) -> Shown:
        """What compose() would draw: each shown binding's key, label, action, state, tooltip."""
        app = self.app
        return tuple(
            (
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                enabled,
                tooltip or binding.tooltip,
            )
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show or binding.key == app.COMMAND_PALETTE_BINDING
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = self._keys(screen)
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
        super().bindings_changed(screen)
