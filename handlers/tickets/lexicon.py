"""The domain lexicon (data/lexicon.txt) and the jieba tokenizer that knows its words."""
import io
import os
from dataclasses import dataclass

from .datafile import DATA_DIR, entries

# Category code (as used in lexicon.txt) -> the label the parser outputs.
CATEGORY_LABELS = dict(line.split()[:2] for _, line in entries("categories.txt"))
# Marks about the words around them rather than about the message: negation, hypothetical, past, ongoing.
CONTEXT_MARKS = ("neg", "hypo", "past", "now")
# Big enough that a lexicon word beats its own split into common characters.
_LEXICON_FREQ = 20000


@dataclass(frozen=True, slots=True)
class Entry:
    categories: tuple  # ((code, weight), ...)
    families: tuple    # ((family, weight), ...) e.g. ("bad", 1.0)
    marks: frozenset   # o.*, p.*, u.* and the context marks
    # Derived from marks once, for the per-token loop of rules.gather:
    urgent: frozenset = frozenset()  # the u.* marks
    neg: bool = False
    hypo: bool = False
    past: bool = False
    now: bool = False


def _parse_tag(tag):
    name, _, weight = tag.partition(":")
    return name, float(weight) if weight else 1.0


def read_lexicon(name="lexicon.txt", table=None):
    """word -> Entry, merging every line the word appears on.

    table: the str.translate table text is normalised with, so that words written in dialect or
    traditional form (冇得, 樓) match the normalised text they will be looked up in.
    """
    raw = {}
    for lineno, line in entries(name):
        tags, sep, words = line.partition("|")
        if not sep:
            raise ValueError(f"{name}:{lineno}: missing '|'")
        if "|" in words or "#" in words:  # two lines run together
            raise ValueError(f"{name}:{lineno}: more than one '|' or a '#' among the words")
        # "-" lists words the tokenizer should keep whole, with no evidence of their own.
        parsed = [_parse_tag(t) for t in tags.split() if t != "-"]
        for word in words.split():
            slot = raw.setdefault(word.translate(table) if table else word, {})
            for tag, weight in parsed:
                slot[tag] = max(slot.get(tag, 0.0), weight)
    lexicon = {}
    for word, tags in raw.items():
        cats = tuple((n, w) for n, w in tags.items() if n in CATEGORY_LABELS)
        marks = frozenset(n for n in tags if "." in n or n in CONTEXT_MARKS)
        fams = tuple((n, w) for n, w in tags.items() if n not in CATEGORY_LABELS and n not in marks)
        lexicon[word] = Entry(cats, fams, marks, frozenset(x for x in marks if x.startswith("u.")),
                              "neg" in marks, "hypo" in marks, "past" in marks, "now" in marks)
    return lexicon


def read_chars(table=None):
    """char -> Entry: the cues of single characters, for words the lexicon does not know."""
    return read_lexicon("chars.txt", table)


def build_tokenizer(words):
    """A jieba Tokenizer over jieba's most frequent words plus ours.

    The prefix dictionary is handed to the Tokenizer directly: jieba would otherwise load its
    full 350k-word dictionary (about 0.6 s) and write a cache file to the temp directory.
    """
    import jieba  # here rather than at module level: importing jieba alone takes about 0.1 s

    freqs = {}
    with open(os.path.join(DATA_DIR, "vocab.txt"), encoding="utf-8") as f:
        for line in f:
            word, freq = line.split()
            freqs[word] = int(freq)
    for word in words:
        if len(word) > 1 and not word.isascii():
            freqs[word] = max(freqs.get(word, 0), _LEXICON_FREQ)
    payload = "\n".join(f"{w} {n}" for w, n in freqs.items()).encode("utf-8")
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(io.BytesIO(payload))
    tokenizer.initialized = True
    return tokenizer
