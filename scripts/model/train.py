#!/usr/bin/env python3
"""Trains the learned stage of the scorer: one linear head per criterion over what the
Rust scorer computes of a reply, and writes crates/scorer/model/{heads.json, ngrams.bin,
golden.jsonl} (+ .sha256) and the CV tables of crates/scorer/model/README.md.

A head reads three groups of features (common.py has the exact definitions, mirrored by
crates/scorer/src/semantic.rs):
  - the word n-grams (1 to 3 tokens, within a sentence, with sentence-boundary marks) of
    the scorer's own tokens, hashed into 2^18 buckets, each present bucket counting once;
  - the rules' verdicts on the fourteen criteria (`rapport score --layer rules`): the
    head learns where the phrases are right and where a paraphrase or a context beats them;
  - the 256 integer embedding features of vectors.bin (reply mean, and its product with
    the customer line's mean).
L2 logistic regression (liblinear, balanced class weights, random_state 0: deterministic),
the threshold and the mode chosen per criterion by cross-validation held out by writer
(`folds`); then the head is trained on every writer, quantized to integers (fire when
z >= 0) so that inference is exact on every machine.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import hashlib  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

import common  # noqa: E402
from common import CRITERIA, PENALTIES, log  # noqa: E402

SEED = 0
C_REG = 0.3            # inverse L2 strength (liblinear's C)
RULE_SCALE = 3.0       # a rules verdict enters as this value (its weight is then cheaper)
EMB_SCALE = 0.3        # standardized embedding features enter times this
# A mode must beat the more explainable one by this much on the untuned writers to be
# chosen. It was 0.01; every blind round since round 3 read the semantic-only heads above
# the shipped hybrid (by 0.004 to 0.019), and on round 12's first read the criteria kept
# in `or` by that margin were where the gap was, so the preference now costs less.
MIN_GAIN = 0.005
# Writers no phrase was ever written or tuned from (blind rounds 3 to 13, read only after
# their first read, the training writers added since, and the writers p5 and p7 of polite
# sets 6 and 8; not p6, whose lines led to the fixes after polite set 7's first read). The
# phrases were tuned on the other writers, so cross-validation over those flatters the
# rules and every head that leans on their verdicts: the blind rounds showed it (round 3:
# hybrid 0.778, heads without the rules' verdicts 0.797; round 7: 0.827 and 0.840). The
# mode of each criterion is therefore chosen by its F1 on these writers' held-out folds.
# Keep the list true: a phrase written from one of these writers' replies removes that
# writer from it.
UNTUNED = {"d1", "d2", "e1", "e2", "t1", "t2", "f1", "f2", "g1", "g2", "h1", "h2", "i1", "i2",
           "j1", "j2", "k1", "k2", "l1", "l2", "m1", "m2", "n1", "n2", "v1", "v2", "p5", "p7"}
W_MAX = 32000          # |n-gram and rule weights| <= this after quantization
EMB_FRAC = 1024        # embedding weights carry this many extra fractional steps
N_EXAMPLES = 8
EXAMPLE_MAX_CHARS = 110
# Labelled sets written for Rapport outside the corpus, by other labellers following the
# same guide (the shared dev set and the tuning sets of tests/eval; never fresh-b, which is
# held out, nor the current blind round): trained on like the corpus, each its own CV fold,
# so the heads learn the guide's reading and not only the corpus labellers'.
EXTRA_SETS = [("../shared/eval/dev-replies.jsonl", "dev"), ("tests/eval/fresh-a.jsonl", "fresh-a"),
              ("tests/eval/fresh-c.jsonl", "fresh-c"), ("tests/eval/fresh-d.jsonl", "fresh-d")]
GOLDEN_REPLIES = [
    ("g01", "en", "You charged me twice!", "Dana",
     "I'm so sorry, Dana. I can see you were charged twice; I'll refund it today."),
    ("g02", "en", "Where is my parcel?", None, "Please hold for a moment."),
    ("g03", "en", "This is ridiculous.", None, "Calm down. It's not our fault you typed it wrong."),
    ("g04", "fr", "Vous m'avez facturé deux fois !", "Nadia",
     "Je suis vraiment désolée, Nadia. Je m'en occupe et vous êtes remboursée d'ici vendredi."),
    ("g05", "fr", "", None, "Merci de patienter."),
    ("g06", "en", "My router is dead.", None, "12345 67890 !!!"),
    ("g07", "en", "My router is dead.", None, ""),
    ("g08", "en", "Can you fix the VPN?", "Sam",
     "Could you send me the VPN config and the ONT serial, Sam? Does that work for you?"),
    ("g09", "fr", "C'est inadmissible, trois semaines sans Internet.", "Luc",
     "Je comprends, mais c'est la politique de l'entreprise, je ne peux rien faire."),
    ("g10", "en", "I want a manager NOW.", None, "I WILL NOT TOLERATE THIS TONE."),
    ("g11", "en", "Nothing works.", None,
     "That sounds exhausting. Let me take this on myself and call you back by 5 pm."),
    ("g12", "fr", "Mon colis n'est jamais arrivé.", "Inès",
     "Inès, je vérifie tout de suite et je vous rappelle avant midi, ça vous va ?"),
]


def f1(y, pred):
    tp = int((y & pred).sum())
    fp = int((~y & pred).sum())
    fn = int((y & ~pred).sum())
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def rules_verdicts(rows):
    lines = []
    for r in rows:
        d = {"id": r["id"], "text": r["text"], "customer": r.get("customer") or ""}
        if r.get("customer_name"):
            d["customer_name"] = r["customer_name"]
        if r.get("language") or r.get("lang"):
            d["language"] = r.get("language") or r.get("lang")
        lines.append(json.dumps(d, ensure_ascii=False))
    out = common.run_rapport(["score", "--layer", "rules"], "\n".join(lines) + "\n")
    got = {}
    for line in out.splitlines():
        d = json.loads(line)
        if "error" in d:
            raise SystemExit(f"rapport score: {d}")
        met = {c["id"]: bool(c["met"]) for c in d["criteria"]}
        got[d["id"]] = [met.get(c, False) for c in CRITERIA]
    return np.array([got[r["id"]] for r in rows], dtype=bool)


class Data:
    """Everything the heads read of a list of rows, in the rows' order."""

    def __init__(self, rows, index, q):
        self.rows = rows
        toks = common.tokenize_sentences(rows)
        self.sentences = [toks[r["id"]][0] for r in rows]
        self.E = np.zeros((len(rows), 2 * q.shape[1]), dtype=np.int64)
        self.A = np.zeros((len(rows), q.shape[1]), dtype=np.int64)
        self.found = np.zeros(len(rows), dtype=np.int64)
        for i, r in enumerate(rows):
            sents, customer = toks[r["id"]]
            flat = [t for s in sents for t in s]
            self.E[i], self.A[i] = common.features(flat, customer, index, q)
            self.found[i] = sum(1 for t in flat if t in index)
        self.R = rules_verdicts(rows)
        self.grams = [common.ngram_buckets(s) for s in self.sentences]
        self.lang = np.array([(r.get("language") or r.get("lang")) == "fr" for r in rows])

    def matrix(self, mu, sd, with_rules=True):
        """The design matrix: n-gram presence | rules * RULE_SCALE | standardized embedding.
        Without the rules, their columns are 0 (the head then decides from the words)."""
        n = len(self.rows)
        ri, ci = [], []
        for i, g in enumerate(self.grams):
            for b in sorted(set(x for s in g for x in s)):
                ri.append(i)
                ci.append(b)
        ng = sparse.csr_matrix((np.ones(len(ri), dtype=np.float64), (ri, ci)),
                               shape=(n, common.N_BUCKETS))
        rules = sparse.csr_matrix(self.R.astype(np.float64) * (RULE_SCALE if with_rules else 0.0))
        emb = (self.E - mu) / sd * EMB_SCALE
        # The reply-times-customer-line half is not learned from: with it, a question that
        # takes up the customer's words ("why you'd like to cancel" after "cancel it?") was
        # judged no question, and a reply scored out of context (no customer line) sat
        # where no training reply was. Its weights are 0; the format keeps the slots.
        emb[:, emb.shape[1] // 2:] = 0.0
        emb = sparse.csr_matrix(emb)
        return sparse.hstack([ng, rules, emb]).tocsr()


NO_RULES = False       # --no-rules-features
# What a learned head reads: the words and the rules' verdicts; the words only; or the mean
# of those two heads.
WORDS_AND_RULES, WORDS, BLEND = "words+rules", "words", "blend"
EXAMPLE_WEIGHT = 3.0   # a rubric file's pinned example counts as this many replies


def fit(X, y, extra=None):
    """extra: (X_ex, y_ex) rows added with EXAMPLE_WEIGHT (the rubric files' examples of
    this criterion)."""
    w = np.ones(X.shape[0])
    if extra is not None and extra[0].shape[0]:
        X = sparse.vstack([X, extra[0]]).tocsr()
        y = np.concatenate([y, extra[1]])
        w = np.concatenate([w, np.full(extra[0].shape[0], EXAMPLE_WEIGHT)])
    m = LogisticRegression(C=C_REG, class_weight="balanced", solver="liblinear",
                           random_state=SEED, max_iter=2000)
    m.fit(X, y, sample_weight=w)
    return m.coef_[0].copy(), float(m.intercept_[0])


def example_lines():
    """The rubric files' pinned examples and the shipped pack's model answers."""
    return [json.loads(line) for cmd in ("examples", "answers") for line in
            common.run_rapport(["model", cmd], "").splitlines() if line.strip()]


def rubric_examples(ex, index, q, mu, sd, with_rules=True):
    """The examples `ex` (example_lines) per criterion, as design rows: (X_ex, y_ex)."""
    rows = [{"id": f"ex{i:04d}", "text": e["text"], "customer": e.get("customer") or "",
             "customer_name": e.get("customer_name", "Dana"),
             **({"language": e["language"]} if e.get("language") else {})}
            for i, e in enumerate(ex)]
    data = Data(rows, index, q)
    Xe = data.matrix(mu, sd, with_rules)
    out = {}
    for k, c in enumerate(CRITERIA):
        idx = [i for i, e in enumerate(ex) if e["criterion"] == c]
        out[k] = (Xe[idx], np.array([bool(ex[i]["met"]) for i in idx], dtype=bool))
    return out


def best_threshold(y, s, rules=None):
    """The threshold maximizing F1 of s >= t (or of rules | s >= t)."""
    cand = np.unique(np.quantile(s, np.linspace(0, 1, 801)))
    best = (-1.0, 0.0)
    for t in cand:
        v = f1(y, (s >= t) | rules) if rules is not None else f1(y, s >= t)
        if v > best[0] + 1e-12:
            best = (v, float(t))
    return best[1], best[0]


VETO_GRID = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]   # decision-function units (logits)
VETO_SLACK = 0.005     # the largest margin within this F1 of the best one is taken


