"""Fit the character n-gram naive Bayes models of the parser on the dev corpus.

    python -m handlers.tickets.train [tests/data/parser_dev.jsonl]

Writes data/charmodel.json.  The lexicon only knows the words it lists; these models add what
single characters and character pairs (灯, 漏, 吵, 树枝 ...) say about a message, which carries over
to words the lexicon has never seen.  Both are trained on the dev corpus only, never on the holdout.
"""
import json
import math
import os
import sys
from collections import Counter

from . import charmodel
from .lexicon import CATEGORY_LABELS
from .normalize import load, normalize

DEFAULT_CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "parser_dev.jsonl")
MIN_DOC_FREQ = 2       # a feature seen once is noise
CATEGORY_ALPHA = 0.5
REPORT_ALPHA = 1.0


def fit(rows):
    codes = {label: code for code, label in CATEGORY_LABELS.items()}
    doc_freq = Counter()
    per_cat = {code: Counter() for code in CATEGORY_LABELS}
    reports, others = Counter(), Counter()
    n_reports = n_others = 0
    for row in rows:
        feats = {f for f in charmodel.features(normalize(row["text"])) if charmodel.is_chinese(f)}
        doc_freq.update(feats)
        if row["is_report"]:
            n_reports += 1
            reports.update(feats)
            per_cat[codes[row["category"]]].update(feats)
        else:
            n_others += 1
            others.update(feats)
    vocab = sorted(f for f, n in doc_freq.items() if n >= MIN_DOC_FREQ)
    category = {}
    report = {}
    for f in vocab:
        # log(count + a) - log(a): zero for a category that never saw the feature, so only seen ones are stored.
        weights = {code: round(math.log((c[f] + CATEGORY_ALPHA) / CATEGORY_ALPHA), 3)
                   for code, c in per_cat.items() if c[f]}
        if weights:
            category[f] = weights
        odds = (math.log((reports[f] + REPORT_ALPHA) / (n_reports + 2 * REPORT_ALPHA))
                - math.log((others[f] + REPORT_ALPHA) / (n_others + 2 * REPORT_ALPHA)))
        if abs(odds) >= 0.05:
            report[f] = round(odds, 3)
    return {"category": category, "report": report}


def main(argv):
    path = argv[0] if argv else DEFAULT_CORPUS
    load()
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    model = fit(rows)
    with open(charmodel.MODEL_PATH, "w", encoding="utf-8") as f:
        json.dump(model, f, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    print(f"{len(rows)} messages -> {len(model['category'])} category features, "
          f"{len(model['report'])} report features in {charmodel.MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
