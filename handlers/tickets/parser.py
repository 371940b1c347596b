"""Parse one group-chat message into an issue report, by the project's labeling guide
(../shared/data/LABELING.md): is it a report, its category, building / unit / room, urgency.

    parse("3栋2单元楼道灯坏了") -> ParseResult(is_report=True, category="设施维修", building="3", unit="2", ...)

Pipeline: normalise (normalize.py) -> one jieba segmentation -> lexicon and pattern evidence
(rules.gather) + character n-gram scores (charmodel.py) -> report? category? urgency? (rules.py);
the location comes from location.py.  Everything heavy (lexicon, tokenizer, models, tables) loads
once per process, on the first call or through warm().
"""
import logging
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import NamedTuple

from . import charmodel as _charmodel
from . import lexicon as _lexicon
from . import location as _location
from . import normalize as _normalize
from . import rules as _rules

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
_state = None


class _Resources(NamedTuple):
    words: dict      # lexicon.read_lexicon()
    chars: dict      # lexicon.read_chars()
    tokenizer: object  # jieba.Tokenizer over our vocabulary
    model: object    # charmodel.CharModel


@dataclass(frozen=True, slots=True)
class ParseResult:
    is_report: bool
    category: str | None
    building: str | None
    unit: str | None
    room: str | None
    urgency: str | None

    def to_dict(self):
        return asdict(self)


NOT_A_REPORT = ParseResult(False, None, None, None, None, None)


def warm():
    """Load everything now rather than on the first parse (idempotent)."""
    global _state
    if _state is None:
        table = _normalize.load()
        words = _lexicon.read_lexicon(table=table)
        _state = _Resources(words, _lexicon.read_chars(table=table), _lexicon.build_tokenizer(words),
                            _charmodel.CharModel())
    return _state


def _clean(text):
    if not isinstance(text, str):
        text = text.decode("utf-8", "replace") if isinstance(text, (bytes, bytearray)) else ""
    warm()
    return _normalize.normalize(_CONTROL.sub(" ", text))


def parse_location(text: str) -> tuple[str | None, str | None, str | None]:
    """(building, unit, room) by the guide's location rules, whether or not text is a report.

    For explicit commands too: parse_location("#绑定 3栋2单元301") -> ("3", "2", "301").
    """
    try:
        return _location.extract(_clean(text))
    except Exception:  # a parser for chat input must not take the bot down
        log.exception("parse_location failed")
        return None, None, None


# Group chats repeat their short messages all day (收到, 好的👍, 谢谢书记): the parse of a
# short text is kept, bounded, so the thousandth 收到 costs a dictionary look-up.
SHORT_TEXT = 40
_CACHE_SIZE = 4096


def parse(text: str) -> ParseResult:
    """The parse of one message; never raises (a failure is logged and reads as not a report)."""
    if isinstance(text, str) and len(text) <= SHORT_TEXT:
        return _parse_short(text)
    return _parse_safely(text)


def _parse_safely(text) -> ParseResult:
    try:
        return _parse(text)
    except Exception:
        log.exception("parse failed")
        return NOT_A_REPORT


_parse_short = lru_cache(maxsize=_CACHE_SIZE)(_parse_safely)


def _parse(text):
    clean = _clean(text)
    if not clean:
        return NOT_A_REPORT
    words, chars, tokenizer, model = _state
    ev = _rules.gather(clean, tokenizer.lcut(clean, HMM=False), words, chars)  # HMM off: known words only
    entries = model.match(clean)
    ev.char_odds = model.report_odds(entries)
    if not _rules.is_report(ev):
        return NOT_A_REPORT
    ev.char_categories = model.category_scores(entries)
    building, unit, room = _location.extract(clean)
    return ParseResult(
        True,
        _lexicon.CATEGORY_LABELS[_rules.category(ev)],
        building, unit, room,
        "urgent" if _rules.urgent_triggers(ev) else "normal",
    )