def veto_margin(y, s, rules, t, untuned):
    """(threshold, prediction, margin) of a head that decides but overrules a phrase only
    when it is `margin` below its threshold: the largest margin of VETO_GRID whose F1 on
    the untuned writers is within VETO_SLACK of the best (phrases stand when in doubt)."""
    preds = [(v, np.where(rules, s >= t - v, s >= t)) for v in VETO_GRID]
    scores = [f1(y[untuned], p[untuned]) for _, p in preds]
    top = max(scores)
    v, p = [vp for vp, sc in zip(preds, scores) if sc >= top - VETO_SLACK][-1]
    return t, p, v


TUNED_FOLDS = 4        # the writers the phrases were tuned on share this many folds


def folds(writers):
    """The CV folds, each a set of writers held out together: every untuned writer alone
    (the mode is chosen on these, so each is held out exactly as a new writer would be),
    the others dealt into TUNED_FOLDS groups in name order. Leave-one-writer-out over all
    of them (36 folds) took half an hour on this machine, four times what these folds take."""
    tuned = sorted(w for w in set(writers) if w not in UNTUNED)
    groups = [[w] for w in sorted(set(writers) & UNTUNED)]
    groups += [tuned[i::TUNED_FOLDS] for i in range(TUNED_FOLDS) if tuned[i::TUNED_FOLDS]]
    return groups


