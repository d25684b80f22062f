# The two commands of the README: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test lint types unit system-deps bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.demo-ready: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --no-dev
	touch $@

$(VENV)/.test-ready: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras
	touch $@ $(VENV)/.demo-ready

## make demo: install and run the demo on the embedded SQLite database
demo: $(VENV)/.demo-ready
	$(BIN)/tactful demo

## make test: lint, type checks and the whole test suite
test: $(VENV)/.test-ready system-deps lint types unit

system-deps:
	bash scripts/system-deps.sh

lint: $(VENV)/.test-ready
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

types: $(VENV)/.test-ready
	$(BIN)/mypy

unit: $(VENV)/.test-ready
	$(BIN)/python -m pytest

QUICK_BENCHES := import_online_retail mine_speed pairs_memory evaluate_quality decide_latency \
	http_decisions checkout_page

bench: $(VENV)/.test-ready
	@for name in $(QUICK_BENCHES); do echo "== bench/$$name.py"; \
		$(BIN)/python bench/$$name.py || exit 1; done

clean:
	rm -rf $(VENV) $(TOOLS) var .mypy_cache .ruff_cache .pytest_cache
