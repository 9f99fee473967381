"""The cash drawer on staff screens: opened by key, and after cash goes in or out.

The drawer hangs off the receipt printer (an ESC/POS pulse on the pin the
settings name), so opening it is a print job, sent from a worker; a printer that
is off is said calmly and nothing else changes.
"""

from __future__ import annotations

from typing import Any

from workshop_tui.service_call import ServiceCall, WorkshopScreen
from workshop_tui.services.printing import Printer, PrintOutcome

DRAWER = ServiceCall[PrintOutcome]("drawer.open")


def open_drawer(screen: WorkshopScreen[Any]) -> None:
    settings = screen.workshop.settings
    screen.call(DRAWER, lambda: Printer.from_settings(settings).open_drawer(), group="drawer")


def drawer_said(outcome: PrintOutcome) -> str:
    if outcome.printed:
        return "Drawer opened."
    if outcome.unreachable:
        return f"printer not reachable: the drawer did not open ({outcome.error})"
    return "No printer is set up (WORKSHOP_PRINTER), so there is no drawer to open."
