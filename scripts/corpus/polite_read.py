#!/usr/bin/env python3
"""First read of a polite set: how many routine polite replies draw a penalty, with the
rules alone and with the shipped hybrid, measured once before anyone reads the set.

Usage: scripts/corpus/polite_read.py POLITE.jsonl OUT.txt "DESCRIPTION"
The issue's goal: at most 2% of 100 or more fresh polite replies from an unseen writer draw
a penalty. A reply the labeller marked with a penalty is not counted against the scorer (the
polite sets are written to have none; the line says how many the labeller marked).
"""
import collections
import hashlib
import json
import os
import subprocess
import sys
from datetime import datetime, timezone

path, out, description = sys.argv[1], sys.argv[2], sys.argv[3]
rapport = os.environ.get("RAPPORT", "target/debug/rapport")
rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
labelled = {r["id"] for r in rows if any(r["labels"][c] for c in
            ("blame_customer", "dismissive", "policy_shield", "rude_tone"))}
stdin = "".join(json.dumps({"id": r["id"], "text": r["text"], "customer": r["customer"],
                            "customer_name": r["customer_name"], "language": r["lang"]},
                           ensure_ascii=False) + "\n" for r in rows)
git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
lines = [f"# First read of {os.path.basename(path)} ({description}), "
         f"{datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}, scorer at git {git}",
         f"# sha256 {hashlib.sha256(open(path, 'rb').read()).hexdigest()}",
         f"# labelled with a penalty by the labeller (not counted): {len(labelled)}"]
for layer in ("rules", "hybrid"):
    res = subprocess.run([rapport, "score", "--layer", layer], input=stdin, capture_output=True,
                         text=True, check=True).stdout
    fired = collections.Counter()
    hit = 0
    n = 0
    for line in res.splitlines():
        d = json.loads(line)
        if d["id"] in labelled:
            continue
        n += 1
        pens = [c["id"] for c in d["criteria"] if c.get("penalty") and c["met"]]
        fired.update(pens)
        hit += bool(pens)
    lines.append(f"{layer}: replies drawing a penalty: {hit} of {n} ({100 * hit / n:.1f}%) {dict(fired)}")
open(out, "w", encoding="utf-8").write("\n".join(lines) + "\n")
print("\n".join(lines))
