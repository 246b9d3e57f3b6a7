# France Services platform: the one entry point. `make run` starts everything, `make test` tests it.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
UV_VERSION := 0.13.9
# uv as a module of this machine's Python 3.11: no PATH to get right for root, a user or CI.
UV := python3 -m uv
POSTGIS_CONTROL := /usr/share/postgresql/15/extension/postgis.control

.PHONY: help uv install postgis browser run test bench bench-tools lint format up compose-config clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

uv:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)" \
		|| python3 -m pip install --quiet --user "uv==$(UV_VERSION)"

postgis: ## Install the PostGIS extension for PostgreSQL 15 when it is missing
	@test -f $(POSTGIS_CONTROL) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3)

browser: ## Debian's headless Chromium for the widget's end-to-end test (driven by Playwright)
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

install: uv postgis ## Virtual environment and every pinned dependency (uv.lock)
	$(UV) sync --frozen --quiet

run: install ## Databases, migrations, the real data, every service and the gateway (Ctrl-C stops all)
	$(UV) run --frozen python scripts/run_all.py

test: install browser ## The whole suite against the real PostgreSQL/PostGIS and Redis
	$(UV) run --frozen pytest

bench-tools:
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)

bench: install bench-tools ## Benchmarks: figures and ratios against baselines measured in the same run
	$(UV) run --frozen python -m bench

lint: install ## ruff and mypy
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy common/fs_common services/locator/locator services/booking/booking services/notify/notify gateway/gateway

format: install ## Format the code
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

up: ## docker compose up, for machines with a Docker engine
	docker compose up --build

compose-config: ## Validate docker-compose.yml (installs Debian's docker-compose when missing)
	@command -v docker-compose >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose)
	docker-compose config --quiet

clean: ## Remove the virtual environment and caches
	rm -rf .venv .pytest_cache .ruff_cache .mypy_cache var
