"""The cart: stored per account in the database, one seller at a time.

The single-seller rule is also the schema's (cart_items carry the cart's seller
under a composite foreign key), so no code path can mix sellers in one cart.

The cart is on every sale's hot path, so its statements are built once, over
tables rather than ORM entities (a third of the client CPU per statement).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services._tx import in_transaction, read_only
from workshop_tui.services.catalog import check_id
from workshop_tui.services.errors import InvalidInput, NotFound, OutOfStock, SellerConflict
from workshop_tui.services.types import Account, Cart, CartLine

carts, items = m.Cart.__table__, m.CartItem.__table__
products, inventory, sellers = m.Product.__table__, m.Inventory.__table__, m.Seller.__table__

LOCK_CART = (
    select(
        carts.c.id,
        carts.c.seller_id,
        exists().where(items.c.cart_id == carts.c.id).label("has_items"),
    )
    .where(carts.c.customer_id == bindparam("owner"))
    .with_for_update(of=carts)
)
# The cart locked and the product looked up in one round trip (the product needs no lock:
# its stock is checked again, under lock, at checkout).
LOCK_CART_WITH_PRODUCT = (
    select(
        carts.c.id,
        carts.c.seller_id,
        exists().where(items.c.cart_id == carts.c.id).label("has_items"),
        products.c.seller_id.label("p_seller_id"),
        products.c.name.label("p_name"),
        products.c.is_active.label("p_active"),
        inventory.c.stock_remaining.label("p_stock"),
        sellers.c.name.label("p_seller_name"),
    )
    .select_from(carts)
    .outerjoin(products, products.c.id == bindparam("pid"))
    .outerjoin(inventory, inventory.c.product_id == products.c.id)
    .outerjoin(sellers, sellers.c.id == products.c.seller_id)
    .where(carts.c.customer_id == bindparam("owner"))
    .with_for_update(of=carts)
)
CREATE_CART = (
    insert(carts)
    .values(customer_id=bindparam("owner"))
    .on_conflict_do_nothing(index_elements=["customer_id"])
)
FIND_CART = select(carts.c.id, carts.c.seller_id).where(carts.c.customer_id == bindparam("owner"))
LINE_QUANTITY = select(items.c.quantity).where(
    items.c.cart_id == bindparam("cart"), items.c.product_id == bindparam("pid")
)
PRODUCT = (
    select(
        products.c.seller_id,
        products.c.name,
        products.c.is_active,
        inventory.c.stock_remaining,
        sellers.c.name,
    )
    .join(inventory, inventory.c.product_id == products.c.id)
    .join(sellers, sellers.c.id == products.c.seller_id)
    .where(products.c.id == bindparam("pid"))
)
SELLER_NAME = select(sellers.c.name).where(sellers.c.id == bindparam("sid"))
DELETE_LINE = delete(items).where(
    items.c.cart_id == bindparam("cart"), items.c.product_id == bindparam("pid")
)
DELETE_LINES = delete(items).where(items.c.cart_id == bindparam("cart"))
SET_SELLER = update(carts).where(carts.c.id == bindparam("cart")).values(seller_id=bindparam("sid"))
_upsert = insert(items).values(
    cart_id=bindparam("cart"),
    product_id=bindparam("pid"),
    seller_id=bindparam("sid"),
    quantity=bindparam("qty"),
)
UPSERT_LINE = _upsert.on_conflict_do_update(
    index_elements=["cart_id", "product_id"], set_={"quantity": _upsert.excluded.quantity}
)
LINES = (
    select(
        items.c.product_id,
        products.c.sku,
        products.c.name,
        products.c.price,
        items.c.quantity,
        inventory.c.stock_remaining,
    )
    .join(products, products.c.id == items.c.product_id)
    .join(inventory, inventory.c.product_id == items.c.product_id)
    .where(items.c.cart_id == bindparam("cart"))
    .order_by(items.c.added_at, items.c.product_id)
)


class LockedCart(NamedTuple):
    id: int
    seller_id: int | None
    has_items: bool


def check_quantity(value: object, maximum: int, *, allow_zero: bool = True) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("a quantity is a whole number")
    low = 0 if allow_zero else 1
    if not low <= value <= maximum:
        raise InvalidInput(f"a quantity is {low} to {maximum}")
    return value


def lock_cart(s: Session, owner_id: int) -> LockedCart:
    """The owner's cart row, created when missing, locked FOR UPDATE (first in the lock order)."""
    row = s.execute(LOCK_CART, {"owner": owner_id}).first()  # the usual case: one round trip
    if row is None:
        s.execute(CREATE_CART, {"owner": owner_id})
        row = s.execute(LOCK_CART, {"owner": owner_id}).one()
    return LockedCart(*row)


def cart_view(
    s: Session, owner_id: int, cart_id: int, seller_id: int | None, seller_name: str | None
) -> Cart:
    lines = tuple(
        CartLine(
            product_id=r[0],
            sku=r[1],
            name=r[2],
            unit_price=r[3],
            quantity=r[4],
            stock=r[5],
            line_total=r[3] * r[4],
        )
        for r in s.execute(LINES, {"cart": cart_id})
    )
    total = sum((line.line_total for line in lines), Decimal("0.00"))
    if not lines:
        seller_id = seller_name = None
    elif seller_name is None:
        seller_name = s.execute(SELLER_NAME, {"sid": seller_id}).scalar()
    return Cart(
        customer_id=owner_id, seller_id=seller_id, seller_name=seller_name, lines=lines, total=total
    )


