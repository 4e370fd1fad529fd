# Two entry points for a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
# Tests spend most of their time in real `xcnet` processes: run them on every core.
PYTEST_ARGS ?= -n auto

.PHONY: demo test lint typecheck imports pytest bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "xcnet needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m deployments.local.demo

test: $(STAMP) lint typecheck imports pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

# Storage tests run on SQLite always and on PostgreSQL when it answers at POSTGRES_URL;
# under CI they require it.
pytest: $(STAMP)
	@if $(BIN)/python -m node.postgres '$(POSTGRES_URL)'; then \
		echo "PostgreSQL answers at $(POSTGRES_URL): storage tests run on SQLite and PostgreSQL"; \
		XCNET_TEST_POSTGRES_URL='$(POSTGRES_URL)' $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ -n "$$CI" ]; then \
		echo "CI: PostgreSQL does not answer at $(POSTGRES_URL)"; exit 1; \
	else \
		echo "PostgreSQL does not answer at $(POSTGRES_URL): its storage tests are skipped"; \
		$(BIN)/pytest $(PYTEST_ARGS); \
	fi

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
