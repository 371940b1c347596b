"""Polls through the chats: quick, household and formal votes, deadlines, nudges, fees and proposals."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.config import HouseholdConfig, MemberConfig, load_settings
from bot.events import IncomingMessage
from tests.support.testbot import DATA, TestBot, only

FRIDAY_18 = datetime.fromisoformat("2026-11-27T18:00:00+08:00")


def poll_settings(tmp_path, **polls):
    """The shared community plus one bound member per household, a second member in 3-2-301,
    and 8-2-202, a household the roster has no area for."""
    settings = load_settings(DATA / "community.yaml").model_copy(deep=True)
    community = settings.communities[0]
    community.households.append(HouseholdConfig(code="8-2-202"))
    bound = {m.household for m in community.members if m.household}
    for h in community.households:
        if h.code not in bound:
            community.members.append(MemberConfig(key="r" + h.code.replace("-", ""), name=f"住户{h.code}",
                                                  household=h.code))
    community.members.append(MemberConfig(key="xiaozhang", name="小张", household="3-2-301"))
    return settings.model_copy(update={"data_dir": tmp_path, "polls": {"proposal_supports": 3, **polls}})


@pytest.fixture
def bot(db_url, tmp_path):
    testbot = TestBot(database_url=db_url, settings=poll_settings(tmp_path))
    yield testbot
    testbot.close()


def exported(bot, number=1) -> dict:
    return next(p for p in bot.export()["polls"] if p["number"] == number)


def votes(bot, number=1) -> list[int]:
    return [o["votes"] for o in exported(bot, number)["options"]]


WALL = "#投票 外墙刷什么颜色？ 灰色/米黄色/白色 截止 周五18:00"


# -- quick polls ---------------------------------------------------------------------------


def test_a_quick_poll_is_posted_with_numbered_choices_and_the_exact_deadline(bot):
    post = only(bot.say("b3", "bl3", WALL))
    assert post.chat == "b3" and post.outgoing.tag == "poll:1"
    assert "【投票 #1】外墙刷什么颜色？" in post.text
    assert "截止：2026年11月27日(周五) 18:00" in post.text
    assert "回复 1 灰色\n回复 2 米黄色\n回复 3 白色" in post.text
    assert [c.action for c in post.outgoing.choices] == ["poll.vote:1:1", "poll.vote:1:2", "poll.vote:1:3"]
    assert exported(bot) == {
        "number": 1, "question": "外墙刷什么颜色？", "kind": "quick",
        "options": [{"label": "灰色", "votes": 0}, {"label": "米黄色", "votes": 0}, {"label": "白色", "votes": 0}],
        "status": "open", "outcome": None, "voters": 0, "households_voted": 0, "households_eligible": 4,
    }


def test_buttons_numbers_text_and_quoting_the_poll_all_vote_one_per_person_latest_wins(bot):
    post = only(bot.say("b3", "bl3", WALL))
    assert "已记下 张阿姨 在 #1 的票：1. 灰色" in only(bot.press("b3", "zhang", "poll.vote:1:1")).text
    assert "已改为 张阿姨 在 #1 的票：2. 米黄色" in only(bot.say("b3", "zhang", "2")).text
    assert "3. 白色" in only(bot.say("b3", "li", "投 3")).text
    assert "3. 白色" in only(bot.say("b3", "xiaozhang", "3", reply_to=post)).text
    assert votes(bot) == [0, 1, 2]
    assert exported(bot)["voters"] == 3 and exported(bot)["households_voted"] == 2


def test_a_reply_quoting_an_older_poll_votes_in_that_poll_not_the_newest(bot):
    first = only(bot.say("b3", "bl3", WALL))
    bot.say("b3", "bl3", "#投票 单元门换什么锁？ 密码锁/刷卡锁 截止 周四20:00")
    bot.say("b3", "zhang", "2", reply_to=first)
    bot.say("b3", "li", "2")
    assert votes(bot, 1) == [0, 1, 0] and votes(bot, 2) == [0, 1]


def test_plain_votes_go_to_the_newest_open_poll_here_and_a_number_picks_another(bot):
    bot.say("b3", "bl3", WALL)
    bot.say("b3", "bl3", "#投票 单元门换什么锁？ 密码锁/刷卡锁 截止 周四20:00")
    reply = only(bot.say("b3", "zhang", "投 1")).text
    assert "在 #2 的票：1. 密码锁" in reply and "本群还有 #1 在投票，投别的请写“投 1 #1”" in reply
    assert "在 #1 的票：3. 白色" in only(bot.say("b3", "zhang", "投 3 #1")).text
    assert votes(bot, 1) == [0, 0, 1] and votes(bot, 2) == [1, 0]


def test_one_poll_across_chats_is_counted_once_and_every_chat_gets_the_same_result(bot):
    posts = bot.say("all", "staff1", WALL + " 范围 3栋 5栋")
    assert [p.chat for p in posts] == ["all", "b3", "b5"]
    assert all("同时发在：和谐社区大群、3栋群、5栋群，合并计票" in p.text for p in posts)
    bot.say("b3", "zhang", "投 3")
    bot.say("all", "li", "投 3")
    bot.press("b5", "zhao", "poll.vote:1:1")
    bot.say("b5", "r51102", "投 3")
    bot.say("b3", "xiaozhang", "投 2")
    assert bot.advance(to=FRIDAY_18 - timedelta(minutes=1)) != []  # the nudges
    results = bot.advance(timedelta(minutes=1))
    assert [r.chat for r in results] == ["all", "b3", "b5"]
    assert all(r.at == FRIDAY_18 for r in results)
    assert len({r.text for r in results}) == 1
    text = results[0].text
    assert "【投票 #1 结果】外墙刷什么颜色？" in text
    assert "1. 灰色 ██░░░░░░░░ 1 票（20%）" in text
    assert "3. 白色 ██████░░░░ 3 票（60%）" in text
    assert "票数最多：白色" in text
    assert "共 5 人投票，参与 4/6 户（66.7%，范围：3栋、5栋）" in text
    assert "各楼参与：3栋 2/4 户（50%） · 5栋 2/2 户（100%）" in text
    image = results[0].image
    assert image and all(r.image == image for r in results)
    data = open(image, "rb").read()
    assert image.startswith(str(bot.settings.data_dir / "charts")) and data[:8] == b"\x89PNG\r\n\x1a\n"
    assert exported(bot)["status"] == "closed" and votes(bot) == [1, 1, 3]


def test_everyone_posts_to_every_residents_chat_and_the_leaders_chat_posts_to_the_community(bot):
    posts = bot.say("lead", "staff1", WALL + " 全体群")
    assert [p.chat for p in posts] == ["all", "b3", "b5", "b8", "grid2", "lead"]
    assert "已发布投票 #1，发在：和谐社区大群、3栋群、5栋群、8栋群、第二网格群" in posts[-1].text
    posts = bot.say("lead", "staff1", "#投票 周末活动？ 包饺子/义诊 截止 周四20:00")
    assert [p.chat for p in posts] == ["all", "lead"]
    assert exported(bot, 2)["households_eligible"] == 10


def test_multiple_choice_toggles_up_to_its_maximum(bot):
    bot.say("b3", "bl3", "#多选 最多2项 周末活动选哪些？ 包饺子/义诊/电影 截止 周四20:00")
    bot.say("b3", "zhang", "1")
    assert "1. 包饺子、3. 电影" in only(bot.say("b3", "zhang", "3")).text
    assert "最多选 2 项" in only(bot.say("b3", "zhang", "2")).text
    assert "已改为 张阿姨 在 #1 的票：3. 电影" in only(bot.say("b3", "zhang", "1")).text
    bot.say("b3", "li", "投 1 2")
    assert "最多选 2 项" in only(bot.say("b3", "li", "投 1 2 3")).text
    assert votes(bot) == [1, 1, 1] and exported(bot)["voters"] == 2
    assert "已取消 张阿姨 在 #1 的全部选择" in only(bot.say("b3", "zhang", "3")).text
    assert exported(bot)["voters"] == 1
    bot.say("b3", "bl3", WALL)
    assert "是单选" in only(bot.say("b3", "li", "投 1 2")).text


def test_a_named_poll_shows_who_chose_what_and_hidden_results_wait_for_the_deadline(bot):
    bot.say("b3", "bl3", WALL + " 实名 保密")
    bot.say("b3", "zhang", "投 3")
    bot.say("b3", "li", "投 1")
    interim = only(bot.say("b3", "li", "#投票结果 1")).text
    assert "截止后公布" in interim and "灰色" not in interim and "共 2 人投票" in interim
    result = bot.advance(to=FRIDAY_18)[-1].text
    assert "1. 灰色 █████░░░░░ 1 票（50%）\n   李师傅" in result
    assert "3. 白色 █████░░░░░ 1 票（50%）\n   张阿姨" in result and "并列最多：灰色、白色" in result


def test_an_anonymous_poll_shows_counts_only(bot):
    bot.say("b3", "bl3", WALL)
    bot.say("b3", "zhang", "投 3")
    result = bot.advance(to=FRIDAY_18)[-1].text
    assert "张阿姨" not in result and "3. 白色 ██████████ 1 票（100%）" in result


def test_votes_can_be_changed_and_withdrawn_until_the_deadline_and_not_after(bot):
    bot.say("b3", "bl3", WALL)
    bot.say("b3", "zhang", "投 1")
    assert "已撤回 张阿姨 在 #1 的票" in only(bot.say("b3", "zhang", "#撤回投票")).text
    assert "还没有投票" in only(bot.say("b3", "zhang", "#撤回投票")).text
    bot.say("b3", "zhang", "投 2")
    bot.say("b3", "li", "投 2")
    assert "已撤回" in only(bot.say("b3", "li", "#撤回投票 1")).text
    assert votes(bot) == [0, 1, 0]
    bot.advance(to=FRIDAY_18)
    late = only(bot.say("b3", "zhang", "投 3 #1")).text
    assert "已于 2026年11月27日(周五) 18:00 截止" in late
    assert "截止" in only(bot.say("b3", "zhang", "#撤回投票 1")).text
    assert "截止" in only(bot.press("b3", "li", "poll.vote:1:1")).text
    assert votes(bot) == [0, 1, 0]


def test_a_vote_just_at_the_deadline_before_the_close_ran_is_refused(db_url, tmp_path):
    bot = TestBot(database_url=db_url, settings=poll_settings(tmp_path))
    bot.say("b3", "bl3", WALL)
    event = IncomingMessage("console", "b3", "zhang", "张阿姨", "投 1", FRIDAY_18)
    # Straight to the dispatcher: the clock is at the deadline but the close job has not run.
    bot.runtime.clock.set(FRIDAY_18)
    assert "截止" in only(bot.runtime.dispatcher.handle(event)).text
    assert votes(bot) == [0, 0, 0] and exported(bot)["status"] == "open"
    bot.close()


def test_votes_from_outside_the_scope_are_refused(bot):
    bot.say("b3", "bl3", WALL)
    assert "只限3栋的住户参加，您家 5-1-101 不在范围内" in only(bot.say("b3", "zhao", "投 1")).text
    assert "只限3栋的住户参加" in only(bot.say("all", "stranger", "投 1 #1", name="路人")).text
    assert "已记下" in only(bot.say("b3", "newcomer", "投 1", name="新邻居")).text
    assert votes(bot) == [1, 0, 0]


def test_a_member_first_vote_emits_poll_voted_once(bot):
    heard = []
    bot.runtime.registry.signals.setdefault("poll.voted", []).append(lambda ctx, **payload: heard.append(payload))
    bot.say("b3", "bl3", WALL)
    bot.say("b3", "zhang", "投 1")
    bot.say("b3", "zhang", "投 2")
    bot.say("b3", "zhang", "#撤回投票")
    bot.say("b3", "zhang", "投 3")
    bot.say("b3", "li", "投 3")
    with bot.session() as s:
        from storage.models import Member
        from sqlmodel import select
        ids = {m.key: m.id for m in s.exec(select(Member))}
    assert heard == [{"poll_id": 1, "member_id": ids["zhang"]}, {"poll_id": 1, "member_id": ids["li"]}]


def test_a_redelivered_old_vote_does_not_undo_a_later_change(bot):
    bot.say("b3", "bl3", WALL)
    bot.say("b3", "zhang", "投 1", message_id="m1")
    bot.say("b3", "zhang", "投 2", message_id="m2")
    assert bot.say("b3", "zhang", "投 1", message_id="m1") == []
    assert votes(bot) == [0, 1, 0]


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "answer"), [
    ("#投票 外墙刷什么颜色？ 灰色 截止 周五18:00", "至少要有 2 个选项"),
    ("#投票 外墙刷什么颜色？ " + "/".join(f"色{i}" for i in range(21)), "选项太多了（21 个），最多 20 个"),
    ("#投票 外墙刷什么颜色？ 灰色/白色/灰色 截止 周五18:00", "选项“灰色”重复了"),
    ("#投票 外墙刷什么颜色？ 灰色//白色", "有空的选项"),
    ("#投票 外墙刷什么颜色？ 灰色/白色 截止 昨天", "已经过去了"),
    ("#投票 外墙刷什么颜色？ 灰色/白色 截止 今天8点", "已经过去了"),
    ("#投票 外墙刷什么颜色？ 灰色/白色 截止 下下个吉日", "没看懂时间"),
    ("#投票 外墙刷什么颜色？ 灰色/白色 截止 11月20日", "太远了"),
    ("#投票 外墙刷什么颜色？ 灰色/白色 截止 每周五", "不能是周期"),
    ("#投票 外墙刷什么颜色？ 灰色/白色 截止 5分钟后", "太近了"),
    ("#投票 灰色/白色 截止 周五18:00", "请写上要投票的问题"),
    ("#投票 外墙 灰色/白色 截止", "“截止”后面请写上时间"),
    ("#投票 外墙 灰色/白色 范围 99栋", "“99栋”不是本社区的楼栋或网格"),
    ("#多选 最多5项 外墙 灰色/白色", "最多选的项数要在 1 到 2 之间"),
    ("#表决 外墙 灰色/白色", "表决的选项固定为 同意/反对/弃权"),
    ("#投票 特别 外墙 灰色/白色", "“特别”只用于 #表决"),
    ("#投票", "用法：#投票 问题"),
])
def test_bad_poll_commands_get_a_clear_answer_and_change_nothing(bot, command, answer):
    reply = only(bot.say("all", "staff1", command)).text
    assert answer in reply
    assert bot.export()["polls"] == []
    assert [j.id for j in bot.runtime.scheduler.jobs() if j.id.startswith("poll-")] == []


def test_bad_votes_get_a_clear_answer(bot):
    assert "本群现在没有进行中的投票" in only(bot.say("b3", "zhang", "投 1")).text
    bot.say("b3", "bl3", WALL)
    assert "只有 1 到 3 号选项" in only(bot.say("b3", "zhang", "投 4")).text
    assert "没有编号为 9 的投票" in only(bot.say("b3", "zhang", "投 1 #9")).text
    assert "失效" in only(bot.press("b3", "zhang", "poll.vote:x:1")).text
    assert "失效" in only(bot.press("b3", "zhang", "poll.vote:1:1:9")).text
    assert "失效" in only(bot.press("b3", "zhang", "poll.vote:1:abc")).text
    assert votes(bot) == [0, 0, 0]


# -- who may create ------------------------------------------------------------------------


def test_only_leaders_create_polls_each_within_their_scope(bot):
    assert "只有楼栋长、网格长、社区工作者可以使用" in only(bot.say("b3", "zhang", WALL)).text
    assert "楼栋长只能对自己的楼栋发起投票，3栋不在您负责的范围内" in only(bot.say("b3", "bl5", WALL)).text
    assert "请在本楼群里发起，或写“范围 5栋”" in only(bot.say("all", "bl5", WALL)).text
    assert "网格长只能对本网格的楼栋发起投票，8栋、B栋不在您的网格内" in only(bot.say("all", "gl1", WALL)).text
    assert bot.export()["polls"] == []
    assert [p.chat for p in bot.say("all", "gl1", WALL + " 范围 第一网格")] == ["all", "b3", "b5"]
    assert [p.chat for p in bot.say("all", "bl5", WALL + " 范围 5栋")] == ["all", "b5"]
    assert [p["households_eligible"] for p in bot.export()["polls"]] == [6, 2]


# -- deadlines, close and nudges -------------------------------------------------------------


def test_date_only_deadlines_mean_the_end_of_that_day_and_no_deadline_means_three_days(bot):
    assert "截止：2026年11月30日(周一) 23:59" in bot.say("b3", "bl3", "#投票 换锁？ 换/不换 截止 11月30日")[0].text
    post = bot.say("b3", "bl3", "#投票 换灯？ 换/不换")[0].text
    assert "截止：2026年11月26日(周四) 23:59（没写截止时间，默认 3 天）" in post
    assert "截止：2026年11月24日(周二) 12:00" in bot.say("b3", "bl3", "#投票 聚餐？ 去/不去 明天中午")[0].text
    assert "截止：2026年12月2日(周三) 19:00" in bot.say("b3", "bl3", "#投票 议事？ 去/不去 截止 下周三晚上7点")[0].text
    assert "截止：2026年11月26日(周四) 23:59" in bot.say("b3", "bl3", "#投票 晾晒？ 是/否 截止 3天后")[0].text


def test_the_poll_closes_itself_at_the_deadline_in_simulated_time(bot):
    bot.say("b3", "bl3", "#投票 换锁？ 换/不换 截止 3小时后", name="陈楼长")
    bot.say("b3", "zhang", "投 1")
    nudge = only(bot.advance(timedelta(hours=2, minutes=57)))
    assert nudge.at == datetime.fromisoformat("2026-11-23T10:01:00+08:00") and "还有 2 小时截止" in nudge.text
    closing = only(bot.advance(timedelta(minutes=2)))
    assert closing.at == datetime.fromisoformat("2026-11-23T12:01:00+08:00")
    assert "【投票 #1 结果】换锁？" in closing.text and "1. 换 ██████████ 1 票（100%）" in closing.text
    assert bot.advance(timedelta(days=3)) == []
    with bot.session() as s:
        from storage.models import Poll
        assert s.get(Poll, 1).closed_at is not None


def test_nudges_24_and_2_hours_before_mention_the_leaders_of_buildings_below_average(bot):
    bot.say("all", "staff1", WALL + " 全体群")
    for voter in ("r51102", "zhao", "r81101", "rB1001", "zhang"):
        bot.say("all", voter, "投 1")
    sent = bot.advance(to=FRIDAY_18 - timedelta(minutes=1))
    assert {s.at for s in sent} == {datetime.fromisoformat("2026-11-26T18:00:00+08:00"),
                                    datetime.fromisoformat("2026-11-27T16:00:00+08:00")}
    first = [s for s in sent if s.at.day == 26]
    assert [s.chat for s in first] == ["all", "b3", "b5", "b8", "grid2"]
    by_chat = {s.chat: s for s in first}
    assert "还有 24 小时截止" in by_chat["all"].text
    assert "已参与 5/10 户（50%）" in by_chat["all"].text
    assert "3栋 1/4 户（25%） ↓\n5栋 2/2 户（100%）\n8栋 1/3 户（33.3%） ↓\nB栋 1/1 户（100%）" in by_chat["all"].text
    assert by_chat["all"].mentions == ("bl3", "gl2")  # 8栋 has no building leader: its grid leader
    assert by_chat["b3"].mentions == ("bl3",) and by_chat["b5"].mentions == ()
    assert by_chat["b8"].mentions == ("gl2",)
    assert "还有 2 小时截止" in [s for s in sent if s.at.day == 27][0].text


def test_no_nudge_once_everyone_has_voted(bot):
    bot.say("b5", "bl5", "#户投票 5栋换门禁？ 换/不换 截止 周五18:00")
    bot.say("b5", "zhao", "投 1")
    bot.say("b5", "r51102", "投 2")
    assert [s.at for s in bot.advance(to=FRIDAY_18)] == [FRIDAY_18]


def test_households_that_have_not_voted_are_told_to_leaders_only_in_the_leaders_chat(bot):
    bot.say("all", "staff1", WALL + " 全体群")
    bot.say("b3", "zhang", "投 1")
    answer = only(bot.say("lead", "bl3", "#未投票 1")).text
    assert "3栋 3/4 户未投：3-1-101、3-1-102、3-2-302" in answer and "5栋" not in answer
    sent = bot.say("b3", "bl3", "#未投票")
    assert [s.chat for s in sent] == ["lead", "b3"]
    assert sent[0].mentions == ("bl3",) and "3-1-102" in sent[0].text
    assert "3-1-102" not in sent[1].text and "已发到骨干群" in sent[1].text
    assert "只有楼栋长、网格长、社区工作者可以使用" in only(bot.say("b3", "zhang", "#未投票 1")).text


# -- household votes and formal decisions ---------------------------------------------------


def test_a_household_poll_counts_one_vote_per_household_any_member_may_change_it(bot):
    bot.say("b3", "bl3", "#户投票 3栋是否加装电梯？ 同意/反对 截止 周五18:00")
    assert "已记下 3-2-301 户（张阿姨投） 在 #1 的票：1. 同意" in only(bot.say("b3", "zhang", "投 1")).text
    assert "已改为 3-2-301 户（小张投） 在 #1 的票：2. 反对" in only(bot.say("b3", "xiaozhang", "投 2")).text
    assert "请先发“#绑定 门牌”" in only(bot.say("b3", "newcomer", "投 1", name="新邻居")).text
    assert "不在范围内" in only(bot.say("b3", "zhao", "投 1")).text
    bot.say("b3", "li", "1")
    assert votes(bot) == [1, 1]
    assert (exported(bot)["voters"], exported(bot)["households_voted"], exported(bot)["households_eligible"]) \
        == (2, 2, 4)
    assert "已撤回 3-2-301 户" in only(bot.say("b3", "zhang", "#撤回投票")).text
    assert votes(bot) == [1, 0]


FORMAL = "#表决 每户出资50元安装监控 截止 周五18:00 全体群"


def test_a_formal_decision_end_to_end_shows_every_threshold_and_passes(bot):
    posts = bot.say("all", "staff1", FORMAL)
    assert "可参与表决：9 户，专有面积 770 ㎡" in posts[0].text
    assert "回复 1 同意\n回复 2 反对\n回复 3 弃权" in posts[0].text
    assert "1 户在名册里没有面积，不能参加这次表决" in posts[-1].text and "8-2-202" in posts[-1].text
    for voter in ("bl3", "zhang", "li", "zhao", "r51102"):
        bot.say("all", voter, "投 1")
    bot.say("all", "rB1001", "投 2")
    assert "没有面积，不能参加这次表决" in only(bot.say("all", "r82202", "投 1")).text
    result = bot.advance(to=FRIDAY_18)[-1].text
    assert "【表决 #1 结果】每户出资50元安装监控（一般事项）" in result
    assert "同意 ████████░░ 5 户 · 440 ㎡" in result and "反对 ██░░░░░░░░ 1 户 · 120 ㎡" in result
    assert "✓ 参与表决的专有面积 560/770 ㎡（72.7%），需 ≥ 2/3：≈513.33 ㎡" in result
    assert "✓ 参与表决的户数 6/9 户（66.7%），需 ≥ 2/3：至少 6 户" in result
    assert "✓ 同意的专有面积 440/560 ㎡（78.6%），需 > 1/2：280 ㎡" in result
    assert "✓ 同意的户数 5/6 户（83.3%），需 > 1/2：至少 4 户" in result
    assert "结论：通过" in result and "另有 1 户名册里没有面积，未计入（8-2-202）" in result
    assert exported(bot)["outcome"] == "passed" and exported(bot)["kind"] == "formal"


def test_a_formal_decision_with_agreement_of_exactly_half_the_households_fails(bot):
    bot.say("all", "staff1", FORMAL)
    for voter, choice in (("zhao", 1), ("r51102", 1), ("rB1001", 1), ("bl3", 2), ("li", 2), ("zhang", 3)):
        bot.say("all", voter, f"投 {choice}")
    result = bot.advance(to=FRIDAY_18)[-1].text
    assert "✓ 参与表决的户数 6/9 户" in result
    assert "✓ 同意的专有面积 320/560 ㎡（57.1%）" in result
    assert "✗ 同意的户数 3/6 户（50%），需 > 1/2：至少 4 户" in result
    assert "结论：未通过：同意的面积或户数未过半" in result
    assert exported(bot)["outcome"] == "failed"


def test_a_formal_decision_short_of_two_thirds_turnout_by_one_household_fails(bot):
    bot.say("all", "staff1", FORMAL)
    for voter in ("zhao", "r51102", "rB1001", "bl3", "zhang"):
        bot.say("all", voter, "投 1")
    result = bot.advance(to=FRIDAY_18)[-1].text
    assert "✗ 参与表决的户数 5/9 户（55.6%），需 ≥ 2/3：至少 6 户" in result
    assert "结论：未通过：参与表决的面积或户数不足三分之二" in result


def test_a_special_matter_needs_three_quarters(bot):
    post = bot.say("all", "staff1", "#表决 特别 使用维修资金更换水泵 截止 周五18:00 全体群")[0].text
    assert "（特别事项）" in post and "3/4" in post
    for voter in ("zhao", "r51102", "rB1001", "bl3", "zhang", "li"):
        bot.say("all", voter, "投 1" if voter != "li" else "投 2")
    result = bot.advance(to=FRIDAY_18)[-1].text
    assert "✓ 同意的户数 5/6 户（83.3%），需 ≥ 3/4：至少 5 户" in result
    assert "✓ 同意的专有面积 490/560 ㎡（87.5%），需 ≥ 3/4：420 ㎡" in result
    assert "结论：通过" in result


# -- fees -----------------------------------------------------------------------------------


def test_a_passed_decision_opens_a_collection_that_leaders_record_and_everyone_sees(bot):
    bot.say("all", "staff1", FORMAL)
    assert "还在投票中" in only(bot.say("all", "staff1", "#收费 1 每户50元")).text
    for voter in ("bl3", "zhang", "li", "zhao", "r51102", "rB1001"):
        bot.say("all", voter, "投 1")
    bot.advance(to=FRIDAY_18)
    opened = bot.say("all", "staff1", "#收费 1 每户50元 安装监控")
    assert [s.chat for s in opened] == ["all", "b3", "b5", "b8", "grid2"]
    assert "【收费 #1】安装监控：每户 50 元，共 10 户" in opened[0].text
    assert "已经在收费了" in only(bot.say("all", "staff1", "#收费 1 每户50元")).text
    assert "已登记缴费：3-2-301、3-1-101（每户 50 元）" in only(bot.say("b3", "bl3", "#缴费 3-2-301 3栋1单元101")).text
    assert "之前已登记过：3-2-301" in only(bot.say("b3", "bl3", "#缴费 3-2-301")).text
    assert "只有 5 栋的楼栋长" in only(bot.say("b3", "bl3", "#缴费 5-1-101")).text
    assert "已缴 3/10 户" in only(bot.say("b5", "bl5", "#缴费 5-1-101 #1")).text
    assert "只有楼栋长、网格长、社区工作者可以使用" in only(bot.say("b3", "zhang", "#缴费 3-2-302")).text
    progress = only(bot.say("all", "zhang", "#缴费进度")).text
    assert "【缴费进度 #1】安装监控：已缴 3/10 户（30%），共 150 元" in progress
    assert "3栋 已缴 2/4 户：3-1-101、3-2-301\n5栋 已缴 1/2 户：5-1-101\n8栋 已缴 0/3 户" in progress
    assert "张阿姨" not in progress and "陈楼长" not in progress
    table = dict((name, rows) for name, _title, _headers, rows in _tables(bot))
    assert [row[2] for row in table["poll_fees"]] == ["3-1-101", "3-2-301", "5-1-101"]


def test_a_failed_decision_or_a_quick_poll_cannot_open_a_collection(bot):
    bot.say("all", "staff1", FORMAL)
    bot.say("b3", "bl3", WALL)
    bot.advance(to=FRIDAY_18)
    assert "没有通过。只有通过的表决才能发起收费" in only(bot.say("all", "staff1", "#收费 1 每户50元")).text
    assert "没有通过" in only(bot.say("all", "staff1", "#收费 2 每户50元")).text
    assert "现在没有进行中的收费" in only(bot.say("all", "zhang", "#缴费进度")).text


# -- proposals --------------------------------------------------------------------------------


def test_a_proposal_with_enough_households_is_offered_to_staff_and_becomes_a_household_poll(bot):
    assert "目前 1/3 户" in only(bot.say("b3", "zhang", "#提议 在3栋门口加装晾衣架")).text
    assert "已经支持过" in only(bot.say("b3", "xiaozhang", "#支持 1")).text
    assert "请先发“#绑定 门牌”" in only(bot.say("b3", "newcomer", "#支持 1", name="新邻居")).text
    assert "只有本范围的住户可以支持" in only(bot.say("b3", "zhao", "#支持 1")).text
    assert "（2/3 户）" in only(bot.say("b3", "li", "#支持 1")).text
    sent = bot.say("b3", "r31102", "#支持 1")
    offer = next(s for s in sent if s.chat == "lead")
    assert offer.mentions == ("staff1",) and "提议 #1 已有 3 户支持（3栋群）" in offer.text
    assert "回复 1 转为户投票" in offer.text
    assert "只有网格长和社区工作者" in only(bot.say("lead", "bl3", "1")).text
    posted = bot.say("lead", "staff1", "1")
    assert [s.chat for s in posted] == ["b3", "lead"]
    assert "【户投票 #1】在3栋门口加装晾衣架" in posted[0].text and "由居民提议 #1 转来（3 户支持）" in posted[0].text
    assert "回复 1 同意\n回复 2 反对" in posted[0].text
    assert "已经转为投票了" in only(bot.say("lead", "staff1", "#转投票 1")).text
    assert exported(bot)["kind"] == "household" and exported(bot)["households_eligible"] == 4


def test_staff_may_turn_a_proposal_into_a_poll_with_their_own_deadline(bot):
    bot.say("b5", "zhao", "#提议 5栋楼道装声控灯")
    posted = bot.say("lead", "gl1", "#转投票 1 截止 周五18:00")
    assert "截止：2026年11月27日(周五) 18:00" in posted[0].text and posted[0].chat == "b5"
    assert "只有网格长、社区工作者可以使用" in only(bot.say("lead", "bl5", "#转投票 1")).text


# -- export -------------------------------------------------------------------------------------


def _tables(bot):
    from bot.export import export_tables

    with bot.session() as s:
        return export_tables(s, registry=bot.runtime.registry, tz=bot.settings.tz)


def test_the_polls_table_lists_each_poll(bot):
    bot.say("all", "staff1", WALL + " 范围 3栋 5栋")
    bot.say("b3", "zhang", "投 3")
    bot.advance(to=FRIDAY_18)
    tables = {name: (title, headers, rows) for name, title, headers, rows in _tables(bot)}
    title, headers, rows = tables["polls"]
    assert title == "投票结果" and headers[0] == "编号"
    assert rows == [[1, "投票", "外墙刷什么颜色？", "3栋、5栋", "2026-11-27T18:00:00+08:00", "已截止", "",
                     "灰色 0；米黄色 0；白色 1", 1, 1, 6]]


def test_the_polls_section_is_validated_with_readable_errors(tmp_path, sqlite_url):
    import yaml

    from bot.config import ConfigError
    from bot.runtime import SimulatedRuntime

    for section, problem in (({"date_only_time": 1439}, 'in quotes, e.g. "23:59"'),
                             ({"nudge_hours": [24, 0]}, "positive"), ({"proposal_supports": 0}, "proposal_supports")):
        settings = load_settings(DATA / "community.yaml").model_copy(update={"polls": section})
        with pytest.raises(ConfigError) as caught:
            SimulatedRuntime(settings, start=FRIDAY_18, sink=lambda o: None, database_url=sqlite_url)
        assert "section `polls`" in str(caught.value) and problem in str(caught.value)
    assert yaml.safe_load("t: 23:59")["t"] == 1439  # why the quotes matter
