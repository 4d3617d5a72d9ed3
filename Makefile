# Everything a newcomer runs. Each target creates .venv (Python 3.11) when missing and
# reinstalls only when pyproject.toml or constraints.txt change.
#   make html       build the executed book into _build/html
#   make test       library tests, doctests, ruff, coverage
#   make test-site  tests of the built site, including real-browser tests (Chromium)
#   make bench      rebuild benchmark on a temporary copy of the repository
#   make clean      remove build output (keeps .venv)
# GPU machines: `make html GPU=1` installs tensorflow[and-cuda]; CH3LIB_FORCE_CPU=1 hides GPUs.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXTRAS := docs,test$(if $(GPU),$(comma)gpu)
comma := ,
STAMP := $(VENV)/.installed$(if $(GPU),-gpu)
SPHINXOPTS ?=

# Silence TensorFlow's C++/absl logging before any kernel imports TensorFlow.
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: html test test-site bench clean lock FORCE

# What the site is built from. `make html` runs Sphinx only when one of these, or the
# settings recorded in $(BUILD_KEY), changed since the last successful build.
BOOK_INPUTS := conf.py $(sort $(shell find book src/ch3lib -type f -not -path '*/__pycache__/*'))
BUILD_KEY := _build/.build-key

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[$(EXTRAS)]"
	@touch $@

html: _build/.html-built

_build/.html-built: $(STAMP) $(BOOK_INPUTS) $(BUILD_KEY) $(if $(SPHINXOPTS),FORCE)
	$(BIN)/sphinx-build -W --keep-going -q -b html -c . -d _build/doctrees book _build/html $(SPHINXOPTS)
	@touch $@

# Rewritten only when its content changes: the inputs' names (a deleted page counts) and the
# environment variables the output depends on.
$(BUILD_KEY): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' "inputs: $(BOOK_INPUTS)" "BOOK_BASE_URL=$(BOOK_BASE_URL)" \
	  "CH3LIB_FORCE_CPU=$(CH3LIB_FORCE_CPU)" "GPU=$(GPU)" > $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

test: $(STAMP)
	$(BIN)/ruff check src tests conf.py tools book/_ext
	$(BIN)/ruff format --check src tests conf.py tools book/_ext
	$(BIN)/python -m pytest -m "not site and not browser" --cov=ch3lib --cov-report=term-missing --cov-fail-under=90

test-site: $(STAMP)
	@test -f _build/html/index.html || { echo "_build/html is missing: run 'make html' first" >&2; exit 1; }
	$(BIN)/python -m pytest -m "site or browser" tests

bench: $(STAMP)
	$(BIN)/python tools/bench.py

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' \
	  | sed '1i # Exact pins for `make html` / `make test` (Python 3.11, CPU). Regenerate with `make lock`.' \
	  > constraints.txt

clean:
	rm -rf _build
