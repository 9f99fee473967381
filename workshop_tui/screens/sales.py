"""The sales screen ("sales" mode, staff): today's totals, sales by seller, a bar chart.

"Today" is the UTC day of `clock()` (the function tests freeze), as in
`services.reports.sales_today`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Label, Static

from workshop_tui.screens.staff_common import ServiceDone, ServiceFailed, ServiceScreen, money
from workshop_tui.services.types import SalesReport, SalesRow

BLOCKS = " ▏▎▍▌▋▊▉█"


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

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.rows))

    def render(self) -> RenderResult:
        if not self.rows:
            return Text("No sales yet today.", style="dim")
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


class SalesScreen(ServiceScreen):
    """Today's sales: totals, by seller, and a bar chart of revenue by seller."""

    DEFAULT_CSS = """
    SalesScreen #sales-totals { height: auto; padding: 0 1; border-bottom: solid $primary; }
    SalesScreen #by-seller { height: auto; max-height: 12; }
    SalesScreen .heading { padding: 0 1; text-style: bold; margin-top: 1; }
    SalesScreen #sales-chart { padding: 0 1; height: 1fr; }
    SalesScreen #sales-status { height: 1; padding: 0 1; }
    SalesScreen #sales-status.error { color: $error; }
    """
    BINDINGS = [
        Binding("g", "reload", "Reload", tooltip="Reload today's figures", id="sales.reload"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="sales-totals")
        yield DataTable(id="by-seller", cursor_type="row", zebra_stripes=True)
        yield Label("Revenue by seller", classes="heading")
        yield BarChart(id="sales-chart")
        yield Label("", id="sales-status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#by-seller", DataTable)
        table.add_column("Seller", key="seller", width=20)
        table.add_column("Orders", key="orders", width=6)
        table.add_column("Units", key="units", width=6)
        table.add_column("Revenue", key="revenue", width=12)

    def on_screen_resume(self) -> None:
        self.action_reload()
        self.query_one("#by-seller", DataTable).focus()

    def action_reload(self) -> None:
        actor = self.account
        if actor is not None:
            now = clock()
            self.run(
                "sales",
                lambda: self.services.reports.sales_today(actor, now=now),
                group="sales.report",
            )

    def on_service_done(self, event: ServiceDone) -> None:
        if event.tag == "sales":
            self.show_report(event.result)

    def on_service_failed(self, event: ServiceFailed) -> None:
        event.stop()
        label = self.query_one("#sales-status", Label)
        label.update(Text(f"{event.code}: {event.message}"))
        label.add_class("error")

    def show_report(self, report: SalesReport) -> None:
        self.sub_title = f"Sales {report.start:%Y-%m-%d} (UTC)"
        methods = " · ".join(f"{r.label} {money(r.revenue)}" for r in report.by_method)
        totals = Text.assemble(
            ("Orders ", "dim"),
            (str(report.orders), "bold"),
            ("   Revenue ", "dim"),
            (money(report.revenue), "bold"),
            ("   Refunds ", "dim"),
            (money(report.refunds), "bold"),
            ("   Net ", "dim"),
            (money(report.revenue - report.refunds), "bold"),
        )
        if methods:
            totals.append(f"\nBy method: {methods}", style="dim")
        self.query_one("#sales-totals", Static).update(totals)
        table = self.query_one("#by-seller", DataTable)
        table.clear()
        for row in report.by_seller:
            table.add_row(
                Text(row.label[:20]),
                Text(str(row.orders), justify="right"),
                Text(str(row.units), justify="right"),
                Text(money(row.revenue), justify="right"),
                key=row.label,
            )
        self.query_one(BarChart).show(report.by_seller)
        self.query_one("#sales-status", Label).update(
            f"Updated {clock().astimezone():%H:%M}" if report.by_seller else ""
        )
