# Shequ: two commands for a newcomer — `make run` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin

.PHONY: install run test services lint asyncapi bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock requirements-test.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip 'setuptools<82' wheel
	$(BIN)/pip install -q -r requirements-test.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

services:
	deploy/local/system-packages.sh
	deploy/local/ensure-services.sh

run: install
	$(BIN)/shequ up

test: install services lint
	$(BIN)/pytest -p no:cacheprovider

lint: install
	$(BIN)/ruff format --check shared services tests benchmarks conftest.py
	$(BIN)/ruff check shared services tests benchmarks conftest.py
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy
	$(BIN)/python -m shequ.lint.private_imports shared services tests benchmarks conftest.py

asyncapi: install
	$(BIN)/shequ asyncapi -o docs/asyncapi.json

bench: install services
	$(BIN)/python benchmarks/command_path.py
	$(BIN)/python benchmarks/registry_commands.py
	$(BIN)/python benchmarks/event_path.py
	$(BIN)/python benchmarks/aggregate_load.py
	$(BIN)/python benchmarks/casework_intake.py
	$(BIN)/python benchmarks/outreach_card_reissue.py
	$(BIN)/python benchmarks/assessment_recompute.py
	$(BIN)/python benchmarks/audit_verify.py
	$(BIN)/python benchmarks/report_fold.py
	$(BIN)/python benchmarks/finance_books.py
	$(BIN)/python benchmarks/finance_rpc.py
	$(BIN)/python benchmarks/gateway.py

clean:
	rm -rf var .pytest_cache
