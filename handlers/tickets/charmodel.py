"""Character n-gram naive Bayes scores (weights fitted by train.py, stored in data/charmodel.json)."""
import json
import math
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
        report, category = data["report"], data["category"]
        self.codes = tuple(sorted({c for w in category.values() for c in w}))
        index = {c: i for i, c in enumerate(self.codes)}
        known = set(report) | set(category)
        self._odds = {f: report.get(f, 0.0) for f in known}  # report log-odds of every known feature
        self._keys = self._odds.keys()
        self._rows = {}  # feature -> weights of all categories, in self.codes order
        for f, weights in category.items():
            row = [0.0] * len(self.codes)
            for code, w in weights.items():
                row[index[code]] = w
            self._rows[f] = tuple(row)
        self._row_keys = self._rows.keys()

    def match(self, clean):
        """The model's features present in clean (pass to report_odds / category_scores)."""
        return features(clean) & self._keys

    # fsum: exact, so the result does not depend on the (hash-seeded) order of the set.
    def report_odds(self, matched):
        return math.fsum(map(self._odds.__getitem__, matched))

    def category_scores(self, matched):
        """category code -> summed weight (codes with no evidence left out)."""
        rows = list(map(self._rows.__getitem__, matched & self._row_keys))
        if not rows:
            return {}
        return {c: v for c, v in zip(self.codes, map(math.fsum, zip(*rows))) if v}
