import pytest

from workshop_tui.services.auth import normalise_phone
from workshop_tui.services.errors import AuthFailed, Forbidden, InvalidInput, RateLimited


def test_a_new_phone_registers_a_customer_with_its_pin(services):
    result = services.auth.login_or_register("98765 43210", "274913", name="Asha")
    assert result.created
    assert result.account.role == "customer"
    assert result.account.phone == "+919876543210"


def test_the_same_phone_written_differently_logs_into_the_same_account(services):
    first = services.auth.login_or_register("9876543210", "274913").account
    for spelling in ("+91 98765-43210", "09876543210", "919876543210"):
        again = services.auth.login_or_register(spelling, "274913")
        assert not again.created
        assert again.account.id == first.id


@pytest.mark.parametrize("pin", ["12345", "123456789", "12ab56", ""])
def test_registration_refuses_a_pin_that_is_not_6_to_8_digits(services, pin):
    with pytest.raises(InvalidInput):
        services.auth.login_or_register("9876543210", pin)
    assert not services.auth.exists("9876543210")


@pytest.mark.parametrize("login", ["", "ab", "12345", "has space", "x" * 40, None, 42])
def test_a_login_that_is_neither_phone_nor_username_is_invalid_input(services, login):
    with pytest.raises(InvalidInput):
        services.auth.login_or_register(login, "123456")


def test_a_wrong_pin_is_auth_failed(services, shop):
    with pytest.raises(AuthFailed):
        services.auth.login_or_register("9876543210", "654321")


def test_repeated_failures_lock_the_login_with_the_wait_in_seconds(make_services, shop):
    services = make_services(login_max_failures=3, login_lockout_seconds=60)
    for _ in range(3):
        with pytest.raises(AuthFailed):
            services.auth.login_or_register("9876543210", "000000")
    with pytest.raises(RateLimited) as refused:
        services.auth.login_or_register("9876543210", "123456")  # even the right PIN waits
    assert 0 < refused.value.details["retry_after"] <= 60


def test_a_successful_login_clears_earlier_failures(make_services, shop):
    services = make_services(login_max_failures=3)
    for _ in range(2):
        with pytest.raises(AuthFailed):
            services.auth.login_or_register("9876543210", "000000")
    services.auth.login_or_register("9876543210", "123456")
    for _ in range(2):
        with pytest.raises(AuthFailed):
            services.auth.login_or_register("9876543210", "000000")
    assert services.auth.login_or_register("9876543210", "123456").account.id == shop.customer.id


def test_staff_log_in_by_username_with_a_password(services, shop):
    result = services.auth.login_or_register("Counter", "staffpass1")
    assert result.account.is_staff and not result.created


def test_create_user_refuses_a_short_password_and_a_taken_username(services, shop):
    with pytest.raises(InvalidInput):
        services.auth.create_user(username="newbie", password="short", role="staff")
    with pytest.raises(InvalidInput):
        services.auth.create_user(username="counter", password="long enough", role="staff")


def test_passwords_are_stored_as_argon2id_hashes(services, database):
    services.auth.create_user(username="meera", password="correct horse", role="admin")
    with database.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT password_hash FROM customers WHERE username = 'meera'"
        ).scalar()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored


def test_only_staff_can_look_up_customers_by_phone(services, shop):
    assert services.auth.find_customer(shop.staff, "9876543210").id == shop.customer.id
    assert services.auth.find_customer(shop.staff, "9000000000") is None
    with pytest.raises(Forbidden):
        services.auth.find_customer(shop.customer, "9812345678")


def test_the_walk_in_account_is_one_account_that_cannot_log_in(services, shop):
    walk_in = services.auth.walk_in_customer(shop.staff)
    assert services.auth.walk_in_customer(shop.staff).id == walk_in.id
    with pytest.raises(AuthFailed):
        services.auth.login_or_register("walk-in", "123456")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("9876543210", "+919876543210"),
        ("+44 20 7946 0958", "+442079460958"),
        ("12345", None),
        ("5876543210", None),
    ],
)
def test_phone_numbers_are_normalised(raw, expected):
    assert normalise_phone(raw) == expected
