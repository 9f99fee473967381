"""Accounts: one step that logs in or registers (the seed's handle_register).

A login is a phone number (normalised, so one person is one account) or a
username. Customers use a PIN of 6 to 8 digits, staff a password of 8 or more
characters; both are argon2id hashes. Failed attempts are counted per login
name, known or not, and lock that name for a while (`rate_limited`).
Hashing happens outside any transaction: it is deliberately slow.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services import convert
from workshop_tui.services._tx import in_transaction, read_only
from workshop_tui.services.errors import AuthFailed, Forbidden, InvalidInput, NotFound, RateLimited
from workshop_tui.services.passwords import hash_secret, verify_secret
from workshop_tui.services.types import Account, LoginResult

USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,29}$")
PIN = re.compile(r"^[0-9]{6,8}$")
WALK_IN_USERNAME = "walk-in"


def normalise_phone(raw: str) -> str | None:
    """'+91 98765-43210', '098765 43210' and '9876543210' are all '+919876543210'."""
    text = raw.strip()
    if not re.fullmatch(r"\+?[0-9][0-9 ()\-]{6,20}", text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return "+" + digits if 8 <= len(digits) <= 15 else None
    if len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    if len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    if len(digits) == 10 and digits[0] in "6789":
        return "+91" + digits
    return None


def parse_login(raw: object) -> tuple[str, str]:
    """('phone', '+91...') or ('username', 'name'); invalid_input otherwise."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("enter a phone number or a username")
    phone = normalise_phone(raw)
    if phone:
        return "phone", phone
    name = raw.strip().lower()
    if USERNAME.fullmatch(name):
        return "username", name
    raise InvalidInput(
        "a login is a 10-digit mobile number or a username of 3-30 letters, digits, '.', '_' or '-'"
    )


def check_pin(pin: object) -> str:
    if not isinstance(pin, str) or not PIN.fullmatch(pin):
        raise InvalidInput("a PIN is 6 to 8 digits")
    return pin


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < 8 or len(password) > 200:
        raise InvalidInput("a password has 8 to 200 characters")
    return password


