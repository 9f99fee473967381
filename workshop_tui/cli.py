"""The `workshop` command: a thin click group.

Each command builds Settings, calls a factory or a service, and maps the
engine's typed errors to one line on stderr and exit 2. Heavy imports live
inside the commands so `workshop --help` stays instant.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from workshop_tui.pending_services import StartupFailed

if TYPE_CHECKING:
    from datetime import datetime

    from workshop_tui.config import Settings
    from workshop_tui.db import Database
    from workshop_tui.serve.sessions import SessionCap
    from workshop_tui.services import Services
    from workshop_tui.services.types import Account

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE = 0, 1, 2


def _configure_logging(dev: bool = False) -> None:
    from workshop_tui.config import log_dir

    root = logging.getLogger()
    if any(getattr(h, "_workshop", False) for h in root.handlers):
        return  # configured already (tests invoke the group many times in one process)
    directory = log_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(directory / "workshop.log")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._workshop = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if dev else logging.INFO)
    if dev:
        from textual.logging import TextualHandler

        root.addHandler(TextualHandler())


UNDEFINED_TABLE = "42P01"


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"workshop: {message}", err=True)
    sys.exit(code)


def handles_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the engine's typed errors and an unreachable server into one line and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            fail_for(exc)
            raise

    return wrapper


def fail_for(exc: Exception) -> None:
    """Exit 2 with one line when `exc` is one of the engine's known failures; else return.

    The engine's types are imported only once something failed, so the terminal app
    does not load SQLAlchemy before its login screen paints."""
    from sqlalchemy.exc import ProgrammingError

    from workshop_tui.db import DatabaseUnavailable
    from workshop_tui.services.errors import ServiceError

    if isinstance(exc, DatabaseUnavailable):
        fail(str(exc))
    if isinstance(exc, ServiceError):
        fail(f"{exc.code}: {exc.message}")
    if isinstance(exc, ProgrammingError) and getattr(exc.orig, "pgcode", None) == UNDEFINED_TABLE:
        fail("the database has no Workshop schema (or an old one): run `workshop db upgrade`")


def settings_from(ctx: click.Context, **overrides: Any) -> Settings:
    """The command's flags over WORKSHOP_* over the defaults; a bad variable is one line, exit 2."""
    from workshop_tui.config import Settings, SettingsError

    root = ctx.find_root().obj or {}
    try:
        return Settings.from_env(database_url=root.get("database_url"), **overrides)
    except SettingsError as exc:
        fail(str(exc))


def open_database(settings: Settings, *, pool_size: int = 10) -> Database:
    from workshop_tui.db import Database

    db = Database(settings, pool_size=pool_size)
    db.check()
    return db


def open_services(ctx: click.Context, **overrides: Any) -> Services:
    from workshop_tui.services import Services

    return Services(open_database(settings_from(ctx, **overrides)))


@click.group(invoke_without_command=True)
@click.option(
    "--database-url",
    envvar="WORKSHOP_DATABASE_URL",
    help="Any PostgreSQL server (default: embedded).",
)
@click.option(
    "--kiosk", is_flag=True, help="Customer screens only; cannot be left without a staff login."
)
@click.option("--dev", is_flag=True, help="Log to the textual console as well.")
@click.version_option(package_name="workshop-tui")
@click.pass_context
def main(ctx: click.Context, database_url: str | None, kiosk: bool, dev: bool) -> None:
    """Workshop: the shop and order system. With no command, opens the terminal app."""
    ctx.ensure_object(dict)
    ctx.obj["database_url"] = database_url
    _configure_logging(dev)
    if ctx.invoked_subcommand is None:
        _run_tui(ctx, kiosk=kiosk)


@handles_errors
def _run_tui(ctx: click.Context, *, kiosk: bool) -> None:
    from workshop_tui.app import make_app

    # A terminal sells from a drawer: staff (and kiosk) sales need an open cash session,
    # unless WORKSHOP_REQUIRE_CASH_SESSION says otherwise.
    required = None if "WORKSHOP_REQUIRE_CASH_SESSION" in os.environ else True
    settings = settings_from(ctx, kiosk=kiosk or None, require_cash_session=required)
    # The login screen paints first; the database is reached meanwhile (pending_services).
    app = make_app(settings, connect=lambda: _settled(open_checked_services(settings)))
    app.run()
    if app.startup_error is not None:
        fail(app.startup_error)


