#!/usr/bin/env bash
# Installs Ralph, the learning record store the sync tests run against, into a virtualenv
# under target/ (target/ralph-venv). Idempotent: does nothing when the pinned version is
# already there. `scripts/setup.sh` calls it, so `make test` has it.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${RALPH_VENV:-$root/target/ralph-venv}"
pin='ralph-malph[cli,lrs]==5.1.0'
stamp="$venv/.rapport-ralph-5.1.0-append"

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

# Ralph 5.1.0's file-system backend creates its statements file on the first write and
# refuses every later one ("already exists and overwrite is not allowed with operation_type
# create"), so a second statement gets a 500. The tests need a store that keeps
# accepting statements, so when RAPPORT_RALPH_FS_APPEND=1 (and only then) the backend's
# default write mode is append. Nothing else of Ralph changes: validation, auth, the
# duplicate-id check (409) and the HTTP API are Ralph's own. A sitecustomize module, so
# the setting also reaches the server process that uvicorn's reloader spawns.
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
cat > "$site/sitecustomize.py" <<'PY'
# Installed by Rapport's scripts/lrs/setup-ralph.sh; see the comment there.
import os

if os.environ.get("RAPPORT_RALPH_FS_APPEND") == "1":
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.data.fs import FSDataBackend

    FSDataBackend.default_operation_type = BaseOperationType.APPEND
PY
touch "$stamp"
