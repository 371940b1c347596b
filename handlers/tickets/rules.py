"""From segmented words to is_report / category / urgency, by the rules of the labeling guide.

The lexicon turns words into evidence: category weights, report / non-report families, and
marks (objects o.*, predicates p.*, urgency triggers u.*); patterns over the whole text add
phrasings that no single word carries (a theft by someone still there, something hanging over
people, a fee asked after ...).  This module adds the evidence up, blends in the character
n-gram model (charmodel.py), and applies the guide's tie-break rules (⚖) on the marks, which
plain weights cannot express: the category follows WHAT has to be fixed (the object marks) and
WHAT is wrong with it (the predicate marks), e.g. a broken barrier is a repair but a car in front
of a door is parking; urgency needs an emergency predicate (u.*) outside hypothetical, negated or
past clauses, usually together with its object (a lift, a person, a cover, a wire ...).
"""
from dataclasses import dataclass, field

from . import patterns

# How strongly each family speaks for (+) or against (-) the message being a report, and the
# most it can contribute however many of its words occur.
REPORT_FAMILIES = {
    "bad": (1.5, 3.0), "ask": (1.5, 2.0), "gripe": (1.0, 3.0), "alarm": (2.0, 1.0),
    "notice": (-4.0, 2.0), "fixed": (-4.0, 2.0), "thanks": (-2.0, 1.0), "ack": (-1.5, 1.0),
    "greet": (-2.0, 1.0), "query": (-1.5, 1.0), "poll": (-3.0, 1.0), "signup": (-3.0, 1.0),
    "points": (-3.0, 1.0), "paid": (-3.0, 1.0), "ad": (-3.0, 1.0), "fwd": (-3.0, 2.0),
    "chat": (-2.0, 2.0), "plan": (-4.0, 1.0), "staff": (-4.0, 1.0), "found": (-3.0, 1.0),
}
REPORT_THRESHOLD = 2.0
URGENT_BONUS = 4.0
CATEGORY_BONUS_CAP = 8.0
CATEGORY_BONUS_RATE = 0.25
# How much the character n-gram model (charmodel.py) counts beside the lexicon; chosen on a batch of
# dev messages written with new vocabulary, with the model trained on the other dev messages.
CHAR_REPORT_RATE = 1.0
CHAR_REPORT_CAP = 6.0
CHAR_CATEGORY_RATE = 3.0

_BOUNDARY = frozenset(" ,.!?;:，。！？；：、~…\n\t")
# Families that make an alarming word second-hand: a notice, a forward, an ad, an all-clear.
_NOT_NEWS = ("notice", "fixed", "fwd", "ad", "staff")
_FLIPPABLE = frozenset({"fixed", "notice", "plan"})  # 没修好, 也不通知, 也没打招呼: complaints
# Objects whose failure is also described with 没反应 / 叫不应 ...
_DEVICES = frozenset({"o.elevator", "o.access", "o.light", "o.charger", "o.socket", "o.cctv"})


@dataclass(slots=True)
class Evidence:
    categories: dict = field(default_factory=dict)
    families: dict = field(default_factory=dict)
    marks: set = field(default_factory=set)
    urgent_marks: set = field(default_factory=set)  # u.* outside hypothetical / past / negated context
    char_categories: dict = field(default_factory=dict)  # from charmodel.py
    char_odds: float = 0.0
    triggers: frozenset = None  # urgent_triggers(), once the evidence is complete
    relapsed: bool = False  # "fixed" words, then the problem again (修好了 结果又坏了)


def gather(text, tokens, lexicon, chars):
    """The evidence of one normalised message, from its tokens and from patterns over its text."""
    ev = Evidence()
    cats, fams, marks, urgent = ev.categories, ev.families, ev.marks, ev.urgent_marks
    seen = set()
    seen_chars = set()
    # Urgency is decided clause by clause: a trigger counts unless it follows a hypothetical
    # (万一着火) or negation, or its clause speaks of the past or of a habit (上个月着过火, 经常冒烟)
    # without saying it is still going on (到现在还没回来).
    clause_urgent = set()
    negated = hypothetical = past = ongoing = False
    for tok in tokens:
        if tok in _BOUNDARY or tok.isspace():
            if clause_urgent and (ongoing or not past):
                urgent.update(clause_urgent)
            clause_urgent.clear()
            negated = hypothetical = past = ongoing = False
            continue
        entry = lexicon.get(tok)
        if entry is None:
            negated = False
            for ch, centry in _char_cues(tok, chars):  # an unknown word still speaks through its characters
                if ch not in seen_chars:
                    seen_chars.add(ch)
                    for fam, w in centry.families:
                        fams[fam] = fams.get(fam, 0.0) + w
                    for cat, w in centry.categories:
                        cats[cat] = cats.get(cat, 0.0) + w
            continue
        if tok not in seen:
            seen.add(tok)
            for fam, w in entry.families:
                if negated and fam in _FLIPPABLE:
                    fam = "gripe"
                fams[fam] = fams.get(fam, 0.0) + w
            for cat, w in entry.categories:
                cats[cat] = cats.get(cat, 0.0) + w
            marks.update(entry.marks)
        if entry.urgent and not (negated or hypothetical):
            clause_urgent.update(entry.urgent)
        hypothetical = hypothetical or entry.hypo
        past = past or entry.past
        ongoing = ongoing or entry.now
        negated = entry.neg
    if clause_urgent and (ongoing or not past):
        urgent.update(clause_urgent)
    _derive(ev)
    _phrase_evidence(ev, text)
    return ev


