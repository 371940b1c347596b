"""Fit the parser's character n-gram models and write data/charmodel.json (run by hand).

    python -m handlers.tickets.train                # dev corpus + synthetic corpus (synth.py)
    python -m handlers.tickets.train --no-synth     # dev corpus only
    python -m handlers.tickets.train extra.jsonl    # ... plus more labeled files

The lexicon only knows the words it lists; these models add what single characters and
character pairs (灯, 漏, 吵, 树枝 ...) say about a message, which carries over to words the lexicon
has never seen.  Two linear models over the same features (charmodel.features):
- report: logistic regression, report vs. not;
- category: softmax regression over the 12 categories, on reports only.
They are fitted on the dev corpus (tests/data/parser_dev.jsonl) and a synthetic corpus generated
from the guide's object x predicate classes (synth.py), never on a holdout.  Fitting needs numpy,
which the parser itself never imports; weights are stored as integers (x SCALE) so that summing
them is exact and independent of set order.
"""
import argparse
import json
import os
import sys
from collections import Counter

from . import charmodel
from .lexicon import CATEGORY_LABELS
from .normalize import load, normalize

DEFAULT_CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "parser_dev.jsonl")
MIN_DOC_FREQ = 2        # a feature seen in one message only is noise
SCALE = 1000            # weights are stored as round(w * SCALE)
MIN_WEIGHT = 0.02       # features whose every weight is smaller are dropped
L2 = {"report": 3e-3, "category": 3e-3}
STEPS = 400
LEARNING_RATE = 0.05
DEV_WEIGHT = 3.0        # a hand-written message counts as this many synthetic ones


def featurize(rows):
    docs = []
    for row in rows:
        feats = sorted(f for f in charmodel.features(normalize(row["text"])) if charmodel.is_chinese(f))
        docs.append(feats)
    return docs


def _csr(docs, index):
    import numpy as np

    indptr, indices = [0], []
    for feats in docs:
        indices.extend(index[f] for f in feats if f in index)
        indptr.append(len(indices))
    return np.array(indptr, dtype=np.int64), np.array(indices, dtype=np.int64)


def _fit_softmax(docs, labels, weights, n_classes, index, l2):
    """Multinomial logistic regression by full-batch Adam over sparse binary features.
    Returns (W [n_features x n_classes], b [n_classes])."""
    import numpy as np

    indptr, indices = _csr(docs, index)
    n, d = len(docs), len(index)
    y = np.zeros((n, n_classes))
    y[np.arange(n), labels] = 1.0
    sw = np.asarray(weights, dtype=float)
    sw = sw / sw.sum()
    counts = np.diff(indptr)
    nonempty = counts > 0
    starts = indptr[:-1][nonempty]
    doc_of = np.repeat(np.arange(n), counts)
    W = np.zeros((d, n_classes))
    b = np.zeros(n_classes)
    mW, vW, mb, vb = np.zeros_like(W), np.zeros_like(W), np.zeros_like(b), np.zeros_like(b)
    b1, b2, eps = 0.9, 0.999, 1e-8
    for step in range(1, STEPS + 1):
        z = np.tile(b, (n, 1))
        if len(indices):
            z[nonempty] += np.add.reduceat(W[indices], starts, axis=0)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) * sw[:, None]  # gradient of the weighted mean cross-entropy wrt z
        gW = np.zeros_like(W)
        np.add.at(gW, indices, g[doc_of])
        gW += l2 * W
        gb = g.sum(axis=0)
        for param, grad, m, v in ((W, gW, mW, vW), (b, gb, mb, vb)):
            m *= b1
            m += (1 - b1) * grad
            v *= b2
            v += (1 - b2) * grad * grad
            param -= LEARNING_RATE * (m / (1 - b1 ** step)) / (np.sqrt(v / (1 - b2 ** step)) + eps)
    return W, b


def fit(rows, weights=None):
    """rows: labeled messages (dicts with text, is_report, category).  The model as a dict."""
    import numpy as np

    weights = weights or [1.0] * len(rows)
    codes = sorted(CATEGORY_LABELS)
    code_of = {label: code for code, label in CATEGORY_LABELS.items()}
    docs = featurize(rows)
    doc_freq = Counter(f for feats in docs for f in feats)
    vocab = sorted(f for f, n in doc_freq.items() if n >= MIN_DOC_FREQ)
    index = {f: i for i, f in enumerate(vocab)}

    # Report vs. not: a two-class softmax, whose log-odds are the difference of the two columns.
    rw, rb = _fit_softmax(docs, [1 if r["is_report"] else 0 for r in rows], weights, 2, index, L2["report"])
    report_w = rw[:, 1] - rw[:, 0]
    report_b = float(rb[1] - rb[0])

    cat_rows = [i for i, r in enumerate(rows) if r["is_report"]]
    labels = [codes.index(code_of[rows[i]["category"]]) for i in cat_rows]
    # Balance the categories: each category weighs the same in total.
    per_class = Counter(labels)
    cw = [weights[i] / per_class[c] for i, c in zip(cat_rows, labels)]
    cwm, cb = _fit_softmax([docs[i] for i in cat_rows], labels, cw, len(codes), index, L2["category"])
    cwm -= cwm.mean(axis=1, keepdims=True)  # only differences between categories matter
    cb = cb - cb.mean()

    features = {}
    for f, i in index.items():
        row = [report_w[i], *cwm[i]]
        if max(abs(x) for x in row) >= MIN_WEIGHT:
            features[f] = [int(round(x * SCALE)) for x in row]
    return {
        "scale": SCALE,
        "codes": codes,
        "report_bias": int(round(report_b * SCALE)),
        "category_bias": [int(round(x * SCALE)) for x in cb],
        "features": features,
    }


def _read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def training_rows(paths, synth=True, seed=None):
    """(rows, weights): the hand-written corpora (weight DEV_WEIGHT) plus the synthetic corpus."""
    rows, weights = [], []
    for path in paths:
        got = _read(path)
        rows += got
        weights += [DEV_WEIGHT] * len(got)
    if synth:
        from . import synth as _synth

        got = _synth.generate(seed=_synth.DEFAULT_SEED if seed is None else seed)
        rows += got
        weights += [1.0] * len(got)
    return rows, weights


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="*", help="labeled JSONL files (default: the dev corpus)")
    ap.add_argument("--no-synth", action="store_true", help="leave out the synthetic corpus")
    ap.add_argument("--seed", type=int, default=None, help="seed of the synthetic corpus")
    ap.add_argument("--out", default=charmodel.MODEL_PATH)
    args = ap.parse_args(argv)
    load()
    rows, weights = training_rows(args.corpora or [DEFAULT_CORPUS], synth=not args.no_synth, seed=args.seed)
    model = fit(rows, weights)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(model, f, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    print(f"{len(rows)} messages -> {len(model['features'])} features in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
