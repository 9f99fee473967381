"""Formatting shared by screens: money, and user text that must never be read as markup."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text


def money(amount: Decimal) -> str:
    return f"₹{amount:,.2f}"


def plain(text: str) -> Text:
    """A DataTable cell for user text: a str cell would be parsed as markup ("[Sale] Hammer")."""
    return Text(text, no_wrap=True, overflow="ellipsis")