_char_cache = {}
_CHAR_CACHE_MAX = 50000


# Patterns of data/patterns.txt and the evidence a match adds: (families, categories).
_PHRASE_EVIDENCE = (
    ("cannot", {"bad": 1.0}, {}),
    ("thrown_down", {"bad": 1.0}, {"SAFE": 4.0}),
    ("explained", {"fixed": 1.0}, {}),
    ("when_done", {"ask": 1.0, "gripe": 1.0}, {}),
    ("paid", {"paid": 1.0}, {}),
    ("choice_question", {"query": 1.0}, {}),
    ("link", {"fwd": 1.0}, {}),
    ("money_demand", {"ask": 1.0, "gripe": 1.0}, {"PROP": 2.0}),
    ("not_working", {"bad": 1.0}, {}),
    ("many_tries", {"bad": 1.0}, {"FAC": 1.0}),
    ("all_day", {"gripe": 1.0}, {}),
    ("forwarded", {"fwd": 2.0}, {}),
    ("lost_found", {"found": 1.0}, {}),
    ("late", {"gripe": 1.0}, {"NOISE": 1.0}),
    ("sound", {"bad": 1.0}, {"NOISE": 1.0}),
    ("on_duty", {"bad": 1.0}, {"PROP": 3.0}),
    ("crime_act", {"bad": 1.0}, {"SEC": 2.0}),
    ("paid_but", {"bad": 1.0, "gripe": 1.0}, {}),
    ("painted_ad", {"bad": 1.0}, {"ENV": 4.0}),
    ("dumped", {"bad": 1.0}, {"ENV": 3.0}),
    ("overgrown", {"bad": 1.0}, {"GREEN": 3.0}),
)
# Patterns that add marks (u.* ones also count as urgent), when a mark they need is present.
_PHRASE_MARKS = (
    ("crime_now", None, ("u.crime",)),  # counts with p.steal / p.fight (_find_triggers)
    ("not_back", "o.person", ("p.lost", "u.person")),
    ("down", "o.person", ("p.fall", "u.person")),
    ("shut_in", "o.elevator", ("u.trapped",)),
    ("no_answer", None, ("p.unresponsive",)),
    ("thrown_down", None, ("p.thrown",)),
    ("below", None, ("p.below",)),
    ("lost_home", "o.person", ("p.lost", "u.person")),
    ("hanging", None, ("p.hanging",)),
    ("fell_stairs", "o.person", ("p.fall", "u.person")),
    ("whose", "o.person", ("p.lost", "u.person")),
    ("quarrel_over", None, ("p.quarrel",)),
    ("crime_act", None, ("p.steal",)),
)


# Patterns searched over every message (those of location.py are searched there).
_LOCATION_PATTERNS = frozenset({"location_hint", "abc", "building", "unit", "count_before", "room_after_marker",
                                "room_owner", "room_suffix", "room_leading", "not_room_after", "not_room_before",
                                "plate_before"})
_index = None  # (always searched, {character: patterns anchored on it}, {name: search})


def _pattern_index():
    global _index
    if _index is None:
        compiled, anchors = patterns.get(), patterns.anchors()
        always, by_char, search = [], {}, {}
        for name, rx in compiled.items():
            if name in _LOCATION_PATTERNS:
                continue
            search[name] = rx.search
            if anchors[name] is None:
                always.append(name)
            else:
                for ch in anchors[name]:
                    by_char.setdefault(ch, []).append(name)
        _index = (frozenset(always), {ch: tuple(names) for ch, names in by_char.items()}, search)
    return _index


