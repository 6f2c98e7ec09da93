#!/usr/bin/env python3
"""Builds the labelled corpus files from the writers' raw replies and the labellers' labels.

corpus/raw/<writer>.jsonl + corpus/labels/<labeller>-<writer>.jsonl -> corpus/train.jsonl
(the training writers), followed by the blind rounds already spent (SPENT: measured once,
reported, and only then given to training, see corpus/README.md). The current blind round
is never written to train.jsonl.
Each output line: id, writer, situation, moment, industry, lang, language, customer,
customer_name, text, labeller, labels (all fourteen criteria). Deterministic: files in name
order, lines in file order. Prints counts; exits 1 if any reply has no label.
"""
import glob
import json
import os
import sys

CRITERIA = ["acknowledge_feelings", "apologize", "show_understanding", "reassure", "personalize",
            "clarifying_question", "take_ownership", "offer_solution", "set_expectations",
            "check_resolution", "blame_customer", "dismissive", "policy_shield", "rude_tone"]

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "corpus")


def labels_for(folder, writer):
    found = {}
    for path in sorted(glob.glob(os.path.join(folder, f"*-{writer}.jsonl"))):
        for line in open(path, encoding="utf-8"):
            d = json.loads(line)
            found.setdefault(d["id"], (d["labeller"], d["labels"]))
    return found


# Blind rounds whose first read is committed and reported: from then on they are training
# data, and the next round is the blind one.
SPENT = ["blind/round1.jsonl", "blind2/round2.jsonl", "blind3/round3.jsonl", "blind4/round4.jsonl",
         "blind5/round5.jsonl", "blind6/round6.jsonl",
         # The polite sets, once their penalty count is reported: routine courtesy that meets
         # no criterion, labelled on all fourteen like any reply.
         "blind2/polite.jsonl", "blind3/polite3.jsonl", "blind6/polite4.jsonl",
         "blind6/polite5.jsonl", "blind6/polite6.jsonl",
         "blind7/round7.jsonl", "blind7/polite7.jsonl", "blind8/round8.jsonl", "blind8/polite8.jsonl",
         "blind9/round9.jsonl", "blind9/polite9.jsonl", "blind10/round10.jsonl",
         "blind10/polite10.jsonl", "blind11/round11.jsonl", "blind11/polite11.jsonl",
         "blind12/round12.jsonl", "blind12/polite12.jsonl", "blind13/round13.jsonl",
         "blind13/polite13.jsonl", "blind14/round14.jsonl", "blind14/polite14.jsonl"]


def build(raw_folder, label_folder, out_path, writers=None, spent=()):
    missing = 0
    n = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for rel in spent:
            for line in open(os.path.join(root, rel), encoding="utf-8"):
                if line.strip():
                    d = json.loads(line)
                    d.setdefault("labeller", "blind")
                    out.write(json.dumps(d, ensure_ascii=False) + "\n")
                    n += 1
        for raw in sorted(glob.glob(os.path.join(raw_folder, "*.jsonl"))):
            writer = os.path.basename(raw)[:-6]
            if writers is not None and writer not in writers:
                continue
            labels = labels_for(label_folder, writer)
            if not labels:
                print(f"{writer}: no labels yet, skipped", file=sys.stderr)
                continue
            for line in open(raw, encoding="utf-8"):
                d = json.loads(line)
                if d["id"] not in labels:
                    missing += 1
                    continue
                labeller, lab = labels[d["id"]]
                rec = {k: d[k] for k in ["id", "writer", "situation", "moment", "industry", "lang",
                                         "customer", "customer_name", "text"]}
                rec["language"] = d["lang"]
                rec["labeller"] = labeller
                rec["labels"] = {c: bool(lab[c]) for c in CRITERIA}
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
    print(f"{out_path}: {n} replies, {missing} without labels")
    return missing


if __name__ == "__main__":
    bad = build(os.path.join(root, "raw"), os.path.join(root, "labels"), os.path.join(root, "train.jsonl"),
                spent=SPENT)
    sys.exit(1 if bad else 0)
