# The two commands a newcomer types: `make run` and `make test`. Both build the virtualenv first,
# from the lock files (requirements*.txt, hashed): everyone gets the same versions. `make lock`
# regenerates them from pyproject.toml; `make audit` fails on a known vulnerability in them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

UV_VERSION := 0.13.8
UV_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python
COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet

.PHONY: run test lint typecheck pytest openapi migrate bench clean lock audit

# uv installs the locked set in seconds where pip took many minutes on a busy 2-core machine
# (pip byte-compiles every file of botocore, moto and the stubs); same lock, same hashes.
$(STAMP): pyproject.toml requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV_INSTALL) --require-hashes -r requirements-dev.txt
	$(UV_INSTALL) --no-deps -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "the lock files do not satisfy pyproject.toml: run make lock"; exit 1; }
	touch $(STAMP)

# After changing dependencies in pyproject.toml: regenerate both lock files and commit them.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(COMPILE) -o requirements.txt
	$(COMPILE) --extra dev -o requirements-dev.txt

audit: $(STAMP)
	$(BIN)/python scripts/dependency_audit.py

run: $(STAMP)
	$(BIN)/python -m app.cli run

test: lint typecheck pytest

# The contract is linted too: openapi-spec-validator (python-openapi, maintained) checks it
# against the OpenAPI 3.1 meta-schema and resolves every $ref; the style rules a linter such as
# Spectral would add (ids, tags, descriptions, one Problem, examples) are tests/api/test_openapi_contract.py.
lint: $(STAMP)
	$(BIN)/ruff check app tests bench migrations docs/examples
	$(BIN)/openapi-spec-validator openapi/openapi.json

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

openapi: $(STAMP)
	$(BIN)/python -m app.cli openapi openapi/openapi.json

migrate: $(STAMP)
	$(BIN)/python -m app.cli migrate

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var