def _pattern_hits(text):
    """Names of the evidence patterns that match text.  Only the patterns anchored on a character
    of the text are searched (patterns.anchors)."""
    always, by_char, search = _pattern_index()
    candidates = set(always)
    for ch in by_char.keys() & set(text):
        candidates.update(by_char[ch])
    return {name for name in candidates if search[name](text)}


_EVIDENCE_OF = {name: (tuple(f.items()), tuple(c.items())) for name, f, c in _PHRASE_EVIDENCE}
_MARKS_OF = {}
for _name, _needs, _marks in _PHRASE_MARKS:
    _MARKS_OF.setdefault(_name, []).append((_needs, _marks, tuple(m for m in _marks if m.startswith("u."))))


def _phrase_evidence(ev, text):
    """Evidence from patterns over the whole text, beyond single words."""
    found = _pattern_hits(text)
    if not found:
        return
    cats, fams, marks = ev.categories, ev.families, ev.marks
    for name in found:
        rule = _EVIDENCE_OF.get(name)
        if rule:
            for fam, w in rule[0]:
                _add(fams, fam, w)
            for cat, w in rule[1]:
                _add(cats, cat, w)
    # A phone number backs up an advert's other signs; beside a problem and no advert words it is
    # the reporter's contact (楼道灯坏了 电话139…), and asking a driver to move a car is no advert.
    if "p.driver" not in marks and "phone" in found and (fams.get("ad") or not fams.get("bad")):
        _add(fams, "ad", 1.0)
    if "neg" not in marks and "done" in found:
        _add(fams, "fixed", 1.0)
    if "hypo" not in marks and "emergency_call" in found:
        marks.add("u.call")
        ev.urgent_marks.add("u.call")
    for name in found:  # the marks these patterns need come from words, never from other patterns
        for needs, new_marks, new_urgent in _MARKS_OF.get(name, ()):
            if needs is None or needs in marks:
                marks.update(new_marks)
                ev.urgent_marks.update(new_urgent)
    if not marks & {"hypo", "past"}:
        if "smoke" in found:
            marks.add("u.smoke")
            ev.urgent_marks.add("u.smoke")
        if "p.steal" in marks and "still_there" in found:  # a theft going on right now
            marks.add("u.crime")
            ev.urgent_marks.add("u.crime")
    if fams.get("alarm") and not marks & {"hypo", "past"} and "danger_char" in found:
        marks.add("p.alarmed")


def _char_cues(tok, chars):
    cues = _char_cache.get(tok)
    if cues is None:
        if len(_char_cache) >= _CHAR_CACHE_MAX:
            _char_cache.clear()
        cues = _char_cache[tok] = tuple((ch, chars[ch]) for ch in tok if ch in chars)
    return cues


def _add(d, key, w):
    d[key] = d.get(key, 0.0) + w


def _derive(ev):
    """Evidence that only a combination of words carries."""
    m = ev.marks
    if "p.relapse" in m and ev.families.get("fixed") and ev.families.get("bad"):
        # 说修好了 结果又不亮了: the fix did not hold, so it is a complaint again
        _add(ev.families, "gripe", ev.families.pop("fixed"))
        ev.relapsed = True
    if "o.elevator" in m and "p.stop" in m:  # 电梯...就停: a lift that stops is a broken lift
        _add(ev.families, "bad", 1.0)
        _add(ev.categories, "FAC", 2.0)
    if charging_indoors(m):
        _add(ev.families, "bad", 2.0)
    if "p.new" in m and ev.families.get("ask"):  # 建议办个老年食堂: a concrete suggestion
        _add(ev.families, "bad", 1.0)
    fams = ev.families
    if fams.get("paid") and (fams.get("bad", 0) + fams.get("gripe", 0)) >= 2:
        # 物业费交了 小区还是脏乱差: the payment is the grievance, not a confirmation
        _add(fams, "gripe", fams.pop("paid"))


def charging_indoors(m):
    return "p.flying" in m or ("p.charge" in m and "o.ebike" in m and "o.indoor" in m)


def report_score(ev):
    score = 0.0
    for fam, total in ev.families.items():
        rule = REPORT_FAMILIES.get(fam)
        if rule:
            weight, cap = rule
            score += weight * min(total, cap)
    if urgent_triggers(ev) and not any(ev.families.get(f) for f in _NOT_NEWS):
        score += URGENT_BONUS
    if ev.categories:
        score += CATEGORY_BONUS_RATE * min(max(ev.categories.values()), CATEGORY_BONUS_CAP)
    odds = max(0.0, ev.char_odds) if ev.relapsed else ev.char_odds  # characters cannot read 结果又...
    score += CHAR_REPORT_RATE * max(-CHAR_REPORT_CAP, min(CHAR_REPORT_CAP, odds))
    return score


