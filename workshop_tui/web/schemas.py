"""The HTTP API's bodies and answers, declared once as pydantic models.

Request models validate what a client sends (`inputs.py` turns a failure into
invalid_input); response models are read straight from the services' frozen
dataclasses (`from_attributes`), and `openapi.py` takes its schemas from both.
Money is a decimal string ("250.00"); times are ISO 8601 in UTC.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    WithJsonSchema,
    computed_field,
    field_validator,
)

from workshop_tui.db.models import PAYMENT_METHODS
from workshop_tui.services import types as domain
from workshop_tui.services.states import OrderAction, OrderStatus

MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0)]
Money = Annotated[
    Decimal,
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"}),
]
Rating = Annotated[
    Decimal,
    PlainSerializer(lambda v: f"{v:.1f}", return_type=str),
    WithJsonSchema({"type": "string"}),
]
# isoformat() keeps the "+00:00" the API has always sent (pydantic alone would write "Z").
Time = Annotated[
    datetime,
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
PaymentMethod = Literal[PAYMENT_METHODS]  # type: ignore[valid-type]

# How the customer's pages name each state; keyed by the enum so a new state cannot be missed.
STATUS_LABELS: dict[OrderStatus, str] = {
    OrderStatus.PENDING_PAYMENT: "Awaiting payment",
    OrderStatus.PAID: "Paid",
    OrderStatus.FULFILLED: "Collected",
    OrderStatus.CANCELLED: "Cancelled",
    OrderStatus.PARTIALLY_RETURNED: "Partly returned",
    OrderStatus.RETURNED: "Returned",
}


class Out(BaseModel):
    """An answer, read from a service dataclass: its fields and properties by name."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")


class In(BaseModel):
    """A request body: exact types, no field the API does not know."""

    model_config = ConfigDict(extra="forbid", strict=True)


# --- answers -----------------------------------------------------------------


class Account(Out):
    id: Id
    username: str | None
    phone: str | None
    name: str
    display_name: str
    role: Literal["customer", "staff", "admin"]
    is_staff: bool


class Session(Out):
    account: Account
    csrf_token: str


class LoginResult(Out):
    account: Account
    created: bool
    csrf_token: str


class Product(Out):
    id: Id
    sku: str
    name: str
    price: Money
    stock: Annotated[int, Field(ge=1)]
    seller_id: Id
    seller_name: str
    seller_rating: Rating
    category_id: Id
    category_name: str


class ProductPage(Out):
    items: list[Product]
    next_after: Id | None


class CartLine(Out):
    product_id: Id
    sku: str
    name: str
    unit_price: Money
    quantity: Annotated[int, Field(ge=1)]
    stock: Count
    short_by: Count
    line_total: Money


class Cart(Out):
    seller_id: Id | None
    seller_name: str | None
    lines: list[CartLine]
    item_count: Count
    total: Money
    can_checkout: bool


class OrderLine(Out):
    product_id: Id
    sku: str
    name: str
    quantity: Annotated[int, Field(ge=1)]
    unit_price: Money
    line_total: Money
    returned_qty: Count
    returnable_qty: Count


class LedgerRef(Out):
    chain: str
    seq: int
    short_hash: str


class Payment(Out):
    id: Id
    kind: Literal["charge", "refund"]
    method: PaymentMethod
    status: Literal["succeeded", "declined"]
    amount: Money
    reference: str
    created_at: Time
    ledger: LedgerRef | None


class Order(Out):
    """An order as one person sees it: `allowed_actions` depends on who asks (see `order`)."""

    id: Id
    customer_id: Id
    customer_name: str
    seller_id: Id
    seller_name: str
    status: OrderStatus
    subtotal: Money
    discount_total: Money
    total: Money
    refunded_total: Money
    item_count: Count
    created_at: Time
    expires_at: Time | None
    paid_at: Time | None
    fulfilled_at: Time | None
    closed_at: Time | None
    cancel_reason: str | None
    lines: list[OrderLine]
    payments: list[Payment]
    allowed_actions: list[OrderAction] = Field(
        description="what the signed-in person may do to this order now (pay, cancel, fulfil, "
        "return, discount); pages offer exactly these"
    )

    @field_validator("allowed_actions", mode="before")
    @classmethod
    def _ask_the_order(cls, value: Any, info: ValidationInfo) -> Any:
        # Read from an Order, this is its bound method: ask it for the caller (context "staff").
        if callable(value):
            return list(value(staff=bool((info.context or {}).get("staff"))))
        return value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class OrderPage(Out):
    items: list[Order]
    next_before: Id | None


class PaymentResult(Out):
    succeeded: bool
    payment: Payment
    order: Order


class ErrorDetail(Out):
    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class Error(Out):
    # Inline, so the document shows the envelope in one place.
    error: Annotated[ErrorDetail, WithJsonSchema(ErrorDetail.model_json_schema())]


def answer(model: type[Out], value: object, *, staff: bool = False) -> dict[str, Any]:
    """`value` (a service dataclass, or a dict for the small envelopes) as its JSON object.

    `staff` says who asks, for every order inside (its allowed_actions).
    """
    validated = model.model_validate(value, from_attributes=True, context={"staff": staff})
    return validated.model_dump(mode="json")


def order(value: domain.Order, *, staff: bool) -> dict[str, Any]:
    return answer(Order, value, staff=staff)


# --- request bodies and query strings --------------------------------------


class LoginBody(In):
    login: StrictStr = Field(description="a 10-digit mobile number or a username")
    password: StrictStr = Field(description="a 6-8 digit PIN, or a staff password")
    name: StrictStr = Field("", description="the name of a new customer")


class CartItemBody(In):
    quantity: Annotated[StrictInt, Field(ge=0, le=MAX_ID)]
    replace: StrictBool = False


class PayBody(In):
    method: PaymentMethod
    outcome: Literal["success", "decline"] = "success"


class CancelBody(In):
    reason: Annotated[StrictStr, Field(max_length=500)] = ""


class ReturnItem(In):
    product_id: Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


class ReturnBody(In):
    items: Annotated[list[ReturnItem], Field(min_length=1)]
    reason: Annotated[StrictStr, Field(max_length=500)] = ""


class Query(BaseModel):
    """Query strings: text to convert (lax), unknown parameters ignored as before."""

    model_config = ConfigDict(extra="ignore")


class ProductQuery(Query):
    q: Annotated[str, Field(max_length=100, description="name or SKU contains")] = ""
    seller_id: Id | None = None
    category_id: Id | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    after: Id | None = Field(None, description="next_after of the previous page")


class OrderQuery(Query):
    status: OrderStatus | None = None
    customer_id: Id | None = Field(None, description="staff only (403 for another customer)")
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    before: Id | None = Field(None, description="next_before of the previous page")