def read_cart(s: Session, owner_id: int) -> Cart:
    cart = s.execute(FIND_CART, {"owner": owner_id}).first()
    if cart is None:
        return Cart(
            customer_id=owner_id, seller_id=None, seller_name=None, lines=(), total=Decimal("0.00")
        )
    return cart_view(s, owner_id, cart.id, cart.seller_id, None)


def empty_cart(s: Session, cart: LockedCart) -> None:
    s.execute(DELETE_LINES, {"cart": cart.id})
    s.execute(SET_SELLER, {"cart": cart.id, "sid": None})


class CartService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, actor: Account) -> Cart:
        return read_only(self.db, lambda s: read_cart(s, actor.id))

    def set_quantity(
        self, actor: Account, product_id: int, quantity: int, *, replace: bool = False
    ) -> Cart:
        """Set a line to `quantity` (0 removes it). Another seller's product is refused with
        seller_conflict unless `replace`, which empties the cart first."""
        check_id(product_id, "product_id")
        check_quantity(quantity, self.db.settings.max_line_quantity)

        def work(s: Session) -> Cart:
            row = s.execute(LOCK_CART_WITH_PRODUCT, {"owner": actor.id, "pid": product_id}).first()
            if row is None:  # no cart yet: create it, then the general path
                return self._set(s, actor.id, lock_cart(s, actor.id), product_id, quantity, replace)
            product = None
            if row.p_name is not None:
                product = (
                    row.p_seller_id,
                    row.p_name,
                    row.p_active,
                    row.p_stock,
                    row.p_seller_name,
                )
            cart = LockedCart(row.id, row.seller_id, row.has_items)
            return self._set(
                s, actor.id, cart, product_id, quantity, replace, product=product, looked_up=True
            )

        return in_transaction(self.db, work)

    def change(self, actor: Account, product_id: int, delta: int, *, replace: bool = False) -> Cart:
        """The + and - buttons: add `delta` (may be negative) to the line's quantity."""
        check_id(product_id, "product_id")
        if (
            isinstance(delta, bool)
            or not isinstance(delta, int)
            or abs(delta) > self.db.settings.max_line_quantity
        ):
            raise InvalidInput("a change is a small whole number")

        def work(s: Session) -> Cart:
            cart = lock_cart(s, actor.id)
            current = s.execute(LINE_QUANTITY, {"cart": cart.id, "pid": product_id}).scalar() or 0
            wanted = max(0, current + delta)
            check_quantity(wanted, self.db.settings.max_line_quantity)
            return self._set(s, actor.id, cart, product_id, wanted, replace)

        return in_transaction(self.db, work)

    def clear(self, actor: Account) -> Cart:
        def work(s: Session) -> Cart:
            cart = lock_cart(s, actor.id)
            empty_cart(s, cart)
            return cart_view(s, actor.id, cart.id, None, None)

        return in_transaction(self.db, work)

    def _set(
        self,
        s: Session,
        owner_id: int,
        cart: LockedCart,
        product_id: int,
        quantity: int,
        replace: bool,
        *,
        product: tuple | None = None,
        looked_up: bool = False,
    ) -> Cart:
        if not looked_up:
            product = s.execute(PRODUCT, {"pid": product_id}).first()
        if product is None or not product[2]:
            raise NotFound(f"no product #{product_id}")
        seller_id, name, _active, stock, seller_name = product
        if quantity == 0:
            s.execute(DELETE_LINE, {"cart": cart.id, "pid": product_id})
            view = cart_view(s, owner_id, cart.id, cart.seller_id, None)
            if view.is_empty and cart.seller_id is not None:
                s.execute(SET_SELLER, {"cart": cart.id, "sid": None})
            return view
        if quantity > stock:
            raise OutOfStock(
                f"only {stock} of {name} left" if stock else f"{name} is out of stock",
                lines=[
                    {
                        "product_id": product_id,
                        "name": name,
                        "requested": quantity,
                        "available": stock,
                    }
                ],
            )
        has_items = cart.has_items
        if has_items and cart.seller_id != seller_id:
            if not replace:
                current = s.execute(SELLER_NAME, {"sid": cart.seller_id}).scalar()
                raise SellerConflict(
                    f"your cart has items from {current}; {name} is sold by {seller_name}. Replace the cart?",
                    cart_seller_id=cart.seller_id,
                    cart_seller=current,
                    product_seller_id=seller_id,
                    product_seller=seller_name,
                )
            s.execute(DELETE_LINES, {"cart": cart.id})
            has_items = False
        if not has_items and cart.seller_id != seller_id:
            s.execute(SET_SELLER, {"cart": cart.id, "sid": seller_id})
        s.execute(
            UPSERT_LINE, {"cart": cart.id, "pid": product_id, "sid": seller_id, "qty": quantity}
        )
        return cart_view(s, owner_id, cart.id, seller_id, seller_name)