def is_report(ev):
    return report_score(ev) >= REPORT_THRESHOLD


def person_in_danger(ev):
    u, m = ev.urgent_marks, ev.marks
    if "u.person" in u and ("p.fall" in m or "o.person" in m):
        return True
    if "o.person" not in m:
        return False
    # 不见了 / 找不到 / 没反应 are about a person only when one is named and no device is.
    if "u.missing" in u and "o.manhole" not in m:
        return True
    return "p.unresponsive" in m and not m & _DEVICES


def trapped_in_lift(ev):
    return "o.elevator" in ev.marks and "u.trapped" in ev.urgent_marks and "p.empty" not in ev.marks


def urgent_triggers(ev):
    """Why the message is urgent (empty when it is not), e.g. {"hazard"} or {"person"}."""
    if ev.triggers is None:
        ev.triggers = frozenset(_find_triggers(ev))
    return ev.triggers


def _find_triggers(ev):
    u, m = ev.urgent_marks, ev.marks
    found = set()
    if "p.over" in m:  # 火灭了, 人救出来了, 找到了: the emergency is over
        return found
    if u & {"u.fire", "u.smoke", "u.gas", "u.falling", "u.call"}:
        found.add("hazard")
    if "p.hanging" in m and "p.below" in m:  # 空调挂在半空晃 下面就是人行道
        found.add("hazard")
    if "u.smell" in u and "o.gas" in m:  # a smell and gas named together: a gas smell
        found.add("hazard")
    if "u.spark" in u and m & {"o.wire", "o.box", "o.socket"}:  # fireworks sparks are not live wires
        found.add("sparks")
    if "u.exposed" in u and m & {"o.wire", "o.box"}:
        found.add("wire")
    if "u.flood" in u or ("u.burst" in u and m & {"o.pipe", "o.water"}):
        found.add("water")
    if trapped_in_lift(ev):
        found.add("trapped")
    if person_in_danger(ev):
        found.add("person")
    if "u.missing" in u and "o.manhole" in m:
        found.add("manhole")
    if "u.crime" in u and ("p.steal" in m or "p.fight" in m):
        found.add("crime")
    if "u.ambulance" in u and "p.blocked_way" in m:
        found.add("ambulance")
    if "p.alarmed" in m and not found:  # 快来人 + a word of danger the lexicon does not know
        found.add("alarm")
    return found


