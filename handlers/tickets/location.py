"""Building / unit / room extraction, by the location rules of the labeling guide (section 3).

Only explicit markers count (patterns in data/patterns.txt): building markers, X号 directly
followed by a unit, units, a-b-c, and room numbers next to a building or unit, after "my home",
or before a room word.  Everything else - floors, place names such as a numbered bike shed,
vague references to "this building" - simply never matches.
"""
from . import patterns
from .numerals import NUMERAL_CHARS, to_int

_ROOM_PATTERNS = ("room_after_marker", "room_owner", "room_suffix", "room_leading")
_SERVICE_NUMBERS = frozenset({"110", "119", "120", "122", "114", "12345", "12315", "12369", "95598"})


def _building_value(raw):
    if raw.isascii() and raw.isalpha():
        return raw.upper()
    n = to_int(raw)
    return str(n) if n else None


def _plausible_room(p, digits, text, start):
    if digits in _SERVICE_NUMBERS:
        return False
    floor, index = divmod(int(digits), 100)
    if not (1 <= floor <= 60 and 1 <= index <= 40):  # prices end in 00, years and plates overflow
        return False
    if p["not_room_after"].match(text, start + len(digits)):
        return False
    before = text[max(0, start - 4):start]
    return not (p["not_room_before"].search(before) or p["plate_before"].search(before))


def _first_building(p, text):
    count_before = p["count_before"]
    for m in p["building"].finditer(text):
        raw = m.group(1) or m.group(2) or m.group(3)
        if raw[0] in NUMERAL_CHARS and m.start() > 0 and count_before.match(text, m.start() - 1):
            continue
        value = _building_value(raw)
        if value:
            return value
    return None


def _first_unit(p, text):
    for m in p["unit"].finditer(text):
        n = to_int(m.group(1))
        if n:
            return str(n)
    return None


def _first_room(p, text):
    best = None
    for name in _ROOM_PATTERNS:
        for m in p[name].finditer(text):
            if _plausible_room(p, m.group(1), text, m.start(1)):
                if best is None or m.start(1) < best[0]:
                    best = (m.start(1), m.group(1))
                break
    return best[1] if best else None


# Idioms made of numerals, which would otherwise read as a unit or building (横七竖八单元门口 -> unit 8).
_NUMERAL_IDIOMS = ("横七竖八", "乱七八糟", "七上八下", "七零八落", "七嘴八舌", "四面八方", "三三两两",
                   "五颜六色", "三番五次", "一五一十", "十有八九", "八九不离十", "五花八门", "七七八八")


def extract(text):
    """(building, unit, room) from normalised text; each a string or None."""
    p = patterns.get()
    if not p["location_hint"].search(text):
        return None, None, None
    for idiom in _NUMERAL_IDIOMS:
        if idiom in text:
            text = text.replace(idiom, " " * len(idiom))
    m = p["abc"].search(text)
    if m and _plausible_room(p, m.group(3), text, m.start(3)):
        return _building_value(m.group(1)), str(int(m.group(2))), m.group(3)
    return _first_building(p, text), _first_unit(p, text), _first_room(p, text)
