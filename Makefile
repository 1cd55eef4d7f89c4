# sputnik_crm: `make run` serves Odoo 18 with the addon, `make test` runs the suite.
# Overridable: DB=sputnik PORT=8069 TEST_DB=$(DB)_test ODOO_SRC=/opt/odoo
#              SIZE=demo|100k|1m (the benchmarks' base, bench/README.md)
#              ODOO_OPTS="--any-odoo-option" PYTEST_ARGS="-k access"
.PHONY: help venv run test lint format reset-db pot check-existing screenshot bench bench-classification bench-reports bench-churn bench-replica bench-screens replica-start replica-stop

help:
	@echo "make run       install or upgrade sputnik_crm in database \$$DB and serve http://localhost:\$$PORT"
	@echo "make test      fresh test database, install, run the whole suite (browser tests included)"
	@echo "make lint      ruff (lint and format check) and pylint-odoo (OCA 18.0 mandatory checks)"
	@echo "make format    apply ruff's formatting and safe fixes"
	@echo "make pot       regenerate sputnik_crm/i18n/sputnik_crm.pot and merge it into uk.po"
	@echo "make check-existing  install into a database with sales/stock/purchase data, upgrade, lose nothing"
	@echo "make screenshot  docs/screenshot.png of the app served by make run"
	@echo "make bench     booking confirmation against a plain sale order (bench/README.md)"
	@echo "make bench-classification  classify the generated client base (SIZE=100k)"
	@echo "make bench-reports  KPI dashboard and report pivots on the generated base (SIZE=100k)"
	@echo "make bench-screens  duplicates, a client's history and the client list as the web client opens them"
	@echo "make bench-churn  booking race and churn over XML-RPC, Odoo with 4 workers"
	@echo "make bench-replica  two Odoo servers booking on a primary, reading from its streaming replica"
	@echo "               every bench: SIZE=demo|100k|1m, last line RESULT {json}"
	@echo "make replica-start / replica-stop  the local PostgreSQL primary and standby (scripts/replica.sh)"
	@echo "make reset-db  drop database \$$DB after confirmation (YES=1 skips the question)"

venv:
	@bash -c 'source scripts/devenv.sh && ensure_venv'

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

lint: venv
	.venv/bin/ruff check --no-fix .
	.venv/bin/ruff format --check .
	.venv/bin/pylint --rcfile=.pylintrc-mandatory sputnik_crm

format: venv
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

pot:
	@bash scripts/pot.sh

reset-db:
	@bash scripts/reset-db.sh

check-existing:
	@bash scripts/check-existing.sh

screenshot: venv
	.venv/bin/python scripts/screenshot.py "/odoo/action-sputnik_crm.product_template_action_tours" docs/screenshot.png
	.venv/bin/python scripts/screenshot.py "/odoo/action-sputnik_crm.sputnik_departure_action" docs/departures.png --login manager --password manager
	.venv/bin/python scripts/screenshot.py "/odoo/action-sputnik_crm.sputnik_kpi_dashboard_action" docs/dashboard.png --login manager --password manager --ready ".o_sputnik_kpi" --size 1440x1300

bench:
	@SIZE=$(SIZE) bash scripts/bench.sh booking

bench-classification:
	@SIZE=$(SIZE) bash scripts/bench.sh classification

bench-reports:
	@SIZE=$(SIZE) bash scripts/bench.sh reports

bench-churn:
	@SIZE=$(SIZE) bash scripts/bench.sh churn

bench-screens:
	@SIZE=$(SIZE) bash scripts/bench.sh screens

bench-replica:
	@SIZE=$(SIZE) bash scripts/bench.sh replica

replica-start:
	@bash scripts/replica.sh start

replica-stop:
	@bash scripts/replica.sh stop
