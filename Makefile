# The single entry point: install, lint, test, dev, synth, bench.
SHELL := /bin/bash
UV ?= uv
RUN := $(UV) run --frozen
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONPATH := $(CURDIR)/shared:$(CURDIR)/functions/api:$(CURDIR)

.PHONY: install lint test test-unit dev synth bench clean sam-template sam-local sam-invoke audit api-types

install: .venv/.installed contracts/node_modules/.installed frontend/dist/index.html

.venv/.installed: pyproject.toml uv.lock
	@command -v $(UV) >/dev/null || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

contracts/node_modules/.installed: contracts/package.json contracts/package-lock.json
	npm ci --prefix contracts --no-audit --no-fund
	@touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	npm ci --prefix frontend --no-audit --no-fund
	@touch $@

# The web app's production build (frontend/dist): `make dev` serves it, the frontend stack deploys it.
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json
frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	npm run build --prefix frontend

# The web app's API types from the API's OpenAPI document (tests/web fails when they drift).
api-types: install
	$(RUN) python scripts/openapi.py frontend/openapi.json
	npm run api-types --prefix frontend

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) bandit -q -c pyproject.toml -r shared functions devstack infra ml
	npm run lint --prefix frontend

# Known vulnerabilities in the locked dependencies (uv audit, OSV). It needs api.osv.dev: where that
# cannot be reached (this offline workplace) it says so and passes; a finding always fails.
audit: install
	@out=$$($(UV) audit --frozen --preview-features audit-command 2>&1); rc=$$?; echo "$$out"; \
	if [ $$rc -ne 0 ] && echo "$$out" | grep -qE "error sending request|unrecognized subcommand|unexpected argument"; then \
	  echo "audit: skipped, the vulnerability service (api.osv.dev) is unreachable or this uv has no audit"; exit 0; fi; \
	exit $$rc

# All tests: unit, integration (moto + local chain + workflow), infra (CDK synth), web (Vitest, API
# types), e2e (the dev stack over HTTP and in a headless Chromium).
test: install
	$(RUN) pytest

test-unit: install
	$(RUN) pytest tests/unit

# The whole product locally: moto, anvil with demo tokens, the workflow and the API.
dev: install
	$(RUN) python -m devstack

# A deployable template needs the agents' RPC endpoints: make synth RPC_URLS='{"ethereum":["https://..."]}'.
# Without them it synthesizes the local-chain variant (what make dev uses) and prints its warnings.
synth: install
	CDK_CONTEXT_JSON='$(if $(RPC_URLS),{"moneygrow:rpcUrls": $(RPC_URLS)},{"moneygrow:localChain": true})' \
	  $(RUN) python infra/app.py

bench: install
	$(RUN) python tests/benchmarks/bench_api.py

clean:
	rm -rf cdk.out build .local .pytest_cache .mypy_cache .ruff_cache

# template.local.yaml (AWS SAM, for `sam local` with Docker), generated from the CDK app.
sam-template: install
	$(RUN) python -m devstack.sam

# SAM local with Lambda containers, offline (needs root + Debian's docker.io and debootstrap): starts
# its own dockerd, builds the local python3.11 Lambda image once, serves the API from containers.
sam-local: install
	$(RUN) python -m devstack.samlocal api

# `sam local invoke` of each agent with events/*.json (the result JSON per function).
sam-invoke: install
	$(RUN) python -m devstack.samlocal invoke
