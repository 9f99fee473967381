"""The shared input checks: one message per kind of bad input, whichever service asks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workshop_tui.services.errors import InvalidInput
from workshop_tui.services.validate import check_amount, check_id, check_key, check_reason


@pytest.mark.parametrize("bad", [True, 0, -1, 2**31, "7", 7.0, None])
def test_an_id_is_a_positive_whole_number_that_fits_a_column(bad):
    with pytest.raises(InvalidInput, match="order id must be a positive whole number"):
        check_id(bad, "order id")


def test_an_amount_is_never_a_float():
    with pytest.raises(InvalidInput, match="at most 2 decimals"):
        check_amount(0.1)
    assert check_amount("0.10") == Decimal("0.10")


def test_a_key_is_trimmed_and_at_most_100_characters():
    assert check_key("  k-1 ") == "k-1"
    with pytest.raises(InvalidInput):
        check_key("x" * 101)


def test_a_required_reason_must_say_something():
    assert check_reason(None) == ""
    with pytest.raises(InvalidInput, match="give a reason"):
        check_reason("   ", required=True)
