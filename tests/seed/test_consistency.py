"""Every consistency rule of the generated files, checked on the files alone."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from seed.data_generator import TABLES
from workshop_tui.services.auth import normalise_phone
from workshop_tui.services.ledger_codec import GENESIS_HASH, canonical_content, entry_hash
from workshop_tui.services.passwords import verify_secret

LIVE = ("pending_payment", "paid", "fulfilled", "partially_returned", "returned")
CHARGED = ("paid", "fulfilled", "partially_returned", "returned")


def paise(column: pd.Series) -> pd.Series:
    """'1234.50' -> 123450 exactly (the files always write two decimals)."""
    return column.astype(str).str.replace(".", "", regex=False).astype("int64")


@pytest.fixture(scope="module")
def t(small_set: Path) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(small_set / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in TABLES
    }


def ints(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].astype("int64")
    return frame


def test_every_order_buys_from_one_seller_only(t) -> None:
    items = t["order_items"][["order_id", "product_id", "seller_id"]].merge(
        t["products"][["id", "seller_id"]].rename(columns={"id": "product_id"}),
        on="product_id",
        suffixes=("", "_product"),
    )
    items = items.merge(
        t["orders"][["id", "seller_id"]].rename(columns={"id": "order_id"}),
        on="order_id",
        suffixes=("", "_order"),
    )
    assert len(items) == len(t["order_items"])
    assert (items["seller_id_product"] == items["seller_id_order"]).all()
    assert (items["seller_id"] == items["seller_id_order"]).all()


def test_each_product_appears_once_per_order(t) -> None:
    assert not t["order_items"].duplicated(["order_id", "product_id"]).any()


def test_subtotal_is_the_sum_of_the_items_and_total_is_subtotal_less_discount(t) -> None:
    items = ints(t["order_items"], "order_id", "quantity")
    items["line"] = items["quantity"] * paise(items["unit_price"])
    sums = items.groupby("order_id")["line"].sum()
    orders = ints(t["orders"], "id").set_index("id")
    assert (paise(orders["subtotal"]) == sums.reindex(orders.index)).all()
    assert (
        paise(orders["total"]) == paise(orders["subtotal"]) - paise(orders["discount_total"])
    ).all()
    assert (paise(orders["total"]) >= 0).all()


def test_every_charged_order_has_one_succeeded_charge_of_its_total(t) -> None:
    orders = ints(t["orders"], "id").set_index("id")
    pay = ints(t["payments"], "order_id")
    ok = pay[(pay["kind"] == "charge") & (pay["status"] == "succeeded")]
    charges = ok.groupby("order_id").size().reindex(orders.index, fill_value=0)
    was_paid = orders["status"].isin(CHARGED) | (
        (orders["status"] == "cancelled") & (orders["paid_at"] != "")
    )
    assert (charges[was_paid] == 1).all()
    assert (charges[~was_paid] == 0).all()
    amount = paise(ok.set_index("order_id")["amount"])
    assert (amount == paise(orders.loc[amount.index, "total"])).all()


def test_every_payment_belongs_to_its_orders_customer(t) -> None:
    orders = ints(t["orders"], "id", "customer_id").set_index("id")
    pay = ints(t["payments"], "order_id", "customer_id")
    assert (pay["customer_id"].to_numpy() == orders.loc[pay["order_id"], "customer_id"]).all()


def test_cancelled_paid_orders_are_refunded_in_full_and_returns_by_their_lines(t) -> None:
    orders = ints(t["orders"], "id").set_index("id")
    pay = ints(t["payments"], "order_id")
    refunds = pay[pay["kind"] == "refund"].assign(amount=lambda f: paise(f["amount"]))
    cancels = ints(t["cancellations"], "order_id").set_index("order_id")
    paid_cancelled = orders.index[(orders["status"] == "cancelled") & (orders["paid_at"] != "")]
    refunded = refunds.groupby("order_id")["amount"].sum()
    assert len(paid_cancelled) > 0
    assert (refunded.loc[paid_cancelled] == paise(orders.loc[paid_cancelled, "total"])).all()
    assert (
        paise(cancels.loc[paid_cancelled, "refund_amount"]) == refunded.loc[paid_cancelled]
    ).all()
    returns = ints(t["returns"], "order_id").assign(refund=lambda f: paise(f["refund_amount"]))
    by_order = returns.groupby("order_id")["refund"].sum()
    assert (refunded.loc[by_order.index] == by_order).all()
    assert set(refunded.index) == set(paid_cancelled) | set(by_order.index)


def test_returns_never_exceed_what_was_bought_and_match_returned_qty(t) -> None:
    items = ints(t["order_items"], "order_id", "product_id", "quantity", "returned_qty")
    returns = ints(t["returns"], "order_id", "product_id", "quantity")
    assert len(returns) > 0
    back = returns.groupby(["order_id", "product_id"])["quantity"].sum()
    lines = items.set_index(["order_id", "product_id"])
    assert back.index.isin(lines.index).all()
    assert (back <= lines.loc[back.index, "quantity"]).all()
    assert (lines["returned_qty"] == back.reindex(lines.index, fill_value=0)).all()


def test_an_order_is_returned_when_every_unit_came_back(t) -> None:
    items = ints(t["order_items"], "order_id", "quantity", "returned_qty")
    left = (items["quantity"] - items["returned_qty"]).groupby(items["order_id"]).sum()
    back = items.groupby("order_id")["returned_qty"].sum()
    status = ints(t["orders"], "id").set_index("id")["status"]
    assert (status[back[back > 0].index].isin(["returned", "partially_returned"])).all()
    assert ((status == "returned") == (left.reindex(status.index) == 0)).all()


def test_inventory_is_initial_stock_less_what_live_orders_hold(t) -> None:
    items = ints(t["order_items"], "order_id", "product_id", "quantity", "returned_qty")
    status = ints(t["orders"], "id").set_index("id")["status"]
    live = items[status.loc[items["order_id"]].isin(LIVE).to_numpy()]
    held = (live["quantity"] - live["returned_qty"]).groupby(live["product_id"]).sum()
    sold = items.groupby("product_id")["quantity"].sum()
    inv = ints(t["inventory"], "product_id", "stock_remaining", "initial_stock").set_index(
        "product_id"
    )
    assert (
        inv["stock_remaining"] == inv["initial_stock"] - held.reindex(inv.index, fill_value=0)
    ).all()
    assert (inv["stock_remaining"] >= 0).all()
    # stock covered every unit ever ordered, so no order was ever short
    assert (inv["initial_stock"] >= sold.reindex(inv.index, fill_value=0)).all()


def test_customers_have_distinct_indian_mobiles_the_engine_accepts(t) -> None:
    people = t["customers"]
    customers = people[people["role"] == "customer"]
    assert customers["phone"].is_unique
    assert all(normalise_phone(p[3:]) == p for p in customers["phone"])
    staff = people[people["role"] != "customer"].set_index("username")["role"].to_dict()
    assert staff == {"staff": "staff", "admin": "admin"}


def test_demo_secrets_verify_with_the_engine(t) -> None:
    people = t["customers"]
    assert people.loc[people["role"] == "customer", "password_hash"].nunique() == 1
    assert verify_secret(
        people.loc[people["role"] == "customer", "password_hash"].iloc[0], "123456"
    )
    assert verify_secret(
        people.loc[people["username"] == "admin", "password_hash"].iloc[0], "workshop123"
    )


def test_every_ledger_row_hashes_as_the_engine_does_in_gap_free_chains(t) -> None:
    heads: dict[str, tuple[int, str]] = {}
    for row in t["transactions"].itertuples():
        seq, prev = heads.get(row.chain, (0, GENESIS_HASH))
        assert (int(row.seq), row.prev_hash) == (seq + 1, prev)
        content = canonical_content(
            chain=row.chain,
            kind=row.kind,
            order_id=int(row.order_id),
            payment_id=int(row.payment_id),
            amount=Decimal(row.amount),
            method=row.method,
            created_at=datetime.fromisoformat(row.created_at),
            payload=json.loads(row.payload),
        )
        assert entry_hash(int(row.seq), prev, content) == row.hash
        heads[row.chain] = (int(row.seq), row.hash)


def test_ledger_rows_mirror_the_payments(t) -> None:
    pay = ints(t["payments"], "id").set_index("id")
    rows = ints(t["transactions"], "payment_id")
    kinds = rows.groupby("payment_id")["kind"].apply(tuple)
    expected = pay.apply(
        lambda p: (
            ("refund",)
            if p["kind"] == "refund"
            else ("attempt", "charge" if p["status"] == "succeeded" else "decline")
        ),
        axis=1,
    )
    assert (kinds.reindex(pay.index) == expected).all()
    sellers = ints(t["orders"], "id").set_index("id")["seller_id"]
    assert (rows["chain"] == "seller-" + sellers.loc[rows["order_id"].astype(int)].to_numpy()).all()


def test_times_are_aware_and_follow_the_order_life(t) -> None:
    orders = t["orders"]
    created = pd.to_datetime(orders["created_at"])
    assert str(created.dt.tz) == "UTC"
    assert created.is_monotonic_increasing  # ids follow time, as in a live shop
    paid = pd.to_datetime(orders["paid_at"].replace("", None))
    fulfilled = pd.to_datetime(orders["fulfilled_at"].replace("", None))
    assert (paid.dropna() > created[paid.notna()]).all()
    assert (fulfilled.dropna() > paid[fulfilled.notna()]).all()


def test_statuses_are_a_realistic_mix(t) -> None:
    share = t["orders"]["status"].value_counts(normalize=True)
    assert share["fulfilled"] > 0.6
    assert {"cancelled", "returned", "partially_returned"} <= set(share.index)
    units = ints(t["order_items"], "quantity").groupby("product_id")["quantity"].sum().sort_values()
    top_fifth = units.iloc[-max(1, len(units) // 5) :].sum()
    assert top_fifth > 0.4 * units.sum()  # popular products and a long tail
