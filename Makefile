# Two commands for a fresh machine with Python 3.11 and make: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
MODELS ?= digits

.PHONY: run test train bench lint format clean

# The venv is (re)installed only when a requirements file changes.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) --server.headless true

test: $(VENV)/.installed-dev
	$(PY) -m pytest

train: $(VENV)/.installed
	for name in $(MODELS); do $(PY) -m engine.train $$name || exit 1; done

bench: $(VENV)/.installed-dev
	$(PY) -m benchmarks --json benchmarks/last.json

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

format: $(VENV)/.installed-dev
	$(PY) -m ruff check --fix . && $(PY) -m ruff format .

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
