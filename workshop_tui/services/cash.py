"""Cash sessions: a drawer's shift on one terminal, and its Z-report.

Staff open a session with a float; payments and refunds taken on the terminal
are linked to it; cash in / out is recorded with a reason; closing counts the
drawer and freezes expected against counted cash and the ledger's chain heads.
The database holds "one open session per terminal" (a partial unique index).

The session row is first in the global lock order (services.locks): a sale takes
it FOR SHARE, closing FOR UPDATE, so no payment can slip into a session being closed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services import locks
from workshop_tui.services._sql import Tx
from workshop_tui.services._tx import in_transaction, read_only
from workshop_tui.services.auth import require_staff
from workshop_tui.services.errors import InvalidInput, InvalidState, NotFound
from workshop_tui.services.types import Account, CashSession, ChainHead, SalesRow, ZReport
from workshop_tui.services.validate import check_amount


def to_view(row: m.CashSession) -> CashSession:
    return CashSession(
        id=row.id,
        terminal_id=row.terminal_id,
        kind=row.kind,
        opened_by=row.opened_by,
        opened_at=row.opened_at,
        opening_float=row.opening_float,
        closed_at=row.closed_at,
        counted_cash=row.counted_cash,
        expected_cash=row.expected_cash,
    )


def open_session_for_sale(s: Tx, terminal_id: str, *, required: bool) -> int | None:
    """The terminal's open session, share-locked so it cannot close under this sale."""
    session_id = locks.cash_session_for_sale(s, terminal_id)
    if session_id is None and required:
        raise InvalidState(
            f"no cash session is open on {terminal_id}: staff must open one before selling"
        )
    return session_id


class CashService:
    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def terminal_id(self) -> str:
        return self.db.settings.terminal_id

    def current(self) -> CashSession | None:
        row = read_only(
            self.db,
            lambda s: s.scalars(
                select(m.CashSession).where(
                    m.CashSession.terminal_id == self.terminal_id, m.CashSession.closed_at.is_(None)
                )
            ).one_or_none(),
        )
        return to_view(row) if row else None

    def open(self, actor: Account, opening_float: object, *, kind: str = "counter") -> CashSession:
        require_staff(actor)
        amount = check_amount(opening_float, "the opening float", allow_zero=True)
        if kind not in ("counter", "kiosk"):
            raise InvalidInput("a session is for the counter or a kiosk")

        def work(s: Session) -> CashSession:
            row = m.CashSession(
                terminal_id=self.terminal_id, kind=kind, opened_by=actor.id, opening_float=amount
            )
            s.add(row)
            s.flush()
            return to_view(row)

        try:
            return in_transaction(self.db, work)
        except IntegrityError as exc:
            raise InvalidState(f"a cash session is already open on {self.terminal_id}") from exc

    def move(self, actor: Account, direction: str, amount: object, reason: str) -> ZReport:
        """Cash in or out of the drawer (change, a supplier paid in cash...), with a reason."""
        require_staff(actor)
        if direction not in ("in", "out"):
            raise InvalidInput("cash goes in or out")
        value = check_amount(amount)
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 200:
            raise InvalidInput("give a reason of at most 200 characters")

        def work(s: Session) -> int:
            session = self._lock_open(s)
            s.add(
                m.CashMovement(
                    session_id=session.id,
                    direction=direction,
                    amount=value,
                    reason=reason.strip(),
                    actor_id=actor.id,
                )
            )
            return session.id

        return self.report(actor, in_transaction(self.db, work))

    def close(self, actor: Account, counted_cash: object) -> ZReport:
        """Count the drawer and close the session; the Z-report is frozen with the ledger heads."""
        require_staff(actor)
        counted = check_amount(counted_cash, "the counted cash", allow_zero=True)

        def work(s: Session) -> int:
            session = self._lock_open(s)
            totals = compute(s, session)
            heads = {
                h.chain: [h.seq, h.hash]
                for h in s.scalars(select(m.LedgerHead).order_by(m.LedgerHead.chain))
            }
            s.execute(
                update(m.CashSession)
                .where(m.CashSession.id == session.id)
                .values(
                    closed_at=func.now(),
                    closed_by=actor.id,
                    counted_cash=counted,
                    expected_cash=totals["expected_cash"],
                    ledger_heads=heads,
                )
            )
            return session.id

        return self.report(actor, in_transaction(self.db, work))

    def report(self, actor: Account, session_id: int) -> ZReport:
        require_staff(actor)

        def work(s: Session) -> ZReport:
            row = s.get(m.CashSession, session_id)
            if row is None:
                raise NotFound(f"no cash session #{session_id}")
            totals = compute(s, row)
            if row.ledger_heads is not None:
                heads = tuple(
                    ChainHead(c, seq, h) for c, (seq, h) in sorted(row.ledger_heads.items())
                )
            else:
                heads = tuple(
                    ChainHead(h.chain, h.seq, h.hash)
                    for h in s.scalars(select(m.LedgerHead).order_by(m.LedgerHead.chain))
                )
            return ZReport(
                session=to_view(row), ledger_heads=heads, counted_cash=row.counted_cash, **totals
            )

        return read_only(self.db, work)

    def sessions(self, actor: Account, *, limit: int = 20) -> list[CashSession]:
        require_staff(actor)
        rows = read_only(
            self.db,
            lambda s: list(
                s.scalars(select(m.CashSession).order_by(m.CashSession.id.desc()).limit(limit))
            ),
        )
        return [to_view(r) for r in rows]

    def _lock_open(self, s: Session) -> m.CashSession:
        row = locks.cash_session_to_change(s, self.terminal_id)
        if row is None:
            raise InvalidState(f"no cash session is open on {self.terminal_id}")
        return row


