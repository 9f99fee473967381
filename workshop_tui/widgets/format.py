"""Formatting shared by screens: money, and user text that must never be read as markup."""

from __future__ import annotations

import re
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


_PRINTED_AMOUNT = re.compile(r"(-?)Rs (\d[\d,]*\.\d\d)")


def on_screen(printed: str) -> str:
    """A printer layout (services.receipts, zreport: "Rs 1,250.00", which any ESC/POS code
    page prints) as the screen shows money: "₹1,250.00". An amount padded into a right-hand
    column keeps its width, so the column stays aligned."""

    def rupee(match: re.Match[str]) -> str:
        sign, amount = match.groups()
        shown = f"{sign}₹{amount}"
        in_column = printed[max(0, match.start() - 2) : match.start()] == "  "
        return shown.rjust(len(match.group(0))) if in_column else shown

    return _PRINTED_AMOUNT.sub(rupee, printed)
