"""What a stress run measured: per-operation outcomes and latencies, and how it is printed."""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workshop_tui.services.errors import ServiceError
from workshop_tui.stress.checks import InvariantReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpStats:
    kind: str
    count: int
    outcomes: tuple[tuple[str, int], ...]  # (ok | error code, count), most frequent first
    ops_per_s: float
    p95_ms: float


@dataclass(frozen=True)
class StressReport:
    clients: int
    elapsed: float
    ops: tuple[OpStats, ...]
    retries: int
    double_orders: int
    unexpected: tuple[str, ...]
    invariants: InvariantReport

    @property
    def total_ops(self) -> int:
        return sum(op.count for op in self.ops)

    @property
    def throughput(self) -> float:
        return self.total_ops / self.elapsed if self.elapsed else 0.0

    @property
    def oversells(self) -> int:
        return self.invariants.oversold_units

    @property
    def double_charges(self) -> int:
        return self.invariants.double_charges

    @property
    def ok(self) -> bool:
        return (
            self.invariants.ok
            and self.oversells == 0
            and self.double_charges == 0
            and self.double_orders == 0
            and not self.unexpected
        )


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


class Recorder:
    """One client's outcomes and latencies per operation kind (merged after the run)."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.outcomes: dict[str, Counter[str]] = defaultdict(Counter)
        self.unexpected: list[str] = []

    def call(self, kind: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = attempt(fn, *args, **kwargs)
        self.note(kind, result, time.perf_counter() - started)
        return None if isinstance(result, BaseException) else result

    def note(self, kind: str, result: Any, seconds: float) -> None:
        self.latency[kind].append(seconds)
        if isinstance(result, ServiceError):
            self.outcomes[kind][result.code] += 1
        elif isinstance(result, BaseException):
            self.outcomes[kind]["unexpected"] += 1
            self.unexpected.append(f"{kind}: {type(result).__name__}: {result}")
        else:
            self.outcomes[kind]["ok"] += 1


def attempt(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """fn's result, or the exception it raised (logged when it is not a ServiceError)."""
    try:
        return fn(*args, **kwargs)
    except ServiceError as exc:
        return exc
    except Exception as exc:
        log.exception("stress: unexpected failure")
        return exc


def summarise(
    recorders: list[Recorder],
    elapsed: float,
    *,
    retries: int,
    double_orders: int,
    invariants: InvariantReport,
) -> StressReport:
    latency: dict[str, list[float]] = defaultdict(list)
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    unexpected: list[str] = []
    for rec in recorders:
        for kind, values in rec.latency.items():
            latency[kind].extend(values)
        for kind, counts in rec.outcomes.items():
            outcomes[kind].update(counts)
        unexpected.extend(rec.unexpected)
    ops = tuple(
        OpStats(
            kind=kind,
            count=len(latency[kind]),
            outcomes=tuple(outcomes[kind].most_common()),
            ops_per_s=len(latency[kind]) / elapsed if elapsed else 0.0,
            p95_ms=p95(latency[kind]) * 1000,
        )
        for kind in sorted(latency, key=lambda k: -len(latency[k]))
    )
    return StressReport(
        clients=len(recorders),
        elapsed=elapsed,
        ops=ops,
        retries=retries,
        double_orders=double_orders,
        unexpected=tuple(unexpected),
        invariants=invariants,
    )


def print_report(report: StressReport, echo: Callable[[str], Any]) -> None:
    echo(f"operations ({report.total_ops} in {report.elapsed:.1f} s):")
    echo(f"  {'kind':<16}{'count':>7}{'ops/s':>9}{'p95 ms':>9}  outcomes")
    for op in report.ops:
        outcomes = ", ".join(f"{name} {count}" for name, count in op.outcomes)
        echo(f"  {op.kind:<16}{op.count:>7}{op.ops_per_s:>9.1f}{op.p95_ms:>9.1f}  {outcomes}")
    echo(f"throughput: {report.throughput:.1f} ops/s")
    echo(f"oversells: {report.oversells}")
    echo(f"double charges: {report.double_charges}")
    echo(f"double orders: {report.double_orders}")
    echo(f"retries (deadlock/lock timeout/serialization): {report.retries}")
    for check in report.invariants.checks:
        label = "invariant" if check.name[0].isdigit() else "check"
        echo(f"{label} {check.name}: " + ("ok" if check.ok else f"FAILED ({check.detail})"))
    for line in report.unexpected[:5]:
        echo(f"unexpected: {line}")
    echo("stress: " + ("ok" if report.ok else "FAILED"))
