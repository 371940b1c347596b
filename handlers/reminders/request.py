"""Reading ``#提醒 <时间> <内容> [签到2小时] [节假日照常] [发到 3栋群 5栋群]``.

The options come after the message, in any order; each is recognised only at the very
end, so a message may still say "发到群里" or "结束后签到" in its own words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands import normalize
from bot.errors import UsageError

SELF_NAMES = frozenset({"我", "自己"})
HERE_NAMES = frozenset({"本群", "这个群", "此群"})
ALL_NAMES = frozenset({"全体群", "全体", "所有群", "全部群"})
BUILDING_NAME = re.compile(r"^([0-9A-Za-z]{1,8})(?:栋|幢|号楼)(?:群)?$")

_END = r"\s*$"
_NAME = r"[^\s，,、发]+"  # a chat name never holds 发: the clause starts at the last 发到
_TARGETS = re.compile(rf"(?:发到|发给|发送到)[\s：:]*(?P<names>{_NAME}(?:[\s，,、]+{_NAME})*)" + _END)
_CHECKIN = re.compile(r"签到\s*(?P<n>[\d.]+|[一二两三四五六七八九十]+)?\s*(?P<half>个半|半)?\s*"
                      r"(?P<unit>个?小时|分钟)" + _END)
_HOLIDAYS = re.compile(r"(?:节假日|节日|假日)(?P<mode>照常|也发|也提醒|不发|不提醒|跳过)" + _END)
_SPLIT_NAMES = re.compile(r"[\s，,、]+")


@dataclass(frozen=True)
class Request:
    """What the sender asked for, before the time is parsed and the targets are resolved."""

    body: str  # "<时间> <内容>", for bot.when.split_when
    targets: tuple[str, ...] = ()
    checkin_minutes: int | None = None
    on_holidays: bool | None = None  # None: the configured default


def read_request(args: str, *, chat_keys: frozenset[str], max_checkin_hours: int) -> Request:
    """Peel the options off the end of the arguments."""
    body = args.strip()
    targets: tuple[str, ...] = ()
    checkin = None
    on_holidays = None
    while True:
        m = _TARGETS.search(body)
        if m and not targets and _look_like_targets(m["names"], chat_keys):
            targets = tuple(_SPLIT_NAMES.split(m["names"].strip()))
        elif (m := _CHECKIN.search(body)) and checkin is None:
            checkin = _minutes(m, max_checkin_hours)
        elif (m := _HOLIDAYS.search(body)) and on_holidays is None:
            on_holidays = m["mode"] in ("照常", "也发", "也提醒")
        else:
            break
        body = body[:m.start()].rstrip(" \t，,。；;")
    return Request(body, targets, checkin, on_holidays)


def _look_like_targets(names: str, chat_keys: frozenset[str]) -> bool:
    """Whether every word after 发到 names a chat, so "发到群里" stays part of the message."""
    return all(
        name.endswith("群") or name.lower() in chat_keys or name in SELF_NAMES or name in ALL_NAMES
        or BUILDING_NAME.match(normalize(name))
        for name in _SPLIT_NAMES.split(names.strip())
    )


def _minutes(m: re.Match[str], max_hours: int) -> int:
    number = _number(m["n"]) if m["n"] else (0 if m["half"] else 1)
    hours = "小时" in m["unit"]
    if m["half"] and not hours:
        raise UsageError("签到时长写得不对。例如：签到2小时、签到半小时、签到90分钟")
    minutes = round(number * 60 + (30 if m["half"] else 0)) if hours else round(number)
    if not 10 <= minutes <= max_hours * 60:
        raise UsageError(f"签到时长要在10分钟到{max_hours}小时之间。例如：签到2小时")
    return minutes


def _number(text: str) -> float:
    if text[0].isdigit():
        try:
            return float(text)
        except ValueError:
            raise UsageError("签到时长写得不对。例如：签到2小时") from None
    import cn2an

    try:
        return float(cn2an.cn2an(text, "smart"))
    except ValueError:
        raise UsageError("签到时长写得不对。例如：签到2小时") from None
