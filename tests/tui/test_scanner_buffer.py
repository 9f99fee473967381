"""The scanner's decision, key by key, on a clock the test moves (widgets.scanner.ScannerBuffer)."""

from __future__ import annotations

from textual import events

from workshop_tui.widgets.scanner import ScannerBuffer


class Harness:
    def __init__(self, *, prefix: str = "", suffix: str = "") -> None:
        self.now = 0.0
        self.scans: list[str] = []
        self.given_back: list[str] = []
        self.buffer = ScannerBuffer(
            0.05,
            prefix=prefix,
            suffix=suffix,
            on_scan=self.scans.append,
            replay=lambda keys: self.given_back.extend(k.key for k in keys),
            start_timer=lambda delay, fn: _NoTimer(),
            clock=lambda: self.now,
        )

    def type(
        self, keys: str | list[str], gap: float = 0.005, *, in_field: bool = False
    ) -> list[bool]:
        taken = []
        for key in keys:
            self.now += gap
            char = key if len(key) == 1 else None
            taken.append(self.buffer.feed(events.Key(key, char), typing_in_field=in_field))
        return taken


class _NoTimer:
    def stop(self) -> None:
        pass


def test_a_fast_burst_ending_in_enter_is_one_scan_and_no_key_gets_through():
    h = Harness()
    assert h.type([*"acm-ham", "enter"]) == [True] * 8
    assert h.scans == ["acm-ham"] and h.given_back == []


def test_slow_keys_are_given_back_in_order_as_typed():
    h = Harness()
    assert h.type("ab", gap=0.2) == [True, True]  # "a" held, then both handed back
    assert h.type(["enter"], gap=0.2) == [False]  # nothing held: Enter goes through as typed
    assert h.scans == [] and h.given_back == ["a", "b"]


def test_another_key_in_a_burst_gives_the_held_keys_back_before_it():
    h = Harness()
    h.type([*"ab", "down"])
    assert h.scans == [] and h.given_back == ["a", "b", "down"]


def test_a_burst_without_the_prefix_is_not_a_scan():
    h = Harness(prefix="*")
    h.type([*"abc", "enter"])
    assert h.scans == [] and h.given_back == ["a", "b", "c", "enter"]
    h.type([*"*abc", "enter"])
    assert h.scans == ["abc"]


def test_a_suffix_ends_the_scan_without_enter():
    h = Harness(suffix="#")
    h.type("abc#")
    assert h.scans == ["abc"]


def test_typing_in_a_field_is_left_to_the_field():
    h = Harness()
    assert h.type([*"abc", "enter"], in_field=True) == [False] * 4
    assert h.scans == []


def test_a_scanner_that_ends_with_a_line_feed_scans_too():
    h = Harness()
    h.type([*"abc", "ctrl+j"])
    assert h.scans == ["abc"]
