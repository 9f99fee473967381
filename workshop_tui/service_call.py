"""How a screen calls a service: one typed helper whose every outcome ends the busy state.

STYLE.md P3/P4/P5. A screen names each kind of call with the type of its answer,
starts it with `call`, and hears back by message on the event loop:

    SEARCH = ServiceCall[ProductPage]("catalog.search")

    class ShopScreen(WorkshopScreen[None]):
        def reload(self) -> None:
            services = self.workshop.services
            self.call(SEARCH, lambda: services.catalog.search(query), group="catalog")

        @on(ServiceResult)
        def answered(self, message: ServiceResult[Any]) -> None:
            if SEARCH.answered(message):
                self.show(message.value)          # typed: a ProductPage

        @on(ServiceFailed)
        def failed(self, message: ServiceFailed) -> None: ...   # code, message, tag, details

        def busy_changed(self) -> None:
            self.query_one("#go", Button).disabled = self.is_busy("catalog")

`fn` runs in a thread worker (psycopg2 blocks) and never touches a widget. Its value
comes back as `ServiceResult(tag, value)`, a typed `ServiceError` as `ServiceFailed`;
any other exception fails the worker and the App shows it calmly (`show_unexpected`).
A call whose worker was cancelled (a newer call in an exclusive group) posts nothing.
Busy state is the set of the screen's calls still running, kept from the workers'
own lifecycle, so success, typed failure, unexpected error and cancellation all end it.

A call given `waiting_text` (a checkout or payment that may wait for rows another
terminal holds) shows "<waiting_text> (n s)" through the screen's `show_waiting` hook
once it has run WAIT_DELAY seconds, ticking each second, and `show_waiting(None)` when
its worker ends, however it ends. Every call also tells the App whether the database
answered (`database_reachable`) or not (`database_unreachable`, code "unavailable"),
which drives the App's one connection indicator.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeGuard, TypeVar

from textual import events
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from workshop_tui.messages import ServiceFailed, ServiceResult
from workshop_tui.services.errors import ServiceError
from workshop_tui.session import ShopSession, Workshop

T = TypeVar("T")
R = TypeVar("R")

_RUNNING = (WorkerState.PENDING, WorkerState.RUNNING)
WAIT_DELAY = 0.4  # a quicker answer shows no progress at all
UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class ServiceCall(Generic[T]):
    """One kind of service call whose answer is a T; `tag` tells its messages apart."""

    tag: str

    def answered(self, message: ServiceResult[Any]) -> TypeGuard[ServiceResult[T]]:
        return message.tag == self.tag

    def failed(self, message: ServiceFailed) -> bool:
        return message.tag == self.tag


class WorkshopScreen(Screen[R]):
    """A screen with typed access to the App (`workshop`) and the one service-call helper."""

    def __init__(self) -> None:
        super().__init__()
        self._calls: dict[Worker[str | None], str] = {}  # running calls and their groups
        self._wait_timers: dict[Worker[str | None], Timer] = {}  # calls with waiting_text
        self._waiting_shown: set[Worker[str | None]] = set()

    _suspended_before = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Before Textual's own handler (handlers run down the class hierarchy): a screen
        shown for the first time skips the restyle of every node that Textual does on each
        resume. Its widgets were styled as they mounted, against the stylesheet it was made
        with (App._styled); a new mode's screen gets two resumes, which restyled it twice,
        a third of the main thread's work from a login to the shop's rows. After its first
        suspension (a modal, another mode) every resume restyles as before."""
        if not self._suspended_before and self._css_update_count == self.app._css_update_count:
            event.refresh_styles = False

    def _on_screen_suspend(self) -> None:
        self._suspended_before = True

    _workshop: Workshop | None = None

    @property
    def workshop(self) -> Workshop:
        # Checked once per screen: a runtime Protocol check looks up each of its members,
        # and the shop asked once for every row it painted (a third of a search's redraw).
        app: object = self.app
        workshop = self._workshop
        if workshop is None or workshop is not app:
            if not isinstance(app, Workshop):  # only a WorkshopApp runs these screens
                raise TypeError(f"{type(app).__name__} is not a Workshop app")
            workshop = self._workshop = app
        return workshop

    @property
    def session(self) -> ShopSession:
        return self.workshop.session

    def call(
        self,
        kind: ServiceCall[T],
        fn: Callable[[], T],
        *,
        group: str | None = None,
        exclusive: bool = True,
        waiting_text: str | None = None,
    ) -> Worker[str | None]:
        """Run `fn()` in a thread worker; `exclusive` cancels the group's stale calls.

        The worker's result is the typed error's code, or None when `fn` answered.
        """
        tag = kind.tag
        answered = threading.Event()  # set before the answer is posted: no tick after it

        def work() -> str | None:
            try:
                value = fn()
            except ServiceError as exc:
                answered.set()
                if not get_current_worker().is_cancelled:
                    self.post_message(ServiceFailed(exc.code, exc.message, tag, exc.details))
                return exc.code
            answered.set()
            if not get_current_worker().is_cancelled:
                self.post_message(ServiceResult(tag, value))
            return None

        worker: Worker[str | None] = self.run_worker(
            work,
            name=tag,
            group=group or tag,
            exclusive=exclusive,
            thread=True,
            exit_on_error=False,
        )
        self._calls[worker] = group or tag
        if waiting_text is not None:
            self._watch_wait(worker, waiting_text, answered)
        self._busy_changed()
        return worker

    def _watch_wait(self, worker: Worker[str | None], text: str, answered: threading.Event) -> None:
        started = time.monotonic()

        def tick() -> None:
            if answered.is_set() or worker.state not in _RUNNING or worker.is_cancelled:
                return
            seconds = max(1, math.ceil(time.monotonic() - started))
            self._waiting_shown.add(worker)
            self.show_waiting(f"{text} ({seconds} s)")

        def begin() -> None:
            if worker not in self._wait_timers:
                return  # it ended before the delay
            tick()
            self._wait_timers[worker] = self.set_interval(1.0, tick, name="waiting")

        self._wait_timers[worker] = self.set_timer(WAIT_DELAY, begin, name="waiting")

    def show_waiting(self, text: str | None) -> None:
        """Hook: a call with `waiting_text` is still waiting (`text`), or ended (None)."""

    def is_busy(self, group: str | None = None) -> bool:
        """A call (of `group`, or any) is still running and was not cancelled."""
        return any(
            worker.state in _RUNNING and not worker.is_cancelled and (group in (None, name))
            for worker, name in self._calls.items()
        )

    def busy_changed(self) -> None:
        """Hook: a call started or ended (any outcome). Screens enable or disable here."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR and worker.error is not None:
            self.workshop.show_unexpected(worker.error)
        if event.state in _RUNNING or worker not in self._calls:
            return
        if event.state == WorkerState.SUCCESS and not worker.is_cancelled:
            if worker.result == UNAVAILABLE:
                self.workshop.database_unreachable()
            elif worker.result is None:
                self.workshop.database_reachable()
        # Drop every finished or cancelled call (a call cancelled before its thread ran
        # never reports), then let the screen re-enable what they held.
        for done in [w for w in self._calls if w.state not in _RUNNING or w.is_cancelled]:
            del self._calls[done]
            self._end_wait(done)
        self._busy_changed()

    def _end_wait(self, worker: Worker[str | None]) -> None:
        timer = self._wait_timers.pop(worker, None)
        if timer is not None:
            timer.stop()
        if worker in self._waiting_shown:
            self._waiting_shown.discard(worker)
            if self.is_mounted:
                self.show_waiting(None)

    def _busy_changed(self) -> None:
        if self.is_mounted:  # a call from on_mount: its end will tell
            self.busy_changed()


class WorkshopModal(WorkshopScreen[R], ModalScreen[R]):
    """A modal dialog that calls services (e.g. the kiosk's staff unlock)."""
