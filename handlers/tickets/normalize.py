"""Text clean-up before segmentation: traditional -> simplified, full-width -> ASCII, chat noise out."""
import os
import re

_DATA = os.path.join(os.path.dirname(__file__), "data", "t2s.txt")

_TAG = re.compile(r"\[[^\[\]\s]{1,8}\]")  # WeChat emoji codes such as [捂脸]
# Placeholders WeChat puts for shared content: their word is kept (a [链接] is a forward).
_CONTENT_TAGS = frozenset({"[链接]", "[文章]", "[视频]", "[公众号]", "[小程序]", "[文件]", "[图片]", "[语音]"})


def _tag(m):
    tag = m.group(0)
    return f" {tag[1:-1]} " if tag in _CONTENT_TAGS else " "
# An @mention ends at a space (WeChat inserts U+2005); names are short, so a long run is text.
_MENTION = re.compile(r"@[^\s@]{1,12}(?:\s|$)")
_SPACES = re.compile(r"\s+")
_TABLE = None


def _build_table():
    with open(_DATA, encoding="utf-8") as f:
        traditional, simplified = f.read().split("\n")[:2]
    table = str.maketrans(traditional, simplified)
    table.update({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})  # full-width ASCII
    table.update({0x3000: 0x20, 0x2005: 0x20, 0xA0: 0x20})
    table.update({ord(d): ord("-") for d in "—–‐‑−﹣"})
    return table


def load():
    """The translation table (built on first use)."""
    global _TABLE
    if _TABLE is None:
        _TABLE = _build_table()
    return _TABLE


def normalize(text):
    text = text.translate(_TABLE)
    text = _TAG.sub(_tag, text)
    if "@" in text:
        text = _MENTION.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