def _settled(services: Services) -> Services:
    """The services, once what the app runs on is loaded: frozen for the garbage collector.

    A terminal runs for hours on what is loaded by now (Textual, SQLAlchemy, the
    models). Every full collection walked all of it again, 0.25 s each: an eighth of
    a served app's CPU. Frozen, it is skipped (it lives as long as the process anyway).
    """
    gc.freeze()
    return services


def open_checked_services(settings: Settings) -> Services:
    """The services on a reachable database whose schema matches this code."""
    from workshop_tui.db import DatabaseUnavailable
    from workshop_tui.db.migrate import status
    from workshop_tui.services import Services

    try:
        db = open_database(settings)
    except DatabaseUnavailable as exc:
        raise StartupFailed(str(exc)) from exc
    current, head = status(db)
    if current != head:
        db.dispose()
        raise StartupFailed(
            f"the database is at migration {current or 'none'}, the code at {head}: run `workshop db upgrade`"
        )
    return Services(db)


# --- database ---------------------------------------------------------------


@main.group()
def db() -> None:
    """Schema migrations."""


@db.command("upgrade")
@click.pass_context
@handles_errors
def db_upgrade(ctx: click.Context) -> None:
    """Bring the database to the latest migration (a no-op when it is there)."""
    from workshop_tui.db.migrate import status, upgrade

    database = open_database(settings_from(ctx))
    before, head = status(database)
    upgrade(database)
    click.echo(
        f"database at {head}" + (" (already)" if before == head else f" (was {before or 'empty'})")
    )


@db.command("status")
@click.pass_context
@handles_errors
def db_status(ctx: click.Context) -> None:
    """Show the database's migration against the code's; exit 1 when behind."""
    from workshop_tui.db import mask_url
    from workshop_tui.db.migrate import status

    database = open_database(settings_from(ctx))
    current, head = status(database)
    click.echo(f"server: {mask_url(database.url)}")
    click.echo(f"database: {current or 'empty'}  code: {head}")
    if current is not None:
        _show_placements(database)
    if current != head:
        click.echo("behind: run `workshop db upgrade`")
        sys.exit(EXIT_CHECK_FAILED)


def _show_placements(database: Database) -> None:
    from workshop_tui.db.distribute import placements

    shown = placements(database)
    if all(p.kind == "plain" for p in shown):
        click.echo("tables: on this one server (not distributed)")
        return
    for p in shown:
        where = {
            "distributed": f"distributed by {p.column} ({p.shards} shards)",
            "reference": "reference table (a copy on every node)",
        }.get(p.kind, "on the coordinator")
        click.echo(f"  {p.table}: {where}")


@db.command("distribute")
@click.option(
    "--shards",
    type=click.IntRange(1, 4096),
    default=None,
    help="Shards per distributed table (Citus's citus.shard_count when not given).",
)
@click.pass_context
@handles_errors
def db_distribute(ctx: click.Context, shards: int | None) -> None:
    """Shard the tables by seller on a Citus coordinator (after `db upgrade`; idempotent)."""
    from workshop_tui.db.distribute import NotCitus, distribute
    from workshop_tui.db.migrate import status

    database = open_database(settings_from(ctx))
    current, head = status(database)
    if current != head:
        fail(
            f"the database is at {current or 'empty'}, not {head}: run `workshop db upgrade` first"
        )
    try:
        steps = distribute(database, shards=shards)
    except NotCitus as exc:
        fail(str(exc))
    for step in steps:
        click.echo(step)
    click.echo("distributed" + (" (already)" if not steps else ""))


# --- sample data ------------------------------------------------------------


@main.group()
def seed() -> None:
    """Sample data: generate the 11 CSV files and load them."""


@seed.command("generate")
@click.option(
    "--scale", type=float, default=0.01, show_default=True, help="1.0 is 100,000 products."
)
@click.option("--seed", "seed_value", type=int, default=42, show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/seed"),
    show_default=True,
)
@handles_errors
def seed_generate(scale: float, seed_value: int, out: Path) -> None:
    """Write the 11 CSV files (the same seed gives the same bytes)."""
    from seed.data_generator import generate

    if scale <= 0:
        fail("--scale must be positive")
    report = generate(scale=scale, seed=seed_value, out=out)
    click.echo(report.summary)


