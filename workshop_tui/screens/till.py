"""The till ("till" mode, staff): this terminal's cash session and its Z-report.

Open a session with a float, put cash in or take it out with a reason, and
close it by counting the drawer: the Z-report shows expected against counted
cash and the ledger heads at close, and is saved as text and CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Header, Input, Label, Static

from workshop_tui.config import Settings
from workshop_tui.messages import ServiceFailed, ServiceResult
from workshop_tui.screens.drawer import DRAWER, drawer_said, open_drawer
from workshop_tui.screens.order_dialogs import DIALOG_CSS
from workshop_tui.screens.staff_common import StaffScreen, money
from workshop_tui.service_call import ServiceCall
from workshop_tui.services import Services
from workshop_tui.services.printing import Printer, PrintOutcome
from workshop_tui.services.types import Account, CashSession, ZReport
from workshop_tui.services.zreport import as_csv, as_text
from workshop_tui.widgets.footer import Footer
from workshop_tui.widgets.format import on_screen
from workshop_tui.widgets.mode_bar import ModeBar

LOAD = ServiceCall[tuple[CashSession | None, ZReport | None]]("cash.load")
OPENED = ServiceCall[tuple[CashSession, ZReport]]("cash.open")
MOVED = ServiceCall[tuple[ZReport, PrintOutcome]]("cash.move")  # and the drawer's opening
# the Z-report, where it was saved, and whether the printer took it
CLOSED = ServiceCall[tuple[ZReport, str, PrintOutcome]]("cash.close")
REPRINT = ServiceCall[PrintOutcome]("cash.zprint")


@dataclass(frozen=True)
class CashEntry:
    amount: str
    reason: str


class CashDialog(ModalScreen[CashEntry | None]):
    """An amount in rupees, and a reason when the drawer changes for something other than a sale."""

    DEFAULT_CSS = DIALOG_CSS.format(name="CashDialog") + "CashDialog #cash-error { color: $error; }"
    BINDINGS = [Binding("escape", "close", "Close", id="till.dialog.close")]

    def __init__(self, title: str, *, with_reason: bool) -> None:
        super().__init__()
        self.title_text = title
        self.with_reason = with_reason

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Input(
                placeholder="Amount in rupees, e.g. 500 or 125.50", id="cash-amount", max_length=14
            )
            if self.with_reason:
                yield Input(placeholder="Reason", id="cash-reason", max_length=200)
            yield Label("", id="cash-error")
            yield Label("Enter to confirm · Esc close", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#cash-amount", Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        amount = self.query_one("#cash-amount", Input).value.strip()
        if not amount:
            self.query_one("#cash-error", Label).update("Enter an amount.")
            return
        if self.with_reason and event.input.id == "cash-amount":
            self.query_one("#cash-reason", Input).focus()
            return
        reason = self.query_one("#cash-reason", Input).value.strip() if self.with_reason else ""
        self.dismiss(CashEntry(amount, reason))

    def action_close(self) -> None:
        self.dismiss(None)


class TillScreen(StaffScreen):
    """The open session's X-report, or the last Z-report once closed."""

    DEFAULT_CSS = """
    TillScreen #till-status { height: auto; padding: 0 1; text-style: bold; }
    TillScreen #till-report { height: 1fr; padding: 0 1; }
    TillScreen #till-message { height: 1; padding: 0 1; }
    TillScreen #till-message.error { color: $error; }
    """
    BINDINGS = [
        Binding(
            "o", "open_session", "Open", tooltip="Open a cash session with a float", id="till.open"
        ),
        Binding("i", "cash_in", "Cash in", tooltip="Put cash into the drawer", id="till.cash_in"),
        Binding(
            "u", "cash_out", "Cash out", tooltip="Take cash out of the drawer", id="till.cash_out"
        ),
        Binding(
            "z", "close_session", "Close (Z)", tooltip="Count the drawer and close", id="till.close"
        ),
        Binding("g", "reload", "Reload", show=False, id="till.reload"),
        Binding(
            "k",
            "open_drawer",
            "Drawer",
            tooltip="Open the cash drawer",
            show=False,
            id="till.drawer",
        ),
        Binding(
            "t", "print_report", "Print", tooltip="Print this report", show=False, id="till.print"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cash_session: CashSession | None = None
        self.report: ZReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="till-status")
        with VerticalScroll(id="till-report"):
            yield Static("", id="till-text", markup=False)
        yield Label("", id="till-message")
        yield ModeBar("till")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = "Till"
        self.action_reload()

    def on_screen_resume(self) -> None:
        if not self.back_from_dialog():
            self.action_reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        is_open = self.cash_session is not None
        if action == "open_session":
            return not is_open
        if action in ("cash_in", "cash_out", "close_session"):
            return is_open
        if action == "print_report":
            return self.report is not None
        return True

    # --- loading -------------------------------------------------------------

    def action_reload(self) -> None:
        actor = self.account
        if actor is None:
            return

        services = self.services

        def load() -> tuple[CashSession | None, ZReport | None]:
            current = services.cash.current()
            if current is not None:
                return current, services.cash.report(actor, current.id)
            latest = services.cash.sessions(actor, limit=1)
            return None, services.cash.report(actor, latest[0].id) if latest else None

        self.call(LOAD, load, group="till")

    def show(self, session: CashSession | None, report: ZReport | None, message: str = "") -> None:
        self.cash_session, self.report = session, report
        terminal = self.workshop.settings.terminal_id
        if session is not None:
            status = (
                f"Session #{session.id} open on {terminal} · float {money(session.opening_float)}"
            )
        else:
            status = f"No cash session open on {terminal}: press o to open one before selling"
        self.query_one("#till-status", Label).update(status)
        self.query_one("#till-text", Static).update(
            on_screen(as_text(report)) if report else "No session yet."
        )
        self.say(message)
        self.refresh_bindings()

    def say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#till-message", Label)
        label.update(message)
        label.set_class(error, "error")

    # --- actions -------------------------------------------------------------

    def action_open_session(self) -> None:
        def opened(entry: CashEntry | None) -> None:
            actor, services = self.account, self.services
            if entry is not None and actor is not None:
                self.call(OPENED, lambda: open_till(services, actor, entry.amount), group="till")

        self.open_dialog(CashDialog("Open the till: opening float", with_reason=False), opened)

    def action_cash_in(self) -> None:
        self._move("in", "Cash into the drawer")

    def action_cash_out(self) -> None:
        self._move("out", "Cash out of the drawer")

    def _move(self, direction: str, title: str) -> None:
        settings = self.workshop.settings

        def moved(entry: CashEntry | None) -> None:
            actor, services = self.account, self.services
            if entry is not None and actor is not None:

                def move() -> tuple[ZReport, PrintOutcome]:
                    printer = Printer.from_settings(settings)  # a bad setting changes nothing
                    z = services.cash.move(actor, direction, entry.amount, entry.reason)
                    return z, printer.open_drawer()  # after the commit

                self.call(MOVED, move, group="till")

        self.open_dialog(CashDialog(title, with_reason=True), moved)

    def action_close_session(self) -> None:
        def counted(entry: CashEntry | None) -> None:
            actor, services = self.account, self.services
            settings = self.workshop.settings
            if entry is not None and actor is not None:
                self.call(
                    CLOSED,
                    lambda: close_till(services, actor, entry.amount, settings),
                    group="till",
                )

        self.open_dialog(CashDialog("Close the till: count the drawer", with_reason=False), counted)

    def action_open_drawer(self) -> None:
        open_drawer(self)

    def action_print_report(self) -> None:
        """Print the report on screen (the X-report while open, the Z-report once closed)."""
        report, settings = self.report, self.workshop.settings
        if report is not None:
            self.call(
                REPRINT, lambda: Printer.from_settings(settings).zreport(report), group="till"
            )

    # --- results -------------------------------------------------------------

    def on_service_result(self, event: ServiceResult[Any]) -> None:
        if LOAD.answered(event):
            self.show(*event.value)
        elif OPENED.answered(event):
            session, report = event.value
            self.show(session, report, f"Till open with {money(session.opening_float)}.")
        elif MOVED.answered(event):
            z, drawer = event.value
            self.show(self.cash_session, z, f"Recorded. {drawer_said(drawer)}")
        elif CLOSED.answered(event):
            z, path, printed = event.value
            difference = money(z.difference) if z.difference is not None else "not counted"
            self.show(None, z, f"Closed. Difference {difference} · saved {path}")
            if printed.unreachable:
                self.say(
                    f"Closed; printer not reachable: saved {path}, press t to retry", error=True
                )
        elif REPRINT.answered(event):
            outcome = event.value
            self.say(
                "printer not reachable: press t to retry"
                if outcome.unreachable
                else "Printed."
                if outcome.printed
                else "No printer is set up.",
                error=outcome.unreachable,
            )
        elif DRAWER.answered(event):
            self.say(drawer_said(event.value), error=not event.value.printed)

    def on_service_failed(self, event: ServiceFailed) -> None:
        self.say(event.message, error=True)


def open_till(services: Services, actor: Account, amount: str) -> tuple[CashSession, ZReport]:
    session = services.cash.open(actor, amount)
    return session, services.cash.report(actor, session.id)


def close_till(
    services: Services, actor: Account, counted: str, settings: Settings
) -> tuple[ZReport, str, PrintOutcome]:
    """Close the session, save its Z-report as text and CSV, then print it."""
    printer = Printer.from_settings(settings)
    z = services.cash.close(actor, counted)
    folder = settings.data_dir / "zreports"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"z-{z.session.terminal_id}-{z.session.id}"
    stem.with_suffix(".txt").write_text(as_text(z))
    stem.with_suffix(".csv").write_text(as_csv(z))
    return z, str(stem.with_suffix(".txt")), printer.zreport(z)
