"""A generic result message for one-off service calls (`call_service(fn, Result)`)."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class Result(Message):
    """The value a service call returned; `action` says which call, when a screen has several."""

    def __init__(self, value: Any, action: str = "") -> None:
        super().__init__()
        self.value = value
        self.action = action

    @classmethod
    def tagged(cls, action: str):
        """`call_service(fn, Result.tagged("cart.change"))` to tell results apart."""
        return lambda value: cls(value, action)
