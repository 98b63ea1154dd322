# pingid-portal: `make run` starts the portal on embedded defaults, `make test`
# runs every check and test. Both create .venv and install the project first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Tests run with DEBUG off, as in production, on a fixed throwaway key.
TEST_ENV := SECRET_KEY=insecure-key-for-tests-only SECURE_SSL_REDIRECT=false \
	SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false

.PHONY: install run test lint typecheck static pytest worker clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The printed sign-in address follows HOST and PORT unless PORTAL_BASE_URL is set.
RUN_ENV := DEBUG=true PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://$(HOST):$(PORT)}

run: $(STAMP)
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(TEST_ENV) $(BIN)/mypy .

# Tests run with production's static storage, which needs collected files.
static: $(STAMP)
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --no-input --verbosity 0

pytest: static
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

test: $(STAMP) lint typecheck static
	$(TEST_ENV) $(BIN)/python manage.py check
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

worker: $(STAMP)
	$(BIN)/celery -A pingid_portal worker --beat --loglevel INFO

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
