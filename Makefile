# Two commands on a fresh machine: `make book` and `make test`.
# Both set up .venv first (again only when pyproject.toml changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: book test lint catalogs clean

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(READY)

book: $(READY)
	$(BIN)/kpbrief build

test: $(READY)
	$(BIN)/ruff check kpbrief tests benchmarks
	$(BIN)/ruff format --check kpbrief tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q

catalogs: $(READY)
	$(BIN)/kpbrief i18n update

clean:
	rm -rf build
