"""The cart: stored per account in the database, one seller at a time.

The single-seller rule is also the schema's (cart_items carry the cart's seller
under a composite foreign key), so no code path can mix sellers in one cart.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services._tx import in_transaction, read_only
from workshop_tui.services.catalog import check_id
from workshop_tui.services.errors import InvalidInput, NotFound, OutOfStock, SellerConflict
from workshop_tui.services.types import Account, Cart, CartLine


def check_quantity(value: object, maximum: int, *, allow_zero: bool = True) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("a quantity is a whole number")
    low = 0 if allow_zero else 1
    if not low <= value <= maximum:
        raise InvalidInput(f"a quantity is {low} to {maximum}")
    return value


def lock_cart(s: Session, owner_id: int) -> m.Cart:
    """The owner's cart row, created when missing, locked FOR UPDATE (first in the lock order)."""
    locked = select(m.Cart).where(m.Cart.customer_id == owner_id).with_for_update()
    cart = s.scalars(locked).one_or_none()  # the usual case: one round trip
    if cart is not None:
        return cart
    s.execute(
        insert(m.Cart)
        .values(customer_id=owner_id)
        .on_conflict_do_nothing(index_elements=["customer_id"])
    )
    return s.scalars(locked).one()


def read_cart(s: Session, owner_id: int) -> Cart:
    cart = s.execute(
        select(m.Cart.id, m.Cart.seller_id, m.Seller.name)
        .outerjoin(m.Seller, m.Seller.id == m.Cart.seller_id)
        .where(m.Cart.customer_id == owner_id)
    ).first()
    if cart is None:
        return Cart(
            customer_id=owner_id, seller_id=None, seller_name=None, lines=(), total=Decimal("0.00")
        )
    rows = s.execute(
        select(
            m.CartItem.product_id,
            m.Product.sku,
            m.Product.name,
            m.Product.price,
            m.CartItem.quantity,
            m.Inventory.stock_remaining,
        )
        .join(m.Product, m.Product.id == m.CartItem.product_id)
        .join(m.Inventory, m.Inventory.product_id == m.CartItem.product_id)
        .where(m.CartItem.cart_id == cart.id)
        .order_by(m.CartItem.added_at, m.CartItem.product_id)
    ).all()
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
        for r in rows
    )
    total = sum((line.line_total for line in lines), Decimal("0.00"))
    return Cart(
        customer_id=owner_id,
        seller_id=cart.seller_id if lines else None,
        seller_name=cart.name if lines else None,
        lines=lines,
        total=total,
    )


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
        return in_transaction(
            self.db, lambda s: self._set(s, actor.id, product_id, quantity, replace)
        )

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
            current = (
                s.scalar(
                    select(m.CartItem.quantity).where(
                        m.CartItem.cart_id == cart.id, m.CartItem.product_id == product_id
                    )
                )
                or 0
            )
            wanted = max(0, current + delta)
            check_quantity(wanted, self.db.settings.max_line_quantity)
            return self._set(s, actor.id, product_id, wanted, replace)

        return in_transaction(self.db, work)

    def clear(self, actor: Account) -> Cart:
        def work(s: Session) -> Cart:
            cart = lock_cart(s, actor.id)
            empty_cart(s, cart)
            return read_cart(s, actor.id)

        return in_transaction(self.db, work)

    def _set(
        self, s: Session, owner_id: int, product_id: int, quantity: int, replace: bool
    ) -> Cart:
        cart = lock_cart(s, owner_id)
        product = s.execute(
            select(
                m.Product.seller_id,
                m.Product.name,
                m.Product.is_active,
                m.Inventory.stock_remaining,
                m.Seller.name,
            )
            .join(m.Inventory, m.Inventory.product_id == m.Product.id)
            .join(m.Seller, m.Seller.id == m.Product.seller_id)
            .where(m.Product.id == product_id)
        ).first()
        if product is None or not product.is_active:
            raise NotFound(f"no product #{product_id}")
        seller_id, name, _active, stock, seller_name = product
        if quantity == 0:
            s.execute(
                delete(m.CartItem).where(
                    m.CartItem.cart_id == cart.id, m.CartItem.product_id == product_id
                )
            )
            if not s.scalar(
                select(m.CartItem.product_id).where(m.CartItem.cart_id == cart.id).limit(1)
            ):
                s.execute(update(m.Cart).where(m.Cart.id == cart.id).values(seller_id=None))
            return read_cart(s, owner_id)
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
        has_items = (
            s.scalar(select(m.CartItem.product_id).where(m.CartItem.cart_id == cart.id).limit(1))
            is not None
        )
        if has_items and cart.seller_id != seller_id:
            if not replace:
                current = s.scalar(select(m.Seller.name).where(m.Seller.id == cart.seller_id))
                raise SellerConflict(
                    f"your cart has items from {current}; {name} is sold by {seller_name}. Replace the cart?",
                    cart_seller_id=cart.seller_id,
                    cart_seller=current,
                    product_seller_id=seller_id,
                    product_seller=seller_name,
                )
            empty_cart(s, cart)
            has_items = False
        if not has_items and cart.seller_id != seller_id:
            s.execute(update(m.Cart).where(m.Cart.id == cart.id).values(seller_id=seller_id))
        stmt = insert(m.CartItem).values(
            cart_id=cart.id, product_id=product_id, seller_id=seller_id, quantity=quantity
        )
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=["cart_id", "product_id"], set_={"quantity": quantity}
            )
        )
        return read_cart(s, owner_id)


def empty_cart(s: Session, cart: m.Cart) -> None:
    s.execute(delete(m.CartItem).where(m.CartItem.cart_id == cart.id))
    s.execute(update(m.Cart).where(m.Cart.id == cart.id).values(seller_id=None))