def oof(X, Y, writers, ks, examples):
    """Held-out decision values for criteria ks, one fold (a group of writers) at a time."""
    S = np.zeros((X.shape[0], len(CRITERIA)))
    for group in folds(writers):
        tr = ~np.isin(writers, group)
        for k in ks:
            coef, b = fit(X[tr], Y[tr, k], examples[k])
            S[~tr, k] = X[~tr] @ coef + b
    return S


def quantize(coef, b, t, mu, sd):
    """Float head (on the design matrix) -> integer head on the raw features."""
    nb = common.N_BUCKETS
    w_ng = coef[:nb]
    w_r = coef[nb:nb + len(CRITERIA)] * RULE_SCALE
    w_e_std = coef[nb + len(CRITERIA):] * EMB_SCALE
    w_e = w_e_std / sd
    b_raw = b - t - float((w_e_std * mu / sd).sum())
    top = max(float(np.abs(w_ng).max()), float(np.abs(w_r).max()))
    scale = W_MAX / top if top > 0 else 1.0
    ng = np.round(w_ng * scale).astype(np.int64)
    rw = np.round(w_r * scale).astype(np.int64)
    ew = np.round(w_e * scale * EMB_FRAC).astype(np.int64)
    bi = int(round(b_raw * scale * EMB_FRAC))
    return ng, rw, ew, bi, scale


