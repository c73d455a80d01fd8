# Two commands on a fresh machine: `make book` and `make test`.
# Both set up .venv first (again only when pyproject.toml changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

# The preview tests drive Debian's chromium; install it when it is missing (as root, or
# through sudo). If it still is missing, those tests fail: they are never skipped.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: book test lint catalogs clean browser ace pdftools harfbuzz

# DAISY Ace, the EPUB accessibility checker the tests run, installed into .tools/ (git-ignored)
# from npm. It drives Debian's chromium (see `browser`): Puppeteer downloads no browser of its own.
ACE_VERSION := 1.4.6
TOOLS := .tools
ACE := $(TOOLS)/node_modules/.bin/ace-cli
ACE_READY := $(TOOLS)/.ace-$(ACE_VERSION)

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(READY)

book: $(READY) harfbuzz
	$(BIN)/kpbrief build

# WeasyPrint subsets the fonts it embeds with HarfBuzz (Debian's libharfbuzz-subset0) when it
# finds it, else with fontTools: a valid PDF either way, but other bytes, and WeasyPrint warns
# that it will require HarfBuzz. Installed like chromium when missing; the build goes on
# without it if it cannot be installed.
harfbuzz:
	@/sbin/ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so' || { \
	  echo "installing Debian's libharfbuzz-subset0 for WeasyPrint's font subsetting"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libharfbuzz-subset0 || \
	  echo "libharfbuzz-subset0 could not be installed: fontTools subsets the fonts"; }

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the preview tests"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

$(ACE_READY):
	mkdir -p $(TOOLS)
	cd $(TOOLS) && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --silent \
	  --no-save --prefix . @daisy/ace-cli@$(ACE_VERSION)
	touch $(ACE_READY)

ace: $(ACE_READY)

# The PDF judges read text and fonts with poppler's pdftotext and pdffonts (Debian's
# poppler-utils); installed like chromium, and the tests fail without them.
pdftools:
	@command -v pdftotext >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 || { \
	  echo "installing Debian's poppler-utils for the PDF tests"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q poppler-utils; }

test: $(READY) harfbuzz browser ace pdftools
	$(BIN)/ruff check kpbrief tests benchmarks
	$(BIN)/ruff format --check kpbrief tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q

catalogs: $(READY)
	$(BIN)/kpbrief i18n update

clean:
	rm -rf build
