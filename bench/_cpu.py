"""Where the machine's CPU went during a bench window: each part of the bench, and the rest.

On a small shared machine a latency percentile says as much about the run queue as
about the product, so the bench reads /proc at the window's start and end: the CPU
seconds of every process it started (grouped by the part they play), the machine's
busy and stolen time, and the CPU pressure stall (PSI: the share of wall time in which
some runnable task waited for a core). Linux only; elsewhere it reports nothing.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = Path("/proc")


@dataclass(frozen=True)
class _Proc:
    ppid: int
    comm: str
    ticks: int
    started: int  # in ticks since boot: tells a reused pid apart


def _processes() -> dict[int, _Proc]:
    found: dict[int, _Proc] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2 :].split()
        # Fields after the comm, from 0: state, ppid, ..., utime (11), stime (12), starttime (19).
        found[int(entry.name)] = _Proc(
            int(rest[1]), comm, int(rest[11]) + int(rest[12]), int(rest[19])
        )
    return found


def _machine() -> tuple[int, int, int]:
    """(busy, steal, all) ticks of every core since boot."""
    values = [int(v) for v in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    total = sum(values[:8])
    return total - idle - iowait - steal, steal, total


def _pressure() -> int | None:
    """Microseconds some task waited for a CPU, since boot (None without PSI)."""
    try:
        line = (PROC / "pressure" / "cpu").read_text().split("\n", 1)[0]
    except OSError:
        return None
    return int(line.rsplit("total=", 1)[1])


@dataclass
class _Snapshot:
    at: float
    procs: dict[int, _Proc]
    machine: tuple[int, int, int]
    pressure: int | None

    @classmethod
    def take(cls) -> _Snapshot:
        return cls(time.monotonic(), _processes(), _machine(), _pressure())


@dataclass
class CpuWindow:
    """Snapshots at `start_at` and `end_at` (wall-clock times), in a thread of its own.

    `roots` names the processes whose whole trees are one part each, `below` those whose
    descendants are a part apart from them (filled in any time before the window
    ends), `commands` those of them that run a command by its name; everything else
    the machine did is `rest`.
    """

    start_at: float
    end_at: float
    roots: dict[int, str] = field(default_factory=dict)
    below: dict[int, str] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    _first: _Snapshot | None = None
    _last: _Snapshot | None = None
    _thread: threading.Thread | None = None

    def start(self) -> CpuWindow:
        if PROC.joinpath("stat").exists():
            self._thread = threading.Thread(target=self._run, daemon=True, name="cpu-window")
            self._thread.start()
        return self

    def _run(self) -> None:
        time.sleep(max(0.0, self.start_at - time.time()))
        self._first = _Snapshot.take()
        time.sleep(max(0.0, self.end_at - time.time()))
        self._last = _Snapshot.take()

    def report(self) -> list[str]:
        if self._thread is not None:
            self._thread.join(self.end_at - time.time() + 10)
        first, last = self._first, self._last
        if first is None or last is None:
            return []
        seconds = last.at - first.at
        parts: dict[str, float] = {}
        for pid, proc in last.procs.items():
            part = self._part_of(pid, last.procs)
            if part is None:
                continue
            before = first.procs.get(pid)
            start = before.ticks if before is not None and before.started == proc.started else 0
            parts[part] = parts.get(part, 0.0) + (proc.ticks - start) / TICK
        busy = (last.machine[0] - first.machine[0]) / TICK
        steal = (last.machine[1] - first.machine[1]) / TICK
        capacity = (last.machine[2] - first.machine[2]) / TICK
        ours = sum(parts.values())
        listed = ", ".join(f"{name} {cpu:.1f}" for name, cpu in sorted(parts.items()))
        lines = [
            f"cpu over the {seconds:.0f} s window, core-seconds of {capacity:.0f}: {listed}; "
            f"rest of the machine {max(0.0, busy - ours):.1f}; idle {capacity - busy - steal:.1f}"
            + (f"; stolen {steal:.1f}" if steal else "")
        ]
        if first.pressure is not None and last.pressure is not None:
            stalled = (last.pressure - first.pressure) / 1e6 / seconds
            lines.append(f"cpu pressure: some task waited for a core {stalled:.0%} of the window")
        return lines

    def _part_of(self, pid: int, procs: dict[int, _Proc]) -> str | None:
        part = self._tree_of(pid, procs)
        if part is not None and pid in procs and procs[pid].comm in self.commands:
            return self.commands[procs[pid].comm]  # one of ours, not another's on this machine
        return part

    def _tree_of(self, pid: int, procs: dict[int, _Proc]) -> str | None:
        first, seen = pid, 0
        while pid > 1 and seen < 64:
            if pid != first and pid in self.below:
                return self.below[pid]
            if pid in self.roots:
                return self.roots[pid]
            proc = procs.get(pid)
            if proc is None:
                return None
            pid, seen = proc.ppid, seen + 1
        return None


def postmaster(port: int) -> int | None:
    """The pid of the PostgreSQL server listening on `port` (its -p option), if on this machine."""
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"postgres") and f"-p {port}".encode() in b" ".join(argv):
            return int(entry.name)
    return None
