# The semantic model's targets. Include from the top Makefile (`include scripts/model/model.mk`)
# or run from the repository root: `make -f scripts/model/model.mk model`.
# See crates/scorer/model/README.md.

CARGO ?= cargo
MODEL_PY = target/model/venv/bin/python
# The scorer CLI the scripts call for its tokenizer and rules; override with RAPPORT=...
export RAPPORT ?= $(CURDIR)/target/debug/rapport

.PHONY: model train model-venv model-rapport model-check

model-venv:
	@scripts/model/venv.sh

model-rapport:
	$(CARGO) build --bin rapport

## vectors.bin (+ .sha256): the word vectors.
model: model-venv model-rapport
	$(MODEL_PY) scripts/model/build_model.py

## heads.json (+ .sha256) and crates/scorer/model/README.md: the heads and the CV table.
train: model-venv model-rapport
	$(MODEL_PY) scripts/model/train.py

## Builds both artifacts twice and checks the sha256s do not change.
model-check: model-venv model-rapport
	$(MODEL_PY) scripts/model/build_model.py
	cp crates/scorer/model/vectors.bin.sha256 target/model/vectors.bin.sha256.1
	$(MODEL_PY) scripts/model/build_model.py
	cmp crates/scorer/model/vectors.bin.sha256 target/model/vectors.bin.sha256.1
	$(MODEL_PY) scripts/model/train.py
	cp crates/scorer/model/heads.json.sha256 target/model/heads.json.sha256.1
	$(MODEL_PY) scripts/model/train.py
	cmp crates/scorer/model/heads.json.sha256 target/model/heads.json.sha256.1
	@echo "model-check: both artifacts are reproducible"
