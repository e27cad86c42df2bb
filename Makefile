# The two commands of the README: `make demo` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEMO_ENV := BKV_DEMO=1 SMTP_HOST=127.0.0.1 SMTP_PORT=8025 BKV_JOBS=sqlite
# Two pytest-xdist workers (each its own database, SMTP server and ports): the suite takes about half
# the time on a 2-core machine. On PostgreSQL the page-cache tests run afterwards in one process: the
# page cache's change mark is the server's snapshot (web/pagecache.py), which the other worker's
# transactions move even in another database, so those tests would see renders. `make test
# PYTEST_ARGS=` runs everything in one process.
SERIAL_ON_PG := tests/web/test_pagecache.py
ON_PG = $(filter postgresql,$(BKV_TEST_DB))
PYTEST_ARGS ?= -n 2 $(if $(ON_PG),--ignore=$(SERIAL_ON_PG))

.PHONY: demo test install chromium libreoffice translations clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# Creates or upgrades the SQLite database (data is kept), loads the tenants, creates the demo
# accounts, then serves on http://127.0.0.1:5000 with a mail catcher (mails are printed here)
# and the job worker running beside it.
demo: install
	$(DEMO_ENV) $(BIN)/bkv db upgrade
	$(DEMO_ENV) $(BIN)/bkv tenants load
	$(DEMO_ENV) $(BIN)/bkv demo seed
	@echo "Mails are printed below by the local mail catcher (127.0.0.1:8025)."
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:8025 -c aiosmtpd.handlers.Debugging stdout & \
	$(DEMO_ENV) $(BIN)/bkv worker & \
	$(DEMO_ENV) $(BIN)/bkv run --host 127.0.0.1 --port 5000

# The whole suite. BKV_TEST_DB=postgresql runs it against a fresh PostgreSQL database.
# Browser tests drive Debian's Chromium (installed here when missing; never `playwright install`).
test: install chromium libreoffice
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(if $(ON_PG),$(if $(findstring --ignore,$(PYTEST_ARGS)),$(BIN)/python -m pytest $(SERIAL_ON_PG)))

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# The payroll export test opens the CSV in LibreOffice Calc (headless) to see its numbers as numbers.
libreoffice:
	@command -v soffice >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq libreoffice-calc-nogui >/dev/null)

translations: install
	$(BIN)/pybabel extract -F web/babel.cfg -k _l -o web/translations/messages.pot web engine
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d web/translations

clean:
	rm -rf $(VENV) instance
