# The two commands a user needs: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: run test install bench clean-venv browser

run: $(STAMP)
	$(BIN)/edition run

# Two workers (pytest-xdist), a test file per worker at a time (module fixtures are not
# computed twice), the longest files first (conftest LONGEST_FIRST; xdist would otherwise
# order them by their number of tests). The session's corpus run is made once for both
# workers (conftest `built`). Bytecode is written even where the shell sets PYTHONDONTWRITEBYTECODE
# (tests/__pycache__ is ignored by git): otherwise each worker rewrites and compiles every test
# module again (2.4 s of each worker's start).
#
# The tests' temporary folders (pytest's tmp_path, the session's projects, what the commands they run
# write) go to memory (tmpfs, /dev/shm) where the machine has one with room to spare: every
# `edition run` makes its outputs durable (pipeline.outputs: an fsync per file and folder), and on
# this machine's disk the workers' 1,750 fsyncs (more in the processes they start) waited 8-12 s in
# all, on a loaded machine. On tmpfs the same calls are made and return at once; no test checks
# that outputs survive a power cut (the kill tests kill processes, which the page cache survives).
# Elsewhere (no tmpfs, or under 2 GB free) the usual temporary folder.
TEST_TMP = $(shell d=/dev/shm/edition-tests; mkdir -p $$d 2>/dev/null && [ "$$(stat -f -c %T $$d)" = tmpfs ] && \
             [ "$$(df -Pk $$d | awk 'NR==2 {print $$4}')" -gt 2000000 ] && echo $$d)
test: $(STAMP) browser
	$(if $(TEST_TMP),TMPDIR=$(TEST_TMP)) PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=10

# Headless Chromium for the browser tests (Playwright drives Debian's packages: chromium and
# chromium-headless-shell, which the tests prefer; nothing is downloaded by Playwright) and jing,
# the RelaxNG validator the TEI test uses (tei_all compiles in 1.5 s, against 11 s with lxml).
# Installed once, if missing.
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@{ test -x /usr/bin/chromium && test -x /usr/bin/chromium-headless-shell && test -x /usr/bin/jing; } || \
	  { $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends \
	    chromium chromium-headless-shell fonts-dejavu-core jing; } || \
	  echo "make browser: could not install chromium or jing; the browser tests will be skipped, TEI validated by lxml" >&2

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	@# the package's own bytecode, made once: where PYTHONDONTWRITEBYTECODE is set, every run
	@# would otherwise compile the pipeline's sources again (~0.2 s of each `edition` start)
	$(BIN)/python -m compileall -q pipeline
	@# the word tables the stages read (EDITION_CACHE, default ~/.cache/edition), built once per
	@# machine here rather than by the first run or test session (about 20 s on a fresh machine)
	$(BIN)/edition prepare
	@# the test modules as pytest rewrites them (tests/__pycache__), written once here: the first
	@# `make test` of a fresh clone would otherwise compile them in each worker (2 s of CPU each)
	-PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest --collect-only -q -p no:cacheprovider >/dev/null
	@# hypothesis's tables (.hypothesis/: the characters UTF-8 encodes, Unicode categories, the
	@# pipeline modules' constants), which each worker of a fresh clone's first `make test` would
	@# otherwise compute, about 3 s of CPU each (tests/warm_caches.py)
	-$(BIN)/python tests/warm_caches.py
	touch $(STAMP)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean-venv:
	rm -rf $(VENV)
