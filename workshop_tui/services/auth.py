"""Accounts: one step that logs in or registers (the seed's handle_register).

A login is a phone number (normalised, so one person is one account) or a
username. Customers use a PIN of 6 to 8 digits, staff a password of 8 or more
characters; both are argon2id hashes. Failed attempts are counted per source
(the web's client address, or this terminal) across all logins and per login
from that source, with growing delays (`rate_limited`, services.throttle).
Hashing happens outside any transaction: it is deliberately slow.

Logins that look official (admin..., staff..., the walk-in account) are reserved:
only `workshop user add` makes them, and the walk-in account never logs in.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services import convert
from workshop_tui.services._tx import in_transaction, read_only
from workshop_tui.services.common_pins import weak_pin_reason
from workshop_tui.services.errors import AuthFailed, Forbidden, InvalidInput, NotFound
from workshop_tui.services.passwords import UNUSABLE_HASH, hash_secret, verify_secret
from workshop_tui.services.throttle import TERMINAL, Throttle
from workshop_tui.services.types import Account, LoginResult
from workshop_tui.services.validate import clean_text

USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,29}$")
PIN = re.compile(r"^[0-9]{6,8}$")
WALK_IN_USERNAME = "walk-in"
WALK_IN_NAMES = frozenset({WALK_IN_USERNAME, "walkin"})
RESERVED_PREFIXES = (
    "admin", "staff", "root", "system", "manager", "cashier", "support", "workshop",
)  # fmt: skip


def is_reserved(username: str) -> bool:
    """Names that would pass for the shop's own accounts: only `workshop user add` makes them."""
    name = username.strip().lower()
    return name in WALK_IN_NAMES or name.startswith(RESERVED_PREFIXES)


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


def check_new_pin(pin: object) -> str:
    """A PIN for a new account: 6 to 8 digits and not one anyone would guess first."""
    digits = check_pin(pin)
    reason = weak_pin_reason(digits)
    if reason:
        raise InvalidInput(f"choose another PIN: this one {reason} and is easy to guess")
    return digits


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < 8 or len(password) > 200:
        raise InvalidInput("a password has 8 to 200 characters")
    if not password.strip():
        raise InvalidInput("a password cannot be only spaces")
    return password


class AuthService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.throttle = Throttle(db)

    def _source(self, source: str | None) -> str:
        """Who is trying: 'web:<address>' from the web, this terminal otherwise."""
        return source or f"{TERMINAL}{self.db.settings.terminal_id}"

    # --- logging in -----------------------------------------------------------

    def login_or_register(
        self, login: object, secret: object, *, name: object = "", source: str | None = None
    ) -> LoginResult:
        """Log in an existing account, or register a new customer with this PIN."""
        kind, value = parse_login(login)
        if not isinstance(secret, str) or not secret or len(secret) > 200:
            raise InvalidInput("enter your PIN or password")
        clean_name = clean_text(name or "", "name", 200)
        source = self._source(source)
        self.throttle.refuse_if_blocked(value, source)
        row = self._find(kind, value)
        if row is None:
            if kind == "username" and is_reserved(value):
                raise InvalidInput(f"the username {value!r} is reserved: choose another")
            result = self._register(kind, value, check_new_pin(secret), clean_name, source)
            if result.created:
                self.throttle.record(None, source)  # registrations count against the address
            return result
        return LoginResult(account=self._check_secret(row, value, secret, source), created=False)

    def login(self, login: object, secret: object, *, source: str | None = None) -> Account:
        """Log in only (never registers): staff unlocking a kiosk, for example."""
        kind, value = parse_login(login)
        if not isinstance(secret, str):
            raise InvalidInput("enter your PIN or password")
        source = self._source(source)
        self.throttle.refuse_if_blocked(value, source)
        return self._check_secret(self._find(kind, value), value, secret, source)

    def _check_secret(self, row: _Row | None, value: str, secret: str, source: str) -> Account:
        usable = row is not None and row.is_active and value not in WALK_IN_NAMES
        if not verify_secret(row.password_hash if usable and row else None, secret):
            self.throttle.record(value, source)
            raise AuthFailed("wrong login or PIN/password")
        assert row is not None
        self.throttle.clear(value, source)
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

    def _register(self, kind: str, value: str, pin: str, name: str, source: str) -> LoginResult:
        hashed = hash_secret(pin)

        def work(s: Session) -> Account:
            row = m.Customer(role="customer", password_hash=hashed, name=name, **{kind: value})
            s.add(row)
            s.flush()
            return convert.account(row)

        try:
            return LoginResult(account=in_transaction(self.db, work), created=True)
        except IntegrityError:
            # Someone registered the same login a moment ago: log in instead.
            return self.login_or_register(value, pin, source=source)

    # --- accounts -------------------------------------------------------------

    def create_user(
        self, *, username: str, password: str, role: str = "staff", name: str = ""
    ) -> Account:
        kind, value = parse_login(username)
        if kind != "username":
            raise InvalidInput("staff accounts use a username, not a phone number")
        if value in WALK_IN_NAMES:
            raise InvalidInput(f"the username {value!r} belongs to the counter's walk-in sales")
        if role not in m.ROLES:
            raise InvalidInput(f"role must be one of {', '.join(m.ROLES)}")
        clean_name = clean_text(name or "", "name", 200)
        hashed = hash_secret(
            check_pin(password) if role == "customer" else check_password(password)
        )

        def work(s: Session) -> Account:
            row = m.Customer(username=value, role=role, name=clean_name, password_hash=hashed)
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
        """The shared account counter sales to an anonymous customer are booked to.

        Migration 0004 creates it (inactive, with a hash nothing verifies against) and
        its name is reserved, so nobody can register it first and claim those sales.
        """
        require_staff(actor)

        def work(s: Session) -> Account:
            s.execute(
                insert(m.Customer)
                .values(
                    username=WALK_IN_USERNAME,
                    name="Walk-in customer",
                    role="customer",
                    password_hash=UNUSABLE_HASH,
                    is_active=False,
                )
                .on_conflict_do_nothing()  # an emptied database (tests) gets it back
            )
            row = s.scalars(select(m.Customer).where(m.Customer.username == WALK_IN_USERNAME)).one()
            if row.is_active or row.password_hash != UNUSABLE_HASH or row.role != "customer":
                raise Forbidden("the walk-in account has been altered: run `workshop db upgrade`")
            return convert.account(row)

        return in_transaction(self.db, work)

    def register_customer(
        self, actor: Account, phone: object, pin: object, name: str = ""
    ) -> Account:
        """Staff create a customer at the counter, with the PIN the customer chose."""
        require_staff(actor)
        kind, value = parse_login(phone)
        if kind != "phone":
            raise InvalidInput("enter the customer's mobile number")
        clean_name = clean_text(name or "", "name", 200)
        hashed = hash_secret(check_new_pin(pin))

        def work(s: Session) -> Account:
            row = m.Customer(phone=value, name=clean_name, role="customer", password_hash=hashed)
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
