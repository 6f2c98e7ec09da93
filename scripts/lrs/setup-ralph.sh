#!/usr/bin/env bash
# Installs Ralph, the learning record store the sync tests run against, into a virtualenv
# under target/ (target/ralph-venv). Idempotent: does nothing when the pinned version is
# already there. `scripts/setup.sh` calls it, so `make test` has it.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${RALPH_VENV:-$root/target/ralph-venv}"
pin='ralph-malph[cli,lrs]==5.1.0'
stamp="$venv/.rapport-ralph-5.1.0"

if [ -f "$stamp" ] && [ -x "$venv/bin/ralph" ]; then
  exit 0
fi
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup-ralph: python3 is needed for the LRS tests (Ralph); install it first" >&2
  exit 1
fi
echo "setup-ralph: installing $pin into $venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "$pin" requests
"$venv/bin/ralph" --help >/dev/null
touch "$stamp"
