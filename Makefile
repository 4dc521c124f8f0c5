# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CATALOGS := $(wildcard amtsweg/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: demo test lint pytest helm-check install translations extract-messages assets bench bench-memory clean

install: $(INSTALLED) $(COMPILED)

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Amtsweg needs Python 3.11 or newer (set PYTHON=python3.x)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

%.mo: %.po $(INSTALLED)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(COMPILED)

extract-messages: $(INSTALLED)
	$(BIN)/pybabel extract --no-location --omit-header -F babel.cfg -k _l -k lazy_gettext -k translatable \
		-o amtsweg/translations/messages.pot amtsweg
	$(BIN)/pybabel update --omit-header -N -i amtsweg/translations/messages.pot -d amtsweg/translations

demo: install
	@mkdir -p var
	$(BIN)/amtsweg db upgrade
	$(BIN)/amtsweg demo
	@echo
	@echo "Amtsweg is starting on http://localhost:5000"
	@echo "  Gemeinde Musterstadt:  http://localhost:5000/t/musterstadt/"
	@echo "  Gemeinde Beispieldorf: http://localhost:5000/t/beispieldorf/"
	@echo "  Health:                http://localhost:5000/healthz"
	@echo "  Form admin:            http://localhost:5000/admin/formdefs/"
	@echo "  Clerk's workplace:     http://localhost:5000/t/musterstadt/clerk/"
	@echo "Log in with the development login: \"Erika Mustermann\" (citizen, trust level high),"
	@echo "\"Sabine Schreiber\" (clerk of Musterstadt), \"Jonas Amtmann\" (clerk of Beispieldorf),"
	@echo "\"Andrea Verband\" (association admin), or get API tokens: .venv/bin/amtsweg dev-token --help"
	@echo "Mail (receipts) is written to var/outbox/ as .eml files."
	@echo "Data is kept in var/ (delete it to start afresh). Stop with Ctrl+C."
	@echo
	$(BIN)/amtsweg run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/deptry amtsweg

# The tests start real peers from npm (oidc-provider) and drive Debian's Chromium with
# playwright-core and axe-core (tests/browser/); the app itself needs no Node.js.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Tests run in parallel, one worker per core and at most 8 (pytest-xdist): a test file stays
# on one worker, and each worker has a database and a Redis database of its own (1 to 8;
# tests/servers.py), of Redis's 16 (the benchmark uses 14). Files marked `long` go first
# (tests/conftest.py), so that no worker is left with a long file at the end.
pytest: install node_modules/.installed
	$(BIN)/pytest -n auto --maxprocesses 8 --dist loadfile --no-loadscope-reorder
	AMTSWEG_TEST_DATABASE=sqlite $(BIN)/pytest -m sqlite -q

# checkov pins older versions of packages the app uses, so it gets a venv of its own.
CHECKOV := $(VENV)/checkov/bin/checkov
$(CHECKOV):
	$(PYTHON) -m venv $(VENV)/checkov
	$(VENV)/checkov/bin/python -m pip install --quiet 'checkov==3.3.30'

# Renders helm/amtsweg with Helm's own engine (helm-python-sdk), validates every object
# against the Kubernetes schemas and runs checkov's policies; names each object it checked.
helm-check: install $(CHECKOV)
	$(BIN)/python -m tests.helm.check --checkov $(CHECKOV)

test: lint pytest helm-check

assets:
	bash tools/vendor-kern.sh
	bash tools/vendor-receipt-fonts.sh

# Every ratio in docs/performance.md, in under 10 minutes from a fresh clone: the web
# workers' memory is followed over 5,000 step pages. `make bench-memory` follows one worker
# over the 100,000 requests the memory limit speaks of (an hour on a busy 2-core machine).
bench: install
	$(BIN)/python -m bench.run --memory-requests 5000

bench-memory: install
	$(BIN)/python -m bench.memory_growth --requests 100000

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .ruff_cache