def category(ev):
    """The category code.  The guide's tie-breaks come first, in the order that resolves their
    overlaps (a person in danger before anything else, water from upstairs before pipes, a
    blocked fire lane before parking ...); otherwise the best-scoring category wins."""
    m = ev.marks
    cats = dict(ev.categories)
    for code, w in ev.char_categories.items():
        cats[code] = cats.get(code, 0.0) + CHAR_CATEGORY_RATE * w
    if trapped_in_lift(ev):
        return "FAC"
    if person_in_danger(ev) and not m & {"o.fireeq", "o.firelane", "o.gas"}:
        return "OTHER"
    if _water_from_neighbour(m):
        return "NEIGH"
    if urgent_triggers(ev) & {"wire", "sparks"}:  # live wires, in water or not: an electrical hazard
        return "SAFE"
    if "water" in urgent_triggers(ev):  # a burst pipe or flooding outside anyone's flat
        return "FAC"
    if m & {"u.falling", "u.fire", "u.smoke", "u.gas"} and "o.elevator" not in m:
        return "SAFE"
    if "p.hanging" in m and "p.below" in m and "o.elevator" not in m:  # hanging over people
        return "SAFE"
    if "o.wasp" in m:  # a wasp nest stings whoever passes
        return "SAFE"
    if "p.thrown" in m and not m & _NEIGHBOURS:  # 高空抛物, whatever is thrown
        return "SAFE"
    if "p.scam" in m and not urgent_triggers(ev):  # 冒充燃气公司收钱: the scam, not the gas
        return "SEC"
    if m & {"o.firelane", "o.fireeq"} and not _light_out_on_escape_route(m):
        return "SAFE"
    if charging_indoors(m):
        return "SAFE"
    if "o.manhole" in m and "p.missing" in m:
        return "SAFE"
    if "o.plant" in m and "o.nb" in m and m & {"p.quarrel", "p.ignore"}:
        return "NEIGH"
    if "p.mediate" in m or ("p.quarrel" in m and m & _NEIGHBOURS):  # the core is the conflict
        return "NEIGH"
    if "p.quarrel" in m and "p.someone" in m:  # strangers quarrelling: noise, not a dispute between neighbours
        cats["NEIGH"] = cats.get("NEIGH", 0.0) * 0.3
    if "p.enclose" in m:
        return "BUILD"
    if "p.veg" in m and "o.veg" in m:
        return "BUILD"
    broken = "p.broken" in m
    if "o.shed" in m and not broken and not m & _NEIGHBOURS:  # a private shed on common ground
        return "BUILD"
    wants_new = "p.new" in m and not broken
    if "o.socket" in m and broken:
        return "FAC"
    if "o.charger" in m:
        return "FAC" if broken else "SERV" if wants_new else _best(cats)
    # broken CCTV is a repair; asking for (more) CCTV is security.  Not when the camera is only
    # where to look (查监控) or a neighbour's camera is the quarrel.
    if "o.cctv" in m and "p.footage" not in m and not (m & _NEIGHBOURS and m & {"p.quarrel", "p.ignore", "o.myhome"}):
        if broken and "p.steal" not in m:
            return "FAC"
        if wants_new:
            return "SEC"
    if "o.fitness" in m and wants_new:
        return "SERV"
    if "o.guard" in m and m & {"p.rude", "p.quarrel"} and "o.nb" not in m:
        return "PROP"
    if "o.guard" in m and "p.idle" in m and not m & {"p.absent", "p.open", "o.car", "o.space", "o.ebike"}:
        return "PROP"  # a guard who slacks is the company's matter; a gate left unguarded is security
    vehicle_blocks = bool(m & {"o.car", "o.ebike"}) and "p.parked_at" in m
    if m & {"o.door", "o.access", "o.guard"} and "o.box" not in m:
        if "p.propped" in m or "p.absent" in m or "p.intrude" in m or ("p.prop_obj" in m and "p.open" in m):
            return "SEC"
        # a broken door or barrier, unless it was broken into (撬过) or a vehicle stands in front of it
        if broken and m & {"o.door", "o.access"} and "p.steal" not in m and not vehicle_blocks:
            return "FAC"
    if "o.drain" in m and "p.block" in m:
        return "FAC"
    if m & {"o.car", "o.ebike"} and "p.blocked_way" in m and not m & {"o.pipe", "o.drain"}:
        return "PARK"
    if "o.drain" in m and "p.smell" in m:
        return "ENV"
    if "o.cleaner" in m and "p.idle" in m:
        return "PROP"
    if wants_new and ev.families.get("ask") and not m & {"o.car", "o.space", "o.cctv", "o.access", "p.open"}:
        # asking for something new (建议加个坡道): a service, unless parking, CCTV or access
        # control (to keep strangers out: security) is asked for
        cats["SERV"] = cats.get("SERV", 0.0) + 5.0
    if not ev.categories and urgent_triggers(ev):  # no word names a category: go by the emergency
        return _BY_TRIGGER.get(min(urgent_triggers(ev)), "OTHER")
    return _best(cats)


# The category of an urgent message whose words name no category.
_BY_TRIGGER = {"alarm": "OTHER", "crime": "SEC", "water": "FAC", "trapped": "FAC", "person": "OTHER", "hazard": "SAFE",
               "sparks": "SAFE", "wire": "SAFE", "manhole": "SAFE", "ambulance": "PARK"}


_NEIGHBOURS = frozenset({"o.nb", "o.upstairs", "o.downstairs"})


def _light_out_on_escape_route(m):
    # 消防通道的灯坏了 is a broken light; a blocked route or missing extinguisher is the hazard.
    return ("o.light" in m and "p.broken" in m and "o.fireeq" not in m
            and not m & {"p.block", "p.blocked_way", "o.car", "o.ebike", "o.clutter"})


def _water_from_neighbour(m):
    source = m & {"o.upstairs", "o.nb"}
    into_home = m & {"o.myhome", "o.ceiling"}
    return bool(source and into_home and m & {"p.leak", "u.burst", "u.flood"})


# Ties go to the more specific category.
_PRIORITY = ("SAFE", "NEIGH", "BUILD", "SEC", "NOISE", "GREEN", "PARK", "ENV", "FAC", "PROP", "SERV", "OTHER")


def _best(cats):
    if not cats:
        return "OTHER"
    top = max(cats.values())
    for code in _PRIORITY:
        if cats.get(code) == top:
            return code
    return "OTHER"
