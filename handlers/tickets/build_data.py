"""Regenerate the parser's derived data files (run by hand, never at import time).

    python -m handlers.tickets.build_data

- data/vocab.txt: the most frequent words of jieba's own dictionary. The parser segments with a
  jieba tokenizer built from this subset plus the domain lexicon, because loading jieba's full
  350k-word dictionary costs about 0.6 s per process while the subset loads in a few tens of ms.
- data/t2s.txt: single-character traditional -> simplified pairs (jionlp's table, corrected and
  extended by data/t2s_extra.txt), used as a str.translate table so the hot path never calls a
  converter.
"""
import os
import sys

import jieba

from .datafile import DATA_DIR, entries

VOCAB_SIZE = 30000


def build_vocab(path):
    src = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    rows = []
    with open(src, encoding="utf-8") as f:
        for line in f:
            word, freq = line.split()[:2]
            rows.append((int(freq), word))
    rows.sort(key=lambda r: (-r[0], r[1]))
    with open(path, "w", encoding="utf-8") as f:
        for freq, word in rows[:VOCAB_SIZE]:
            f.write(f"{word} {freq}\n")


def _is_simplified(char):
    # GB2312 holds only simplified characters; jionlp's table also "converts" some of them (屙 -> 疴).
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def build_t2s(path):
    import jionlp  # only needed here, to locate its dictionary folder

    src = os.path.join(os.path.dirname(jionlp.__file__), "dictionary", "tra2sim_char.txt")
    pairs = {}
    with open(src, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2 and len(parts[0]) == 1 and len(parts[1]) == 1 and parts[0] != parts[1]:
                if not _is_simplified(parts[0]):
                    pairs[parts[0]] = parts[1]
    pairs.update(line.split()[:2] for _, line in entries("t2s_extra.txt"))
    keys = "".join(sorted(pairs))
    with open(path, "w", encoding="utf-8") as f:
        f.write(keys + "\n" + "".join(pairs[k] for k in keys) + "\n")


def main():
    os.makedirs(DATA_DIR, exist_ok=True)
    build_vocab(os.path.join(DATA_DIR, "vocab.txt"))
    build_t2s(os.path.join(DATA_DIR, "t2s.txt"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
