"""The parser's regular expressions, read once from data/patterns.txt."""
import re

from .datafile import entries
from .numerals import NUMERAL_CHARS

_compiled = None


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


def get():
    """name -> compiled pattern."""
    global _compiled
    if _compiled is None:
        _compiled = _read()
    return _compiled
