"""Vectorised formatting of generated columns into CSV text, and the CSV writer.

Money is carried as int64 paise and times as int64 microseconds since the Unix
epoch (UTC) until the moment they are written, so no float ever rounds a rupee.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

US_PER_S = 1_000_000
US_PER_MIN = 60 * US_PER_S
US_PER_H = 60 * US_PER_MIN
US_PER_DAY = 24 * US_PER_H
NULL_TIME = np.iinfo(np.int64).min

Table = dict[str, Any]


def to_us(moment: datetime) -> int:
    """An aware datetime as microseconds since the epoch."""
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * US_PER_S + delta.microseconds


def money(paise: np.ndarray) -> list[str]:
    """123456 -> '1234.56' (paise are never negative here)."""
    rupees, cents = np.divmod(np.asarray(paise, dtype=np.int64), 100)
    return list(map("{}.{:02d}".format, rupees.tolist(), cents.tolist()))


def times(us: np.ndarray) -> list[str]:
    """Microseconds -> '2026-05-03T14:22:01.123456+00:00'; NULL_TIME -> '' (NULL in COPY)."""
    us = np.asarray(us, dtype=np.int64)
    missing = us == NULL_TIME
    text = iso_times(np.where(missing, 0, us))
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            text[i] = ""
    return text


def iso_times(us: np.ndarray) -> list[str]:
    """The ledger's canonical UTC form (ledger_codec.utc_iso) for many times at once."""
    text = np.datetime_as_string(np.asarray(us, dtype=np.int64).astype("datetime64[us]"), unit="us")
    return [t + "+00:00" for t in text.tolist()]


def nullable(values: np.ndarray, present: np.ndarray) -> list:
    """Values where present, None (an empty CSV field, NULL) elsewhere."""
    out = np.asarray(values).astype(object)
    out[~np.asarray(present, dtype=bool)] = None
    return out.tolist()


def ordered(columns: Table, order: np.ndarray) -> Table:
    """The same table with its rows in another order."""
    return {
        name: (values if isinstance(values, np.ndarray) else np.array(values, dtype=object))[order]
        for name, values in columns.items()
    }


SECRET_COLUMNS = frozenset({"password_hash"})


def write_table(columns: Table, path: Path) -> int:
    """Write one table's CSV (header = column names, '\\n' line ends); return its row count.

    Columns are numpy arrays or lists; None is written as an empty field (NULL).
    """
    lists = [v.tolist() if isinstance(v, np.ndarray) else v for v in columns.values()]
    rows = len(lists[0]) if lists else 0
    fields = [csv_field_texts(values) for values in lists]
    if len({len(f) for f in fields}) > 1:
        raise ValueError(f"{path.name}: columns of different lengths")
    # A file of password hashes is readable by its owner only (offline guessing of PINs is cheap).
    secret = bool(SECRET_COLUMNS & set(columns))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o666)
    if secret:
        os.chmod(path, 0o600)  # the file may have existed with a wider mode
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerow(list(columns))
        for start in range(0, rows, WRITE_ROWS):
            chunk = [f[start : start + WRITE_ROWS] for f in fields]
            out.write("\n".join(map(",".join, zip(*chunk, strict=True))))
            out.write("\n")
    return rows


WRITE_ROWS = 100_000
# The characters for which csv.writer (QUOTE_MINIMAL, lineterminator "\n") quotes a field.
_SPECIAL = (",", '"', "\n", "\r")


def csv_field_texts(values: list) -> list[str]:
    """Each value as csv.writer writes it (None empty, quoted when needed), a column at a time.

    Joining ready texts is about three times faster than csv.writer's per-field
    dispatch; the output is the same bytes (tests compare them).
    """
    kinds = set(map(type, values))
    if kinds <= {int}:
        return list(map(str, values))
    if kinds == {str}:
        joined = "\x00".join(values)
        if not any(c in joined for c in _SPECIAL):
            return values
        return [_quoted(v) for v in values]
    return ["" if v is None else _quoted(v if type(v) is str else str(v)) for v in values]


def _quoted(text: str) -> str:
    if "\r" in text:  # whether csv quotes a lone CR differs between Python versions: ask it
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([text, ""])
        return buffer.getvalue()[:-2]
    if "," in text or '"' in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text
