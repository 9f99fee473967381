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
    """A psycopg2 connection's `notices`, kept whole (a list would be cut to the last 50),
    and only those raised inside a transaction (not autocommit): the sale's transactions,
    not the single statements that route them."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.notices: list[str] = []

    def append(self, notice: str) -> None:
        if not self.connection.autocommit:
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
        dbapi.notices = NoticeLog(dbapi)
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


def one_shard(notices: list[str], groups: dict[int, str | None]) -> bool:
    """Whether the transaction those notices tell of ran on one shard group, over one
    connection to one worker, and committed without two-phase commit."""
    begun = sum("issuing BEGIN TRANSACTION" in n for n in notices)
    prepared = any("issuing PREPARE TRANSACTION" in n for n in notices)
    return len(groups_touched(notices, groups)) == 1 and begun == 1 and not prepared
