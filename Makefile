# sbxy-pardot: the two commands a newcomer needs are `make demo` and `make test`.
# Every target installs what it needs itself: Python tools into project venvs (.venv for moto,
# .venv-lint for cfn-lint + checkov, .venv-sam for the SAM CLI, .venv-lambda for cargo-lambda),
# Rust crates via cargo. Nothing needs Docker.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3
CARGO       ?= cargo
VENV        := .venv
LINT_VENV   := .venv-lint
SAM_VENV    := .venv-sam
LAMBDA_VENV := .venv-lambda
TOOLS        := $(VENV)/.installed
LINT_TOOLS   := $(LINT_VENV)/.installed
SAM_TOOLS    := $(SAM_VENV)/.installed
LAMBDA_TOOLS := $(LAMBDA_VENV)/.installed
SAM          := $(SAM_VENV)/bin/sam

TEMPLATE := infra/template.yaml
# The HTTP API's routes must equal the ones the OpenAPI description documents.
OPENAPI  := crates/http-api/openapi.yaml

# arm64 (cheaper to run) when its Rust target is installed, x86_64 otherwise; `make build
# ARCH=arm64` tries to add the target and falls back to x86_64 if it cannot be downloaded.
# `make deploy` deploys the architecture given as ARCH, else the one `make build` last built
# (target/lambda/ARCH), else the default above: the template is always told what was built.
ifeq ($(origin ARCH), undefined)
ARCH := $(shell rustup target list --installed 2>/dev/null \
          | grep -qx aarch64-unknown-linux-gnu && echo arm64 || echo x86_64)
DEPLOY_ARCH = $(or $(shell cat $(CARGO_TARGET_DIR)/lambda/ARCH 2>/dev/null),$(ARCH))
else
DEPLOY_ARCH = $(ARCH)
endif
STAGE ?= dev
# Extra `sam deploy` parameter overrides, e.g. SalesforceClientId=3MVG... PublicBaseUrl=https://...
DEPLOY_PARAMS ?=
LINT_REGION := eu-central-1
# The product's binaries `make bench` measures (sizes, starts, the worker's memory).
BENCH_BINS := -p sbxy-bench -p sbxy-runner -p lambda-list-poller -p lambda-sync-worker \
              -p lambda-admin-api -p lambda-event-ended
BENCH_ARGS ?=
LOADSIM_ARGS ?=
COST_ARGS ?=
# The browser test drives Debian's Chromium through ChromeDriver (override to use others).
export CHROMIUM ?= /usr/bin/chromium
export CHROMEDRIVER ?= /usr/bin/chromedriver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# One shared target/ for everything; tests use debug builds, `make build` release.
export CARGO_TARGET_DIR ?= $(CURDIR)/target
export MOTO_SERVER := $(CURDIR)/$(VENV)/bin/moto_server
# The AWS SDK must never probe the instance metadata address on a laptop or in CI.
export AWS_EC2_METADATA_DISABLED := true
export SAM_CLI_TELEMETRY := 0
# rust-cargolambda is a SAM CLI beta build method.
export SAM_CLI_BETA_RUST_CARGO_LAMBDA := 1

