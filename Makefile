# Club card platform. `make run` brings everything up; `make test` runs the tests.
SHELL := /bin/bash
# The distribution's optimized python3 when there is one (scripts/pick_python.sh says why).
PYTHON ?= $(shell bash scripts/pick_python.sh)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help venv infra browser proto proto-check lint migrate run test test-fast bench demo certs chaos chaos-cluster failover replicas fuzz clean soak screenshots

help:
	@echo "make run    - start Postgres/Redis if needed, migrate, run every service locally"
	@echo "             (make run REDIS=cluster: on a local Redis Cluster, 3 primaries + 3 replicas)"
	@echo "make test   - lint, check generated code, run all tests against real Postgres and Redis"
	@echo "make bench  - benchmarks, results printed and saved to var/bench/*.json"
	@echo "make demo   - seed a demo club against a running stack and make a few purchases"
	@echo "make screenshots - the portal's pages (members at phone size, merchants and operators at desktop size) into docs/screenshots/"
	@echo "make proto  - regenerate services/gen from protos/"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

infra:
	bash scripts/ensure_infra.sh

# Debian's headless Chromium and chromedriver for the portal's browser tests.
browser:
	bash scripts/ensure_browser.sh

proto: venv
	$(PY) scripts/gen_protos.py

proto-check: venv
	$(PY) scripts/gen_protos.py --check
	cd protos && ../$(VENV)/bin/buf lint

lint: venv proto-check
	$(VENV)/bin/ruff check services tests scripts bench

migrate: venv infra
	$(PY) -m services.shared.migrate

run: venv
	$(PY) scripts/run_local.py $(if $(filter cluster,$(REDIS)),--redis-cluster)

test: venv infra browser lint
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-fast: venv infra browser
	$(PY) -m pytest -q -x -m "not slow" $(PYTEST_ARGS)

bench: venv infra
	$(PY) -m bench $(BENCH_ARGS)

# Against `make run`: an operator token from the same secret (unless CLUB_TOKEN is set), a demo
# club seeded through the gRPC APIs, then a few terminal transactions over ISO 8583 (a coupon
# and a reward voucher applied by themselves among them), then a member's benefits in Persian,
# her RSVP and check-in at the club's event, and a request of hers in the agents' queue.
demo: venv
	@set -e; mkdir -p var; \
	export CLUB_TOKEN="$${CLUB_TOKEN:-$$($(PY) -m services.cli token issue --role operator --subject make-demo)}"; \
	export CLUB_TERMINAL_JOURNAL="$${CLUB_TERMINAL_JOURNAL:-var/terminal-journal.json}"; \
	$(PY) -m services.cli demo seed --output var/demo.json; \
	for step in "echo --terminal 0" \
	            "purchase --card 0 --terminal 0 --amount 1500000" \
	            "purchase --card 1 --terminal 1 --amount 250000" \
	            "purchase --card 2 --terminal 2 --amount 80000 --points" \
	            "refund --card 0 --terminal 0 --amount 500000 --last" \
	            "balance --card 0 --terminal 0" \
	            "purchase --card 3 --terminal 1 --amount 400000" \
	            "purchase --card 1 --terminal 2 --amount 1000000"; do \
		echo; echo "== clubctl terminal $$step"; \
		$(PY) -m services.cli terminal $$step --demo var/demo.json; \
	done; \
	echo; echo "(card 3 paid at the bookshop with its coupon; card 1 at the supermarket with the voucher it bought with points)"; \
	member="$$($(PY) -c 'import json; print(json.load(open("var/demo.json"))["cards"][4]["member_id"])')"; \
	echo; echo "== clubctl benefits $$member   (card 4, a gold member)"; \
	$(PY) -m services.cli benefits "$$member"; \
	event="$$($(PY) -c 'import json; print(json.load(open("var/demo.json"))["club_life"]["event_id"])')"; \
	echo; echo "== clubctl events rsvp $$event $$member   (a place for 100 points)"; \
	$(PY) -m services.cli events rsvp "$$event" "$$member"; \
	code="$$($(PY) -m services.cli --json events code "$$event" "$$member" | $(PY) -c 'import json, sys; print(json.load(sys.stdin)["code"])')"; \
	echo; echo "== clubctl events checkin $$event <her code>   (at the door; the QR: clubctl events code ... --qr FILE)"; \
	$(PY) -m services.cli events checkin "$$event" "$$code"; \
	echo; echo "== clubctl crm interactions add $$member   (a request at the call centre)"; \
	$(PY) -m services.cli crm interactions add "$$member" --channel call-centre --kind request \
		--subject "جای پارک برای شب یلدا" --text "آیا برای مهمانان جای پارک هست؟"; \
	echo; echo "== clubctl crm queue   (loyal members first)"; \
	$(PY) -m services.cli crm queue --limit 5; \
	echo; echo "== SMS in the development SMS sink (var/sms-sink.jsonl): the event invitation, then the receipts of the demo's purchases"; \
	$(PY) scripts/demo_receipts.py var/demo.json var/sms-sink.jsonl; \
	phone="$$($(PY) -c 'import json; print(json.load(open("var/demo.json"))["cards"][4]["phone"])')"; \
	echo; echo "== the member portal: http://127.0.0.1:$${CLUB_PORTAL_PORT:-7180}/"; \
	echo "   sign in as the gold member with phone $$phone; her one-time code arrives in var/sms-sink.jsonl"; \
	echo "   (tail -n 1 var/sms-sink.jsonl)"

# The portal's pages (members at phone size, merchants and operators at desktop size), from real services, into docs/screenshots/.
screenshots: venv infra browser
	$(PY) scripts/portal_screenshots.py

certs: venv
	$(PY) scripts/make_certs.py certs

chaos: venv infra
	$(PY) scripts/chaos.py

chaos-cluster: venv infra
	$(PY) scripts/chaos.py --redis-cluster

# The Postgres primary killed under load, its synchronous standby promoted, a new standby built;
# nothing lost (docs/runbook.md, "Postgres failover"). The test suite runs the short version.
failover: venv infra
	$(PY) scripts/pg_failover.py $(FAILOVER_ARGS)

# Two replicas of each service under ISO 8583 load, one of each SIGKILLed in turn and started
# again; nothing lost (docs/scaling.md, "Several replicas"). The test suite runs the short version.
replicas: venv infra
	$(PY) scripts/replicas.py $(REPLICAS_ARGS)

soak: venv infra
	$(PY) scripts/soak.py $(SOAK_ARGS)

fuzz: venv
	$(PY) scripts/fuzz_iso.py --long

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
