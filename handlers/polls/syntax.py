"""Reading ``#投票 问题 选项1/选项2 截止 周五18:00 范围 3栋 5栋 实名`` into a spec.

The question and the options come first; after them, in any order: ``截止 <time>``
(a bare time right after the options works too), ``范围 <buildings or grids>``,
``全体群`` (every chat), and the flags 实名 / 匿名, 保密 (results hidden until close),
多选 / 最多N项, and for formal decisions 特别 (a special matter).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import cn2an

from bot.errors import UsageError

MIN_OPTIONS, MAX_OPTIONS = 2, 20
MAX_LABEL = 30
MAX_QUESTION = 200

_SLASHES = re.compile(r"\s*[/／|｜]\s*")
_DEADLINE = ("截止时间", "截止", "截至")
_SCOPE = ("范围",)
_EVERYONE = {"全体群", "全部群", "所有群"}
_NAMED = {"实名", "记名", "公开投票"}
_ANONYMOUS = {"匿名", "不记名"}
_HIDDEN = {"保密", "结果保密", "隐藏结果", "截止后公布"}
_MULTI = {"多选"}
_SPECIAL = {"特别", "特别事项", "重大事项"}
_FLAGS = ((_EVERYONE, "everyone", True), (_NAMED, "named", True), (_ANONYMOUS, "named", False),
          (_HIDDEN, "hidden", True), (_MULTI, "multi", True), (_SPECIAL, "special", True))
_GLUED_QUESTION = re.compile(r"^(.+[?？:：])([^?？:：]+/.*)$")
_AT_MOST = re.compile(r"^(?:最多|至多|限)(?:选)?([0-9一二两三四五六七八九十]{1,3})(?:项|个|票)?$")


@dataclass
class PollSpec:
    """What the creator wrote, before it is checked against the roster and the clock."""

    question: str = ""
    options: list[str] = field(default_factory=list)
    deadline: str | None = None
    scope: list[str] = field(default_factory=list)
    everyone: bool = False
    named: bool = False
    hidden: bool = False
    multi: bool = False
    max_choices: int | None = None
    special: bool = False


def parse_spec(args: str, *, with_options: bool = True) -> PollSpec:
    """Split the command's arguments into a spec; raises UsageError for what cannot be read."""
    spec = PollSpec()
    text = _SLASHES.sub("/", args.strip())
    head: list[str] = []
    section: list[str] | None = None
    deadline: list[str] | None = None
    for token in text.split():
        keyword = _keyword(token, _DEADLINE)
        if keyword is not None:
            deadline = section = [keyword] if keyword else []
            continue
        keyword = _keyword(token, _SCOPE)
        if keyword is not None:
            section = spec.scope
            if keyword:
                section.append(keyword)
            continue
        if _flag(spec, token):
            section = None
            continue
        (head if section is None else section).append(token)
    if deadline is not None:
        spec.deadline = " ".join(deadline)
        if not spec.deadline:
            raise UsageError("“截止”后面请写上时间，例如：截止 周五18:00。")
    if with_options:
        _question_and_options(spec, head)
    else:
        if any("/" in t for t in head):
            raise UsageError("表决的选项固定为 同意/反对/弃权，不用写选项。")
        spec.question = " ".join(head)
    if not spec.question:
        raise UsageError("请写上要投票的问题。")
    if len(spec.question) > MAX_QUESTION:
        raise UsageError(f"问题太长了，请控制在 {MAX_QUESTION} 字以内。")
    return spec


def _keyword(token: str, words: tuple[str, ...]) -> str | None:
    """The rest of the token after a keyword ("截止周五" -> "周五"), or None when it is not one."""
    for word in words:
        if token.startswith(word):
            return token[len(word):].lstrip(":：")
    return None


def _flag(spec: PollSpec, token: str) -> bool:
    """Apply the token to the spec if it is a flag; False when it is not one."""
    token = unicodedata.normalize("NFKC", token)
    for words, attribute, value in _FLAGS:
        if token in words:
            setattr(spec, attribute, value)
            return True
    match = _AT_MOST.match(token)
    if match is None:
        return False
    spec.multi = True
    spec.max_choices = int(cn2an.cn2an(match.group(1), "smart"))
    return True


def _question_and_options(spec: PollSpec, head: list[str]) -> None:
    marked = [i for i, token in enumerate(head) if "/" in token]
    if not marked:
        raise UsageError("至少要有 2 个选项，请用“/”分隔，例如：灰色/米黄色/白色。")
    if len(marked) > 1:
        raise UsageError("选项请写在一起，用“/”分隔，选项里不要有空格。")
    at = marked[0]
    words, listed = head[:at], head[at]
    glued = _GLUED_QUESTION.match(listed)
    if not words and glued:  # 外墙刷什么颜色？灰色/米黄色/白色
        words, listed = [glued.group(1)], glued.group(2)
    spec.question = " ".join(words)
    spec.options = [label.strip() for label in listed.split("/")]
    trailing = head[at + 1:]
    if trailing:
        if spec.deadline is not None:
            raise UsageError(f"没看懂“{' '.join(trailing)}”。截止时间请写在“截止”后面。")
        spec.deadline = " ".join(trailing)
    check_options(spec.options)


def check_options(options: list[str]) -> None:
    """Between 2 and 20 options, none empty, none too long, no two the same."""
    if any(not label for label in options):
        raise UsageError("有空的选项，请检查“/”之间是否都写了内容。")
    if len(options) < MIN_OPTIONS:
        raise UsageError(f"至少要有 {MIN_OPTIONS} 个选项。")
    if len(options) > MAX_OPTIONS:
        raise UsageError(f"选项太多了（{len(options)} 个），最多 {MAX_OPTIONS} 个。")
    seen: set[str] = set()
    for label in options:
        if len(label) > MAX_LABEL:
            raise UsageError(f"选项“{label[:10]}…”太长了，每个选项最多 {MAX_LABEL} 字。")
        key = label.casefold()
        if key in seen:
            raise UsageError(f"选项“{label}”重复了，每个选项只能写一次。")
        seen.add(key)
