# Everything a newcomer runs (README.md lists the targets). Each target creates .venv when
# missing and reinstalls only when pyproject.toml, constraints.txt, the Python or GPU= change.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# PYTHON=... wins; else the newest of these that runs here (an unselected pyenv shim does not).
SUPPORTED_PYTHONS := 3.13 3.12 3.11
ifndef PYTHON
PYTHON := $(or $(firstword $(foreach v,$(SUPPORTED_PYTHONS),\
  $(shell python$(v) -c "" >/dev/null 2>&1 && echo python$(v)))),python3)
endif
VERSION_OF = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYTHON_VERSION := $(call VERSION_OF,$(PYTHON))
VENV := .venv
BIN := $(VENV)/bin
EXTRAS := $(if $(GPU),[gpu])
GROUPS := --group docs --group test
STAMP := $(VENV)/.installed-$(if $(GPU),gpu,cpu)-py$(PYTHON_VERSION)
# The exact pins; `make test-latest` empties it in its copy (the newest releases allowed).
CONSTRAINTS := -c constraints.txt
PIP_INSTALL := -m pip install --quiet --disable-pip-version-check
# Builds are reproducible: the same hash seed in Sphinx and in every kernel it starts.
export PYTHONHASHSEED := 0

# The library's own tests: what `make test-oldest` runs with the lowest supported versions.
LIBRARY_TESTS := $(patsubst %,tests/test_%.py,answers device gradients layers linear_classifier \
  native_log package plotting point_clouds training) src/ch3lib
OLDEST := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed-py$(PYTHON_VERSION)

# $(call install,DIR,PIP ARGUMENTS): DIR, a venv of $(PYTHON) (afresh if another Python made
# it), with PIP ARGUMENTS installed; then the target, the stamp of what is installed.
define install
@case " $(SUPPORTED_PYTHONS) " in *" $(PYTHON_VERSION) "*) ;; *) echo "make: $(PYTHON) is \
  $(or $(PYTHON_VERSION:%=Python %),not a Python that runs here); the book builds with Python \
  3.11, 3.12 or 3.13: install one, or name it with PYTHON=/path/to/python3.13" >&2; exit 1;; esac
@if [ -x $(1)/bin/python ] && [ "$(call VERSION_OF,$(1)/bin/python)" != "$(PYTHON_VERSION)" ]; \
  then echo "make: $(1) is Python $(call VERSION_OF,$(1)/bin/python); making it afresh with \
  $(PYTHON) (Python $(PYTHON_VERSION))"; rm -rf $(1); fi
@test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
@echo "make: installing the environment in $(1) (Python $(PYTHON_VERSION)); a minute or \
  two the first time"
$(1)/bin/python $(PIP_INSTALL) --upgrade pip==26.3
$(1)/bin/python $(PIP_INSTALL) $(2)
@rm -f $(1)/.installed-*
@touch $@
endef

.PHONY: venv html pdf test test-site test-rebuild test-reader test-oldest test-latest preview \
  bench mutants lighthouse clean lock urls

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(call install,$(VENV),$(CONSTRAINTS) -e ".$(EXTRAS)" $(GROUPS))

html: $(STAMP)
	$(BIN)/python -m tools.build $(if $(GPU),--gpu) $(SPHINXOPTS)

pdf: html
	$(BIN)/python -m tools.pdf

test: $(STAMP)
	$(BIN)/ruff check src tests conf.py tools book/_ext
	$(BIN)/ruff format --check src tests conf.py tools book/_ext
	$(BIN)/python -m pytest -m "not site and not browser and not rebuild and not reader" --cov=ch3lib --cov-report=term-missing --cov-fail-under=90

test-site: pdf
	$(BIN)/python -m pytest -m "site or browser" tests

test-rebuild: $(STAMP)
	$(BIN)/python -m pytest -m rebuild tests

test-reader: $(STAMP)
	$(BIN)/python -m pytest -m reader tests

OLDEST_REFUSED := make test-oldest: ch3lib's lowest versions (TensorFlow 2.16.1) have no wheels \
  for Python $(PYTHON_VERSION): run it with PYTHON=python3.11 or PYTHON=python3.12
$(OLDEST_STAMP): pyproject.toml constraints-oldest.txt
	@case "$(PYTHON_VERSION)" in 3.11|3.12) ;; *) echo "$(OLDEST_REFUSED)" >&2; exit 1;; esac
	$(call install,$(OLDEST),-c constraints-oldest.txt -e . pytest hypothesis nbclient ipykernel)

test-oldest: $(OLDEST_STAMP)
	@test -n "$(wildcard _build/html/_sources/*.ipynb)" \
	  || { echo "make test-oldest: no notebooks in _build/html/_sources: run make html first"; exit 1; }
	$(OLDEST)/bin/python -m pip list --disable-pip-version-check 2>/dev/null \
	  | grep -Ei '^(tensorflow|keras|numpy|matplotlib) '
	$(OLDEST)/bin/python -m pytest -p no:cov $(LIBRARY_TESTS)
	$(OLDEST)/bin/python -m tools.run_notebooks $(wildcard _build/html/_sources/*.ipynb)

test-latest:
	$(PYTHON) -m tools.test_latest

PREVIEW_PORT ?= 8000
preview: $(STAMP)
	$(BIN)/sphinx-autobuild book _build/preview -c . -d _build/preview-doctrees \
	  --watch src --watch conf.py --re-ignore '__pycache__|\.ipynb_checkpoints' \
	  --pre-build "$(BIN)/python -m tools.execute" --port $(PREVIEW_PORT)

bench: $(STAMP)
	$(BIN)/python -m tools.bench $(BENCH)

# Not in CI (minutes of browser tests): run it after changing a site-level check.
mutants: pdf
	$(BIN)/python -m tools.mutants

LIGHTHOUSE_STAMP := tools/lighthouse/node_modules/.installed
$(LIGHTHOUSE_STAMP): tools/lighthouse/package.json tools/lighthouse/package-lock.json
	npm ci --prefix tools/lighthouse --no-audit --no-fund --loglevel=error
	@touch $@

# LIGHTHOUSE_OPTIONS: pages to audit (CI: one of each template).
lighthouse: html $(LIGHTHOUSE_STAMP)
	$(BIN)/python -m tools.lighthouse $(LIGHTHOUSE_OPTIONS)

urls: html
	$(BIN)/python -m tools.published_urls

lock: $(STAMP)
	$(BIN)/python -m tools.lock

clean:
	rm -rf _build
