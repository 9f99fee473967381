"""A small generated data set, made once per test session and copied where a test mutates it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from seed.data_generator import Sizes, generate

SMALL = Sizes(sellers=4, products=60, customers=40, orders=600)


@pytest.fixture(scope="session")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "small"
    generate(sizes=SMALL, seed=11, out=out, quiet=True)
    return out


@pytest.fixture
def small_copy(small_set: Path, tmp_path: Path) -> Path:
    """A private copy a test may break."""
    return Path(shutil.copytree(small_set, tmp_path / "csv"))
