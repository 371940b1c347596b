"""``cocreate export``: the polls key of the JSON export and the 投票结果 / 缴费记录 sheets."""
from __future__ import annotations

from sqlmodel import select

from bot.export import iso
from handlers.polls import render
from handlers.polls.feature import router
from handlers.polls.fees import yuan
from handlers.polls.scope import poll_scope
from handlers.polls.tally import count
from storage.models import FeeCollection, FeePayment, Household, Poll


@router.exporter("polls")
def export_polls(session, *, refs, tz) -> list[dict]:
    """Every poll with its counts and turnout."""
    result = []
    for poll in session.exec(select(Poll).order_by(Poll.id)):
        tally = count(session, poll)
        result.append({
            "number": poll.id,
            "question": poll.question,
            "kind": str(poll.kind),
            "options": [{"label": label, "votes": votes} for label, votes in zip(poll.options, tally.counts)],
            "status": poll.status,
            "outcome": poll.outcome,
            "voters": tally.voters,
            "households_voted": tally.households_voted,
            "households_eligible": tally.households_eligible,
        })
    return result


@router.table("polls", "投票结果")
def polls_table(session, *, refs, tz):
    """One row per poll: what was asked, of whom, and how it came out."""
    rows = []
    for poll in session.exec(select(Poll).order_by(Poll.id)):
        tally = count(session, poll)
        rows.append([
            poll.id, render.KIND_LABELS[poll.kind], poll.question, poll_scope(session, poll),
            iso(poll.deadline, tz), "进行中" if poll.status == "open" else "已截止",
            {"passed": "通过", "failed": "未通过"}.get(poll.outcome, ""),
            "；".join(f"{label} {votes}" for label, votes in zip(poll.options, tally.counts)),
            tally.voters, tally.households_voted, tally.households_eligible,
        ])
    headers = ["编号", "类型", "问题", "范围", "截止", "状态", "结果", "各选项票数", "投票人数", "参与户数", "应参与户数"]
    return headers, rows


@router.table("poll_fees", "缴费记录")
def fees_table(session, *, refs, tz):
    """Every recorded payment, by door number."""
    rows = []
    statement = (
        select(FeePayment, FeeCollection, Household)
        .join(FeeCollection, FeeCollection.id == FeePayment.collection_id)
        .join(Household, Household.id == FeePayment.household_id)
        .order_by(FeeCollection.id, Household.code)
    )
    for payment, collection, household in session.exec(statement):
        rows.append([collection.poll_id, collection.title, household.code, yuan(collection.amount_fen),
                     refs.get(payment.recorded_by_id), iso(payment.recorded_at, tz)])
    return ["投票编号", "收费项目", "门牌", "金额(元)", "登记人", "登记时间"], rows