@seed.command("load")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Empty a non-empty database first.")
@click.pass_context
@handles_errors
def seed_load(ctx: click.Context, directory: Path, replace: bool) -> None:
    """COPY the CSV files in DIRECTORY into the database in one transaction."""
    import time

    from seed.loader import LoadError, load

    database = open_database(settings_from(ctx))
    began = time.perf_counter()
    try:
        counts = load(database, directory, replace=replace)
    except LoadError as exc:
        fail(f"nothing loaded: {exc}")
    click.echo(
        f"loaded in {time.perf_counter() - began:.1f} s: "
        + ", ".join(f"{table} {n:,}" for table, n in counts.items())
    )


@seed.command("demo")
@click.pass_context
@handles_errors
def seed_demo(ctx: click.Context) -> None:
    """Load the small demo data set into an empty database (used by `make run`)."""
    from seed.demo import ensure_demo_data

    database = open_database(settings_from(ctx))
    click.echo(ensure_demo_data(database))


# --- users ------------------------------------------------------------------


@main.group()
def user() -> None:
    """Staff and admin accounts."""


@user.command("add")
@click.option("--username", required=True)
@click.option(
    "--role", type=click.Choice(["customer", "staff", "admin"]), default="staff", show_default=True
)
@click.option("--name", default="")
@click.pass_context
@handles_errors
def user_add(ctx: click.Context, username: str, role: str, name: str) -> None:
    """Add an account; the password is read from stdin or prompted for."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    services = open_services(ctx)
    account = services.auth.create_user(username=username, password=password, role=role, name=name)
    click.echo(f"added {account.role} {account.username} (id {account.id})")


# --- integrity --------------------------------------------------------------


@main.group()
def ledger() -> None:
    """The hash-chained payment ledger."""


@ledger.command("verify")
@click.option(
    "--witness",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Chain heads recorded earlier.",
)
@click.pass_context
@handles_errors
def ledger_verify(ctx: click.Context, witness: Path | None) -> None:
    """Exit 0 when every chain is intact, 1 naming the first bad row."""
    services = open_services(ctx)
    heads = None
    if witness is not None:
        if not witness.exists():
            fail(f"no witness file at {witness}")
        try:
            recorded = witness.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError) as exc:
            fail(f"cannot read the witness file {witness}: {type(exc).__name__}")
        if not recorded.strip():
            fail(f"the witness file {witness} is empty: it records no chain heads")
        heads = services.ledger.read_witness(recorded)
        if not heads:
            fail(f"the witness file {witness} records no chain heads")
    report = services.ledger.verify(witness=heads)
    click.echo(report.summary)
    sys.exit(EXIT_OK if report.ok else EXIT_CHECK_FAILED)


@ledger.command("export-heads")
@click.pass_context
@handles_errors
def ledger_export_heads(ctx: click.Context) -> None:
    """Print every chain's head (a witness file for `ledger verify --witness`)."""
    click.echo(open_services(ctx).ledger.export_witness(), nl=False)


@main.group()
def orders() -> None:
    """Order maintenance."""


@orders.command("expire")
@click.pass_context
@handles_errors
def orders_expire(ctx: click.Context) -> None:
    """Cancel unpaid orders past their payment window and give their stock back."""
    expired = open_services(ctx).orders.expire_unpaid()
    click.echo(
        f"expired {len(expired)} order(s)"
        + (": " + ", ".join(map(str, expired)) if expired else "")
    )


@main.command()
@click.pass_context
@handles_errors
def reconcile(ctx: click.Context) -> None:
    """Compare stock_remaining with the stock movements; exit 1 on any drift."""
    report = open_services(ctx).stock.reconcile()
    for line in report.drifts:
        click.echo(
            f"product {line.product_id}: stock_remaining {line.stock_remaining} != movements {line.movements}"
        )
    click.echo(f"checked {report.products_checked} products, {len(report.drifts)} drifting")
    sys.exit(EXIT_OK if not report.drifts else EXIT_CHECK_FAILED)


def _staff_services(
    ctx: click.Context, login: str, terminal: str | None = None
) -> tuple[Services, Account]:
    """The services, and the staff account the command acts as (`--as`)."""
    services = open_services(ctx, terminal_id=terminal)
    return services, services.auth.staff_account(login)


