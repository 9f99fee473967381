"""The help screen (F1 or ?): every key of the screen below it and the app-wide keys.

Generated from the bindings themselves (the screen's and the App's `BINDINGS`,
through their class hierarchy), never from a hand-kept list: a new binding shows
up here with its description, and one without a description fails the tests.
Keys that do not apply right now (the screen's `check_action`) are shown dimmed;
app keys the session may not use at all (staff screens for a customer) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.actions import parse
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

# Textual's own Screen bindings worth telling a new user about.
MOVING_ACTIONS = {"app.focus_next", "app.focus_previous"}
EVERYWHERE = "Everywhere"


@dataclass(frozen=True)
class KeyHelp:
    keys: str  # e.g. "+ =" or "F1 ?"
    description: str
    tooltip: str
    available: bool  # False: the key does nothing on the screen right now
    binding_id: str


@dataclass(frozen=True)
class HelpGroup:
    title: str
    keys: tuple[KeyHelp, ...]


def declared_bindings(node_type: type[DOMNode], *, ours: bool = True) -> list[Binding]:
    """The bindings a class declares through its hierarchy, most derived first.

    `ours` keeps the project's classes only (Textual's Screen and App add their own,
    which are listed apart). A key bound again in a subclass is taken from the subclass.
    """
    seen_keys: set[str] = set()
    found: list[Binding] = []
    for cls in node_type.__mro__:
        if not issubclass(cls, DOMNode) or "BINDINGS" not in cls.__dict__:
            continue
        if cls.__module__.startswith("workshop_tui.") != ours:
            continue
        for binding in Binding.make_bindings(cls.__dict__["BINDINGS"]):
            if binding.key not in seen_keys:
                seen_keys.add(binding.key)
                found.append(binding)
    return found


def _state(node: DOMNode, action: str) -> bool | None:
    """What the node's `check_action` says of an action string such as "change(1)"."""
    namespace, name, params = parse(action)
    target: DOMNode = node.app if namespace == "app" else node
    return target.check_action(name, params)


def _grouped(bindings: Iterable[Binding], app: App[Any]) -> list[tuple[Binding, str]]:
    """One row per binding id (or action): its keys shown together, in declared order."""
    rows: dict[str, tuple[Binding, list[str]]] = {}
    for binding in bindings:
        ident = binding.id or binding.action
        display = app.get_key_display(binding)
        if display[:1] == "f" and display[1:].isdigit():
            display = display.upper()  # as printed on the keyboard: F1
        if ident in rows:
            if display not in rows[ident][1]:
                rows[ident][1].append(display)
        else:
            rows[ident] = (binding, [display])
    return [(binding, " ".join(keys)) for binding, keys in rows.values()]


def _key_help(node: DOMNode, bindings: Iterable[Binding], *, drop_hidden: bool) -> list[KeyHelp]:
    out = []
    for binding, keys in _grouped(bindings, node.app):
        state = _state(node, binding.action)
        if state is False and drop_hidden:
            continue
        out.append(
            KeyHelp(
                keys=keys,
                description=binding.description,
                tooltip=binding.tooltip,
                available=bool(state),
                binding_id=binding.id or binding.action,
            )
        )
    return out


def screen_help(screen: Screen[Any], title: str) -> list[HelpGroup]:
    """The help of a screen: its own keys, the app's, and how to move around."""
    app = screen.app
    groups = [
        HelpGroup(
            title, tuple(_key_help(screen, declared_bindings(type(screen)), drop_hidden=False))
        ),
        HelpGroup(
            EVERYWHERE,
            tuple(_key_help(app, declared_bindings(type(app)), drop_hidden=True)),
        ),
        HelpGroup(
            "Moving around",
            tuple(
                _key_help(
                    screen,
                    [
                        b
                        for b in declared_bindings(Screen, ours=False)
                        if b.action in MOVING_ACTIONS
                    ],
                    drop_hidden=True,
                )
            ),
        ),
    ]
    return [group for group in groups if group.keys]


def _table(group: HelpGroup) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True, min_width=7)
    table.add_column(ratio=1)
    for key in group.keys:
        style = "" if key.available else "dim"
        line = Text(key.description, style=style)
        if key.tooltip and key.tooltip != key.description:
            line.append(f" · {key.tooltip}", style="dim")
        if not key.available:
            line.append(" (not now)", style="dim italic")
        table.add_row(Text(key.keys, style=style), line)
    return table


def _column(groups: list[HelpGroup]) -> RenderableType:
    parts: list[RenderableType] = []
    for group in groups:
        if parts:
            parts.append(Text(""))
        parts.append(Text(group.title, style="bold underline"))
        parts.append(_table(group))
    return Group(*parts)


def render_help(groups: list[HelpGroup]) -> RenderableType:
    """The screen's own keys on the left, the app-wide ones on the right: 24 lines hold both."""
    if len(groups) < 2:
        return _column(groups)
    own = [g for g in groups if g.title != EVERYWHERE]
    everywhere = [g for g in groups if g.title == EVERYWHERE]
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(_column(own), _column(everywhere))
    return grid


def screen_title(screen: Screen[Any]) -> str:
    title = getattr(screen, "HELP_TITLE", None)
    return str(title) if title else type(screen).__name__.removesuffix("Screen") or "This screen"


class HelpScreen(ModalScreen[None]):
    """The keys of `target` (the screen under this one), grouped."""

    HELP_TITLE = "Help"
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; color: $primary; dock: top; }
    HelpScreen VerticalScroll { height: auto; }
    HelpScreen #help-hint { color: $text-muted; dock: bottom; }
    """
    BINDINGS = [
        Binding("escape,f1,question_mark", "close", "Close help", id="help.close"),
    ]

    def __init__(self, target: Screen[Any]) -> None:
        super().__init__()
        self.title_of_target = screen_title(target)
        self.groups = screen_help(target, "This screen")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Keys · {self.title_of_target}", id="help-title", markup=False)
            with VerticalScroll(id="help-scroll"):
                yield Static(render_help(self.groups), id="help-body")
            yield Label("Esc closes · dim keys do not apply right now", id="help-hint")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