.PHONY: help tools browser-tools demo demo-page test lint lint-rust lint-template build deploy fmt clean \
        bench loadsim cost reliability-full

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(TOOLS): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(LINT_TOOLS): infra/requirements-lint.txt
	$(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(SAM_TOOLS): infra/requirements-sam.txt
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(LAMBDA_TOOLS): infra/requirements-build.txt
	$(PYTHON) -m venv $(LAMBDA_VENV)
	$(LAMBDA_VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

tools: $(TOOLS) $(LINT_TOOLS) $(SAM_TOOLS) $(LAMBDA_TOOLS) ## Install every Python tool into its project venv

browser-tools: ## Install Debian chromium + chromium-driver for the browser test if missing
	@if [ -x "$(CHROMIUM)" ] && [ -x "$(CHROMEDRIVER)" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo "The browser test needs Chromium and ChromeDriver: install them, then set" \
	       "CHROMIUM and CHROMEDRIVER to their paths (now $(CHROMIUM), $(CHROMEDRIVER))."; \
	  exit 1; \
	fi; \
	$(SUDO) apt-get update -qq && \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

demo: $(TOOLS) ## Run the main job end to end against moto and the simulators
	$(CARGO) build --quiet -p sbxy-harness --bin sbxy-demo
	$(CARGO_TARGET_DIR)/debug/sbxy-demo

demo-page: $(TOOLS) ## The demo, then keep it running with the admin page open for a browser
	$(CARGO) build --quiet -p sbxy-harness --bin sbxy-demo
	$(CARGO_TARGET_DIR)/debug/sbxy-demo --serve

test: lint $(TOOLS) browser-tools ## Every check: `make lint`, then unit, fixture, event-payload and end-to-end tests
	CARGO=$(CARGO) tests/run-suites.sh

lint: lint-rust lint-template ## rustfmt, clippy, cfn-lint, sam validate (--lint and plain), checkov, routes

lint-rust: ## rustfmt and clippy, failing on any warning (one clippy run over the workspace)
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Each validator misses errors the others catch (../shared/reference/platform.md). The SAM
# commands get no credentials and an IAM endpoint on a closed local port: the template needs no
# AWS call to validate, and if a change ever made SAM try one, it fails here instead of leaving.
lint-template: $(LINT_TOOLS) $(SAM_TOOLS) ## The template checks alone (no Rust build)
	$(LINT_VENV)/bin/cfn-lint $(TEMPLATE)
	AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= AWS_ENDPOINT_URL_IAM=http://127.0.0.1:9 \
	  $(SAM) validate --lint --template-file $(TEMPLATE) --region $(LINT_REGION)
	AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= AWS_ENDPOINT_URL_IAM=http://127.0.0.1:9 \
	  $(SAM) validate --template-file $(TEMPLATE) --region $(LINT_REGION)
	$(LINT_VENV)/bin/checkov -f $(TEMPLATE) --framework cloudformation --skip-download --compact --quiet
	$(LINT_VENV)/bin/python infra/check_template.py $(TEMPLATE) $(OPENAPI)

build: $(LAMBDA_TOOLS) ## Build every Lambda into target/lambda/<arch>/<fn>/bootstrap.zip (ARCH=arm64|x86_64)
	PATH="$(CURDIR)/$(LAMBDA_VENV)/bin:$$PATH" infra/build.sh $(ARCH)

deploy: $(SAM_TOOLS) $(LAMBDA_TOOLS) ## sam build + sam deploy to STAGE (needs AWS credentials; see README "Deploy")
	PATH="$(CURDIR)/$(LAMBDA_VENV)/bin:$$PATH" $(SAM) build --template-file $(TEMPLATE) \
	  --parameter-overrides Architecture=$(DEPLOY_ARCH)
	$(SAM) deploy --stack-name sbxy-pardot-$(STAGE) --resolve-s3 --capabilities CAPABILITY_IAM \
	  --no-confirm-changeset --no-fail-on-empty-changeset \
	  --parameter-overrides Stage=$(STAGE) Architecture=$(DEPLOY_ARCH) $(DEPLOY_PARAMS)

bench: $(TOOLS) ## The benchmark, release build: target/bench/results.json, docs/benchmarks.md
	$(CARGO) build --release --quiet $(BENCH_BINS)
	$(CARGO_TARGET_DIR)/release/sbxy-bench $(BENCH_ARGS)

loadsim: $(TOOLS) ## The 1,000-tenant load simulation: target/loadsim/, docs/benchmarks.md
	$(CARGO) build --quiet -p sbxy-loadsim --bin sbxy-loadsim
	$(CARGO_TARGET_DIR)/debug/sbxy-loadsim $(LOADSIM_ARGS)

cost: ## The cost per tenant-month (from the load simulation when run): target/cost.json
	$(CARGO) build --quiet -p sbxy-loadsim --bin sbxy-cost
	$(CARGO_TARGET_DIR)/debug/sbxy-cost --update-doc $(COST_ARGS)

reliability-full: $(TOOLS) ## The reliability scenarios at full size (2,000 members, 50 kills)
	RELIABILITY_FULL=1 $(CARGO) test -p sbxy-e2e --test reliability -- --test-threads=2 --nocapture

fmt: ## Format the code
	$(CARGO) fmt --all

clean: ## Remove build output and the tools
	rm -rf $(VENV) $(LINT_VENV) $(SAM_VENV) $(LAMBDA_VENV) .aws-sam target
