"""Shared helpers for build_model.py and train.py (paths, the rapport CLI, vectors.bin I/O,
and the exact integer features the Rust scorer computes)."""
import hashlib
import json
import os
import struct
import subprocess
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MODEL_DIR = os.path.join(ROOT, "crates", "scorer", "model")
SCRATCH = os.path.join(ROOT, "target", "model")
TRAIN = os.path.join(ROOT, "corpus", "train.jsonl")
VECTORS = os.path.join(MODEL_DIR, "vectors.bin")
HEADS = os.path.join(MODEL_DIR, "heads.json")

DIM = 128
MAGIC = b"RAPPORTV"
VERSION = 1

CRITERIA = ["acknowledge_feelings", "apologize", "show_understanding", "reassure", "personalize",
            "clarifying_question", "take_ownership", "offer_solution", "set_expectations",
            "check_resolution", "blame_customer", "dismissive", "policy_shield", "rude_tone"]
PENALTIES = ["blame_customer", "dismissive", "policy_shield", "rude_tone"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def rapport_bin():
    """The built scorer CLI: $RAPPORT, else target/debug/rapport."""
    path = os.environ.get("RAPPORT") or os.path.join(ROOT, "target", "debug", "rapport")
    if not os.path.exists(path):
        sys.exit(f"{path} not found: build it with `cargo build --bin rapport` (or set RAPPORT)")
    return path


def run_rapport(args, stdin_text):
    r = subprocess.run([rapport_bin()] + args, input=stdin_text.encode("utf-8"),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if r.returncode != 0 and not r.stdout:
        sys.exit(f"rapport {' '.join(args)} failed: {r.stderr.decode('utf-8', 'replace')[:2000]}")
    return r.stdout.decode("utf-8")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_sha256(path):
    digest = sha256_file(path)
    with open(path + ".sha256", "w", encoding="utf-8", newline="\n") as f:
        f.write(f"{digest}  {os.path.basename(path)}\n")
    return digest


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# ---------- vectors.bin ----------

def write_vectors(path, tokens, q, scale):
    """tokens: list of str sorted ascending by UTF-8 bytes, unique; q: (count, dim) int8."""
    count, dim = q.shape
    assert count == len(tokens) and q.dtype == np.int8
    enc = [t.encode("utf-8") for t in tokens]
    assert all(1 <= len(b) <= 255 for b in enc)
    assert all(enc[i] < enc[i + 1] for i in range(len(enc) - 1)), "tokens not sorted/unique"
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<IIIf", VERSION, dim, count, float(scale)))
        for b in enc:
            f.write(struct.pack("<B", len(b)))
            f.write(b)
        f.write(np.ascontiguousarray(q).tobytes(order="C"))


def read_vectors(path):
    """-> (tokens list, {token: row}, q int8 (count, dim), scale)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == MAGIC, "bad magic"
    version, dim, count, scale = struct.unpack("<IIIf", data[8:24])
    assert version == VERSION
    pos = 24
    tokens = []
    for _ in range(count):
        n = data[pos]
        pos += 1
        tokens.append(data[pos:pos + n].decode("utf-8"))
        pos += n
    q = np.frombuffer(data, dtype=np.int8, count=count * dim, offset=pos).reshape(count, dim)
    assert pos + count * dim == len(data), "trailing bytes"
    return tokens, {t: i for i, t in enumerate(tokens)}, q, scale


# ---------- integer features (exactly what the Rust side computes) ----------

def trunc_div(num, den):
    """Integer division truncating toward zero (Rust's `/` on integers), elementwise."""
    num = np.asarray(num, dtype=np.int64)
    return np.sign(num) * (np.abs(num) // den)


def mean_vector(token_list, index, q):
    """a_k = trunc(S_k * 16 / n) over the tokens found in the vocabulary (0 if none)."""
    rows = [index[t] for t in token_list if t in index]
    if not rows:
        return np.zeros(q.shape[1], dtype=np.int64)
    s = q[rows].astype(np.int64).sum(axis=0)
    return trunc_div(s * 16, len(rows))


def features(reply_tokens, customer_tokens, index, q):
    """x = concat(a, p): a = mean over all reply tokens, c = mean over customer tokens,
    p_k = trunc(a_k * c_k / 256)."""
    a = mean_vector(reply_tokens, index, q)
    c = mean_vector(customer_tokens, index, q)
    p = trunc_div(a * c, 256)
    return np.concatenate([a, p]), a


def tokenize_replies(rows):
    """Runs `rapport model tokens` on the rows -> {id: (reply tokens flat, customer tokens)}."""
    return {i: ([t for s in sents for t in s], customer)
            for i, (sents, customer) in tokenize_sentences(rows).items()}


# ---------- the learned stage's n-grams (exactly what the Rust side computes) ----------

N_BUCKETS = 1 << 18
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK64 = (1 << 64) - 1
BOS = "\x02"   # sentence-boundary marks: no token of the tokenizer holds a control character
EOS = "\x03"


def fnv_feed(h, data):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK64
    return h


def ngram_buckets(sentences):
    """Per sentence, the buckets of its word 1-, 2- and 3-grams, in order of first
    occurrence within the reply (the boundary marks are no unigrams of their own) (a bucket already seen in an earlier sentence is not
    repeated: each present bucket counts once per reply, credited to its first sentence).
    An n-gram's hash is FNV-1a 64 over the byte n, then for each token 0x1f and its UTF-8
    bytes; its bucket is the hash's low 18 bits."""
    seen = set()
    out = []
    for s in sentences:
        seq = [BOS] + list(s) + [EOS]
        enc = [t.encode("utf-8") for t in seq]
        mine = []
        for n in (1, 2, 3):
            # The marks alone would be in every reply: they only count inside a 2- or 3-gram.
            for i in range(1, len(seq) - 1) if n == 1 else range(len(seq) - n + 1):
                h = fnv_feed(FNV_OFFSET, bytes([n]))
                for t in enc[i:i + n]:
                    h = fnv_feed(h, b"\x1f" + t)
                b = h & (N_BUCKETS - 1)
                if b not in seen:
                    seen.add(b)
                    mine.append(b)
        out.append(mine)
    return out


def head_sum(grams, rules, x, ng, rw, ew, b, emb_frac=1024):
    """z = emb_frac * (sum of the present buckets' weights + the rules weights of the
    criteria the rules met) + sum(ew * x) + b, in exact integers; the head fires at z >= 0."""
    s = sum(int(ng[v]) for sent in grams for v in sent)
    s += sum(int(rw[c]) for c in range(len(rules)) if rules[c])
    return emb_frac * s + sum(int(a) * int(c) for a, c in zip(ew, x)) + int(b)


def write_ngrams(path, table):
    """table: (N_BUCKETS, criteria) ints within i16. Little-endian: magic "RAPPORTN",
    u32 version 1, u32 buckets, u32 criteria, then buckets x criteria i16, bucket-major."""
    t = np.ascontiguousarray(table.astype("<i2"))
    assert (t.astype(np.int64) == table).all(), "n-gram weights out of i16 range"
    with open(path, "wb") as f:
        f.write(b"RAPPORTN")
        f.write(struct.pack("<III", 1, table.shape[0], table.shape[1]))
        f.write(t.tobytes(order="C"))


def tokenize_sentences(rows):
    """`rapport model tokens` -> {id: (sentences [[token]], customer tokens)}."""
    lines = []
    for r in rows:
        d = {"id": r["id"], "text": r["text"], "customer": r.get("customer") or ""}
        lang = r.get("language") or r.get("lang")
        if lang:
            d["language"] = lang
        lines.append(json.dumps(d, ensure_ascii=False))
    out = run_rapport(["model", "tokens"], "\n".join(lines) + "\n")
    res = {}
    for line in out.splitlines():
        d = json.loads(line)
        res[d["id"]] = (d["sentences"], d["customer"])
    assert len(res) == len(rows), "rapport model tokens dropped lines"
    return res
