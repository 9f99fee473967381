"""The engine's checkout, payment, cancel, return, expiry and concurrency specifications,
run unchanged against the Citus cluster (the fixtures of tests/citus/conftest.py)."""

import pytest

from tests.engine.test_checkout import *  # noqa: F403
from tests.engine.test_concurrency import *  # noqa: F403
from tests.engine.test_expiry_sweeper import *  # noqa: F403
from tests.engine.test_order_states import *  # noqa: F403
from tests.engine.test_payments import *  # noqa: F403

pytestmark = pytest.mark.citus
