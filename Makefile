VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed
# The second host (tests/second_host/, docs/integrate.md's proof) has its own settings: its own pytest run,
# which never loads tests/conftest.py (the reference host's).
SECOND_HOST_TEST := $(VENV)/bin/pytest --confcutdir=tests/second_host --ds=tests.second_host.settings tests/second_host

.PHONY: install run test test-second-host bench soak lint format clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py demo $(if $(DEMO_PASSWORD),--password $(DEMO_PASSWORD),)
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest
	$(SECOND_HOST_TEST)

test-second-host: install
	$(SECOND_HOST_TEST)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# Installs the "bench" extra (djangorestframework-api-key, knox), then prints the benchmark table;
# the --scale part needs PostgreSQL on 127.0.0.1 (BENCH_SCALE_DATABASE_URL) and says so when it is missing.
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(PY) bench/bench.py --scale $(BENCH_ARGS)

# Mixed load on gunicorn + PostgreSQL + a Redis of its own while Redis restarts and a PostgreSQL backend is
# killed (bench/soak.py, docs/reliability.md). SOAK_SECONDS (default 120); SOAK_DATABASE_URL (default
# keyward_soak on 127.0.0.1:5432, dropped and created afresh).
soak: install
	$(PY) bench/soak.py $(if $(SOAK_SECONDS),--seconds $(SOAK_SECONDS),) $(SOAK_ARGS)