_terminal = click.option(
    "--terminal", envvar="WORKSHOP_TERMINAL_ID", help="Terminal id (default: this one's)."
)
_as = click.option(
    "--as", "login", default="admin", show_default=True, help="A staff or admin username."
)
_csv = click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the CSV here.",
)


@main.group()
def report() -> None:
    """Sales reports."""


@report.command("sales")
@click.option(
    "--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC); default today."
)
@click.option(
    "--to",
    "end",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Last day, included (UTC); default = --from.",
)
@_csv
@_as
@click.pass_context
@handles_errors
def report_sales(
    ctx: click.Context,
    start: datetime | None,
    end: datetime | None,
    csv_path: Path | None,
    login: str,
) -> None:
    """Sales by seller, category, method and hour for a range of days."""
    from workshop_tui.services.reports import report_csv, report_lines

    first, last = _days(start, end)
    services, actor = _staff_services(ctx, login)
    sales = services.reports.sales(actor, first, last)
    for line in report_lines(sales):
        click.echo(line)
    if csv_path is not None:
        csv_path.write_text(report_csv(sales))
        click.echo(f"wrote {csv_path}")


def _days(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """[first day, day after the last) in UTC, from --from / --to (default today)."""
    from datetime import UTC, datetime, timedelta

    first = (start or datetime.now(UTC)).replace(
        tzinfo=UTC, hour=0, minute=0, second=0, microsecond=0
    )
    last = (end.replace(tzinfo=UTC) if end else first) + timedelta(days=1)
    if last <= first:
        fail("--to is before --from")
    return first, last


@report.command("verify")
@click.option(
    "--from",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    help="First day (UTC); default: the ledger's first.",
)
@click.option(
    "--to",
    "end",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Last day, included (UTC); default: the ledger's last.",
)
@click.pass_context
@handles_errors
def report_verify(ctx: click.Context, start: datetime | None, end: datetime | None) -> None:
    """Recompute the sales report and the closed Z-reports from the ledger.

    Exit 0 when every figure agrees, 1 naming the first that differs.
    """
    from datetime import UTC, timedelta

    first = start.replace(tzinfo=UTC) if start else None
    last = end.replace(tzinfo=UTC) + timedelta(days=1) if end else None
    if first is not None and last is not None and last <= first:
        fail("--to is before --from")
    check = open_services(ctx).reports.verify(first, last)
    if not check.ok:
        fail(check.summary, EXIT_CHECK_FAILED)
    click.echo(check.summary)


@report.command("z")
@click.option(
    "--session", "session_id", type=int, help="A session id (default: this terminal's latest)."
)
@_csv
@_as
@click.pass_context
@handles_errors
def report_z(ctx: click.Context, session_id: int | None, csv_path: Path | None, login: str) -> None:
    """A cash session's Z-report (an X-report while it is still open)."""
    from workshop_tui.services.zreport import as_csv, as_text

    services, actor = _staff_services(ctx, login)
    if session_id is None:
        latest = services.cash.sessions(actor, limit=1)
        if not latest:
            fail("no cash session has been opened yet")
        session_id = latest[0].id
    z = services.cash.report(actor, session_id)
    click.echo(as_text(z), nl=False)
    if csv_path is not None:
        csv_path.write_text(as_csv(z))
        click.echo(f"wrote {csv_path}")


@main.group()
def till() -> None:
    """Cash sessions of a terminal (a kiosk's are opened here: it has no staff screens)."""


@till.command("open")
@click.option(
    "--float", "opening", default="0", show_default=True, help="Opening cash in the drawer."
)
@click.option("--kiosk", "kind", flag_value="kiosk", default="counter", help="A kiosk's session.")
@_terminal
@_as
@click.pass_context
@handles_errors
def till_open(
    ctx: click.Context, opening: str, kind: str, terminal: str | None, login: str
) -> None:
    """Open a cash session; sales on the terminal are refused until one is open."""
    services, actor = _staff_services(ctx, login, terminal)
    session = services.cash.open(actor, opening, kind=kind)
    click.echo(
        f"opened {session.kind} session #{session.id} on {session.terminal_id} with {session.opening_float}"
    )


@till.command("close")
@click.option("--counted", required=True, help="The cash counted in the drawer.")
@_terminal
@_as
@click.pass_context
@handles_errors
def till_close(ctx: click.Context, counted: str, terminal: str | None, login: str) -> None:
    """Count the drawer, close the session and print its Z-report."""
    from workshop_tui.services.zreport import as_text

    services, actor = _staff_services(ctx, login, terminal)
    click.echo(as_text(services.cash.close(actor, counted)), nl=False)


@till.command("status")
@_terminal
@_as
@click.pass_context
@handles_errors
def till_status(ctx: click.Context, terminal: str | None, login: str) -> None:
    """The open session's X-report; exit 1 when no session is open."""
    from workshop_tui.services.zreport import as_text

    services, actor = _staff_services(ctx, login, terminal)
    current = services.cash.current()
    if current is None:
        click.echo(f"no cash session is open on {services.settings.terminal_id}")
        sys.exit(EXIT_CHECK_FAILED)
    click.echo(as_text(services.cash.report(actor, current.id)), nl=False)


@main.group()
def receipt() -> None:
    """Receipts: print one to the ESC/POS printer (WORKSHOP_PRINTER) or show it as text."""


def _sale_payment(services: Services, actor: Account, order_id: int) -> int:
    """The order's sale (its first succeeded payment), the receipt these commands mean."""
    ids = services.receipts.for_order(actor, order_id)
    if not ids:
        fail(f"order #{order_id} has no payment, so no receipt")
    return ids[0]


@receipt.command("print")
@click.argument("order_id", type=int)
@click.option(
    "--printer", "uri", help="none, file:/path, tcp://host:9100, usb:VID:PID, cups:QUEUE."
)
@click.option("--copy", is_flag=True, help="Print another copy (marked DUPLICATE).")
@_as
@click.pass_context
@handles_errors
def receipt_print(
    ctx: click.Context, order_id: int, uri: str | None, copy: bool, login: str
) -> None:
    """Print an order's receipt and save it under data_dir/receipts."""
    from workshop_tui.services.printing import Printer, save_text

    services, actor = _staff_services(ctx, login)
    printer = Printer.from_settings(services.settings, uri)
    payment_id = _sale_payment(services, actor, order_id)
    if not copy and services.receipts.copies(actor, payment_id):
        fail(f"the receipt of order #{order_id} was printed already: --copy prints a DUPLICATE")
    printed = services.receipts.print(actor, payment_id)
    path = save_text(services.settings.data_dir / "receipts", printed, columns=printer.columns)
    outcome = printer.receipt(printed)
    if outcome.unreachable:
        fail(f"printer not reachable ({outcome.error}): saved to {path}")
    where = f"printed on {outcome.target}, " if outcome.printed else ""
    click.echo(f"receipt of order #{order_id}, copy {printed.copy_number}: {where}saved to {path}")


@receipt.command("show")
@click.argument("order_id", type=int)
@_as
@click.pass_context
@handles_errors
def receipt_show(ctx: click.Context, order_id: int, login: str) -> None:
    """An order's receipt as text, as last printed (nothing is recorded)."""
    from workshop_tui.services.receipts import as_text

    services, actor = _staff_services(ctx, login)
    shown = services.receipts.show(actor, _sale_payment(services, actor, order_id))
    click.echo(as_text(shown, services.settings.printer_columns), nl=False)


@main.command()
@click.option("--clients", type=click.IntRange(1, 64), default=16, show_default=True)
@click.option("--seconds", type=click.FloatRange(0.5, 600), default=5.0, show_default=True)
@click.option(
    "--products",
    type=click.IntRange(1, 100_000),
    default=5,
    show_default=True,
    help="Hot products.",
)
@click.pass_context
@handles_errors
def stress(ctx: click.Context, clients: int, seconds: float, products: int) -> None:
    """Concurrent checkouts, payments, cancellations and returns in a scratch database."""
    from workshop_tui.stress.runner import run_stress

    report = run_stress(
        settings_from(ctx), clients=clients, seconds=seconds, hot_products=products, echo=click.echo
    )
    sys.exit(EXIT_OK if report.ok else EXIT_CHECK_FAILED)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=5000, show_default=True)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Server processes."
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=2,
    show_default=True,
    help="Request threads in each process.",
)
@click.pass_context
@handles_errors
def web(ctx: click.Context, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the Flask companion with granian (a production HTTP server)."""
    from workshop_tui.web.serve import serve_database

    database = open_database(settings_from(ctx))
    click.echo(f"Workshop web on http://{host}:{port}/ ({workers} processes x {threads} threads)")
    serve_database(database, host=host, port=port, workers=workers, threads=threads)


# --- serving many terminals -------------------------------------------------


@main.group()
def serve() -> None:
    """Serve the terminal app: one app process per SSH session or browser tab."""


def _serve_setup(ctx: click.Context, max_sessions: int | None) -> tuple[Settings, str, SessionCap]:
    """The shared server's URL and the session cap; logs each session to stderr too."""
    from workshop_tui.serve.sessions import SessionCap, database_url, default_max_sessions

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    serve_log = logging.getLogger("workshop_tui.serve")
    serve_log.addHandler(handler)
    serve_log.setLevel(logging.INFO)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)  # a line per channel event otherwise
    settings = settings_from(ctx)
    url = database_url(settings)  # joins the embedded server: it stays up while we run
    open_database(
        settings.model_copy(update={"database_url": url}), pool_size=1
    ).dispose()  # reachable?
    cap = SessionCap(max_sessions if max_sessions is not None else default_max_sessions(url))
    return settings, url, cap


