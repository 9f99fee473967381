"""Barcode scanners anywhere on a screen: a fast burst of keys ending in Enter is a scan.

A keyboard-wedge scanner types the code and Enter far faster than a person
(a few ms between keys). The App hands every key to the active screen's
`ScannerBuffer` first (`ScannerScreen.scanner_takes`): characters are held while
they come faster than `scanner_max_gap_ms`; Enter after a burst makes the held
text a scan (`ScannerScreen.scanned`), so no single-key binding of the screen
fires and no field needs focus. A slow key, any other key, or a pause hands the
held keys back in order, as typed. A text field with focus keeps its own typing.
`scanner_prefix` / `scanner_suffix` are what the scanner is set to send around
the code (stripped; with a prefix, only a burst that starts with it is a scan).
A gap of 0 turns the scanner off.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable

from textual import events
from textual._wait import wait_for_idle
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, TextArea

MIN_CODE = 3  # a shorter burst is two people's keys colliding, not a barcode
CODE_CHARACTERS = frozenset("-_./+*$%:#")
ENTER_KEYS = ("enter", "ctrl+j")  # a scanner ends with CR or LF, as it is set up
REPLAY_WAIT_MAX = 0.25  # seconds a handed-back key waits at most for the one before it


class ScannerBuffer:
    """The held keys of a possible scan; `feed` says whether a key was taken."""

    def __init__(
        self,
        gap_seconds: float,
        *,
        prefix: str = "",
        suffix: str = "",
        on_scan: Callable[[str], None],
        replay: Callable[[list[events.Key]], None],
        start_timer: Callable[[float, Callable[[], None]], Timer],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.gap = gap_seconds
        self.prefix, self.suffix = prefix, suffix
        self.on_scan, self.replay, self.start_timer, self.clock = (
            on_scan,
            replay,
            start_timer,
            clock,
        )
        self.held: list[events.Key] = []
        self.last = 0.0
        self.timer: Timer | None = None
        self.replayed: weakref.WeakSet[events.Key] = (
            weakref.WeakSet()
        )  # handed back: pass as they are

    @property
    def enabled(self) -> bool:
        return self.gap > 0

    def feed(self, event: events.Key, *, typing_in_field: bool) -> bool:
        if event.is_forwarded:
            return False  # a key bubbling back up to the App: it was decided on the way in
        if event in self.replayed:
            self.replayed.discard(event)
            return False
        if not self.enabled or (typing_in_field and not self.held):
            return False
        now = self.clock()
        if self.held and now - self.last > self.gap:
            self.give_back([event])  # a person's keys: this one goes back after them, in order
            return True
        char = event.character
        if event.key in ENTER_KEYS:
            if not self.held:
                return False
            text = "".join(k.character or "" for k in self.held)
            code = self.code_of(text)
            if code is None:
                self.give_back([event])
            else:
                self.clear()
                self.on_scan(code)
            return True
        if (
            char
            and len(char) == 1
            and (char.isalnum() or char in CODE_CHARACTERS or self.affix(char))
        ):
            if typing_in_field and not self.held:
                return False
            self.held.append(event)
            self.last = now
            self._restart_timer()
            if self.suffix and self.suffix != "\n":
                text = "".join(k.character or "" for k in self.held)
                if text.endswith(self.suffix) and (code := self.code_of(text)) is not None:
                    self.clear()
                    self.on_scan(code)
            return True
        if self.held:
            self.give_back([event])
            return True
        return False

    def affix(self, char: str) -> bool:
        return char in self.prefix or char in self.suffix

    def code_of(self, text: str) -> str | None:
        """The code inside a burst, or None when the burst is not a scan."""
        if self.prefix:
            if not text.startswith(self.prefix):
                return None
            text = text[len(self.prefix) :]
        if self.suffix:
            text = text.removesuffix(self.suffix)
        text = text.strip()
        return text if len(text) >= MIN_CODE else None

    def give_back(self, extra: list[events.Key] | None = None) -> None:
        """Hand the held keys (and `extra`) back, in order, to be handled as typed."""
        keys = [*self.held, *(extra or [])]
        self.clear()
        if keys:
            copies = [events.Key(k.key, k.character) for k in keys]
            self.replayed.update(copies)
            self.replay(copies)

    def clear(self) -> None:
        self.held = []
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def _restart_timer(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        self.timer = self.start_timer(self.gap, self._timed_out)

    def _timed_out(self) -> None:
        self.timer = None
        self.give_back()


class ScannerScreen(Screen[None]):
    """A screen that takes scans anywhere: subclasses implement `scanned(code)`."""

    _scanner: ScannerBuffer | None = None

    def scanned(self, code: str) -> None:
        raise NotImplementedError

    @property
    def scanner(self) -> ScannerBuffer:
        if self._scanner is None:
            settings = getattr(self.app, "settings", None)
            self._scanner = ScannerBuffer(
                float(getattr(settings, "scanner_max_gap_ms", 50.0)) / 1000,
                prefix=str(getattr(settings, "scanner_prefix", "")),
                suffix=str(getattr(settings, "scanner_suffix", "")),
                on_scan=self.scanned,
                replay=self._replay,
                start_timer=lambda delay, fn: self.set_timer(delay, fn, name="scanner"),
            )
        return self._scanner

    def scanner_takes(self, event: events.Key) -> bool:
        """Called by the App before the key reaches anything else on this screen."""
        typing = isinstance(self.focused, Input | TextArea)
        return self.scanner.feed(event, typing_in_field=typing)

    def _replay(self, keys: list[events.Key]) -> None:
        self.run_worker(self._hand_back(keys), group="scanner-replay")

    async def _hand_back(self, keys: list[events.Key]) -> None:
        """Hand the keys to the App one at a time, each once the one before has done what
        it does: a key that focuses a field ("/" on the shop, "p" at the counter) moves
        the focus several messages later, and the keys after it must find that field
        focused, as when they were typed. Waited for as Textual's Pilot waits between the
        keys it presses (the helper is Textual's own; its version is pinned)."""
        for key in keys:
            # From the App, as a terminal's key is: it bubbles up to the App, whose check
            # runs the screen's bindings (posted from here, it would stop at this screen).
            key.set_sender(self.app)
            self.app.post_message(key)
            await wait_for_idle(0, REPLAY_WAIT_MAX)
