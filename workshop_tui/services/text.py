"""Text from outside (a name, a reason, a search): no control characters, a length cap.

PostgreSQL refuses a NUL in text outright (a 500 if it gets that far) and the other
control characters corrupt receipts, CSV exports and terminals; a lone surrogate
cannot be encoded at all. All of them are invalid_input at the edge.
"""

from __future__ import annotations

import re

from workshop_tui.services.errors import InvalidInput

# C0 controls, DEL, C1 controls and UTF-16 surrogates (only reachable through JSON escapes).
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def has_control(value: str) -> bool:
    return FORBIDDEN.search(value) is not None


def clean_text(value: object, field: str, max_len: int = 200) -> str:
    """`value` stripped, or invalid_input naming `field` (not text, control characters, too long)."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text")
    if has_control(value):
        raise InvalidInput(f"{field} must not contain control characters")
    text = value.strip()
    if len(text) > max_len:
        raise InvalidInput(f"{field} has at most {max_len} characters")
    return text
