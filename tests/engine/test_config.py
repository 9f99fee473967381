"""Settings: the command's flags beat WORKSHOP_* variables, which beat the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop_tui.config import Settings, SettingsError


def test_a_variable_beats_the_default_and_a_flag_beats_the_variable(monkeypatch):
    monkeypatch.setenv("WORKSHOP_ORDER_TTL_MINUTES", "3")
    monkeypatch.setenv("WORKSHOP_KIOSK_IDLE", "30")
    monkeypatch.setenv("WORKSHOP_REQUIRE_CASH_SESSION", "yes")

    settings = Settings.from_env(order_ttl_minutes=5, require_cash_session=None)

    assert settings.order_ttl_minutes == 5
    assert settings.kiosk_idle_seconds == 30.0
    assert settings.require_cash_session is True
    assert settings.return_window_days == 7


def test_an_empty_variable_means_the_default(monkeypatch):
    monkeypatch.setenv("WORKSHOP_RETURN_WINDOW_DAYS", "")

    assert Settings.from_env().return_window_days == 7


def test_the_data_dir_variable_is_expanded_to_an_absolute_path(monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", "~/shop")

    assert Settings.from_env().data_dir == Path("~/shop").expanduser().resolve()


def test_every_bad_variable_is_named_in_one_message(monkeypatch):
    monkeypatch.setenv("WORKSHOP_KIOSK_IDLE", "abc")
    monkeypatch.setenv("WORKSHOP_STAFF_DISCOUNT_LIMIT_PERCENT", "ten")

    with pytest.raises(SettingsError) as caught:
        Settings.from_env()

    message = str(caught.value)
    assert "WORKSHOP_KIOSK_IDLE='abc'" in message
    assert "WORKSHOP_STAFF_DISCOUNT_LIMIT_PERCENT='ten'" in message
    assert "\n" not in message


def test_a_value_outside_its_allowed_ones_is_refused_naming_its_variable(monkeypatch):
    monkeypatch.setenv("WORKSHOP_PRINTER_COLUMNS", "50")

    with pytest.raises(SettingsError, match="WORKSHOP_PRINTER_COLUMNS='50': value error, 42"):
        Settings.from_env()


def test_a_copy_takes_its_update_and_keeps_the_rest():
    settings = Settings.from_env(order_ttl_minutes=5)

    copy = settings.model_copy(update={"pool_size": 3})

    assert (copy.pool_size, copy.order_ttl_minutes) == (3, 5)
    assert settings.pool_size == 0
