"""The Textual app: modes, global bindings, theme, kiosk lock, idle logout and live stock.

Login is the first mode. After login the app switches to "shop" (customers) or to
"counter" when a staff mode of that name is registered. Extra areas plug in through
`screens.modes.EXTRA_MODES`; staff-only ones are never available to customers and
never registered in kiosk mode.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState, get_current_worker

from workshop_tui.config import Settings
from workshop_tui.messages import LoggedIn, StockChanged
from workshop_tui.pending_services import PendingServices, StartupFailed
from workshop_tui.screens.login import LoginScreen
from workshop_tui.screens.modes import EXTRA_MODES, SHOP, ModeSpec
from workshop_tui.services.sweeper import ExpirySweeper
from workshop_tui.session import ShopSession
from workshop_tui.widgets.error_modal import ErrorModal

if TYPE_CHECKING:
    from workshop_tui.services import Services
    from workshop_tui.services.types import Account, StockChange

THEME = Theme(
    name="workshop",
    primary="#2E8B57",
    secondary="#4682B4",
    accent="#E0A030",
    warning="#E0A030",
    error="#D9534F",
    success="#3CB371",
    background="#15191C",
    surface="#1D2226",
    panel="#262D33",
    foreground="#E6E6E6",
    dark=True,
)

UNREACHABLE = "database not reachable — reconnecting…"


class DatabaseReachable(Message):
    """A background check or the stock listener reached the database again."""


def _mode_binding(spec: ModeSpec) -> Binding:
    return Binding(
        spec.key,
        f"open_mode('{spec.name}')",
        spec.label,
        tooltip=f"Go to {spec.label}",
        show=False,  # the mode bar (widgets.mode_bar) shows them; the footer keeps 80 columns
        id=f"mode.{spec.name}",
    )


class WorkshopApp(App[None]):
    TITLE = "Workshop"
    PROBE_SECONDS = 1.5  # while the database is unreachable, how often to look again
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f1,question_mark", "help", "Help", tooltip="Every key of this screen", id="app.help"
        ),
        Binding("ctrl+l", "logout", "Log out", tooltip="End this session", id="app.logout"),
        *(_mode_binding(spec) for spec in (SHOP, *EXTRA_MODES)),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            tooltip="Search every command",
            show=False,
            priority=True,
            id="app.palette",
        ),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            tooltip="Leave the app",
            show=False,
            priority=True,
            id="app.quit",
        ),
        Binding(
            "ctrl+c",
            "help_quit",
            "How to quit",
            tooltip="Says how to leave",
            show=False,
            priority=True,
            id="app.help_quit",
        ),
    ]

    def __init__(
        self,
        settings: Settings,
        services: Services | None = None,
        *,
        connect: Callable[[], Services] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        # Given services, or `connect` run in a worker after the first paint (pending_services).
        self._pending: PendingServices | None = None
        if services is None:
            self._pending = PendingServices(connect or _no_services)
            services = self._pending.stand_in()
        self.services: Services = services
        self.startup_error: str | None = None
        self.kiosk: bool = settings.kiosk
        # A kiosk has no command palette (ctrl+p, the header icon): nothing to browse or leave by.
        self.use_command_palette = not self.kiosk
        self.session = ShopSession()  # replaced at every login and logout
        self.stock_listeners: set[Screen[Any]] = set()  # open screens that want StockChanged
        self._stop_listening = threading.Event()
        self.listener_ready = threading.Event()
        # Unpaid orders past their window expire here, in the background, not in a checkout.
        self.sweeper = ExpirySweeper(lambda: self.services, settings.expiry_sweep_seconds)
        self._last_input = time.monotonic()
        self.mode_specs: dict[str, ModeSpec] = {
            spec.name: spec for spec in (SHOP, *EXTRA_MODES) if not (self.kiosk and spec.staff_only)
        }
        self.register_theme(THEME)
        self.theme = "workshop"
        factories = {"login": LoginScreen} | {n: s.factory for n, s in self.mode_specs.items()}
        self._factories = {name: self._styled(f) for name, f in factories.items()}
        for name, factory in self._factories.items():
            self.add_mode(name, factory)
        self._session_lock = asyncio.Lock()
        self.database_down = False  # the connection indicator in every screen's Header
        self.probe_seconds = self.PROBE_SECONDS

    def _styled(self, factory: Callable[[], Screen[Any]]) -> Callable[[], Screen[Any]]:
        """The factory, making screens that Textual takes as styled by the current stylesheet.

        Every login and logout builds fresh screens (no one sees the last person's), and
        Textual re-parsed the whole stylesheet twice for each new mode screen (114 ms of
        a login under cProfile) although nothing in it had changed. A new screen's widgets
        are styled as they mount; a theme change still refreshes every screen.
        """

        def make() -> Screen[Any]:
            screen = factory()
            screen._css_update_count = self._css_update_count  # Textual 8's own bookkeeping
            return screen

        return make

    # --- start, stop ----------------------------------------------------------

    def on_mount(self) -> None:
        self.sub_title = "kiosk" if self.kiosk else ""
        self.switch_mode("login")
        if self._pending is not None:
            self.call_after_refresh(self._start_connecting)
        self.run_worker(
            self._listen_for_stock,
            thread=True,
            group="events",
            name="live-stock",
            exit_on_error=False,
        )
        self.sweeper.start()
        if self.kiosk:
            tick = min(1.0, max(0.05, self.settings.kiosk_idle_seconds / 4))
            self.set_interval(tick, self._check_idle, name="kiosk-idle")

    def on_unmount(self) -> None:
        self._stop_listening.set()
        self.sweeper.stop(timeout=0)
        if self._pending is not None:
            self._pending.cancel()

    def _start_connecting(self) -> None:
        self.run_worker(self._connect, thread=True, group="startup", exit_on_error=False)

    def _connect(self) -> None:
        """Thread: import the engine and reach the database; the app ends if it cannot."""
        assert self._pending is not None
        try:
            services = self._pending.connect()
        except Exception as exc:  # noqa: BLE001 - any reason to give up is reported the same way
            self.call_from_thread(self._give_up, str(exc) or type(exc).__name__)
        else:
            self.call_from_thread(self._connected, services)
            # While the person types: the first screen a login opens, so that the login
            # does not import it.
            for name in ("shop", "counter"):
                if name in self.mode_specs:
                    self.mode_specs[name].screen()

    def _connected(self, services: Services) -> None:
        self.services = services  # the stand-in forwards to the same services; this skips it

    def _give_up(self, reason: str) -> None:
        self.startup_error = reason
        self.exit(return_code=2)

    def _listen_for_stock(self) -> None:
        """Thread: LISTEN for stock changes; each batch becomes one (coalescing) message."""
        try:
            events = self.services.events  # waits for the database while it is being reached
        except StartupFailed:
            return  # the app is ending with the reason (_connect)

        def changed(changes: list[StockChange]) -> None:
            self.post_message(StockChanged.from_changes(changes))

        def reconnected() -> None:
            self.post_message(DatabaseReachable())

        events.listen(changed, self._stop_listening, self.listener_ready, on_reconnect=reconnected)

    @on(StockChanged)
    def forward_stock(self, message: StockChanged) -> None:
        for screen in list(self.stock_listeners):
            screen.post_message(StockChanged(message.levels))

    # --- sessions -------------------------------------------------------------

    @on(LoggedIn)
    async def logged_in(self, message: LoggedIn) -> None:
        async with self._session_lock:  # an idle logout waits for a login to finish
            self.session = ShopSession(account=message.account)
            self._last_input = time.monotonic()
            account = message.account
            target = "counter" if account.is_staff and "counter" in self.mode_specs else "shop"
            await self.switch_mode(target)
            await self._reset_mode("login")
            # Only after the old screens are gone: their Headers must not see the change.
            self.sub_title = ("kiosk · " if self.kiosk else "") + account.display_name

    async def action_logout(self) -> None:
        async with self._session_lock:
            if self.session.account is None:
                return
            self.session = ShopSession()
            self._last_input = time.monotonic()
            await self.switch_mode("login")
            for name in self.mode_specs:
                await self._reset_mode(name)
            self.sub_title = "kiosk" if self.kiosk else ""

    async def _reset_mode(self, name: str) -> None:
        """Drop a mode's screens so the next person starts afresh."""
        if name == self.current_mode:
            return
        removed = self.remove_mode(name)
        self.add_mode(name, self._factories[name])  # at once: a switch may come while we wait
        await removed

    def mode_allowed(self, name: str) -> bool:
        spec = self.mode_specs.get(name)
        if spec is None or self.session.account is None:
            return False
        return not spec.staff_only or self.session.is_staff

    async def action_open_mode(self, name: str) -> None:
        if self.mode_allowed(name) and self.current_mode != name:
            await self.switch_mode(name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_mode":
            return self.mode_allowed(str(parameters[0]))
        if action == "logout":
            return self.session.account is not None
        if action == "command_palette":
            return self.use_command_palette
        return True

    # --- kiosk ----------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown):
            self._last_input = time.monotonic()
        # A barcode scanner's burst goes to the screen's scan, before any binding or field.
        if isinstance(event, events.Key):
            stack = self.screen_stack
            # Duck-typed (widgets.scanner.ScannerScreen): the login screen paints without it.
            takes = getattr(stack[-1], "scanner_takes", None) if stack else None
            if takes is not None and takes(event):
                return
        await super().on_event(event)

    def _check_idle(self) -> None:
        idle = time.monotonic() - self._last_input
        if idle < self.settings.kiosk_idle_seconds:
            return
        if self.session.account is not None:
            self.notify("Logged out after inactivity.", timeout=4)
            self.run_worker(self.action_logout(), group="logout", exclusive=True)
        elif isinstance(self.screen, LoginScreen):
            self._last_input = time.monotonic()
            self.screen.reset()  # no half-typed phone number left for the next person

    async def action_quit(self) -> None:
        if not self.kiosk:
            self.exit()
            return
        from workshop_tui.widgets.staff_unlock import StaffUnlockModal

        self.push_screen(StaffUnlockModal(), self._unlocked)

    def _unlocked(self, staff: Account | None) -> None:
        if staff is not None:
            self.exit()

    def action_help(self) -> None:
        from workshop_tui.widgets.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_help_quit(self) -> None:
        if self.kiosk:
            self.notify("This is a kiosk. Staff can leave with ctrl+q.", timeout=3)
        else:
            self.notify("Press ctrl+q to quit.", timeout=3)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for name, spec in self.mode_specs.items():
            if self.mode_allowed(name):
                yield SystemCommand(
                    spec.label,
                    f"Go to {spec.label} ({spec.key})",
                    lambda n=name: self.run_worker(self.action_open_mode(n)),
                )
        if self.session.account is not None:
            yield SystemCommand("Log out", "End this session", self.action_logout)
        from workshop_tui.screens.shop import ShopScreen

        if isinstance(screen, ShopScreen):
            yield SystemCommand("Cart", "Open the cart", screen.action_open_cart)
            yield SystemCommand("Search", "Search products", screen.action_focus_search)
        if not self.kiosk:
            for command in super().get_system_commands(screen):
                if command.title in ("Quit", "Keys"):
                    yield command

    # --- the connection indicator (issue 12) ---------------------------------

    def format_title(self, title: str, sub_title: str) -> Content:
        shown = super().format_title(title, sub_title)
        if not self.database_down:
            return shown
        # In the Header every screen has: where one looks, and it takes no line of its own.
        return Content.assemble(shown, "  ", (f" {UNREACHABLE} ", "bold $text on $error"))

    def database_unreachable(self) -> None:
        if self.database_down:
            return
        self.database_down = True
        self.mutate_reactive(WorkshopApp.title)  # the Headers format the title again
        self.run_worker(
            self._probe_database,
            thread=True,
            group="events",  # like the stock listener: it watches the database in the background
            name="database-probe",
            exit_on_error=False,
        )

    def database_reachable(self) -> None:
        if not self.database_down:
            return
        self.database_down = False
        self.mutate_reactive(WorkshopApp.title)

    @on(DatabaseReachable)
    def _database_back(self) -> None:
        self.database_reachable()

    def _probe_database(self) -> None:
        """Thread: a cheap read now and then until the database answers again."""
        worker = get_current_worker()
        while self.database_down and not worker.is_cancelled:
            if self._stop_listening.wait(self.probe_seconds):
                return  # the app is ending
            try:
                self.services.catalog.categories()
            except Exception:  # noqa: BLE001, S112 - still unreachable, or not yet: look again
                continue
            self.post_message(DatabaseReachable())
            return

    # --- unexpected failures (STYLE.md P4) ------------------------------------

    def show_unexpected(self, error: BaseException) -> None:
        self.push_screen(ErrorModal("Something went wrong", f"{type(error).__name__}: {error}"))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_unexpected(event.worker.error)


def _no_services() -> Services:
    raise StartupFailed("the app was started without services")


def make_app(
    settings: Settings,
    services: Services | None = None,
    *,
    connect: Callable[[], Services] | None = None,
) -> WorkshopApp:
    return WorkshopApp(settings, services, connect=connect)
