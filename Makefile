# sbxy-pardot: the two commands a newcomer needs are `make demo` and `make test`.
# Every target installs what it needs itself (Python tools into .venv, Rust crates via cargo).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PYTHON    ?= python3
TOOLS     := $(VENV)/.installed
CARGO     ?= cargo
# One shared target/ for everything; tests use debug builds.
export CARGO_TARGET_DIR ?= $(CURDIR)/target
export MOTO_SERVER := $(CURDIR)/$(VENV)/bin/moto_server
# The AWS SDK must never probe the instance metadata address on a laptop or in CI.
export AWS_EC2_METADATA_DISABLED := true

.PHONY: help tools demo test lint fmt clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(TOOLS): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

tools: $(TOOLS) ## Install the Python tools (moto_server) into .venv

demo: $(TOOLS) ## Run the main job end to end against moto and the simulators
	$(CARGO) build --quiet -p sbxy-harness --bin sbxy-demo
	$(CARGO_TARGET_DIR)/debug/sbxy-demo

test: $(TOOLS) ## Run every test: unit, fixture decoding, end-to-end against moto + simulators
	$(CARGO) test --workspace --no-fail-fast

lint: ## rustfmt and clippy, failing on any warning
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt: ## Format the code
	$(CARGO) fmt --all

clean: ## Remove build output and the tools
	rm -rf $(VENV) target
