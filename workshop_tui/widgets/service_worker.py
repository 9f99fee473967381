"""Run one service call in a thread worker and get the result back as a message.

STYLE.md P3/P4 in one helper. Mix `ServiceCaller` into a Screen or Widget:

    class ShopScreen(ServiceCaller, Screen):
        def load(self, query: str) -> None:
            self.call_service(
                lambda: self.app.services.catalog.search(query),  # runs in a thread
                ProductsLoaded,           # called with the result, in the thread; posted to self
                group="catalog",          # exclusive per group: a newer call cancels the stale one
                action="catalog.search",  # copied into ServiceFailed.action
            )

        @on(ProductsLoaded)
        def show(self, message: ProductsLoaded) -> None: ...   # on the event loop: touch widgets here

        @on(ServiceFailed)
        def failed(self, message: ServiceFailed) -> None:
            self.notify(message.message, severity="error", markup=False)

A typed `ServiceError` becomes `ServiceFailed(code, message, action=..., details=...)`
posted to the caller. Any other exception fails the worker (`exit_on_error=False`):
the app's `on_worker_state_changed` shows it in an ErrorModal and the app keeps running.
A result that arrives after its worker was cancelled (a stale search) is dropped.
`make_message` may be None when only failures matter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState, get_current_worker

from workshop_tui.messages import ServiceFailed
from workshop_tui.services.errors import ServiceError

T = TypeVar("T")


def run_service(
    node: MessagePump,
    call: Callable[[], T],
    make_message: Callable[[T], Message] | None,
    *,
    group: str = "service",
    action: str = "",
    exclusive: bool = True,
) -> Worker[None]:
    """Start `call()` in a thread worker owned by `node` (a Screen, Widget or the App)."""

    def work() -> None:
        try:
            result = call()
        except ServiceError as exc:
            if not get_current_worker().is_cancelled:
                node.post_message(
                    ServiceFailed(exc.code, exc.message, action=action, details=exc.details)
                )
            return
        if make_message is not None and not get_current_worker().is_cancelled:
            node.post_message(make_message(result))

    return node.run_worker(  # type: ignore[attr-defined]
        work,
        name=action or group,
        group=group,
        exclusive=exclusive,
        thread=True,
        exit_on_error=False,
    )


class ServiceCaller:
    """Mixin for Screens and Widgets: `self.call_service(...)`, see the module docstring.

    Worker.StateChanged does not bubble, so the mixin itself turns a worker that died of
    an unexpected exception into an ErrorModal.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            from workshop_tui.widgets.error_modal import ErrorModal

            error = event.worker.error
            self.app.push_screen(  # type: ignore[attr-defined]
                ErrorModal("Something went wrong", f"{type(error).__name__}: {error}")
            )

    def call_service(
        self,
        call: Callable[[], Any],
        make_message: Callable[[Any], Message] | None = None,
        *,
        group: str = "service",
        action: str = "",
        exclusive: bool = True,
    ) -> Worker[None]:
        return run_service(
            self,  # type: ignore[arg-type]
            call,
            make_message,
            group=group,
            action=action,
            exclusive=exclusive,
        )
