#!/usr/bin/env bash
# Makes target/model/venv with exactly scripts/model/requirements.txt (from PyPI, pinned
# versions, no other dependency resolution). Idempotent: does nothing when the venv already
# holds this requirements file's packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
REQ=scripts/model/requirements.txt
VENV=target/model/venv
STAMP=$VENV/.requirements.sha256
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
PY=${PYTHON:-python3}
mkdir -p target/model
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$REQ"
"$VENV/bin/python" -m pip check >/dev/null
echo "$want" > "$STAMP"
echo "venv ready: $VENV"
