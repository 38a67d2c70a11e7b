# Everything a newcomer needs: `make run`, `make check` and `make test`. Each sets itself up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/current.tar.gz
# Training data generated from the fact store (`python -m bot nlu export`).
GENERATED := data/lookups/entities.yml data/rules/topics.yml
# A standard socket.io client for the browser tests, from the npm registry.
TEST_JS := tests/bot/web/js/node_modules/.package-lock.json

export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export WEB_PORT ?= 8080
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Full output of setting up and training; the terminal gets one line each.
VAR_FOLDER := $(or $(VAR_DIR),var)
LOGS := $(VAR_FOLDER)/logs
# On failure: the log's end, and where the whole of it is.
define logged
{ $(1); } > $(LOGS)/$(2).log 2>&1 || { tail -n 30 $(LOGS)/$(2).log; echo "error: see $(LOGS)/$(2).log"; exit 1; }
endef

# Rasa 3.6 runs on Python 3.8-3.10 only. PYTHON=... overrides the search.
PYTHON ?= $(shell for p in python3.10 \
		$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.10*/bin/python3.10 2>/dev/null | sort -V -r) \
		/usr/local/bin/python3.10 /usr/bin/python3.10; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1 && { echo "$$p"; break; }; \
	done)

TRAIN_INPUTS := config.yml domain.yml \
	$(shell find data -name '*.yml' $(foreach file,$(GENERATED),-not -path '$(file)') 2>/dev/null) \
	$(wildcard bot/facts/*.yml) bot/languages.yml bot/nlu/components.py bot/nlu/matcher.py bot/domain/language.py \
	bot/domain/store.py bot/domain/text.py
# The fast tier: no trained model, browser, PostgreSQL, Redis or npm (markers in pyproject.toml).
CHECK_MARKERS := not (servers or model or browser or services or quality or fuzz)

.PHONY: help install run shell report review train check test fuzz eval bench facts purge clean

help:
	@echo "make run    - start the assistant (trains first if needed)"
	@echo "make check  - the fast tier (about 2 min): no model, browser or database; run it after each change"
	@echo "make test   - the whole suite (CI runs it): trains, starts real servers, drives Chromium"
	@echo "make train  - train the model if data, domain or config changed"
	@echo "make shell  - talk to the assistant in the terminal, with its reasoning (staff)"
	@echo "make report - what visitors asked and what went unanswered: reports/conversations.html"
	@echo "              (REPORT_ARGS=--days 7, --since 2026-01-01)"
	@echo "make review - label those questions in the terminal, for make train: data/nlu/<lang>/reviewed.yml"
	@echo "              (REVIEW_ARGS=--days 7, --since 2026-01-01)"
	@echo "make fuzz   - the property-based tests with 2,000 examples each instead of 300"
	@echo "make eval   - NLU figures on the held-out test sets"
	@echo "make bench  - latency, throughput, memory, start-up and training time vs rasa init's bot"
	@echo "              (BENCH_ARGS=--quick, --skip-stock, --skip-training, --profile)"
	@echo "              (python -m tools.bench.limiter: the web front's rate limiter alone)"
	@echo "make facts  - validate and list the fact store"
	@echo "make purge  - delete conversations idle for more than CONVERSATION_RETENTION_DAYS (30)"
	@echo "make clean  - delete the model, results and caches (conversations in var/ are kept)"

$(VENV)/.installed: requirements.lock pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: no Python 3.10 found. Rasa 3.6 needs Python 3.8-3.10;"; \
		echo "       install one (e.g. pyenv install 3.10) or pass PYTHON=/path/to/python3.10"; \
		exit 1; fi
	@echo "Setting up Python 3.10 in $(VENV) (first run, about 3 min)…"
	@mkdir -p -m 700 $(VAR_FOLDER) $(LOGS)
	@$(call logged,{ test -x $(PY) || $(PYTHON) -m venv $(VENV); } \
		&& $(PY) -m pip install --quiet --upgrade "pip==24.0" \
		&& $(PY) -m pip install --quiet -r requirements.lock \
		&& $(PY) -m pip install --quiet --no-deps -e .,install)
	@touch $@

install: $(VENV)/.installed

facts: install
	$(PY) -m bot facts check

# One export writes every generated file; make may run it once per file, which changes nothing.
$(GENERATED): $(VENV)/.installed $(wildcard bot/facts/*.yml) bot/languages.yml bot/nlu/data.py bot/domain/store.py bot/domain/language.py
	@$(PY) -m bot nlu export >/dev/null
	@touch $@

$(MODEL): $(VENV)/.installed $(GENERATED) $(TRAIN_INPUTS)
	@$(PY) -m bot facts check >/dev/null
	@echo "Training (about 1-3 min)…"
	@mkdir -p -m 700 $(VAR_FOLDER) $(LOGS)
	@# Rasa's validation, with the responses the actions send counted as used (bot/nlu/validate.py).
	@$(call logged,$(PY) -m bot nlu validate && $(RASA) train --skip-validation --fixed-model-name current --out models --quiet \
		&& $(PY) -m bot nlu fit,train)
	@touch $@
	@echo "Trained: $(MODEL) (log: $(LOGS)/train.log)"

train: $(MODEL)

run: $(MODEL)
	@$(PY) -m bot.runtime.serve

shell: $(MODEL)
	$(PY) -m tools.shell

report: install
	$(PY) -m tools.report $(REPORT_ARGS)

# The model as it is: reviewing never retrains; `make train` afterwards takes the labels in.
review: install
	$(PY) -m tools.review $(REVIEW_ARGS)

$(TEST_JS): tests/bot/web/js/package.json tests/bot/web/js/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/bot/web/js --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the socket.io browser test will say so"; fi

check: $(GENERATED)
	$(PY) -m pytest -q -m "$(CHECK_MARKERS)" $(PYTEST_ARGS)

test: $(MODEL) $(TEST_JS)
	$(PY) -m pytest $(PYTEST_ARGS)

fuzz: $(MODEL)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -m fuzz $(PYTEST_ARGS)

eval: $(MODEL)
	$(PY) -m tools.evaluate

bench: $(MODEL)
	$(PY) -m tools.bench $(BENCH_ARGS)

purge: install
	$(PY) -m bot.runtime.privacy

# Conversations are visitors' data, not build output: `make purge` deletes the expired ones.
clean:
	rm -rf models results .rasa