class AuthService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- logging in -----------------------------------------------------------

    def login_or_register(self, login: object, secret: object, *, name: str = "") -> LoginResult:
        """Log in an existing account, or register a new customer with this PIN."""
        kind, value = parse_login(login)
        if not isinstance(secret, str) or not secret or len(secret) > 200:
            raise InvalidInput("enter your PIN or password")
        self._refuse_if_locked(value)
        row = self._find(kind, value)
        if row is None:
            return self._register(kind, value, check_pin(secret), name)
        if not row.is_active or not verify_secret(row.password_hash, secret):
            self._record_failure(value)
            raise AuthFailed("wrong login or PIN/password")
        self._clear_failures(value)
        return LoginResult(account=row.account, created=False)

    def login(self, login: object, secret: object) -> Account:
        """Log in only (never registers): staff unlocking a kiosk, for example."""
        kind, value = parse_login(login)
        if not isinstance(secret, str):
            raise InvalidInput("enter your PIN or password")
        self._refuse_if_locked(value)
        row = self._find(kind, value)
        if (
            row is None
            or not row.is_active
            or not verify_secret(row.password_hash if row else None, secret)
        ):
            self._record_failure(value)
            raise AuthFailed("wrong login or PIN/password")
        self._clear_failures(value)
        return row.account

    def exists(self, login: object) -> bool:
        """Whether a login names an account (the TUI asks for a new PIN twice)."""
        kind, value = parse_login(login)
        return self._find(kind, value) is not None

    def _find(self, kind: str, value: str) -> _Row | None:
        column = m.Customer.phone if kind == "phone" else m.Customer.username

        def work(s: Session) -> _Row | None:
            row = s.scalars(select(m.Customer).where(column == value)).one_or_none()
            return (
                None
                if row is None
                else _Row(convert.account(row), row.password_hash, row.is_active)
            )

        return read_only(self.db, work)

    def _register(self, kind: str, value: str, pin: str, name: str) -> LoginResult:
        hashed = hash_secret(pin)
        clean_name = (name or "").strip()[:200]

        def work(s: Session) -> Account:
            row = m.Customer(
                role="customer", password_hash=hashed, name=clean_name, **{kind: value}
            )
            s.add(row)
            s.flush()
            return convert.account(row)

        try:
            return LoginResult(account=in_transaction(self.db, work), created=True)
        except IntegrityError:
            # Someone registered the same login a moment ago: log in instead.
            return self.login_or_register(value, pin)

    # --- throttling -----------------------------------------------------------

    def _refuse_if_locked(self, login: str) -> None:
        def work(s: Session) -> datetime | None:
            return s.scalar(
                select(m.LoginThrottle.locked_until).where(
                    m.LoginThrottle.login == login, m.LoginThrottle.locked_until > func.now()
                )
            )

        until = read_only(self.db, work)
        if until is not None:
            wait = max(1, int((until - datetime.now(UTC)).total_seconds() + 0.999))
            raise RateLimited(f"too many failed attempts: try again in {wait} s", retry_after=wait)

    def _record_failure(self, login: str) -> None:
        limit = self.db.settings.login_max_failures
        lockout = timedelta(seconds=self.db.settings.login_lockout_seconds)

        def work(s: Session) -> None:
            stmt = insert(m.LoginThrottle).values(login=login, failures=1, updated_at=func.now())
            failures = s.scalar(
                stmt.on_conflict_do_update(
                    index_elements=[m.LoginThrottle.login],
                    set_={"failures": m.LoginThrottle.failures + 1, "updated_at": func.now()},
                ).returning(m.LoginThrottle.failures)
            )
            if failures is not None and failures >= limit:
                s.execute(
                    update(m.LoginThrottle)
                    .where(m.LoginThrottle.login == login)
                    .values(failures=0, locked_until=datetime.now(UTC) + lockout)
                )

        in_transaction(self.db, work)

    def _clear_failures(self, login: str) -> None:
        in_transaction(
            self.db,
            lambda s: s.execute(delete(m.LoginThrottle).where(m.LoginThrottle.login == login)),
        )

    # --- accounts -------------------------------------------------------------

    def create_user(
        self, *, username: str, password: str, role: str = "staff", name: str = ""
    ) -> Account:
        kind, value = parse_login(username)
        if kind != "username":
            raise InvalidInput("staff accounts use a username, not a phone number")
        if role not in m.ROLES:
            raise InvalidInput(f"role must be one of {', '.join(m.ROLES)}")
        hashed = hash_secret(
            check_pin(password) if role == "customer" else check_password(password)
        )

        def work(s: Session) -> Account:
            row = m.Customer(
                username=value, role=role, name=name.strip()[:200], password_hash=hashed
            )
            s.add(row)
            s.flush()
            return convert.account(row)

        try:
            return in_transaction(self.db, work)
        except IntegrityError as exc:
            raise InvalidInput(f"the username {value!r} is taken") from exc

    def get(self, account_id: int) -> Account:
        def work(s: Session) -> Account:
            row = s.get(m.Customer, account_id)
            if row is None:
                raise NotFound(f"no account #{account_id}")
            return convert.account(row)

        return read_only(self.db, work)

    def staff_account(self, username: object) -> Account:
        """A staff or admin account by username: who the command line acts as (it has the database already)."""
        kind, value = parse_login(username)
        row = self._find(kind, value)
        if row is None:
            raise NotFound(f"no account {value}")
        require_staff(row.account)
        return row.account

    def find_customer(self, actor: Account, login: object) -> Account | None:
        """Staff look a customer up by phone (or username) at the counter."""
        require_staff(actor)
        kind, value = parse_login(login)
        row = self._find(kind, value)
        return row.account if row else None

    def walk_in_customer(self, actor: Account) -> Account:
        """The shared account counter sales to an anonymous customer are booked to."""
        require_staff(actor)
        existing = self._find("username", WALK_IN_USERNAME)
        if existing:
            return existing.account
        unusable = hash_secret(secrets.token_urlsafe(32))

        def work(s: Session) -> Account:
            s.execute(
                insert(m.Customer)
                .values(
                    username=WALK_IN_USERNAME,
                    name="Walk-in customer",
                    role="customer",
                    password_hash=unusable,
                    is_active=False,
                )
                .on_conflict_do_nothing()
            )
            return convert.account(
                s.scalars(select(m.Customer).where(m.Customer.username == WALK_IN_USERNAME)).one()
            )

        return in_transaction(self.db, work)

    def register_customer(
        self, actor: Account, phone: object, pin: object, name: str = ""
    ) -> Account:
        """Staff create a customer at the counter, with the PIN the customer chose."""
        require_staff(actor)
        kind, value = parse_login(phone)
        if kind != "phone":
            raise InvalidInput("enter the customer's mobile number")
        hashed = hash_secret(check_pin(pin))

        def work(s: Session) -> Account:
            row = m.Customer(
                phone=value, name=(name or "").strip()[:200], role="customer", password_hash=hashed
            )
            s.add(row)
            s.flush()
            return convert.account(row)

        try:
            return in_transaction(self.db, work)
        except IntegrityError as exc:
            raise InvalidInput(f"{value} already has an account") from exc


class _Row:
    __slots__ = ("account", "password_hash", "is_active")

    def __init__(self, account: Account, password_hash: str, is_active: bool) -> None:
        self.account = account
        self.password_hash = password_hash
        self.is_active = is_active


def require_staff(actor: Account) -> None:
    if not actor.is_staff:
        raise Forbidden("staff only")
