"""Character n-gram linear models (fitted by train.py, stored in data/charmodel.json).

Each known feature (a character or a pair of adjacent characters) has one row of integer weights:
the report log-odds first, then one weight per category.  A message's scores are the sums of the
rows of its features plus the biases, divided by the scale.  Integers make the sums exact, so they
do not depend on the (hash-seeded) order of the feature set.
"""
import json
import os

MODEL_PATH = os.path.join(os.path.dirname(__file__), "data", "charmodel.json")


def features(clean):
    """Characters and adjacent character pairs of normalised text (the model keeps only Chinese ones)."""
    feats = set(clean)
    feats.update(clean[i:i + 2] for i in range(len(clean) - 1))
    return feats


def is_chinese(feature):
    return all("\u4e00" <= c <= "\u9fff" for c in feature)


class CharModel:
    def __init__(self, path=MODEL_PATH):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.codes = tuple(data["codes"])
        self._scale = float(data["scale"])
        self._report_bias = data["report_bias"]
        self._category_bias = tuple(data["category_bias"])
        self._rows = {f: tuple(w) for f, w in data["features"].items()}
        self._keys = self._rows.keys()

    def match(self, clean):
        """The weight rows of the model's features present in clean (pass to report_odds / category_scores)."""
        rows = self._rows
        return [rows[f] for f in features(clean) & self._keys]

    def report_odds(self, matched):
        """Log-odds that the message is a report, by its characters alone."""
        return (self._report_bias + sum([r[0] for r in matched])) / self._scale

    def category_scores(self, matched):
        """category code -> score (centred logits: only differences between categories mean anything)."""
        scale = self._scale
        if not matched:
            return {code: b / scale for code, b in zip(self.codes, self._category_bias)}
        sums = map(sum, zip(*matched))  # column sums; the first column is the report weight
        next(sums)
        return {code: (b + s) / scale for code, b, s in zip(self.codes, self._category_bias, sums)}
