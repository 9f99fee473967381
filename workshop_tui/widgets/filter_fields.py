"""Filter fields above a table: Down or Escape hands the focus back to the table.

A `Select` opens its list on Down; as a filter, Down leaves it instead (Enter or
Space still open the list), so the arrow keys always move the visible cursor.
The screen handles `LeaveFilter` by focusing its table.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Select


class LeaveFilter(Message):
    """The user left a filter field for the table (Down or Escape)."""


class FilterSelect(Select[Any]):
    BINDINGS = [
        Binding("enter,space,up", "show_overlay", "Open the list", show=False),
        Binding("down,escape", "leave", "Back to the table", show=False),
    ]

    def action_leave(self) -> None:
        self.post_message(LeaveFilter())


class FilterInput(Input):
    BINDINGS = [
        Binding("down,escape", "leave", "Back to the table", show=False),
    ]

    def action_leave(self) -> None:
        self.post_message(LeaveFilter())
