"""The sales screen ("sales" mode, staff): a range's totals, a breakdown, a bar chart.

The range is today, the last 7 or 30 days (each ending today), or typed dates;
days are UTC days of `clock()` (the function tests freeze), as in
`services.reports.sales_today`. The breakdown switches between seller, category,
method and hour; `e` exports every breakdown as CSV under data_dir/reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Header, Input, Label, Static

from workshop_tui.messages import ServiceFailed, ServiceResult
from workshop_tui.screens.order_dialogs import DIALOG_CSS
from workshop_tui.screens.staff_common import StaffScreen, money
from workshop_tui.service_call import ServiceCall
from workshop_tui.services.reports import report_csv, start_of_day
from workshop_tui.services.types import SalesReport, SalesRow
from workshop_tui.widgets.footer import Footer
from workshop_tui.widgets.mode_bar import ModeBar

BLOCKS = " ▏▎▍▌▋▊▉█"
BREAKDOWNS = ("seller", "category", "method", "hour")


def clock() -> datetime:
    return datetime.now(UTC)


def bar(value: Decimal, top: Decimal, width: int) -> str:
    """A horizontal bar of eighth-blocks, `width` cells at `top`."""
    if top <= 0 or width <= 0:
        return ""
    eighths = int(value / top * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (BLOCKS[part] if part else "")


class BarChart(Widget):
    """Revenue per row as bars sized to the widget's width."""

    DEFAULT_CSS = "BarChart { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: Sequence[SalesRow] = ()

    def show(self, rows: Sequence[SalesRow]) -> None:
        self.rows = rows
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.rows))

    def render(self) -> RenderResult:
        if not self.rows:
            return Text("No sales in this range.", style="dim")
        label_width = min(16, max(len(r.label) for r in self.rows))
        value_width = max(len(money(r.revenue)) for r in self.rows)
        room = max(1, self.size.width - label_width - value_width - 2)
        top = max(r.revenue for r in self.rows)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=label_width, no_wrap=True, overflow="ellipsis")
        grid.add_column(width=room, no_wrap=True)
        grid.add_column(justify="right", width=value_width)
        for row in self.rows:
            grid.add_row(
                Text(row.label), Text(bar(row.revenue, top, room), "green"), money(row.revenue)
            )
        return grid


@dataclass(frozen=True)
class DateRange:
    """Whole UTC days: [start, end)."""

    start: datetime
    end: datetime
    name: str

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    def describe(self) -> str:
        first, last = self.start.date(), self.last_day
        span = f"{first}" if first == last else f"{first} to {last}"
        return f"{self.name} ({span}, UTC)" if self.name else f"{span} (UTC)"


def last_days(days: int, now: datetime) -> DateRange:
    """The last `days` days, today included."""
    end = start_of_day(now) + timedelta(days=1)
    name = "Today" if days == 1 else f"Last {days} days"
    return DateRange(end - timedelta(days=days), end, name)


def typed_range(first: str, last: str) -> DateRange:
    """From and to dates (YYYY-MM-DD, both included); ValueError with a reason if not."""
    try:
        start, stop = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        raise ValueError("Dates are YYYY-MM-DD, e.g. 2026-01-15.") from None
    if stop < start:
        raise ValueError("The 'to' date is before the 'from' date.")
    begin = datetime(start.year, start.month, start.day, tzinfo=UTC)
    end = datetime(stop.year, stop.month, stop.day, tzinfo=UTC) + timedelta(days=1)
    return DateRange(begin, end, "")


def save_csv(directory: Path, report: SalesReport) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    last = (report.end - timedelta(days=1)).date()
    path = directory / f"sales-{report.start.date()}-to-{last}.csv"
    path.write_text(report_csv(report), encoding="utf-8")
    return path


