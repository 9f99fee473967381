"""Which shards a transaction touched on a Citus cluster, read off the coordinator's own
account of the commands it sends to the workers (a diagnostic for tests and benchmarks).

With `citus.log_remote_commands` on, the coordinator sends a NOTICE for every command it
issues to a worker, naming the shards in it (table_<shardid>). Shards of co-located
tables that cover the same hash range are one shard group: a transaction that stayed on
one seller's rows touched one group. Reference tables (a copy on every node) are not
counted: reading them is local wherever the query runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import text

from workshop_tui.db.engine import Database

SHARD_NAME = re.compile(r"\b[a-z_]+_(\d{6,})\b")


class NoticeLog:
    """A psycopg2 connection's `notices`, kept whole (a list would be cut to the last 50)."""

    def __init__(self) -> None:
        self.notices: list[str] = []

    def append(self, notice: str) -> None:
        self.notices.append(notice)

    def take(self) -> list[str]:
        taken, self.notices = self.notices, []
        return taken


def trace(db: Database) -> list[NoticeLog]:
    """Log every command the coordinator sends, on each new connection of `db`'s pool."""
    from sqlalchemy import event

    logs: list[NoticeLog] = []

    @event.listens_for(db.engine, "connect")
    def _on_connect(dbapi: Any, _record: Any) -> None:
        dbapi.notices = NoticeLog()
        logs.append(dbapi.notices)
        with dbapi.cursor() as cur:
            cur.execute("SET citus.log_remote_commands = on")
        dbapi.commit()

    db.engine.dispose()  # connections made from now on are traced
    return logs


def shard_groups(db: Database) -> dict[int, str | None]:
    """shard id -> its hash range's lower bound (None for a reference table's shard)."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.shardid, s.shardminvalue FROM pg_dist_shard s"
                " JOIN pg_dist_partition p USING (logicalrelid) WHERE p.partmethod = 'h'"
            )
        ).all()
    return {int(r[0]): str(r[1]) for r in rows}


def groups_touched(notices: Iterable[str], groups: dict[int, str | None]) -> set[str]:
    """The shard groups named by the remote commands among `notices`."""
    touched: set[str] = set()
    for notice in notices:
        if "issuing" not in notice:
            continue
        for match in SHARD_NAME.finditer(notice):
            group = groups.get(int(match.group(1)))
            if group is not None:
                touched.add(group)
    return touched


def transactions(notices: list[str]) -> list[list[str]]:
    """The notices of each distributed transaction that wrote: from the first BEGIN the
    coordinator sends a worker to the last COMMIT (single statements outside a transaction
    block, such as the lookups that route a sale, are sent without one)."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    open_ = 0
    for notice in notices:
        if "issuing BEGIN TRANSACTION" in notice:
            if current is None:
                current = []
            open_ += 1
        if current is None:
            continue
        current.append(notice)
        if "issuing COMMIT" in notice or "issuing ROLLBACK" in notice:
            open_ -= 1
            if open_ == 0:
                blocks.append(current)
                current = None
    if current is not None:
        blocks.append(current)
    writes = ("issuing INSERT", "issuing UPDATE", "issuing DELETE", "issuing COPY")
    return [b for b in blocks if any(w in n for n in b for w in writes)]


def one_shard(notices: list[str], groups: dict[int, str | None]) -> bool:
    """Whether the one writing transaction those notices tell of ran on one shard group,
    over one connection to one worker, and committed without two-phase commit."""
    blocks = transactions(notices)
    if len(blocks) != 1:
        return False
    block = blocks[0]
    begun = sum("issuing BEGIN TRANSACTION" in n for n in block)
    prepared = any("issuing PREPARE TRANSACTION" in n for n in block)
    return len(groups_touched(block, groups)) == 1 and begun == 1 and not prepared
