"""Tickets leaving the bot: the JSON export, the 问题清单 sheet, and a whole lifecycle through `cocreate replay`."""
from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from bot.export import export_tables, write_xlsx
from handlers.tickets.exports import TABLE_HEADERS
from tests.support.testbot import DATA
from tests.test_cli import cocreate

KEYS = {"number", "status", "category", "building", "unit", "room", "urgency", "reporter", "chat", "supporters",
        "assignee", "rating", "created_at", "history"}


def lifecycle(bot) -> None:
    bot.say("b3", "zhang", "#报事 3栋2单元楼道灯坏了好几天 我电话13912345678")
    bot.say("b3", "li", "#附议 1")
    bot.say("lead", "gl1", "#受理 1")
    bot.say("lead", "gl1", "#指派 1 @陈楼长", mentions=("bl3",))
    bot.say("lead", "gl1", "#办结 1 换了声控灯")
    bot.say("b3", "zhang", "#评价 1 5")
    bot.say("b5", "zhao", "#匿名报事 5栋楼下垃圾没人收 臭死了")


def test_the_json_export_has_exactly_the_documented_keys(testbot):
    lifecycle(testbot)
    first, second = testbot.export()["tickets"]
    assert set(first) == KEYS and set(second) == KEYS
    assert {k: first[k] for k in KEYS - {"history", "created_at"}} == {
        "number": 1, "status": "rated", "category": "设施维修", "building": "3", "unit": "2", "room": None,
        "urgency": "normal", "reporter": "zhang", "chat": "b3", "supporters": ["li"], "assignee": "bl3", "rating": 5,
    }
    assert first["created_at"] == "2026-11-23T09:01:00+08:00"
    assert set(first["history"][0]) == {"at", "by", "action", "from", "to", "note"}
    assert [h["to"] for h in first["history"]] == [
        "pending", "pending", "accepted", "in_progress", "resolved", "rated"
    ]
    # The office export names the anonymous reporter; only group chats do not.
    assert (second["reporter"], second["status"], second["assignee"]) == ("zhao", "pending", None)


def test_the_xlsx_sheet_has_one_row_per_ticket_with_every_field(testbot, tmp_path):
    lifecycle(testbot)
    with testbot.session() as session:
        tables = export_tables(session, registry=testbot.runtime.registry, tz=testbot.settings.tz)
    write_xlsx(tmp_path / "问题清单.xlsx", tables)
    sheet = load_workbook(tmp_path / "问题清单.xlsx")["问题清单"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert list(header) == TABLE_HEADERS and len(rows) == 2
    row = dict(zip(header, rows[0]))
    assert {k: row[k] for k in ("社区", "编号", "状态", "分类", "紧急", "楼栋", "单元", "网格", "报事人", "匿名", "来源群",
                                "附议人数", "附议人", "指派给", "评分", "报事时间")} == {
        "社区": "hexie", "编号": 1, "状态": "已评价", "分类": "设施维修", "紧急": "否", "楼栋": "3", "单元": "2",
        "网格": "g1", "报事人": "张阿姨", "匿名": "否", "来源群": "b3", "附议人数": 1, "附议人": "李师傅",
        "指派给": "陈楼长", "评分": 5, "报事时间": "2026-11-23 09:01",
    }
    assert row["内容"] == "3栋2单元楼道灯坏了好几天 我电话13912345678"
    assert row["经过"].splitlines()[2] == "2026-11-23 09:03 刘网格长 受理（待受理→已受理）"
    second = dict(zip(header, rows[1]))
    assert (second["匿名"], second["状态"], second["评分"]) == ("是", "待受理", None)


def line(at: str, chat: str, sender: str, text: str, **extra) -> str:
    return json.dumps({"at": f"2026-11-{at}+08:00", "chat": chat, "sender": sender, "text": text, **extra},
                      ensure_ascii=False)


def test_a_lifecycle_replayed_through_the_command_line_with_overdue_reminders(tmp_path, db_url):
    scenario = tmp_path / "tickets.jsonl"
    scenario.write_text("\n".join([
        line("23T09:00:00", "b3", "zhang", "#报事 3栋2单元楼道灯坏了"),
        line("23T09:02:00", "b3", "li", "+1", reply_to="bot-1"),
        line("23T09:05:00", "lead", "gl1", "1"),
        line("23T09:10:00", "lead", "gl1", "#指派 1 @陈楼长", mentions=["bl3"]),
        line("23T09:20:00", "b5", "zhao", "#报事 5栋楼下垃圾没人收 臭死了"),
        line("23T09:30:00", "b3", "bl3", "#进展 1 已联系电工"),
        line("24T10:30:00", "lead", "gl1", "#办结 1 换了声控灯"),
        line("24T10:35:00", "b3", "zhang", "5"),
    ]) + "\n", encoding="utf-8")
    config = str(DATA / "community.yaml")
    result = cocreate("replay", str(scenario), "--config", config, "--db", db_url,
                      "--until", "2026-11-26T12:00:00+08:00")
    assert result.returncode == 0, result.stderr
    out = [json.loads(x) for x in result.stdout.splitlines()]
    said = [(o["at"][8:16], o["chat"], o["mentions"], o["text"].split("\n")[0]) for o in out]
    assert ("23T09:02", "b3", [], "已附议 #1（共 1 人附议），有进展会在本群告诉您。") in said
    assert ("23T09:05", "b3", ["zhang", "li"], "@张阿姨 @李师傅 #1【设施维修】3栋2单元楼道灯坏了") in said
    assert ("24T10:00", "lead", ["gl1"], "@刘网格长 ⏰ 这些报事超过 24 小时还没有受理：") in said
    assert ("26T10:00", "lead", ["staff1"], "@杨书记 ⚠️ 这些报事超过 72 小时还没有受理，请社区工作者督办：") in said
    assert [s for s in said if s[0] >= "24T10:35"][0] == ("24T10:35", "b3", [], "谢谢您的评价！#1 得 5 分（非常满意）。")
    assert sum("#1" in o["text"] and "没有受理" in o["text"] for o in out) == 0

    exported = json.loads(cocreate("export", "--config", config, "--db", db_url).stdout)["tickets"]
    assert [(t["number"], t["status"], t["supporters"], t["rating"]) for t in exported] == [
        (1, "rated", ["li"], 5), (2, "pending", [], None)
    ]
    assert [h["action"] for h in exported[1]["history"]] == ["report", "remind", "escalate"]

    table = cocreate("export", "--format", "csv", "--config", config, "--db", db_url)
    assert table.returncode == 0, table.stderr
    rows = list(csv.reader(io.StringIO(table.stdout)))
    assert rows[0] == TABLE_HEADERS and [r[1] for r in rows[1:]] == ["1", "2"]
    xlsx = tmp_path / "问题清单.xlsx"
    assert cocreate("export", "--format", "xlsx", "--out", str(xlsx), "--config", config, "--db", db_url).returncode == 0
    assert {"问题清单", "住户名册"} <= set(load_workbook(xlsx).sheetnames)
