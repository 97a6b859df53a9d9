# Quick start: `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench bench-extraction clean

$(BIN)/archiver: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/archiver

demo: install
	$(BIN)/archiver demo

test: install
	$(BIN)/ruff check archiver tests bench
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check archiver tests bench

# Throughput and memory next to the same job written by hand with Scrapy (Debian's nginx).
bench: install
	$(BIN)/python -m bench.throughput
	$(BIN)/python -m bench.rebuild

# Extraction quality and speed next to trafilatura and GNE (prints a table).
bench-extraction: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.extraction

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
