"""Every privileged command against every role and scope: only the allowed ones change anything.

The scene is building 5 (grid 1): its tickets, a binding request, passed decisions, a
proposal, a resident's points entry, two pending claims and a redemption. Acting on it: staff, the grid leader of grid 1 (in scope) and of grid 2 (not), the
building leader of building 5 (in scope) and of building 3 (not), a resident of building 5,
and a resident who renamed themselves "网格长" (identity is the platform id, never the name).
"""
from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest

from bot.features import build_registry
from bot.router import ALL_ROLES
from tests.reliability.state import snapshot
from tests.support.testbot import TestBot
from tests.test_polls import poll_settings

# actor -> (sender id, display name sent with the message)
ACTORS = {
    "staff": ("staff1", "杨书记"),
    "grid1_leader": ("gl1", "刘网格长"),
    "grid2_leader": ("gl2", "马网格长"),
    "building5_leader": ("bl5", "王楼长"),
    "building3_leader": ("bl3", "陈楼长"),
    "resident5": ("zhao", "赵大爷"),
    "resident_named_grid_leader": ("zhang", "网格长"),
    "resident_named_staff": ("li", "杨书记"),
}
BUILDING_5 = {"staff", "grid1_leader", "building5_leader"}
GRID_1 = {"staff", "grid1_leader"}
# command -> (text sent in the 5栋 chat, who may do it)
CASES = {
    "批准绑定": ("#批准绑定 1", BUILDING_5),
    "驳回绑定": ("#驳回绑定 1 该户登记的住户不是您", BUILDING_5),
    "自动登记": ("#自动登记 关", {"staff"}),
    "受理": ("#受理 1", GRID_1),
    "指派": ("#指派 2 环境治理", GRID_1),
    "办结": ("#办结 2 已修好", GRID_1),
    "驳回": ("#驳回 1 属于业主家中设施", GRID_1),
    "重复": ("#重复 3 1", GRID_1),
    "投票": ("#投票 5栋装什么灯？ 声控灯/感应灯 截止 周五18:00 范围 5栋", BUILDING_5),
    "多选": ("#多选 最多2项 5栋周末活动？ 包饺子/义诊/电影 截止 周五18:00 范围 5栋", BUILDING_5),
    "户投票": ("#户投票 5栋是否加装电梯？ 同意/反对 截止 周五18:00 范围 5栋", BUILDING_5),
    "表决": ("#表决 5栋每户出资30元修车棚 截止 周五18:00 范围 5栋", BUILDING_5),
    "收费": ("#收费 2 每户30元 修车棚", BUILDING_5),
    "缴费": ("#缴费 5-1-101", BUILDING_5),
    "转投票": ("#转投票 1 截止 周五18:00", GRID_1),
    "积分": ("#积分 @赵大爷 志愿服务 1小时", BUILDING_5),
    "撤销积分": ("#撤销积分 {entry} 记错了", BUILDING_5),
    "批准": ("#批准 {claim}", BUILDING_5),
    "驳回积分": ("#驳回积分 {other_claim} 当天没有活动", BUILDING_5),
    "发放": ("#发放 {redemption}", {"staff"}),
}
# Members @mentioned by a command's text (the platform sends them with the message).
MENTIONS = {"积分": ("zhao",)}
# Privileged commands that only show things: refused to residents, and out of scope they show
# nothing of building 5.
READ_ONLY = {"待审核": "#待审核", "未投票": "#未投票 1", "待审积分": "#待审积分", "积分核对": "#积分核对"}
# What each read-only command shows those in scope and must not show anyone else.
SHOWN_IN_SCOPE = {"待审核": "5-1-102", "待审积分": "赵大爷"}
SCENE = [
    ("b5", "zhao", "#报事 5栋楼下消防通道被车堵了"),
    ("b5", "zhao", "#报事 5栋电梯坏了 停在6楼不动"),
    ("b5", "zhao", "#报事 5栋楼下消防通道又被车堵了"),
    ("lead", "staff1", "#受理 2"),
    ("b5", "newbie", "#绑定 5-1-102"),
    ("b5", "bl5", "#表决 5栋每户出资50元安装监控 截止 周二18:00 范围 5栋"),
    ("b5", "bl5", "#表决 5栋每户出资30元修车棚 截止 周二18:00 范围 5栋"),
    ("b5", "zhao", "投 1 #1"),
    ("b5", "r51102", "投 1 #1"),
    ("b5", "zhao", "投 1 #2"),
    ("b5", "r51102", "投 1 #2"),
    ("b5", "zhao", "#提议 在5栋门口加装晾衣架"),
    ("b5", "r51102", "#支持 1"),
]
# (chat, sender, text, mentions, the number the reply gives it); after the decisions closed.
POINTS_SCENE = [
    ("b5", "bl5", "#积分 @赵大爷 志愿服务 2小时", ("zhao",), ("entry", r"记录 #(\d+)")),
    ("b5", "zhao", "#兑换 卫生纸", (), ("redemption", r"兑换单 #(\d+)")),
    ("b5", "zhao", "#申请积分 志愿服务 1小时", (), ("claim", r"积分申请 #(\d+)")),
    ("b5", "zhao", "#申请积分 大扫除", (), ("other_claim", r"积分申请 #(\d+)")),
]
# What a command may write even when refused or answering: its reply, and its message id claimed.
ANSWER_TABLES = {"outbox", "processed_message"}