class RangeDialog(ModalScreen[DateRange | None]):
    """Type a from and a to date (both included)."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="RangeDialog") + "RangeDialog #range-error { color: $error; }"
    )
    BINDINGS = [Binding("escape", "close", "Close", id="sales.range.close")]

    def __init__(self, current: DateRange) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Sales for a range of days (UTC)", classes="title")
            yield Input(
                str(self.current.start.date()),
                placeholder="From YYYY-MM-DD",
                id="range-from",
                max_length=10,
            )
            yield Input(
                str(self.current.last_day),
                placeholder="To YYYY-MM-DD",
                id="range-to",
                max_length=10,
            )
            yield Label("", id="range-error")
            yield Label("Enter next / show · Esc close", classes="hint")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "range-from":
            self.query_one("#range-to", Input).focus()
            return
        try:
            chosen = typed_range(
                self.query_one("#range-from", Input).value, self.query_one("#range-to", Input).value
            )
        except ValueError as exc:
            self.query_one("#range-error", Label).update(str(exc))
            return
        self.dismiss(chosen)

    def action_close(self) -> None:
        self.dismiss(None)


SALES = ServiceCall[tuple[DateRange, SalesReport]]("reports.sales")  # (the range asked, its report)
EXPORT = ServiceCall[Path]("reports.export")


class SalesScreen(StaffScreen):
    """A range's sales: totals, one breakdown as a table and a bar chart, CSV export."""

    DEFAULT_CSS = """
    SalesScreen #sales-totals { height: auto; padding: 0 1; border-bottom: solid $primary; }
    SalesScreen #sales-keys { height: 1; padding: 0 1; color: $text-muted; }
    SalesScreen #breakdown { height: auto; max-height: 9; }
    SalesScreen .heading { padding: 0 1; text-style: bold; }
    SalesScreen #sales-chart { padding: 0 1; height: 1fr; }
    SalesScreen #sales-status { height: 1; padding: 0 1; }
    SalesScreen #sales-status.error { color: $error; }
    """
    BINDINGS = [
        Binding("1", "days(1)", "Today", show=False, id="sales.today"),
        Binding("7", "days(7)", "7 days", show=False, id="sales.week"),
        Binding("3", "days(30)", "30 days", show=False, id="sales.month"),
        Binding("r", "range", "Range", tooltip="Type from and to dates", id="sales.range"),
        Binding(
            "b",
            "breakdown",
            "Breakdown",
            tooltip="Seller, category, method, hour",
            id="sales.breakdown",
        ),
        Binding("e", "export", "Export CSV", tooltip="Save the report as CSV", id="sales.export"),
        Binding("g", "reload", "Reload", show=False, id="sales.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.range: DateRange | None = None
        self.breakdown = BREAKDOWNS[0]
        self.report: SalesReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="sales-totals")
        yield Label(
            "1 today · 7 last 7 days · 3 last 30 days · r from/to · b breakdown", id="sales-keys"
        )
        yield DataTable(id="breakdown", cursor_type="row", zebra_stripes=True)
        yield Label("Revenue by seller", id="chart-heading", classes="heading")
        yield BarChart(id="sales-chart")
        yield Label("", id="sales-status")
        yield ModeBar("sales")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._set_columns()

    def _set_columns(self) -> None:
        table = self.query_one("#breakdown", DataTable)
        table.clear(columns=True)
        table.add_column(self.breakdown.capitalize(), key="label", width=20)
        table.add_column("Orders", key="orders", width=6)
        table.add_column("Units", key="units", width=6)
        table.add_column("Revenue", key="revenue", width=12)

    def on_screen_resume(self) -> None:
        if self.back_from_dialog():
            return
        self.action_reload()
        self.query_one("#breakdown", DataTable).focus()

    def action_days(self, days: int) -> None:
        self.range = last_days(days, clock())
        self.load()

    def action_reload(self) -> None:
        """Reload the chosen range; the first time (and for 'Today') the current day."""
        if self.range is None or self.range.name == "Today":
            self.range = last_days(1, clock())
        self.load()

    def action_range(self) -> None:
        def chosen(picked: DateRange | None) -> None:
            if picked is not None:
                self.range = picked
                self.load()

        self.open_dialog(RangeDialog(self.range or last_days(1, clock())), chosen)

    def action_breakdown(self) -> None:
        self.breakdown = BREAKDOWNS[(BREAKDOWNS.index(self.breakdown) + 1) % len(BREAKDOWNS)]
        self._set_columns()
        if self.report is not None:
            self.show_report(self.report)

    def action_export(self) -> None:
        report = self.report
        if report is None:
            return
        folder = self.workshop.settings.data_dir / "reports"
        self.call(EXPORT, lambda: save_csv(folder, report), group="sales.export")

    def load(self) -> None:
        actor, chosen = self.account, self.range
        if actor is not None and chosen is not None:
            services = self.services
            self.call(
                SALES,
                lambda: (chosen, services.reports.sales(actor, chosen.start, chosen.end)),
                group="sales.report",
            )

    def on_service_result(self, event: ServiceResult[Any]) -> None:
        if SALES.answered(event):
            chosen, report = event.value
            if chosen == self.range:
                self.show_report(report)
        elif EXPORT.answered(event):
            self.say(f"Saved {event.value}")

    def on_service_failed(self, event: ServiceFailed) -> None:
        event.stop()
        self.say(f"{event.code}: {event.message}", error=True)

    def say(self, text: str, *, error: bool = False) -> None:
        label = self.query_one("#sales-status", Label)
        label.update(Text(text))
        label.set_class(error, "error")

    def rows(self, report: SalesReport) -> tuple[SalesRow, ...]:
        rows: tuple[SalesRow, ...] = getattr(report, f"by_{self.breakdown}")  # one of BREAKDOWNS
        return rows

    def show_report(self, report: SalesReport) -> None:
        self.report = report
        self.sub_title = f"Sales · {self.range.describe() if self.range else ''}"
        # Revenue is gross (what was charged, discounts already off); refunds are every
        # refund made in the range, split as services.money_figures defines them.
        totals = Text.assemble(
            ("Orders ", "dim"),
            (str(report.orders), "bold"),
            ("   Revenue ", "dim"),
            (money(report.revenue), "bold"),
            ("   Discounts given ", "dim"),
            (money(report.discounts), "bold"),
            ("\nRefunds ", "dim"),
            (money(report.refunds), "bold"),
            ("   cancellations ", "dim"),
            money(report.refunds_cancellations),
            ("   returns ", "dim"),
            money(report.refunds_returns),
            ("\nNet ", "dim"),
            (money(report.net), "bold"),
        )
        self.query_one("#sales-totals", Static).update(totals)
        rows = self.rows(report)
        table = self.query_one("#breakdown", DataTable)
        table.clear()
        for row in rows:
            table.add_row(
                Text(row.label[:20]),
                Text(str(row.orders), justify="right"),
                Text(str(row.units), justify="right"),
                Text(money(row.revenue), justify="right"),
                key=row.label,
            )
        self.query_one("#chart-heading", Label).update(f"Revenue by {self.breakdown}")
        self.query_one(BarChart).show(rows)
        self.say(f"Updated {clock().astimezone():%H:%M} · e exports CSV" if rows else "")