def int_z(data, i, k, ng, rw, ew, bi):
    """Exactly the Rust sum for reply i and head k (see common.head_sum)."""
    return common.head_sum(data.grams[i], data.R[i], data.E[i], ng[:, k], rw[k], ew[k], bi[k])


def pick_examples(rows, A, y, score, fired):
    """Up to N_EXAMPLES short positives the head fires on, best first, half per language
    when both have some, no two too alike (cosine > 0.9 of their means)."""
    order = np.argsort(-score, kind="stable")
    cand = [i for i in order if y[i] and fired[i] and len(rows[i]["text"]) <= EXAMPLE_MAX_CHARS]
    by_lang = {}
    for i in cand:
        by_lang.setdefault(rows[i].get("language") or rows[i].get("lang"), []).append(i)
    cap = N_EXAMPLES // 2 if len(by_lang) > 1 else N_EXAMPLES
    taken, counts = [], {}
    for i in cand:
        lg = rows[i].get("language") or rows[i].get("lang")
        if counts.get(lg, 0) >= cap:
            continue
        a = A[i].astype(np.float64)
        if any(np.dot(a, A[j]) / (np.linalg.norm(a) * np.linalg.norm(A[j]) + 1e-9) > 0.9
               for j in taken):
            continue
        taken.append(i)
        counts[lg] = counts.get(lg, 0) + 1
        if len(taken) == N_EXAMPLES:
            break
    return [{"text": rows[i]["text"], "a": [int(v) for v in np.clip(A[i], -127, 127)]}
            for i in taken]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", default=common.TRAIN)
    ap.add_argument("--vectors", default=common.VECTORS)
    ap.add_argument("--out-dir", default=common.MODEL_DIR)
    ap.add_argument("--no-readme", action="store_true")
    ap.add_argument("--no-rules-features", action="store_true",
                    help="semantic only, for comparisons: the heads do not read the rules' "
                         "verdicts, and every head decides its criterion")
    args = ap.parse_args()
    global NO_RULES
    NO_RULES = args.no_rules_features
    os.makedirs(args.out_dir, exist_ok=True)
    t0 = time.time()
    rows = common.read_jsonl(args.train)
    for rel, name in EXTRA_SETS:
        path = os.path.join(common.ROOT, rel)
        if not os.path.exists(path):
            raise SystemExit(f"{rel} is missing: the heads are trained on it")
        for r in common.read_jsonl(path):
            rows.append(dict(r, writer=name))
    rows.sort(key=lambda r: r["id"])
    _, index, q, _ = common.read_vectors(args.vectors)
    data = Data(rows, index, q)
    Y = np.array([[bool(r["labels"][c]) for c in CRITERIA] for r in rows])
    writers = np.array([str(r["writer"]) for r in rows])
    mu = data.E.mean(axis=0)
    sd = data.E.std(axis=0)
    sd[sd == 0] = 1.0
    X = data.matrix(mu, sd, with_rules=not NO_RULES)
    X0 = X if NO_RULES else data.matrix(mu, sd, with_rules=False)
    log(f"{len(rows)} replies, {len(set(writers))} writers, {X.shape[1]} features "
        f"({time.time() - t0:.0f} s)")
    learnable = [k for k, c in enumerate(CRITERIA) if c != "personalize"]
    ex = example_lines()
    examples = rubric_examples(ex, index, q, mu, sd, with_rules=not NO_RULES)
    examples0 = examples if NO_RULES else rubric_examples(ex, index, q, mu, sd, with_rules=False)
    S, S0 = cached_oof(args, rows, Y, data.R, ex, lambda: (
        oof(X, Y, writers, learnable, examples),
        None if NO_RULES else oof(X0, Y, writers, learnable, examples0)))
    S0 = S if NO_RULES else S0
    untuned = np.isin(writers, sorted(UNTUNED))
    log(f"CV done ({time.time() - t0:.0f} s); {int(untuned.sum())} replies by writers "
        f"no phrase was tuned on ({', '.join(sorted(set(writers[untuned])))})")

    # Per criterion, the candidates (mode, threshold, prediction, what the head reads
    # (WORDS_AND_RULES, WORDS or BLEND), veto margin,
    # F1 on the untuned writers), most explainable first, and the one chosen.
    cands, choice = {}, {}
    for k, c in enumerate(CRITERIA):
        y = Y[:, k]
        R = data.R[:, k]
        # `rules` and `or` read what the words+rules head reads (a head is still fitted
        # for them: `or` uses it, and one fit serves every mode that reads the same).
        cs = [("rules", 0.0, R, WORDS_AND_RULES, 0.0)]
        if k in learnable:
            # The phrases alone; phrases or head (the head adds recall); the head reading
            # the phrases' verdicts decides; the head reading only the words decides; the
            # mean of those two heads decides (one linear head: the mean of their weights).
            # Thresholds are chosen on every fold, the mode on the untuned writers'
            # folds, and a later candidate must beat the best earlier one by MIN_GAIN.
            if not NO_RULES:
                t_o, _ = best_threshold(y, S[:, k], R)
                cs.append(("or", t_o, R | (S[:, k] >= t_o), WORDS_AND_RULES, 0.0))
                t_l, _ = best_threshold(y, S[:, k])
                t_, p_, v_ = veto_margin(y, S[:, k], R, t_l, untuned)
                cs.append(("learned", t_, p_, WORDS_AND_RULES, v_))
            t_w, _ = best_threshold(y, S0[:, k])
            t_, p_, v_ = veto_margin(y, S0[:, k], R, t_w, untuned)
            cs.append(("learned", t_, p_, WORDS, v_))
            if not NO_RULES:
                s_b = (S[:, k] + S0[:, k]) / 2
                t_b, _ = best_threshold(y, s_b)
                t_, p_, v_ = veto_margin(y, s_b, R, t_b, untuned)
                cs.append(("learned", t_, p_, BLEND, v_))
        cs = [x + (f1(y[untuned], x[2][untuned]),) for x in cs]
        if NO_RULES:
            best = len(cs) - 1
        else:
            best = pick(cs, range(len(cs)))
        cands[k], choice[k] = cs, best
        if k in learnable:
            log(f"  {c}: untuned writers: " + ", ".join(
                f"{label(x)} {x[5]:.3f}" for x in cs) + f" -> {label(cs[best])}")

    fits = {}
    demoted = []

    def head_for(k):
        mode, t, _, reads, veto, _ = cands[k][choice[k]]
        if k not in learnable:
            return np.zeros(X.shape[1]), -1.0, t, veto

        def fitted(reads):
            if (k, reads) not in fits:
                fits[(k, reads)] = (fit(X0, Y[:, k], examples0[k]) if reads == WORDS
                                    else fit(X, Y[:, k], examples[k]))
            return fits[(k, reads)]
        if reads == BLEND:
            # Both heads share the design matrix's columns (the words-only head's rule
            # columns are 0), so the mean of their decision values is this one head.
            (c1, b1), (c0, b0) = fitted(WORDS_AND_RULES), fitted(WORDS)
            return (c1 + c0) / 2, (b1 + b0) / 2, t, veto
        return fitted(reads) + (t, veto)

    def modes_now():
        return [cands[k][choice[k]][0] for k in range(len(CRITERIA))]

    def write_now():
        return write_heads(args, rows, data, Y, mu, sd, q,
                           [head_for(k) for k in range(len(CRITERIA))], modes_now())

    def try_pack():
        write_now()
        return [] if NO_RULES else pack_failures(args.out_dir)

    def demotions(k):
        """Every other mode k could take instead of a learned one (the other learned
        heads, `or`, the rules alone), or the rules alone instead of `or`; each with what
        it costs on the untuned writers."""
        mine = cands[k][choice[k]]
        return [(mine[5] - x[5], i) for i, x in enumerate(cands[k])
                if i != choice[k] and (mine[0] == "learned" or x[0] == "rules")]

    # A mode that breaks a test of the shipped pack (a transcript, a model answer, a
    # choice, a rubric example) is not shipped. Change, one at a time, the mode whose
    # change removes failures: of the heads the failures name first, the change that costs
    # least on the untuned writers first (a learned head may go to another learned head,
    # to `or` or to the rules, a head in `or` to the rules); then the other learned heads.
    def badness(failing):
        """Fewer failures first; at equal count, fewer criteria named in them (a test that
        two heads break, "met dismissive, rude_tone", passes only when both change, so
        the change that clears one of them is progress)."""
        return (len(failing), sum(f.count(c) for f in failing for c in CRITERIA))

    failing = try_pack()
    for f in failing:
        log("  the pack's test fails: " + f.splitlines()[0][:200])
    while failing:
        def named(k):
            return any(CRITERIA[k] in f for f in failing)
        changes = sorted((not named(k), cost, k, new) for k in range(len(CRITERIA))
                         if cands[k][choice[k]][0] == "learned"
                         or (cands[k][choice[k]][0] == "or" and named(k))
                         for cost, new in demotions(k))
        for _, _, k, new in changes:
            before = choice[k]
            choice[k] = new
            now = try_pack()
            if badness(now) < badness(failing):
                log(f"  the pack's tests fail ({len(failing)}): {CRITERIA[k]} "
                    f"{label(cands[k][before])} -> {label(cands[k][new])} ({len(now)} left)")
                demoted.append((k, before))
                failing = now
                break
            choice[k] = before
        else:
            raise SystemExit("the pack's tests fail, and no demotion of a head helps:\n"
                             + "\n".join(failing))
    # A demotion that helped early may not be needed once later ones are made: try each
    # demoted head's mode again, largest gain first, and keep it when the pack passes.
    for k, was in sorted(demoted, key=lambda d: -cands[d[0]][d[1]][5]):
        before = choice[k]
        choice[k] = was
        if try_pack():
            choice[k] = before
        else:
            log(f"  the pack passes with {CRITERIA[k]} {label(cands[k][was])} again")
    heads_path, ng_all, rws, ews, bis = write_now()

    table = []
    for k, c in enumerate(CRITERIA):
        y = Y[:, k]
        mode, t, learned, _, veto, _ = cands[k][choice[k]]
        cv_f1 = f1(y, learned) if k in learnable else float("nan")
        fr_learned = f1(y[data.lang], learned[data.lang]) if k in learnable else float("nan")
        table.append((c, int(y.sum()), f1(y, data.R[:, k]), cv_f1, label(cands[k][choice[k]]),
                      f1(y[data.lang], data.R[data.lang, k]), fr_learned,
                      {w: (f1(y[writers == w], data.R[writers == w, k]),
                           f1(y[writers == w], learned[writers == w])) for w in sorted(set(writers))}))
    write_golden(os.path.join(args.out_dir, "golden.jsonl"), index, q, ng_all, rws, ews, bis)
    if not args.no_readme:
        import readme
        readme.write_cv(os.path.join(args.out_dir, "README.md"), table, rows, writers, data.lang)
    for c, npos, r, l, mode, frr, frl, _ in table:
        log(f"  {c:22s} {npos:5d} rules {r:.3f} learned {l:.3f} {mode:8s} FR {frr:.3f} {frl:.3f}")
    for w in sorted(set(writers)):
        r = np.mean([t[7][w][0] for t in table])
        sh = np.mean([t[7][w][1] if t[4] != "rules" else t[7][w][0] for t in table])
        log(f"  writer {w:8s} rules {r:.3f} shipped {sh:.3f}")
    log(f"wrote {heads_path} ({time.time() - t0:.0f} s)")


