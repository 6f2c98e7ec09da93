"""Writes the cross-validation section of crates/scorer/model/README.md (make train): the
rest of that README is written by hand."""
import os

import numpy as np


CV_START = "<!-- cv:start (written by make train) -->"
CV_END = "<!-- cv:end -->"


def write_cv(path, table, rows, writers, is_fr):
    """Replaces the CV section of the model README (between CV_START and CV_END)."""
    ws = sorted(set(writers))
    fr_ws = sorted(set(writers[is_fr]))
    lines = [CV_START, "",
             f"Cross-validation held out by writer on `corpus/train.jsonl` ({len(rows)} replies, "
             f"writers {', '.join(ws)}; French: {', '.join(fr_ws)}): each writer no phrase was "
             "tuned on is its own fold, the others share four (`folds` in train.py), so every "
             "writer is scored by heads that never saw it; the threshold is chosen on the pooled "
             "out-of-fold scores "
             "(slightly optimistic). *Rules* = the phrases alone; *learned* = the head (which "
             "reads the rules' verdicts too); *mode* = what ships.", "",
             "| criterion | positives | rules | learned | mode | FR rules | FR learned |",
             "|---|---|---|---|---|---|---|"]
    mr, ml, mc, fr_r, fr_l = [], [], [], [], []
    for c, npos, r, l, mode, frr, frl, _ in table:
        l_s = "-" if l != l else f"{l:.3f}"
        frl_s = "-" if frl != frl else f"{frl:.3f}"
        lines.append(f"| `{c}` | {npos} | {r:.3f} | {l_s} | **{mode}** | {frr:.3f} | {frl_s} |")
        mr.append(r)
        ml.append(r if l != l else l)
        mc.append(l if mode != "rules" else r)
        fr_r.append(frr)
        fr_l.append(frr if frl != frl or mode == "rules" else frl)
    lines += ["", f"Macro-F1: rules {np.mean(mr):.3f}, learned {np.mean(ml):.3f}, shipped "
              f"{np.mean(mc):.3f}; French: rules {np.mean(fr_r):.3f}, shipped {np.mean(fr_l):.3f}.",
              "", "Per held-out writer (macro-F1, rules -> shipped):", "",
              "| writer | rules | shipped |", "|---|---|---|"]
    for w in ws:
        r = np.mean([t[7][w][0] for t in table])
        s = np.mean([t[7][w][1] if t[4] != "rules" else t[7][w][0] for t in table])
        lines.append(f"| {w} | {r:.3f} | {s:.3f} |")
    lines += ["", CV_END]
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    if CV_START in text and CV_END in text:
        pre = text.split(CV_START)[0]
        post = text.split(CV_END, 1)[1]
        text = pre + "\n".join(lines) + post
    else:
        text = text + "\n" + "\n".join(lines) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
