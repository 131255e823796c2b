# Club card platform. `make run` brings everything up; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help venv infra proto proto-check lint migrate run test test-fast bench demo certs chaos fuzz clean

help:
	@echo "make run    - start Postgres/Redis if needed, migrate, run every service locally"
	@echo "make test   - lint, check generated code, run all tests against real Postgres and Redis"
	@echo "make bench  - benchmarks, results printed and saved to var/bench/*.json"
	@echo "make demo   - seed a demo club against a running stack and make a few purchases"
	@echo "make proto  - regenerate services/gen from protos/"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

infra:
	bash scripts/ensure_infra.sh

proto: venv
	$(PY) scripts/gen_protos.py

proto-check: venv
	$(PY) scripts/gen_protos.py --check
	cd protos && ../$(VENV)/bin/buf lint

lint: venv proto-check
	$(VENV)/bin/ruff check services tests scripts bench

migrate: venv infra
	$(PY) -m services.shared.migrate

run: venv
	$(PY) scripts/run_local.py

test: venv infra lint
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-fast: venv infra
	$(PY) -m pytest -q -x -m "not slow" $(PYTEST_ARGS)

bench: venv infra
	$(PY) -m bench $(BENCH_ARGS)

demo: venv
	$(PY) -m services.cli demo seed --output var/demo.json
	$(PY) -m services.cli demo purchases --input var/demo.json

certs: venv
	$(PY) scripts/make_certs.py certs

chaos: venv infra
	$(PY) scripts/chaos.py

fuzz: venv
	$(PY) scripts/fuzz_iso.py --long

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
