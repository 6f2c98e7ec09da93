#!/usr/bin/env bash
# Installs what building and testing Rapport needs, and nothing that is already there.
# Safe to run again and again; `make run` and `make test` call it first.
set -euo pipefail

need_cmd() { command -v "$1" >/dev/null 2>&1; }

if ! need_cmd cargo; then
  echo "setup: cargo is missing; install Rust (rustup) first" >&2
  exit 1
fi
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$component"
  fi
done

# --- The desktop app (src-tauri, ui, tests/e2e) ---------------------------------------

# System libraries Tauri links against, the WebKit WebDriver and the virtual display the
# end-to-end tests use, and the tools the icon and bundle steps call.
apt_packages=(libwebkit2gtk-4.1-dev libxdo-dev libssl-dev librsvg2-dev webkit2gtk-driver
  xvfb xauth imagemagick file pkg-config build-essential)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# Node 20.19+ builds the UI (Vite 8); Debian 12's own nodejs is too old, so say so plainly.
if ! need_cmd node || ! need_cmd npm; then
  echo "setup: Node.js 20.19 or newer (with npm) is needed for the UI; install it first" >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "setup: Node.js $(node --version) is too old; the UI needs 20.19 or newer" >&2
  exit 1
fi

# npm ci only when the lock file changed since the last install.
root="$(cd "$(dirname "$0")/.." && pwd)"
for dir in ui tests/e2e; do
  stamp="$root/$dir/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$root/$dir/package-lock.json" -nt "$stamp" ]; then
    (cd "$root/$dir" && npm ci --no-audit --no-fund)
  fi
done

# tauri-driver bridges WebdriverIO and WebKitWebDriver; built from crates.io, once.
if ! need_cmd tauri-driver && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  cargo install tauri-driver --locked
fi

# Ralph, the learning record store the sync tests (tests/lrs.rs) run against, in a
# virtualenv under target/; once.
"$root/scripts/lrs/setup-ralph.sh"
