"""Cash tendered at the counter: the amount handed over, quick keys, and the change in large digits.

Dismisses with the amount tendered (at least the total), or None to go back to the
payment screen. Less than the total is refused here, and again by the engine.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal, InvalidOperation

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Digits, Input, Label

from workshop_tui.screens.order_dialogs import DIALOG_CSS
from workshop_tui.widgets.format import money

NOTES = (100, 500, 2000)  # the next round amounts offered above the total
QUICK_KEYS = ("h", "f", "t")  # hundred, five hundred, two thousand


def quick_amounts(total: Decimal) -> list[Decimal]:
    """The exact total, then the next multiple of each note above it (no repeats)."""
    amounts = [total]
    for note in NOTES:
        step = Decimal(note)
        above = (total / step).to_integral_value(rounding=ROUND_CEILING) * step
        if above == total:
            above += step
        if above not in amounts:
            amounts.append(above.quantize(Decimal("0.01")))
    return amounts


def parse_amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        return None
    return value.quantize(Decimal("0.01"))


class AmountInput(Input):
    """An amount field that leaves letters to the dialog's quick keys."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character in "0123456789.,"


class CashTenderedDialog(ModalScreen[Decimal | None]):
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="CashTenderedDialog")
        + """
    CashTenderedDialog > Vertical { width: 50; }
    CashTenderedDialog #tendered-change { color: $success; width: auto; }
    CashTenderedDialog #tendered-error { color: $error; }
    """
    )
    # Priority, and an amount field that does not claim letters: the quick keys work while it has focus.
    BINDINGS = [
        Binding("e", "quick(0)", "Exact", priority=True, id="payment.tendered.exact"),
        *(
            Binding(key, f"quick({i + 1})", show=False, priority=True, id=f"payment.tendered.{key}")
            for i, key in enumerate(QUICK_KEYS)
        ),
        Binding("escape", "close", "Back", id="payment.tendered.back"),
    ]

    def __init__(self, total: Decimal) -> None:
        super().__init__()
        self.total = total
        self.amounts = quick_amounts(total)

    def compose(self) -> ComposeResult:
        keys = [
            "e exact",
            *(f"{k} {money(a)}" for k, a in zip(QUICK_KEYS, self.amounts[1:], strict=False)),
        ]
        with Vertical():
            yield Label(f"Cash: total {money(self.total)}. Amount tendered?", classes="title")
            yield AmountInput(
                placeholder="Rupees handed over",
                id="tendered",
                restrict=r"[0-9.,]*",
                max_length=12,
            )
            yield Label(" · ".join(keys), id="tendered-keys", markup=False)
            yield Label("Change due", id="tendered-change-title")
            yield Digits("", id="tendered-change")
            yield Label("", id="tendered-error", markup=False)
            yield Label("Enter to take the cash · Esc back", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#tendered", Input).focus()

    def action_quick(self, index: int) -> None:
        if index < len(self.amounts):
            field = self.query_one("#tendered", Input)
            field.value = f"{self.amounts[index]:.2f}"
            field.cursor_position = len(field.value)

    @on(Input.Changed, "#tendered")
    def changed(self, event: Input.Changed) -> None:
        amount = parse_amount(event.value)
        change = self.query_one("#tendered-change", Digits)
        change.update(f"{amount - self.total:,.2f}" if amount and amount >= self.total else "")
        self.query_one("#tendered-error", Label).update("")

    @on(Input.Submitted, "#tendered")
    def submitted(self, event: Input.Submitted) -> None:
        amount = parse_amount(event.value)
        error = self.query_one("#tendered-error", Label)
        if amount is None:
            error.update("Enter the rupees handed over, e.g. 500 or 520.50.")
        elif amount < self.total:
            error.update(f"{money(amount)} is less than the total {money(self.total)}.")
        else:
            self.dismiss(amount)

    def action_close(self) -> None:
        self.dismiss(None)
