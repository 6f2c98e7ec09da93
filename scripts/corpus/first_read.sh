#!/usr/bin/env bash
# Measures a blind round once, before anyone reads it: rules only, semantic only, the
# shipped hybrid and (when given) other heads, overall and per language, and writes the
# figures next to the file. Usage: scripts/corpus/first_read.sh ROUND.jsonl OUT.txt [HEADS...]
# SEMANTIC=DIR: the heads trained without the rules' verdicts (`train.py
# --no-rules-features --out-dir DIR`) for the semantic-only row.
set -euo pipefail
round="$1"; out="$2"; shift 2
R="${RAPPORT:-target/debug/rapport}"
tmp="$(mktemp -d)"
grep '"lang": "en"' "$round" > "$tmp/en.jsonl" || true
grep '"lang": "fr"' "$round" > "$tmp/fr.jsonl" || true
measure() { # label, extra score args...
  local label="$1"; shift
  echo "## $label"
  for part in all en fr; do
    local f="$round"; [ "$part" = all ] || f="$tmp/$part.jsonl"
    [ -s "$f" ] || continue
    "$R" score "$@" < "$f" > "$tmp/s.jsonl"
    echo "### $part ($(wc -l < "$f") replies)"
    "$R" eval "$f" "$tmp/s.jsonl"
  done
}
{
  echo "# First read of $(basename "$round"), $(date -u +%FT%TZ), scorer at git $(git rev-parse --short HEAD)"
  echo "# sha256 $(sha256sum "$round" | cut -d' ' -f1)"
  measure "rules only" --layer rules
  if [ -n "${SEMANTIC:-}" ]; then
    measure "semantic only (heads without the rules' verdicts)" --layer semantic --heads "$SEMANTIC"
  fi
  measure "hybrid (shipped)" --layer hybrid
  for h in "$@"; do measure "hybrid with $(basename "$h")" --layer hybrid --heads "$h"; done
} > "$out"
grep -E "^#|macro-F1" "$out"
