"""Chinese numerals as written in building and unit names (1 to 99), from data/numerals.txt.

A hand mapping rather than cn2an: importing cn2an costs 0.1-0.2 s per process, more than
the whole rest of the parser's start-up, and building names never go past a few dozen.
"""
from .datafile import entries


def _read():
    digits, tens, counts = {}, set(), set()
    for _, line in entries("numerals.txt"):
        char, value, *flags = line.split()
        if int(value) == 10:
            tens.add(char)
        else:
            digits[char] = int(value)
        if "count" in flags:
            counts.add(char)
    return digits, frozenset(tens), frozenset(counts)


DIGITS, TENS, _COUNTING_ONLY = _read()
# Characters that may form a building or unit number.
NUMERAL_CHARS = "".join(sorted((set(DIGITS) - _COUNTING_ONLY) | TENS))


def to_int(text):
    """Chinese or ASCII digits to an int below 100 (十四 -> 14, 二十三 -> 23); None if it is not one."""
    if text.isascii():
        return int(text) if text.isdigit() else None
    if not text or any(c not in DIGITS and c not in TENS for c in text):
        return None
    tens_at = [i for i, c in enumerate(text) if c in TENS]
    if not tens_at:
        value = 0
        for c in text:  # digit by digit, as in 一〇二
            value = value * 10 + DIGITS[c]
        return value
    if len(tens_at) > 1 or len(text) > 3:
        return None
    i = tens_at[0]
    high, low = text[:i], text[i + 1:]
    if len(high) > 1 or len(low) > 1:
        return None
    return (DIGITS[high] if high else 1) * 10 + (DIGITS[low] if low else 0)
