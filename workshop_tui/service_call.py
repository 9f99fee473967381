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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeGuard, TypeVar

from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState, get_current_worker

from workshop_tui.messages import ServiceFailed, ServiceResult
from workshop_tui.services.errors import ServiceError
from workshop_tui.session import ShopSession, Workshop

T = TypeVar("T")
R = TypeVar("R")

_RUNNING = (WorkerState.PENDING, WorkerState.RUNNING)


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
        self._calls: dict[Worker[None], str] = {}  # running calls and their groups

    @property
    def workshop(self) -> Workshop:
        app = self.app
        if not isinstance(app, Workshop):  # only a WorkshopApp runs these screens
            raise TypeError(f"{type(app).__name__} is not a Workshop app")
        return app

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
    ) -> Worker[None]:
        """Run `fn()` in a thread worker; `exclusive` cancels the group's stale calls."""
        tag = kind.tag

        def work() -> None:
            try:
                value = fn()
            except ServiceError as exc:
                if not get_current_worker().is_cancelled:
                    self.post_message(ServiceFailed(exc.code, exc.message, tag, exc.details))
                return
            if not get_current_worker().is_cancelled:
                self.post_message(ServiceResult(tag, value))

        worker: Worker[None] = self.run_worker(
            work,
            name=tag,
            group=group or tag,
            exclusive=exclusive,
            thread=True,
            exit_on_error=False,
        )
        self._calls[worker] = group or tag
        self._busy_changed()
        return worker

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
        # Drop every finished or cancelled call (a call cancelled before its thread ran
        # never reports), then let the screen re-enable what they held.
        for done in [w for w in self._calls if w.state not in _RUNNING or w.is_cancelled]:
            del self._calls[done]
        self._busy_changed()

    def _busy_changed(self) -> None:
        if self.is_mounted:  # a call from on_mount: its end will tell
            self.busy_changed()


class WorkshopModal(WorkshopScreen[R], ModalScreen[R]):
    """A modal dialog that calls services (e.g. the kiosk's staff unlock)."""