def pick(cands, order):
    """Of the candidates at `order` (most explainable first), the first, unless a later
    one beats the best so far by MIN_GAIN on the untuned writers."""
    order = list(order)
    best = order[0]
    for i in order:
        if cands[i][5] >= cands[best][5] + MIN_GAIN:
            best = i
    return best


def label(cand):
    """How a candidate mode is named in logs and the README's CV table."""
    mode, _, _, reads, veto, _ = cand
    if mode != "learned":
        return mode
    suffix = {WORDS_AND_RULES: "", WORDS: "-words", BLEND: "-blend"}[reads]
    return f"learned{suffix} (veto {veto:g})"


def cached_oof(args, rows, Y, R, ex, compute):
    """The cross-validated decision values, cached under target/model by a digest of
    everything they depend on (rows, labels, the rules' verdicts, the examples, the
    fitting and folding code and constants, common.py and the vectors), so a rerun on the
    same data is quick; the result is the same."""
    h = hashlib.sha256()
    # What the folds are fitted on and with: common.py's features, the vectors, the
    # fitting constants, the examples every fold learns (rubric files, model answers).
    for path in (common.__file__, args.vectors):
        h.update(common.sha256_file(path).encode())
    h.update(repr((SEED, C_REG, RULE_SCALE, EMB_SCALE, EXAMPLE_WEIGHT, sorted(UNTUNED),
                   TUNED_FOLDS)).encode())
    h.update(inspect.getsource(Data).encode() + inspect.getsource(fit).encode()
             + inspect.getsource(oof).encode() + inspect.getsource(folds).encode())
    h.update(json.dumps(ex).encode())
    h.update(R.tobytes())
    h.update(json.dumps([[r["id"], r["text"], r.get("customer"), r.get("customer_name")]
                         for r in rows], ensure_ascii=False).encode())
    h.update(Y.tobytes())
    h.update(str(NO_RULES).encode())
    path = os.path.join(common.ROOT, "target", "model", f"cv-{h.hexdigest()[:16]}.npz")
    if os.path.exists(path):
        z = np.load(path, allow_pickle=False)
        return z["S"], (z["S0"] if "S0" in z else None)
    S, S0 = compute()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if S0 is None:
        np.savez(path, S=S)
    else:
        np.savez(path, S=S, S0=S0)
    return S, S0


