"""A week of traffic in the test community: tickets, votes, reminders, check-ins and points."""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks.traffic import CHITCHAT, REPORTS

START = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # a Monday
WEEK = timedelta(days=6, hours=12)
RESIDENT_CHATS = ["all", "b3", "b5", "b8"]
LEADERS = {"gl1": "刘网格长", "gl2": "马网格长", "staff1": "杨书记", "bl3": "陈楼长", "bl5": "王楼长"}
# Phone and ID-card numbers as residents type them: none may reach a chat unmasked.
PERSONAL = ["我电话13912345678", "联系 139 1234 5678", "手机：138-0013-8000", "身份证420102199003071234",
            "身份证号码 11010119900307123X", "电话１３９１２３４５６７８"]
OPENING = [
    ("all", "staff1", "#投票 外墙刷什么颜色？ 灰色/米黄色/白色 截止 周日18:00"),
    ("b5", "bl5", "#多选 最多2项 周末活动选哪些？ 包饺子/义诊/电影 截止 周六20:00"),
    ("b3", "bl3", "#提醒 每天早上8点 倒垃圾分类 签到2小时"),
    ("lead", "staff1", "#提醒 周三下午3点 骨干碰头会"),
]


def messages(n: int, *, seed: int = 5) -> list[dict]:
    """``n`` scenario lines (replay format, each with a unique id), spread over most of a week."""
    rng = random.Random(seed)
    step = WEEK / n
    residents = [f"r{i}" for i in range(120)] + ["zhang", "li", "zhao"]
    counts = {"tickets": 0, "claims": 0}
    lines = []
    for i in range(n):
        mentions: list[str] = []
        if i < len(OPENING):
            chat, sender, text = OPENING[i]
        else:
            chat, sender, text, mentions = _one(rng, residents, counts)
        name = LEADERS.get(sender) or {"zhang": "张阿姨", "li": "李师傅", "zhao": "赵大爷"}.get(sender, f"居民{sender}")
        line = {"at": (START + step * i).isoformat(), "chat": chat, "sender": sender, "name": name,
                "text": text, "id": f"m{i}"}
        if mentions:
            line["mentions"] = mentions
        lines.append(line)
    return lines


def _one(rng: random.Random, residents: list[str], counts: dict[str, int]) -> tuple[str, str, str, list[str]]:
    roll = rng.random()
    tickets = counts["tickets"]
    resident = rng.choice(residents)
    chat = rng.choice(RESIDENT_CHATS)
    if roll < 0.30:
        return "all", resident, f"投 {rng.randint(1, 3)}", []
    if roll < 0.36:
        return "b5", resident, f"投 {rng.randint(1, 3)}", []
    if roll < 0.48:
        text = f"#报事 {rng.choice(REPORTS)}" if rng.random() < 0.6 else rng.choice(REPORTS)
        if rng.random() < 0.3:
            text += f" {rng.choice(PERSONAL)}"
        counts["tickets"] += 1 if text.startswith("#") else 0
        return chat, resident, text, []
    if roll < 0.58 and tickets:
        number = rng.randint(1, tickets)
        verb = rng.choice(["#受理 {n}", "#进展 {n} 已联系物业", "#办结 {n} 已处理好", "#附议 {n}", "#评价 {n} 5"])
        sender = resident if verb.startswith(("#附议", "#评价")) else rng.choice(["gl1", "gl2", "staff1"])
        return ("lead" if sender != resident else chat), sender, verb.format(n=number), []
    if roll < 0.63:
        return "b3", rng.choice(["zhang", "li", "bl3", resident]), "签到", []
    if roll < 0.66:
        hour = rng.randint(9, 20)
        return chat, resident, f"#提醒 明天{hour}点 去社区领{rng.choice(['口罩', '对联', '米面油'])}", []
    if roll < 0.70:
        return chat, resident, rng.choice(["#帮助", "#我的信息", "#问题清单", "#我的报事", "#投票结果", "#帮组"]), []
    if roll < 0.72:
        return chat, resident, rng.choice(["1", "2"]), []
    if roll < 0.74:
        return chat, resident, f"{rng.choice(['#', '＃', '#提醒 ', '#工单 ', '#提议 '])}{rng.choice(PERSONAL)}", []
    if roll < 0.79:
        return _points(rng, counts)
    return chat, resident, rng.choice(CHITCHAT), []


def _points(rng: random.Random, counts: dict[str, int]) -> tuple[str, str, str, list[str]]:
    """A claim, a leader's decision on one, or a leader's award (within or outside their scope)."""
    roll = rng.random()
    if roll < 0.4 or not counts["claims"]:
        counts["claims"] += 1
        claim = rng.choice(["大扫除", "志愿服务 1小时", "志愿服务 2小时 帮邻居搬东西", "遛狗"])
        return "b3", rng.choice(["zhang", "li", "bl3"]), f"#申请积分 {claim}", []
    if roll < 0.75:
        verb = rng.choice(["#批准 {n}", "#批准 {n}", "#驳回积分 {n} 当天没有活动"])
        return "lead", rng.choice(["bl3", "gl1", "zhang"]), verb.format(n=rng.randint(1, counts["claims"])), []
    member, name = rng.choice([("zhang", "张阿姨"), ("li", "李师傅"), ("zhao", "赵大爷")])
    return "b3", rng.choice(["bl3", "staff1"]), f"#积分 @{name} +5 大扫除", [member]


def write(lines: list[dict], path: Path) -> Path:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path
