"""The app's extra top-level areas (MODES), contributed by the profile and staff screens.

The App registers every spec here as a mode with its key binding; specs with
`staff_only=True` are never registered for a customer session or in kiosk mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.screen import Screen


@dataclass(frozen=True)
class ModeSpec:
    name: str  # mode name, e.g. "orders", "counter"
    key: str  # binding, e.g. "f3"
    label: str  # footer label, short: the footer must fit 80 columns
    factory: Callable[[], Screen]
    staff_only: bool


EXTRA_MODES: tuple[ModeSpec, ...] = ()