def compute(s: Session, session: m.CashSession) -> dict[str, Any]:
    """The session's figures from its linked payments, orders and cash movements."""
    linked = (
        select(
            m.Payment.kind,
            m.Payment.method,
            func.count(m.Payment.id),
            func.coalesce(func.sum(m.Payment.amount), 0),
        )
        .join(m.SessionPayment, m.SessionPayment.payment_id == m.Payment.id)
        .where(m.SessionPayment.session_id == session.id, m.Payment.status == "succeeded")
        .group_by(m.Payment.kind, m.Payment.method)
        .order_by(m.Payment.method)
    )
    sales: list[SalesRow] = []
    refunds: list[SalesRow] = []
    for kind, method, count, amount in s.execute(linked):
        (sales if kind == "charge" else refunds).append(SalesRow(method, count, 0, Decimal(amount)))
    moves = dict(
        s.execute(
            select(m.CashMovement.direction, func.sum(m.CashMovement.amount))
            .where(m.CashMovement.session_id == session.id)
            .group_by(m.CashMovement.direction)
        ).all()
    )
    # One definition with the sales report: an order counts where its charge was taken, a
    # cancellation where its refund was paid (figures that no longer move after the close).
    orders = s.scalar(
        select(func.count(func.distinct(m.Payment.order_id)))
        .join(m.SessionPayment, m.SessionPayment.payment_id == m.Payment.id)
        .where(
            m.SessionPayment.session_id == session.id,
            m.Payment.kind == "charge",
            m.Payment.status == "succeeded",
        )
    )
    cancellations = s.scalar(
        select(func.count(m.Payment.id))
        .join(m.SessionPayment, m.SessionPayment.payment_id == m.Payment.id)
        .join(m.Cancellation, m.Cancellation.order_id == m.Payment.order_id)
        .where(
            m.SessionPayment.session_id == session.id,
            m.Payment.kind == "refund",
            m.Payment.status == "succeeded",
        )
    )
    cash_in, cash_out = Decimal(moves.get("in") or 0), Decimal(moves.get("out") or 0)
    cash_sales = sum((r.revenue for r in sales if r.label == "cash"), Decimal("0"))
    cash_refunds = sum((r.revenue for r in refunds if r.label == "cash"), Decimal("0"))
    return {
        "sales_by_method": tuple(sales),
        "refunds_by_method": tuple(refunds),
        "orders": orders,
        "cancellations": cancellations,
        "gross": sum((r.revenue for r in sales), Decimal("0.00")),
        "refunds": sum((r.revenue for r in refunds), Decimal("0.00")),
        "cash_in": cash_in,
        "cash_out": cash_out,
        "expected_cash": session.opening_float + cash_sales - cash_refunds + cash_in - cash_out,
    }


def till_session(s: Tx, db: Database, actor: Account, *, selling: bool) -> int | None:
    """The drawer session a staff or kiosk action on this terminal belongs to.

    Customers on their own devices (the web) have none. Selling without an open
    session is refused when the shop requires sessions; refunds are linked when
    a session is open and never refused for the lack of one.
    """
    if not (actor.is_staff or db.settings.kiosk):
        return None
    return open_session_for_sale(
        s, db.settings.terminal_id, required=selling and db.settings.require_cash_session
    )
