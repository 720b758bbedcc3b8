# The two commands a fresh clone needs: `make demo` and `make test`.
# Each bootstraps .venv and installs flowops into it when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.flowops-installed

.PHONY: demo test lint typecheck unit bench clean release-tag

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/flowops demo

# make test: everything (lint, types, unit and integration tests); make unit: fast tests only.
# The suite runs on every core (pytest-xdist), a test file per worker at a time
# (--dist loadfile: module fixtures and one file's sandboxes stay in one process);
# PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= auto
test: $(STAMP) lint typecheck
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check flowops tests bench
	$(BIN)/ruff format --check flowops tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -m "not integration"

# make bench [BENCH=NAME]; all of them by default (minutes). NAME: one of bench/__main__.py's
# BENCHMARKS (connect deploy diff doctor faults lag lint measure peer realflows rollback simulate).
bench: $(STAMP)
	$(BIN)/python -m bench $(or $(BENCH),all)

# Tag the release vX.Y.Z (X.Y.Z = flowops.__version__) on a clean, tested HEAD; pushing
# the tag runs .github/workflows/release.yml (build, twine check, publish flowops-connect).
release-tag: test
	git diff --quiet HEAD
	git tag -a "v$$($(BIN)/python -c 'import flowops; print(flowops.__version__)')" -m "flowops release"

clean:
	rm -rf $(VENV) .flowops .pytest_cache .mypy_cache .ruff_cache
