# Two commands do all set-up on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint clean chromium bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## Debian's Chromium prints the leaders' reports to PDF and runs the browser tests.
chromium:
	@command -v chromium >/dev/null || apt-get install -y -q chromium >/dev/null || \
		{ apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } || \
		echo "note: could not install chromium (apt-get as root): reports get no PDF"

## Simulate six months of the province, close them one by one and show the task view;
## each close writes its report; then the dbt docs of the warehouse.
demo: $(VENV)/.installed chromium
	$(BIN)/kpi simulate --months 2026-01..2026-06 --scale province --seed 7 --out sources/landing
	$(BIN)/kpi close --from 2026-01 --to 2026-06 --reopen --reason "make demo: the simulated months closed again"
	$(BIN)/kpi docs
	@ls warehouse/reports

## Lint Python and SQL, then run the whole test suite.
test: $(VENV)/.installed chromium lint
	$(BIN)/python -c "import orchestration.assets.dbt"  # parse dbt once, before the workers
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	KPI_BUILD_DB=$(CURDIR)/warehouse/lint.duckdb $(BIN)/sqlfluff lint dbt_project/models

## Time a close at province and national scale, stage by stage, against DuckDB-only and pandas
## references, and month 12 of a history against month 1; writes bench/RESULTS.md.
bench: $(VENV)/.installed chromium
	$(BIN)/python bench/close.py --scales province,national --months 12 --write

clean:
	rm -rf warehouse/kpi*.duckdb warehouse/build sources/landing dbt_project/target
