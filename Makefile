# Rapport: every command a developer, a trainer or CI needs.
# `make run` and `make test` install what is missing first (see scripts/setup.sh).

CARGO ?= cargo
SCENARIOS ?= scenarios
EVAL_SET ?= ../shared/eval/dev-replies.jsonl
RAPPORT = target/debug/rapport
APP = target/debug/rapport-app
APP_RELEASE = target/release/rapport-app
TAURI = ui/node_modules/.bin/tauri
XVFB = xvfb-run -a -s "-screen 0 1366x768x24"
# tauri-driver is installed by `cargo install`; make sure the tests find it.
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: all setup run play build test lint unit scenario-check eval bench clean-eval \
	ui ui-check ui-unit bindings schema app app-run e2e screenshots app-bench

all: test

# The semantic model's artifacts: `make model` (word vectors), `make train` (heads); see
# crates/scorer/model/README.md. `make test` only checks the committed ones.
include scripts/model/model.mk

setup:
	@scripts/setup.sh

$(RAPPORT): setup FORCE
	$(CARGO) build --bin rapport

FORCE:

## Open the desktop app.
run: app-run

## Play a shipped scenario in the terminal.
play: $(RAPPORT)
	$(RAPPORT) play $${SCENARIO:-double-charge}

build: setup ui
	$(CARGO) build --release --bin rapport
	cd src-tauri && ../$(TAURI) build --bundles deb --ci
	@ls -1 $(APP_RELEASE) target/release/bundle/deb/*.deb

## Every check CI runs.
test: setup lint unit scenario-check ui-check ui-unit e2e

lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Includes the desktop app's command tests (Tauri mock runtime) and the check that
# ui/src/ipc/bindings.ts matches the Rust types.
unit: ui
	$(CARGO) test --workspace

scenario-check: $(RAPPORT)
	$(RAPPORT) validate $(SCENARIOS)
	$(RAPPORT) test $(SCENARIOS)

## Measure the scorer on the labelled dev set, the tuning and held-out sets of tests/eval
## (see tests/eval/README.md), the training corpus and the spent blind round 1 (see
## corpus/README.md; a new blind round is measured once, with scripts/corpus/first_read.sh).
eval: $(RAPPORT)
	@mkdir -p target/eval
	$(RAPPORT) score < $(EVAL_SET) > target/eval/dev-scored.jsonl || true
	@echo "== dev set: $(EVAL_SET)"
	$(RAPPORT) eval $(EVAL_SET) target/eval/dev-scored.jsonl
	@for set in tests/eval/fresh-a tests/eval/fresh-c tests/eval/fresh-d tests/eval/fresh-b \
	    corpus/train corpus/blind/round1; do \
	  name=$$(echo $$set | tr / -); \
	  $(RAPPORT) score < $$set.jsonl > target/eval/$$name-scored.jsonl || true; \
	  echo "== $$set.jsonl"; \
	  $(RAPPORT) eval $$set.jsonl target/eval/$$name-scored.jsonl || exit 1; \
	done

bench: setup app-bench
	$(CARGO) bench --workspace

## The desktop app. The UI bundle is embedded in the binary, so it is built first.
ui: setup
	cd ui && npm run build

ui-check: setup
	cd ui && npm run check && npm run lint

ui-unit: setup
	cd ui && npm test

## Regenerate schema/scenario.schema.json and schema/tracks.schema.json, the schemas
## scenario files and tracks.yaml point editors at.
schema: $(RAPPORT)
	$(RAPPORT) schema > schema/scenario.schema.json
	$(RAPPORT) schema --tracks > schema/tracks.schema.json

## Regenerate ui/src/ipc/bindings.ts from the Rust types (commit the result).
bindings: ui
	UPDATE_BINDINGS=1 $(CARGO) test -p rapport-app bindings

app: ui
	$(CARGO) build -p rapport-app

## Open the desktop app (scenarios from $$RAPPORT_SCENARIOS_DIR or ./scenarios).
app-run: app
	$(APP)

## The real app, driven through tauri-driver and WebKitWebDriver in a virtual display.
## Screenshots land in .e2e-out/screenshots; `make screenshots` copies them into docs/.
## `make e2e E2E_TESTS=crash.test.mjs` runs one file of tests/e2e.
E2E_TESTS ?=
e2e: app
	cd tests/e2e && $(XVFB) npm test -- $(E2E_TESTS)

screenshots:
	cp .e2e-out/screenshots/library.png .e2e-out/screenshots/conversation.png \
	   .e2e-out/screenshots/debrief.png .e2e-out/screenshots/customer-waiting.png \
	   .e2e-out/screenshots/layout-1366x768.png .e2e-out/screenshots/layout-1366x768-160.png \
	   .e2e-out/screenshots/fr-library.png .e2e-out/screenshots/fr-conversation.png \
	   .e2e-out/screenshots/fr-debrief.png .e2e-out/screenshots/studio.png \
	   .e2e-out/screenshots/studio-diagnostics.png .e2e-out/screenshots/studio-try.png \
	   .e2e-out/screenshots/progress.png .e2e-out/screenshots/settings.png docs/

## Cold start to the first interactive screen and memory (app + WebKit processes) after
## one scenario, next to a bare Tauri window measured the same way (release builds).
app-bench: ui
	$(CARGO) build --release -p rapport-app --bin rapport-app --example bare
	cd tests/e2e && $(XVFB) node bench.mjs ../../$(APP_RELEASE) ../../target/release/examples/bare 5

