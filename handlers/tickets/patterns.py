"""The parser's regular expressions, read once from data/patterns.txt.

Most messages match few of the patterns, so each pattern also gets its anchors: a set of
characters at least one of which occurs in any text the pattern can match (worked out from the
parsed regex).  rules.py skips a search when the message holds none of them, which is a set
intersection instead of a regex scan.
"""
import re

from .datafile import entries
from .numerals import NUMERAL_CHARS

try:  # the regex parser: re._parser since Python 3.11
    from re import _parser as _sre_parse
    from re import _constants as _sre
except ImportError:  # pragma: no cover
    import sre_constants as _sre
    import sre_parse as _sre_parse

_compiled = None
_anchors = None
_MAX_ANCHORS = 64  # a character class bigger than this is no useful filter


def _read(name="patterns.txt"):
    cn = f"[{NUMERAL_CHARS}]{{1,3}}"
    num = rf"(?:\d{{1,3}}|{cn})"
    out = {}
    for lineno, line in entries(name):
        key, sep, pattern = line.partition(" = ")
        if not sep:
            raise ValueError(f"{name}:{lineno}: expected 'name = pattern'")
        out[key] = re.compile(pattern.replace("{NUM}", num).replace("{CN}", cn))
    return out


def _required(seq):
    """Characters one of which any match of the parsed sequence must contain (None: unknown)."""
    best = None
    for op, av in seq:
        got = _required_item(op, av)
        if got is not None and (best is None or len(got) < len(best)):
            best = got
    return best


def _required_item(op, av):
    if op is _sre.LITERAL:
        return frozenset(chr(av))
    if op is _sre.IN:
        chars = set()
        for kind, value in av:
            if kind is _sre.LITERAL:
                chars.add(chr(value))
            elif kind is _sre.RANGE and value[1] - value[0] < _MAX_ANCHORS:
                chars.update(chr(c) for c in range(value[0], value[1] + 1))
            else:  # NEGATE, CATEGORY (\d, \s), big ranges
                return None
        return frozenset(chars) if len(chars) <= _MAX_ANCHORS else None
    if op is _sre.BRANCH:
        union = set()
        for branch in av[1]:
            got = _required(branch)
            if got is None:
                return None
            union |= got
        return frozenset(union) if len(union) <= _MAX_ANCHORS else None
    if op is _sre.SUBPATTERN:
        return _required(av[-1])
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        return _required(sub) if low >= 1 else None
    if op is _sre.ASSERT:  # a positive lookaround also needs its text to be there
        return _required(av[1])
    return None


def _anchors_of(compiled):
    try:
        return _required(_sre_parse.parse(compiled.pattern))
    except Exception:  # pragma: no cover - an unusual construct: always search
        return None


def get():
    """name -> compiled pattern."""
    global _compiled, _anchors
    if _compiled is None:
        compiled = _read()
        _anchors = {name: _anchors_of(p) for name, p in compiled.items()}
        _compiled = compiled
    return _compiled


def anchors():
    """name -> frozenset of characters one of which every match contains, or None (always search)."""
    get()
    return _anchors