def write_heads(args, rows, data, Y, mu, sd, q, fitted, modes):
    """Quantizes the fitted heads and writes heads.json and ngrams.bin (+ sha256)."""
    ng_all = np.zeros((common.N_BUCKETS, len(CRITERIA)), dtype=np.int64)
    rws, ews, bis, vetos = [], [], [], []
    for k, (coef, b, t, veto) in enumerate(fitted):
        ng, rw, ew, bi, scale = quantize(coef, b, t, mu, sd)
        ng_all[:, k] = ng
        rws.append(rw)
        ews.append(ew)
        bis.append(bi)
        vetos.append(int(round(veto * scale * EMB_FRAC)))
    assert np.abs(ng_all).max() <= 32767
    for k in range(len(CRITERIA)):
        # The loader (semantic.rs) reads embedding weights as i32.
        assert max(abs(int(v)) for v in ews[k]) < 2**31 and abs(bis[k]) < 2**50, CRITERIA[k]
    # Fired on the training set by the final integer heads (for the examples).
    Z = np.zeros((len(rows), len(CRITERIA)), dtype=np.float64)
    for i in range(len(rows)):
        for k in range(len(CRITERIA)):
            Z[i, k] = int_z(data, i, k, ng_all, rws, ews, bis)
    heads = {}
    for k, c in enumerate(CRITERIA):
        heads[c] = {"mode": modes[k], "b": bis[k], "veto": vetos[k],
                    "rules": [int(v) for v in rws[k]],
                    "w": [int(v) for v in ews[k]],
                    "examples": pick_examples(rows, data.A, Y[:, k], Z[:, k], Z[:, k] >= 0)}
    common.write_ngrams(os.path.join(args.out_dir, "ngrams.bin"), ng_all)
    ngrams_sha = common.write_sha256(os.path.join(args.out_dir, "ngrams.bin"))
    out = {"version": 2, "dim": int(q.shape[1]), "vectors_sha256": common.sha256_file(args.vectors),
           "ngrams_sha256": ngrams_sha, "criteria": CRITERIA, "emb_frac": EMB_FRAC,
           "heads": heads}
    heads_path = os.path.join(args.out_dir, "heads.json")
    with open(heads_path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(out, f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        f.write("\n")
    common.write_sha256(heads_path)
    return heads_path, ng_all, rws, ews, bis


def pack_failures(heads_dir):
    """The shipped pack's failing tests with these heads (`rapport test --heads`), and its
    model answers, choices and rubric examples the scorer now judges otherwise than their
    file says (WARNING lines): each failure's lines, transcript excluded."""
    out = common.run_rapport(["test", os.path.join(common.ROOT, "scenarios"), "--heads", heads_dir], "")
    failing, cur = [], None
    for line in out.splitlines():
        if line.startswith(("FAILED", "BROKEN", "WARNING")):
            cur = [line]
            failing.append(cur)
        elif cur is not None and line.startswith("         ") and not line.lstrip().startswith("|"):
            cur.append(line)
        elif not line.startswith("         "):
            cur = None
    return ["\n".join(f) for f in failing]


def write_golden(path, index, q, ng, rws, ews, bis):
    rows = [{"id": g, "language": lg, "customer": cu, "customer_name": nm, "text": tx}
            for g, lg, cu, nm, tx in GOLDEN_REPLIES]
    data = Data(rows, index, q)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for i, r in enumerate(rows):
            sums = [int_z(data, i, k, ng, rws, ews, bis) for k in range(len(CRITERIA))]
            rec = dict(r)
            rec.update({"sentences": data.sentences[i], "buckets": [list(s) for s in data.grams[i]],
                        "reply_found": int(data.found[i]), "rules": [bool(v) for v in data.R[i]],
                        "x": [int(v) for v in data.E[i]], "head_sums": sums})
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
