"""Formatting shared by screens: money, and user text that must never be read as markup."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text


def money(amount: Decimal) -> str:
    return f"₹{amount:,.2f}"


def plain(text: str) -> Text:
    """A DataTable cell for user text: a str cell would be parsed as markup ("[Sale] Hammer")."""
    return Text(text, no_wrap=True, overflow="ellipsis")


def number_cell(value: object) -> Text:
    """A right-aligned cell that skips markup parsing (a str cell is parsed on every render)."""
    return Text(str(value), no_wrap=True, justify="right")
