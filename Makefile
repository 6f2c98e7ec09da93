# Rapport: every command a developer, a trainer or CI needs.
# `make run` and `make test` install what is missing first (see scripts/setup.sh).

CARGO ?= cargo
SCENARIOS ?= scenarios
EVAL_SET ?= ../shared/eval/dev-replies.jsonl
RAPPORT = target/debug/rapport

.PHONY: all setup run play build test lint unit scenario-check eval bench clean-eval

all: test

setup:
	@scripts/setup.sh

$(RAPPORT): setup FORCE
	$(CARGO) build --bin rapport

FORCE:

## Play a shipped scenario in the terminal.
run: $(RAPPORT)
	$(RAPPORT) play $${SCENARIO:-double-charge}

play: run

build: setup
	$(CARGO) build --release --bin rapport

## Every check CI runs.
test: setup lint unit scenario-check

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace

scenario-check: $(RAPPORT)
	$(RAPPORT) validate $(SCENARIOS)
	$(RAPPORT) test $(SCENARIOS)

## Measure the scorer on the labelled dev set.
eval: $(RAPPORT)
	@mkdir -p target/eval
	$(RAPPORT) score < $(EVAL_SET) > target/eval/dev-scored.jsonl || true
	$(RAPPORT) eval $(EVAL_SET) target/eval/dev-scored.jsonl

bench: setup
	$(CARGO) bench --workspace