def scene_settings(folder):
    settings = poll_settings(folder)
    return settings.model_copy(update={"points": {"rewards": [{"name": "卫生纸", "cost": 10, "stock": 5}]}})


def privileged() -> set[str]:
    registry = build_registry()
    return {c.name for c in registry.commands.values() if c.roles != ALL_ROLES}


@pytest.fixture(scope="module")
def scene(tmp_path_factory, sqlite_template):
    """A migrated SQLite file with the scene played on it, and the moment it ended."""
    folder = tmp_path_factory.mktemp("scene")
    bot = TestBot(database_url=sqlite_template.fresh(folder), settings=scene_settings(folder))
    for chat, sender, text in SCENE:
        bot.say(chat, sender, text)
    bot.advance(timedelta(days=2))  # both decisions close, passed
    bot.say("b5", "bl5", "#收费 1 每户50元 安装监控")
    numbers = {}
    for chat, sender, text, mentions, (name, pattern) in POINTS_SCENE:
        reply = bot.say(chat, sender, text, mentions=mentions)[0].text
        found = re.search(pattern, reply)
        assert found, (text, reply)
        numbers[name] = found.group(1)
    at = bot.now
    bot.close()
    return folder / "test.db", at, numbers


def bot_on(scene, tmp_path, name: str) -> TestBot:
    path, at, _ = scene
    copy = tmp_path / f"{name}.db"
    shutil.copyfile(path, copy)
    return TestBot(database_url=f"sqlite:///{copy}", settings=scene_settings(tmp_path), start=at)


def state(bot: TestBot) -> dict:
    """The snapshot, with display names left out: the bot mirrors whatever name people give themselves."""
    tables = snapshot(bot.runtime.engine)
    tables["member"] = [tuple(kv for kv in row if kv[0] != "display_name") for row in tables["member"]]
    return tables


def changed(bot: TestBot, act) -> tuple[list[str], list]:
    before = state(bot)
    sent = act()
    after = state(bot)
    return [t for t in before if t not in ANSWER_TABLES and before[t] != after[t]], sent


def test_every_privileged_command_is_in_the_table():
    assert privileged() == set(CASES) | set(READ_ONLY)


@pytest.mark.parametrize("command", sorted(CASES))
def test_only_the_allowed_change_anything(scene, tmp_path, command):
    text, allowed = CASES[command]
    text, mentions = text.format(**scene[2]), MENTIONS.get(command, ())
    bot = bot_on(scene, tmp_path, "refused")
    for actor in sorted(set(ACTORS) - allowed):
        sender, name = ACTORS[actor]
        tables, sent = changed(bot, lambda: bot.say("b5", sender, text, name=name, mentions=mentions))
        assert tables == [], f"{actor} changed {tables} with {text}: {[s.text for s in sent]}"
        assert sent and any(word in sent[0].text for word in ("只有", "不在", "只能")), (actor, sent[0].text)
    bot.close()
    for actor in sorted(allowed):
        sender, name = ACTORS[actor]
        bot = bot_on(scene, tmp_path, actor)
        tables, sent = changed(bot, lambda: bot.say("b5", sender, text, name=name, mentions=mentions))
        assert tables, f"{actor} was allowed but changed nothing with {text}: {[s.text for s in sent]}"
        bot.close()


@pytest.mark.parametrize("command", sorted(READ_ONLY))
def test_what_only_leaders_may_see_stays_in_their_scope(scene, tmp_path, command):
    bot = bot_on(scene, tmp_path, "reader")
    shown = {}
    for actor, (sender, name) in ACTORS.items():
        sent = bot.say("b5", sender, READ_ONLY[command], name=name)
        shown[actor] = "\n".join(s.text for s in sent)
    bot.close()
    for actor in ("resident5", "resident_named_grid_leader", "resident_named_staff"):
        assert "只有" in shown[actor], (actor, shown[actor])
    for actor in ("grid2_leader", "building3_leader"):
        assert "5-1-10" not in shown[actor] and "newbie" not in shown[actor], (actor, shown[actor])
    secret = SHOWN_IN_SCOPE.get(command)
    if secret is not None:
        for actor in ("staff", "grid1_leader", "building5_leader"):
            assert secret in shown[actor], (actor, shown[actor])
        for actor in set(ACTORS) - {"staff", "grid1_leader", "building5_leader"}:
            assert secret not in shown[actor], (actor, shown[actor])
