"""Points through the chats: awards, claims and approval, caps, reversals, the balance check,
redemption, rankings, privacy, automatic points and the weekly summary in simulated time."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image as PILImage
from sqlmodel import select, update

from bot.config import load_settings
from storage.models.points import PointBalance, PointEntry
from tests.support.testbot import DATA, TestBot, only, texts

SUNDAY_20 = datetime.fromisoformat("2026-11-29T20:00:00+08:00")


def points_settings(tmp_path, **points):
    settings = load_settings(DATA / "community.yaml").model_copy(deep=True)
    section = {
        "rules": [
            {"name": "参加大扫除", "points": 5, "aliases": ["大扫除"], "daily_cap": 10},
            {"name": "志愿服务", "points": 10, "unit": "小时", "weekly_cap": 40},
            {"name": "报事被受理", "points": 2},
            {"name": "参与投票", "points": 1, "daily_cap": 2},
        ],
        "rewards": [{"name": "卫生纸", "cost": 10, "stock": 2}, {"name": "洗衣液", "cost": 50, "stock": 5}],
        **points,
    }
    return settings.model_copy(update={"data_dir": tmp_path, "points": section})


@pytest.fixture
def bot(db_url, tmp_path):
    testbot = TestBot(database_url=db_url, settings=points_settings(tmp_path))
    yield testbot
    testbot.close()


def ledger(bot) -> list[dict]:
    return bot.export()["points"]["ledger"]


def balance(bot, member: str) -> int:
    return next((b["balance"] for b in bot.export()["points"]["balances"] if b["member"] == member), 0)


# -- awards ------------------------------------------------------------------------------------


def test_a_building_leader_awards_points_in_their_building_and_the_ledger_records_who_and_why(bot):
    reply = only(bot.say("b3", "bl3", "#积分 @张阿姨 +5 大扫除 打扫楼道", mentions=("zhang",)))
    assert "已给 张阿姨 记 +5 分（参加大扫除，记录 #1），现有 5 分。" in reply.text
    assert reply.mentions == ("zhang",)
    [entry] = ledger(bot)
    assert entry["member"] == "zhang" and entry["amount"] == 5 and entry["rule"] == "参加大扫除"
    assert entry["reason"] == "打扫楼道" and entry["approved_by"] == "bl3" and entry["at"].startswith("2026-11-23T09:01")
    assert bot.export()["points"]["balances"] == [
        {"member": "zhang", "name": "张阿姨", "building": "3", "balance": 5}]


def test_leaders_award_only_within_their_scope_and_never_themselves(bot):
    assert "只有赵大爷所在楼栋的楼栋长" in only(bot.say("b5", "bl3", "#积分 @赵大爷 大扫除", mentions=("zhao",))).text
    assert "只有" in only(bot.say("b5", "gl2", "#积分 @赵大爷 大扫除", mentions=("zhao",))).text
    assert "不能给自己记积分" in only(bot.say("b3", "bl3", "#积分 @陈楼长 大扫除", mentions=("bl3",))).text
    assert "+5" in only(bot.say("b5", "gl1", "#积分 @赵大爷 大扫除", mentions=("zhao",))).text
    assert "+5" in only(bot.say("all", "staff1", "#积分 @陈楼长 大扫除", mentions=("bl3",))).text
    assert [(e["member"], e["approved_by"]) for e in ledger(bot)] == [("zhao", "gl1"), ("bl3", "staff1")]


def test_residents_cannot_award_and_unknown_rules_are_refused_with_the_list(bot):
    assert "楼栋长" in only(bot.say("b3", "li", "#积分 @张阿姨 +5 大扫除", mentions=("zhang",))).text
    refused = only(bot.say("b3", "bl3", "#积分 @张阿姨 +5 遛狗", mentions=("zhang",))).text
    assert "没有“遛狗”这条积分规则" in refused and "参加大扫除 +5、志愿服务 +10/小时" in refused
    assert "用法：#积分" in refused
    assert "最多记 5 分" in only(bot.say("b3", "bl3", "#积分 @张阿姨 +8 大扫除", mentions=("zhang",))).text
    assert "#撤销积分" in only(bot.say("b3", "bl3", "#积分 @张阿姨 -5 大扫除", mentions=("zhang",))).text
    assert ledger(bot) == []


def test_per_hour_rules_need_the_hours_and_count_them(bot):
    assert "按小时计分" in only(bot.say("b3", "bl3", "#积分 @张阿姨 志愿服务", mentions=("zhang",))).text
    assert "+20 分" in only(bot.say("b3", "bl3", "#积分 @张阿姨 志愿服务 2小时", mentions=("zhang",))).text


def test_daily_and_weekly_caps_are_enforced_and_reset(bot):
    for _ in range(2):
        bot.say("b3", "bl3", "#积分 @张阿姨 大扫除", mentions=("zhang",))
    refused = only(bot.say("b3", "bl3", "#积分 @张阿姨 大扫除", mentions=("zhang",))).text
    assert "已到上限，现在最多还能记 0 分" in refused
    bot.advance(timedelta(days=1))
    assert "+5" in only(bot.say("b3", "bl3", "#积分 @张阿姨 大扫除", mentions=("zhang",))).text
    assert "+30" in only(bot.say("b3", "bl3", "#积分 @张阿姨 志愿服务 3小时", mentions=("zhang",))).text
    assert "最多还能记 10 分" in only(bot.say("b3", "bl3", "#积分 @张阿姨 志愿服务 2小时", mentions=("zhang",))).text
    bot.advance(to=datetime.fromisoformat("2026-11-30T09:00:00+08:00"))  # the next Monday
    assert "+20" in only(bot.say("b3", "bl3", "#积分 @张阿姨 志愿服务 2小时", mentions=("zhang",))).text
    assert balance(bot, "zhang") == 10 + 5 + 30 + 20


# -- claims ------------------------------------------------------------------------------------


def test_a_claim_waits_for_the_building_leader_who_approves_it_by_command(bot):
    sent = bot.say("b3", "zhang", "#申请积分 志愿服务 2小时 帮邻居搬东西")
    assert texts(sent)[0] == "已提交积分申请 #1（志愿服务 2小时 +20 分），等楼栋长审核。"
    ask = sent[1]
    assert ask.chat == "lead" and ask.mentions == ("bl3",) and "张阿姨 志愿服务 2小时 +20 分（帮邻居搬东西）" in ask.text
    assert [c.action for c in ask.outgoing.choices] == ["points.approve:1", "points.reject:1"]
    assert ledger(bot) == []
    done = bot.say("lead", "bl3", "#批准 1")
    assert "积分申请 #1 已批准：张阿姨 +20 分（志愿服务），现有 20 分。" in done[0].text
    assert done[1].chat == "b3" and done[1].mentions == ("zhang",)
    assert [(e["member"], e["amount"], e["approved_by"]) for e in ledger(bot)] == [("zhang", 20, "bl3")]
    assert "已经批准了" in only(bot.say("lead", "gl1", "#批准 1")).text


def test_a_claim_is_rejected_with_a_reason_by_button_or_command_and_nothing_is_recorded(bot):
    bot.say("b3", "zhang", "#申请积分 大扫除")
    bot.say("b3", "li", "#申请积分 大扫除")
    assert "被驳回：未说明原因" in bot.press("lead", "bl3", "points.reject:1")[0].text
    sent = bot.say("lead", "gl1", "#驳回积分 2 当天没有活动")
    assert "积分申请 #2（参加大扫除 +5 分）被驳回：当天没有活动" in sent[0].text and sent[1].chat == "b3"
    assert ledger(bot) == []


def test_no_one_approves_their_own_claim_and_residents_cannot_approve(bot):
    bot.say("b3", "bl3", "#申请积分 大扫除")
    assert "不能给自己批准积分" in only(bot.say("lead", "bl3", "#批准 1")).text
    assert "楼栋长" in only(bot.press("lead", "zhang", "points.approve:1")).text
    assert "+5" in bot.press("lead", "gl1", "points.approve:1")[0].text
    assert [(e["member"], e["approved_by"]) for e in ledger(bot)] == [("bl3", "gl1")]


# -- corrections and the balance check ---------------------------------------------------------


def test_a_reversal_appends_the_opposite_and_keeps_the_original(bot):
    bot.say("b3", "bl3", "#积分 @张阿姨 +5 大扫除", mentions=("zhang",))
    reply = only(bot.say("b3", "bl3", "#撤销积分 1 重复记了")).text
    assert "已撤销积分记录 #1（张阿姨 -5 分，更正记录 #2），现有 0 分。" == reply
    assert [(e["amount"], e["reason"]) for e in ledger(bot)] == [(5, "参加大扫除"), (-5, "重复记了")]
    assert "已经撤销过了" in only(bot.say("b3", "gl1", "#撤销积分 1 再撤")).text
    assert "本身就是一条更正" in only(bot.say("b3", "gl1", "#撤销积分 2 撤更正")).text
    assert "没有积分记录 #9" in only(bot.say("b3", "bl3", "#撤销积分 9 x")).text
    assert balance(bot, "zhang") == 0


def test_the_balance_check_proves_the_cache_equals_the_ledger_and_catches_a_tampered_row(bot):
    bot.say("b3", "bl3", "#积分 @张阿姨 +5 大扫除", mentions=("zhang",))
    bot.say("b3", "bl3", "#积分 @李师傅 志愿服务 1小时", mentions=("li",))
    assert only(bot.say("lead", "staff1", "#积分核对")).text == "积分核对无误：每个人的余额都等于积分明细之和。"
    with bot.session() as s:
        s.exec(update(PointBalance).where(PointBalance.balance == 10).values(balance=99))
    assert "李师傅：余额 99，明细合计 10" in only(bot.say("lead", "staff1", "#积分核对")).text


def test_entries_are_never_updated_or_deleted_only_appended(bot):
    bot.say("b3", "bl3", "#积分 @张阿姨 +5 大扫除", mentions=("zhang",))
    with bot.session() as s:
        before = [tuple(e.model_dump().values()) for e in s.exec(select(PointEntry))]
    bot.say("b3", "bl3", "#撤销积分 1 记错")
    bot.say("b3", "zhang", "#兑换 卫生纸")
    with bot.session() as s:
        after = [tuple(e.model_dump().values()) for e in s.exec(select(PointEntry).order_by(PointEntry.id))]
    assert after[:1] == before and len(after) == 2


# -- automatic points --------------------------------------------------------------------------


def test_votes_and_accepted_tickets_earn_points_once_per_source_under_the_caps(bot):
    for n in range(3):
        bot.say("b3", "bl3", f"#投票 问题{n} 好/不好 截止 周五18:00")
    for n in range(1, 4):
        bot.say("b3", "zhang", f"投 1 #{n}")
    bot.say("b3", "zhang", "投 2 #1")  # changing a vote earns nothing more
    bot.say("b3", "li", "#报事 3栋2单元楼道灯坏了")
    bot.say("lead", "gl1", "#受理 1")
    rows = [(e["member"], e["amount"], e["rule"]) for e in ledger(bot)]
    assert rows == [("zhang", 1, "参与投票"), ("zhang", 1, "参与投票"), ("li", 2, "报事被受理")]


def test_a_check_in_earns_the_clean_up_rule_silently(bot):
    bot.say("lead", "staff1", "#提醒 明天早上8点 卫生大扫除 签到2小时 发到 3栋群")
    bot.advance(to=datetime.fromisoformat("2026-11-24T08:01:00+08:00"))
    reply = only(bot.say("b3", "zhang", "签到"))
    assert "签到成功" in reply.text
    assert [(e["member"], e["amount"], e["approved_by"]) for e in ledger(bot)] == [("zhang", 5, None)]


# -- views -------------------------------------------------------------------------------------


def test_my_points_shows_balance_week_rank_household_and_last_entries(bot):
    bot.say("b3", "bl3", "#积分 @张阿姨 志愿服务 1小时", mentions=("zhang",))
    bot.say("b3", "bl3", "#积分 @李师傅 大扫除", mentions=("li",))
    text = only(bot.say("b3", "zhang", "#我的积分")).text
    assert "张阿姨 的积分：现有 10 分" in text and "本周 +10 分，本周排第 1 名" in text
    assert "本户合计 10 分" in text and "+10 志愿服务" in text


def test_rankings_show_names_with_buildings_or_only_the_building_when_chosen(bot):
    bot.say("b3", "bl3", "#积分 @张阿姨 志愿服务 1小时", mentions=("zhang",))
    bot.say("b3", "bl3", "#积分 @李师傅 大扫除", mentions=("li",))
    bot.say("b5", "bl5", "#积分 @赵大爷 大扫除", mentions=("zhao",))
    board = only(bot.say("all", "zhao", "#积分榜")).text
    assert "1. 张阿姨（3栋） 10 分\n2. 李师傅（3栋） 5 分\n3. 赵大爷（5栋） 5 分" in board
    assert "1. 3栋 户均 3.8 分（4 户共 15 分）" in board and "2. 5栋 户均 2.5 分（2 户共 5 分）" in board
    assert "好的" in only(bot.say("b3", "zhang", "#积分隐私 开")).text
    board = only(bot.say("b3", "li", "#积分榜 本季")).text
    assert "1. 3栋居民 10 分\n2. 李师傅（3栋） 5 分" in board and "赵大爷" not in board
    assert "最美楼栋：本楼户均 3.8 分（4 户共 15 分），在 4 栋楼中排第 1。" in board
    assert "🏅 3栋居民 10 分" in only(bot.say("all", "li", "#光荣榜")).text


# -- rewards -----------------------------------------------------------------------------------


def test_redeeming_debits_points_and_stock_together_and_refuses_cleanly(bot):
    bot.say("b3", "bl3", "#积分 @张阿姨 志愿服务 2小时", mentions=("zhang",))
    assert "卫生纸 10 分（剩 2）" in only(bot.say("b3", "zhang", "#奖品")).text
    assert "兑换成功（兑换单 #1）：卫生纸，扣 10 分，还剩 10 分" in only(bot.say("b3", "zhang", "#兑换 卫生纸")).text
    assert "积分不够：洗衣液 要 50 分，您现有 10 分。" == only(bot.say("b3", "zhang", "#兑换 洗衣液")).text
    bot.say("b3", "zhang", "#兑换 卫生纸")
    bot.say("b3", "bl3", "#积分 @张阿姨 志愿服务 2小时", mentions=("zhang",))
    assert "卫生纸 已经兑完了，积分没有扣" in only(bot.say("b3", "zhang", "#兑换 卫生纸")).text
    assert "没有“肥皂”这个奖品" in only(bot.say("b3", "zhang", "#兑换 肥皂")).text
    assert balance(bot, "zhang") == 20
    assert [e["amount"] for e in ledger(bot)] == [20, -10, -10, 20]
    assert "只有社区工作者" in only(bot.say("b3", "zhang", "#奖品 肥皂 5分 库存3")).text
    assert "已上架 肥皂：5 分，库存 3" in only(bot.say("lead", "staff1", "#奖品 肥皂 5分 库存3")).text
    assert "兑换单 #1 已发放：张阿姨 的 卫生纸" in only(bot.say("lead", "staff1", "#发放 1")).text
    assert "已经发放过了" in only(bot.say("lead", "staff1", "#发放 1")).text


# -- the weekly summary ------------------------------------------------------------------------


def test_the_weekly_summary_goes_to_each_chat_for_its_scope_with_a_chart_on_sunday_evening(bot):
    bot.say("b3", "bl3", "#积分 @张阿姨 志愿服务 1小时", mentions=("zhang",))
    bot.say("b3", "bl3", "#积分 @李师傅 大扫除", mentions=("li",))
    bot.say("b5", "bl5", "#积分 @赵大爷 大扫除", mentions=("zhao",))
    bot.say("b3", "li", "#报事 3栋2单元楼道灯坏了")
    assert not [s for s in bot.advance(to=SUNDAY_20 - timedelta(minutes=1)) if s.outgoing.tag == "points:weekly"]
    sent = [s for s in bot.advance(to=SUNDAY_20 + timedelta(minutes=1)) if s.outgoing.tag == "points:weekly"]
    by_chat = {s.chat: s for s in sent}
    assert set(by_chat) == {"all", "b3", "b5", "b8", "grid2", "lead"}
    assert all(s.at == SUNDAY_20 for s in sent)
    whole = by_chat["all"].text
    assert whole.startswith("【本周积分】11月23日–11月29日\n本周 3 人次参加活动，3 人得分，共 20 分。")
    assert "1. 张阿姨（3栋） 10 分" in whole and "1. 3栋 户均 3.8 分" in whole
    assert "本周新报事 1 件、办结 0 件" in whole
    b5 = by_chat["b5"].text
    assert "（5栋群）" in b5 and "1. 赵大爷（5栋） 5 分" in b5 and "张阿姨" not in b5
    assert "本楼户均 2.5 分（2 户共 5 分），在 4 栋楼中排第 2" in b5
    assert "还没有人得分" in by_chat["grid2"].text and by_chat["grid2"].image is None
    image = Path(by_chat["all"].image)
    assert image.exists() and image.name == "weekly-hexie-20261123-all.png"
    with PILImage.open(image) as picture:
        assert picture.format == "PNG" and picture.size[0] > 300
    # The next Sunday's summary covers only its own week.
    bot.say("b3", "bl3", "#积分 @李师傅 大扫除", mentions=("li",), after=timedelta(days=1))
    later = [s for s in bot.advance(to=SUNDAY_20 + timedelta(days=7, minutes=1)) if s.chat == "all"
             and s.outgoing.tag == "points:weekly"]
    assert "共 5 分" in only(later).text and "11月30日–12月06日" in later[0].text


def test_the_quarterly_ranking_is_posted_on_the_first_day_of_the_quarter(db_url, tmp_path):
    start = datetime.fromisoformat("2026-12-28T09:00:00+08:00")
    bot = TestBot(database_url=db_url, settings=points_settings(tmp_path), start=start)
    bot.say("b3", "bl3", "#积分 @张阿姨 大扫除", mentions=("zhang",))
    sent = [s for s in bot.advance(to=datetime.fromisoformat("2027-01-01T09:01:00+08:00"))
            if s.outgoing.tag == "points:quarterly"]
    whole = next(s for s in sent if s.chat == "all").text
    assert whole.startswith("【2026年第4季度积分晾晒】") and "🏅 张阿姨（3栋） 5 分" in whole
    bot.close()


def test_the_demo_awards_claims_redeems_and_ends_its_week_with_the_posted_summary():
    import io

    from bot.demo import play

    out = io.StringIO()
    assert play(out) == 0
    transcript = out.getvalue()
    milestones = ["已给 张阿姨 记 +5 分（参加大扫除", "不能给自己记积分", "已提交积分申请 #1", "积分申请 #1 已批准：周姐 +20 分",
                  "被驳回：没写做了什么，请补充说明后再申请", "没有“遛狗”这条积分规则", "兑换成功（兑换单 #1）：卫生纸",
                  "积分不够：洗衣液", "兑换单 #1 已发放", "【本周积分榜】",
                  "周日 11-29 20:00 [棉花社区大群] 共建助手：【本周积分】11月23日–11月29日"]
    positions = [transcript.find(m) for m in milestones]
    assert -1 not in positions, [m for m, p in zip(milestones, positions) if p == -1]
    assert positions == sorted(positions)
    summary = transcript[positions[-1]:]
    assert "最美楼栋（户均积分）：" in summary and "本周新报事" in summary and "满意率" in summary
    for chat in ("1栋居民群", "2栋居民群", "3栋居民群", "网格骨干群"):
        assert f"周日 11-29 20:00 [{chat}] 共建助手：【本周积分】" in summary


def test_the_xlsx_export_has_the_ledger_and_balances_sheets(bot, tmp_path):
    from openpyxl import load_workbook

    from bot.export import export_tables, write_xlsx

    bot.say("b3", "bl3", "#积分 @张阿姨 +5 大扫除", mentions=("zhang",))
    bot.say("b3", "bl3", "#撤销积分 1 记错")
    with bot.session() as s:
        tables = export_tables(s, registry=bot.runtime.registry, tz=bot.settings.tz)
    write_xlsx(tmp_path / "out.xlsx", tables)
    book = load_workbook(tmp_path / "out.xlsx")
    ledger_rows = list(book["积分明细"].iter_rows(values_only=True))
    assert ledger_rows[0][:8] == ("编号", "时间", "居民", "楼栋", "分数", "规则", "说明", "批准人")
    assert [r[4] for r in ledger_rows[1:]] == [5, -5] and ledger_rows[2][-1] == 1
    assert list(book["积分余额"].iter_rows(values_only=True)) == [("居民", "楼栋", "余额"), ("张阿姨", "3", 0)]


def test_leaders_list_the_claims_they_may_decide_and_approve_by_number(bot):
    bot.say("b3", "zhang", "#申请积分 大扫除")
    bot.say("b5", "zhao", "#申请积分 志愿服务 半小时")
    listing = only(bot.say("lead", "bl3", "#待审积分"))
    assert "#1 张阿姨 参加大扫除 +5 分" in listing.text and "赵大爷" not in listing.text
    assert "#1 张阿姨" in only(bot.say("lead", "gl1", "#待审积分")).text
    assert "#2 赵大爷 志愿服务 +5 分" in only(bot.say("lead", "gl1", "#待审积分")).text
    bot.say("lead", "bl3", "#待审积分")
    assert "已批准：张阿姨 +5 分" in bot.say("lead", "bl3", "1")[0].text
    assert "没有等您审核的积分申请" in only(bot.say("lead", "bl3", "#待审积分")).text


def test_a_summary_run_on_a_monday_covers_the_week_before(db_url, tmp_path):
    settings = points_settings(tmp_path, summary_weekday=0, summary_time="09:00")
    bot = TestBot(database_url=db_url, settings=settings)
    bot.say("b3", "bl3", "#积分 @张阿姨 +5 大扫除", mentions=("zhang",))
    sent = [s for s in bot.advance(to=datetime.fromisoformat("2026-11-30T09:01:00+08:00"))
            if s.chat == "all" and s.outgoing.tag == "points:weekly"]
    assert only(sent).text.startswith("【上周积分】11月23日–11月29日\n上周 1 人次参加活动，1 人得分，共 5 分。")
    bot.close()


def test_a_week_without_points_posts_no_summary_and_a_quarter_without_points_no_ranking(db_url, tmp_path):
    bot = TestBot(database_url=db_url, settings=points_settings(tmp_path),
                  start=datetime.fromisoformat("2026-12-28T09:00:00+08:00"))
    sent = bot.advance(to=datetime.fromisoformat("2027-01-04T09:00:00+08:00"))
    assert [s for s in sent if (s.outgoing.tag or "").startswith("points:")] == []
    bot.close()


def test_numbers_too_long_to_exist_or_not_digits_get_the_usage_not_a_failure(bot):
    for text in ("#批准 99999999999999999999", "#驳回积分 ½ 不对", "#撤销积分 12345678901234 重复",
                 "#发放 99999999999999999999"):
        reply = only(bot.say("lead", "staff1", text)).text
        assert "用法" in reply or "不是" in reply, (text, reply)
    reply = only(bot.say("lead", "staff1", "#奖品 肥皂 99999999999999999999分 库存3")).text
    assert "用法" in reply, reply
    assert ledger(bot) == []
