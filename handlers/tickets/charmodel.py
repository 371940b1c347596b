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


# Each row is packed into one integer, a fixed number of bits per weight, each offset so that it
# stays non-negative: the sum of the packed rows of a message is then the packed sums, one
# addition per feature instead of one per feature and category.
_COUNT_BITS = 20  # room for this many (log2) rows in one field, more than the model has features


class CharModel:
    def __init__(self, path=MODEL_PATH):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.codes = tuple(data["codes"])
        self._scale = float(data["scale"])
        self._report_bias = data["report_bias"]
        self._category_bias = tuple(data["category_bias"])
        rows = data["features"]
        width = 1 + len(self.codes)
        if any(len(w) != width for w in rows.values()) or len(rows) >= 1 << _COUNT_BITS:
            raise ValueError(f"{path}: malformed model")
        offset_bits = max((max(map(abs, w)) for w in rows.values()), default=0).bit_length() + 1
        self._offset = 1 << offset_bits
        self._bits = offset_bits + _COUNT_BITS
        self._mask = (1 << self._bits) - 1
        packed = {}
        for feature, weights in rows.items():
            value = 0
            for i, w in enumerate(weights):
                value |= (w + self._offset) << (self._bits * i)
            packed[feature] = value
        self._rows = packed
        self._keys = packed.keys()

    def match(self, clean):
        """The summed weights of the model's features present in clean, as (packed sums, count);
        pass to report_odds / category_scores."""
        found = features(clean) & self._keys
        return sum(map(self._rows.__getitem__, found)), len(found)

    def _field(self, matched, i):
        total, count = matched
        return ((total >> (self._bits * i)) & self._mask) - count * self._offset

    def report_odds(self, matched):
        """Log-odds that the message is a report, by its characters alone."""
        return (self._report_bias + self._field(matched, 0)) / self._scale

    def category_scores(self, matched):
        """category code -> score (centred logits: only differences between categories mean anything)."""
        scale = self._scale
        return {code: (bias + self._field(matched, i)) / scale
                for i, (code, bias) in enumerate(zip(self.codes, self._category_bias), 1)}
