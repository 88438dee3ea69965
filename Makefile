# The two commands a user needs: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: run test install bench clean-venv browser

run: $(STAMP)
	$(BIN)/edition run

test: $(STAMP) browser
	$(BIN)/python -m pytest --durations=10

# Headless Chromium for tests/test_browser.py (Playwright drives Debian's package;
# nothing is downloaded by Playwright). Installed once, if missing.
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core; } || \
	  echo "make browser: could not install chromium; the browser tests will be skipped" >&2

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $(STAMP)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean-venv:
	rm -rf $(VENV)
