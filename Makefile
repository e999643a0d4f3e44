# The single entry point: install, lint, test, dev, synth, bench.
SHELL := /bin/bash
UV ?= uv
RUN := $(UV) run --frozen
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONPATH := $(CURDIR)/shared:$(CURDIR)/functions/api:$(CURDIR)

.PHONY: install lint test test-unit dev synth bench clean sam-template sam-local sam-invoke audit

install: .venv/.installed contracts/node_modules/.installed

.venv/.installed: pyproject.toml uv.lock
	@command -v $(UV) >/dev/null || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

contracts/node_modules/.installed: contracts/package.json contracts/package-lock.json
	npm ci --prefix contracts --no-audit --no-fund
	@touch $@

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) bandit -q -c pyproject.toml -r shared functions devstack infra ml

# Known vulnerabilities in the locked dependencies (uv audit, OSV). It needs api.osv.dev: where that
# cannot be reached (this offline workplace) it says so and passes; a finding always fails.
audit: install
	@out=$$($(UV) audit --frozen --preview-features audit-command 2>&1); rc=$$?; echo "$$out"; \
	if [ $$rc -ne 0 ] && echo "$$out" | grep -qE "error sending request|unrecognized subcommand|unexpected argument"; then \
	  echo "audit: skipped, the vulnerability service (api.osv.dev) is unreachable or this uv has no audit"; exit 0; fi; \
	exit $$rc

# All tests: unit, integration (moto + local chain + workflow), infra (CDK synth), e2e (the dev stack).
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
