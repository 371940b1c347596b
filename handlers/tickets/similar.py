"""Whether two reports describe the same problem: shared two-character words, locations left out.

The candidates already share the category and the building, so a light measure is enough:
the question it leads to ("是否与 #27 相同？") is only an offer.
"""
from __future__ import annotations

import re

_LOCATION = re.compile(r"[\d０-９一二三四五六七八九十两A-Za-z]+\s*(?:栋|棟|幢|号楼|號樓|座|单元|單元|楼|樓|层|室|号|#)")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Words that say nothing about which problem it is.
_FILLER = frozenset("了的也又都很太就还在是有我你他她们吗呢吧啊呀哦这那个么嘛啦")
THRESHOLD = 0.25


def bigrams(text: str) -> set[str]:
    """Two-character pieces of the Chinese in ``text``, without locations and filler words."""
    pieces: set[str] = set()
    for run in _CJK_RUN.findall(_LOCATION.sub(" ", text)):
        pieces.update(run[i:i + 2] for i in range(len(run) - 1) if not _FILLER.intersection(run[i:i + 2]))
    return pieces


def similarity(a: str, b: str) -> float:
    """Shared pieces over the shorter text's pieces: 1.0 when one says all the other does."""
    left, right = bigrams(a), bigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))


def most_similar(text: str, candidates: list, *, key=lambda c: c.text):
    """The candidate whose text is closest to ``text``, if any is close enough."""
    scored = [(similarity(text, key(c)), c) for c in candidates]
    scored = [(score, c) for score, c in scored if score >= THRESHOLD]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None