_max_sessions = click.option(
    "--max-sessions",
    type=click.IntRange(1, 10_000),
    help="Refuse sessions past this many (default: what the server's max_connections allows).",
)


@serve.command("ssh")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=2222, show_default=True)
@click.option(
    "--authorized-keys",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Public keys let in (default: DATA_DIR/authorized_keys).",
)
@click.option("--open", "open_", is_flag=True, help="Let any client reach the login screen.")
@click.option("--kiosk", is_flag=True, help="Serve the kiosk mode.")
@_max_sessions
@click.pass_context
@handles_errors
def serve_ssh(
    ctx: click.Context,
    host: str,
    port: int,
    authorized_keys: Path | None,
    open_: bool,
    kiosk: bool,
    max_sessions: int | None,
) -> None:
    """One `workshop` process per SSH session, on a pty at the client's size."""
    from workshop_tui.serve.keys import AUTHORIZED_KEYS_NAME, read_authorized_keys
    from workshop_tui.serve.sessions import AppCommand
    from workshop_tui.serve.ssh import OPEN_WARNING, SSHServe, serve_forever

    if open_ and authorized_keys is not None:
        fail("--open and --authorized-keys exclude each other")
    settings, url, cap = _serve_setup(ctx, max_sessions)
    keys_file = None if open_ else authorized_keys or settings.data_dir / AUTHORIZED_KEYS_NAME
    if keys_file is not None and read_authorized_keys(keys_file) is None:
        fail(f"no public keys in {keys_file}: add some, or pass --open")
    ssh = SSHServe(AppCommand(url, kiosk=kiosk), cap, settings.data_dir, keys_file)

    def announce(bound: int) -> None:
        where = f"{host}:{bound}"
        if open_:
            click.echo(
                "!" * 78 + "\n" + OPEN_WARNING.format(where=where) + "\n" + "!" * 78, err=True
            )
        who = "any client (--open)" if open_ else f"keys in {keys_file}"
        click.echo(f"Workshop over SSH on {where}: {who}, at most {cap.limit} sessions")

    try:
        serve_forever(ssh, host, port, announce)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


@serve.command("browser")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--kiosk", is_flag=True, help="Serve the kiosk mode.")
@_max_sessions
@click.pass_context
@handles_errors
def serve_browser(
    ctx: click.Context, host: str, port: int, kiosk: bool, max_sessions: int | None
) -> None:
    """The app in a browser (textual-serve): one app process per tab."""
    from workshop_tui.serve.browser import serve_browser as run
    from workshop_tui.serve.sessions import AppCommand

    _settings, url, cap = _serve_setup(ctx, max_sessions)
    click.echo(f"Workshop in the browser on http://{host}:{port}/ (at most {cap.limit} tabs)")
    try:
        run(AppCommand(url, kiosk=kiosk), cap, host, port)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


if __name__ == "__main__":
    main()
