#!/usr/bin/env python3
"""Agreement between the two labellers of the double-labelled slice (every reply whose
number ends in 0): per criterion, raw agreement, Cohen's kappa and the F1 of the second
labeller scored against the first (what a scorer as good as a second labeller would reach
on the blind rounds' macro-F1: the ceiling the scorer's figures are to be read against).
Reads corpus/double/*.jsonl (second labels) against the primary labels (corpus/labels and
corpus/blind/labels). Prints a Markdown table."""
import glob
import json
import os

CRITERIA = ["acknowledge_feelings", "apologize", "show_understanding", "reassure", "personalize",
            "clarifying_question", "take_ownership", "offer_solution", "set_expectations",
            "check_resolution", "blame_customer", "dismissive", "policy_shield", "rude_tone"]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "corpus")

primary = {}
LABEL_DIRS = ["labels"] + sorted(os.path.relpath(d, root) for d in glob.glob(os.path.join(root, "blind*", "labels")))
for path in sorted(p for d in LABEL_DIRS for p in glob.glob(os.path.join(root, d, "*.jsonl"))
                   if not p.endswith("-double.jsonl")):
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        primary[d["id"]] = d["labels"]
second = {}
for path in sorted(glob.glob(os.path.join(root, "double", "L*.jsonl")) +
                   [p for d in LABEL_DIRS for p in glob.glob(os.path.join(root, d, "*-double.jsonl"))]):
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        second[d["id"]] = d["labels"]
ids = sorted(i for i in second if i in primary)


def kappa(pairs):
    n = len(pairs)
    agree = sum(a == b for a, b in pairs) / n
    pa = sum(a for a, _ in pairs) / n
    pb = sum(b for _, b in pairs) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return agree, (agree - pe) / (1 - pe) if pe < 1 else 1.0


# Each reply's language, from the assembled files (training and every blind round).
lang = {}
for path in [os.path.join(root, "train.jsonl")] + sorted(glob.glob(os.path.join(root, "blind*", "round*.jsonl"))):
    for line in open(path, encoding="utf-8"):
        if line.strip():
            d = json.loads(line)
            lang[d["id"]] = d["lang"]
print(f"Double-labelled replies: {len(ids)} (of which French: "
      f"{sum(1 for i in ids if lang.get(i) == 'fr')})\n")


def f1(pairs):
    tp = sum(a and b for a, b in pairs)
    fp = sum(b and not a for a, b in pairs)
    fn = sum(a and not b for a, b in pairs)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def table(ids):
    print("| criterion | agreement | Cohen's kappa | F1 (second vs first) | positives (first / second) |")
    print("|---|---|---|---|---|")
    ks, fs = [], []
    for c in CRITERIA:
        pairs = [(bool(primary[i][c]), bool(second[i][c])) for i in ids]
        a, k = kappa(pairs)
        ks.append(k)
        fs.append(f1(pairs))
        print(f"| {c} | {a:.3f} | {k:.2f} | {fs[-1]:.2f} | {sum(p for p, _ in pairs)} / {sum(s for _, s in pairs)} |")
    allpairs = [(bool(primary[i][c]), bool(second[i][c])) for i in ids for c in CRITERIA]
    a, _ = kappa(allpairs)
    print(f"| **all** | {a:.3f} | mean {sum(ks) / len(ks):.2f} | macro {sum(fs) / len(fs):.3f} | |")


table(ids)
for language in ("en", "fr"):
    part = [i for i in ids if lang.get(i) == language]
    print(f"\n{language}: {len(part)} replies")
    table(part)
