"""Casting, changing and withdrawing votes: buttons, numbered replies, "投 1" and replies quoting a poll.

Which poll a plain "投 1" is for: the newest open poll posted in this chat that the sender
may vote in ("投 1 #7" names one). A numbered reply ("1") that quotes a poll message votes
in the quoted poll, whatever else is open.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands import normalize, numbered_reply, record_number
from bot.context import Context
from bot.errors import Forbidden, NotFound, UsageError, UserError
from handlers.polls import render
from handlers.polls.feature import router
from handlers.polls.scope import poll_scope
from storage.models import Household, Poll, PollKind
from storage.repo import polls as polls_repo

VOTE_TEXT = re.compile(r"^投\s*第?\s*(\d{1,2}(?:\s*[、,和\s]\s*\d{1,2})*)\s*[号项]?\s*(?:#\s*(\d{1,9}))?$")
STALE = "这个投票选项已经失效了，请发“投 数字”重新投。"


@dataclass(frozen=True, slots=True)
class Voter:
    """Whose ballot a vote writes: the person, or their household for household votes."""

    key: str
    household: Household | None
    building_id: int | None
    shown: str


def voter_for(ctx: Context, poll: Poll) -> Voter:
    """The sender as a voter in ``poll``, or a Forbidden saying why they cannot vote.

    Runs for every vote, so it asks the database yes/no questions about the scope instead of
    loading the scope's buildings; the scope's name is worked out only for a refusal.
    """
    session, member = ctx.session, ctx.member
    household = session.get(Household, member.household_id) if member.household_id else None
    if household is not None and not polls_repo.covers(session, poll_id=poll.id, building_id=household.building_id):
        raise Forbidden(f"{render.title(poll)} 只限{poll_scope(session, poll)}的住户参加，"
                        f"您家 {household.code} 不在范围内。")
    if poll.kind == PollKind.quick:
        if household is not None:
            return Voter(f"member:{member.id}", household, household.building_id, member.display_name)
        chat_building = ctx.chat.building_id
        if chat_building is not None and polls_repo.covers(session, poll_id=poll.id, building_id=chat_building):
            return Voter(f"member:{member.id}", None, chat_building, member.display_name)
        if polls_repo.covers_community(session, poll_id=poll.id, community_id=ctx.community.id):
            return Voter(f"member:{member.id}", None, None, member.display_name)
        raise Forbidden(f"{render.title(poll)} 只限{poll_scope(session, poll)}的住户参加。"
                        "请先发“#绑定 门牌”登记您家，或在本楼的群里投。")
    if household is None:
        raise Forbidden("这是每户一票的投票，请先发“#绑定 门牌”（如 #绑定 3-2-301）登记您家，楼栋长审核后就能投。")
    if poll.kind == PollKind.formal and household.area_m2 is None:
        raise Forbidden(f"您家 {household.code} 在名册里没有面积，不能参加这次表决。请联系楼栋长补录面积。")
    return Voter(f"household:{household.id}", household, household.building_id,
                 f"{household.code} 户")


def ensure_open(ctx: Context, poll: Poll) -> None:
    if poll.status != "open" or ctx.now >= poll.deadline:
        raise UserError(f"{render.title(poll)} 已于 {render.when(poll.deadline, ctx.settings.tz)} 截止，不能再投或改票了。")


# Called before writing a ballot (PostgreSQL: taking the poll's lock before the ballot's keeps a
# waiting close from deadlocking with us) and after it (SQLite: only its write lock makes the read current).
def _still_open(ctx: Context, poll: Poll) -> None:
    """Check against the committed poll, under its share lock: a close that won the race wins."""
    status, deadline = polls_repo.current_state(ctx.session, poll_id=poll.id)
    if status != "open" or ctx.now >= deadline:
        raise UserError(f"{render.title(poll)} 刚刚截止，这一票没有计入。")


def cast(ctx: Context, poll: Poll, picks: list[int], *, toggle: bool, note: str = "") -> None:
    """Record the sender's vote; ``toggle`` (a button, a numbered reply) flips one option of a multiple choice."""
    ensure_open(ctx, poll)
    picks = list(dict.fromkeys(picks))
    _check_picks(poll, picks)
    voter = voter_for(ctx, poll)
    _still_open(ctx, poll)
    values = dict(member_id=ctx.member.id, household_id=voter.household.id if voter.household else None,
                  building_id=voter.building_id)
    if toggle and poll.max_choices > 1:
        before, chosen = _toggle(ctx, poll, voter, picks[0], values)
    else:
        earlier = polls_repo.ballot_of(ctx.session, poll_id=poll.id, voter=voter.key)
        before, chosen = (list(earlier.choices) if earlier else []), sorted(picks)
        polls_repo.upsert_ballot(ctx.session, poll_id=poll.id, voter=voter.key, choices=chosen, now=ctx.now,
                                 **values)
    _still_open(ctx, poll)
    if polls_repo.note_voter(ctx.session, poll_id=poll.id, member_id=ctx.member.id, now=ctx.now):
        ctx.emit("poll.voted", poll_id=poll.id, member_id=ctx.member.id)
    ctx.reply(_confirmation(ctx, poll, voter, before, chosen) + note)


def _check_picks(poll: Poll, picks: list[int]) -> None:
    size = len(poll.options)
    if not picks or any(not 1 <= p <= size for p in picks):
        raise UserError(f"{render.title(poll)} 只有 1 到 {size} 号选项。")
    if poll.max_choices == 1 and len(picks) > 1:
        raise UserError(f"{render.title(poll)} 是单选，只能投一项。")
    if len(picks) > poll.max_choices:
        raise UserError(f"{render.title(poll)} 最多选 {poll.max_choices} 项。")


def _toggle(ctx: Context, poll: Poll, voter: Voter, pick: int, values: dict) -> tuple[list[int], list[int]]:
    """Add or remove one option under the ballot's row lock, so two quick presses both count."""
    session = ctx.session
    polls_repo.claim_ballot(session, poll_id=poll.id, voter=voter.key, member_id=ctx.member.id, now=ctx.now)
    ballot = polls_repo.locked_ballot(session, poll_id=poll.id, voter=voter.key)
    before = list(ballot.choices)
    chosen = sorted(c for c in before if c != pick) if pick in before else sorted([*before, pick])
    if len(chosen) > poll.max_choices:
        raise UserError(f"最多选 {poll.max_choices} 项，您已选了 {_labels(poll, before)}。"
                        "要换一项，先回复已选项的数字取消它。")
    if not chosen:
        polls_repo.delete_ballot(session, poll_id=poll.id, voter=voter.key)
        return before, chosen
    for name, value in {**values, "choices": chosen, "cast_at": ctx.now}.items():
        setattr(ballot, name, value)
    session.add(ballot)
    session.flush()
    return before, chosen


def _confirmation(ctx: Context, poll: Poll, voter: Voter, before: list[int], chosen: list[int]) -> str:
    who = voter.shown if poll.kind == PollKind.quick else f"{voter.shown}（{ctx.member.display_name}投）"
    if not chosen:
        return f"已取消 {who} 在 #{poll.id} 的全部选择。"
    verb = "已记下" if not before else ("已改为" if before != chosen else "已确认")
    return f"{verb} {who} 在 #{poll.id} 的票：{_labels(poll, chosen)}"


def _labels(poll: Poll, choices: list[int]) -> str:
    return "、".join(f"{c}. {poll.options[c - 1]}" for c in choices)


# -- entry points -----------------------------------------------------------------------


@router.action("poll.vote")
def vote_choice(ctx: Context, poll_id: str, option: str) -> None:
    """A button press or a numbered reply under a poll post."""
    poll = _poll_from_action(ctx, poll_id)
    quoted = quoted_poll(ctx)
    if not option.isdigit() or len(option) > 2:
        raise UserError(STALE)
    cast(ctx, quoted or poll, [int(option)], toggle=True)


@router.message(priority=10)
def vote_by_text(ctx: Context) -> bool:
    """“投 1”, “投 1 3”, “投 2 #7”, or a bare number quoting a poll message."""
    text = normalize(ctx.event.text.strip())
    match = VOTE_TEXT.match(text)
    if match is not None:
        picks = [int(n) for n in re.findall(r"\d+", match.group(1))]
        if match.group(2):
            poll = poll_by_number(ctx, match.group(2))
            cast(ctx, poll, picks, toggle=False)
        else:
            poll, others = newest_votable(ctx)
            note = ""
            if others:
                names = "、".join(f"#{p.id}" for p in others[:3])
                note = f"\n（本群还有 {names} 在投票，投别的请写“投 {picks[0]} #{others[0].id}”）"
            cast(ctx, poll, picks, toggle=False, note=note)
        return True
    number = numbered_reply(text)
    if number is not None:
        quoted = quoted_poll(ctx)
        if quoted is not None:
            cast(ctx, quoted, [number], toggle=True)
            return True
    return False


@router.command(
    "撤回投票", aliases=("unvote",),
    summary="截止前撤回您（户投票：您家）的票",
    usage="#撤回投票 [投票编号]",
    example="#撤回投票 7",
)
def withdraw(ctx: Context) -> None:
    """Withdraw the sender's (or their household's) ballot before the deadline."""
    if ctx.argv:
        poll = poll_by_number(ctx, ctx.argv[0])
        ensure_open(ctx, poll)
        voter = voter_for(ctx, poll)
        _still_open(ctx, poll)
        if not polls_repo.delete_ballot(ctx.session, poll_id=poll.id, voter=voter.key):
            raise UserError(f"{voter.shown} 在 #{poll.id} 还没有投票，无需撤回。")
    else:
        poll, voter = _own_ballot_here(ctx)
        _still_open(ctx, poll)
        polls_repo.delete_ballot(ctx.session, poll_id=poll.id, voter=voter.key)
    _still_open(ctx, poll)
    ctx.reply(f"已撤回 {voter.shown} 在 #{poll.id} 的票。截止前还可以再投。")


def _own_ballot_here(ctx: Context) -> tuple[Poll, Voter]:
    """The newest open poll in this chat where the sender (or their household) has a ballot."""
    for poll in polls_repo.open_polls_in_chat(ctx.session, chat_id=ctx.chat.id):
        if ctx.now >= poll.deadline:
            continue
        try:
            voter = voter_for(ctx, poll)
        except Forbidden:
            continue
        if polls_repo.ballot_of(ctx.session, poll_id=poll.id, voter=voter.key) is not None:
            return poll, voter
    raise NotFound("您在本群进行中的投票里还没有投票。撤回别的投票请写编号，如 #撤回投票 7。")


# -- finding the poll -------------------------------------------------------------------


def poll_by_number(ctx: Context, text: str) -> Poll:
    number = normalize(text).lstrip("#").strip()
    if not number.isdigit() or len(number) > 9:
        raise UsageError(f"“{text}”不是投票编号。")
    poll = polls_repo.poll_in(ctx.session, community_id=ctx.community.id, poll_id=int(number))
    if poll is None:
        raise NotFound(f"没有编号为 {number} 的投票。")
    return poll


def newest_votable(ctx: Context) -> tuple[Poll, list[Poll]]:
    """The newest open poll in this chat the sender may vote in, and the other open ones."""
    polls = polls_repo.open_polls_in_chat(ctx.session, chat_id=ctx.chat.id)
    if not polls:
        raise NotFound("本群现在没有进行中的投票。投别的投票请写编号，如“投 1 #7”。")
    refusal = None
    for poll in polls:
        try:
            voter_for(ctx, poll)
        except Forbidden as exc:
            refusal = refusal or exc
            continue
        return poll, [p for p in polls if p.id != poll.id]
    raise refusal


def quoted_poll(ctx: Context) -> Poll | None:
    """The poll whose message this message quotes, if it quotes one."""
    tag = ctx.replied_to_tag()
    if not tag or not tag.startswith("poll:") or not tag[5:].isdigit():
        return None
    return polls_repo.poll_in(ctx.session, community_id=ctx.community.id, poll_id=int(tag[5:]))


def _poll_from_action(ctx: Context, poll_id: str) -> Poll:
    number = record_number(poll_id)
    poll = polls_repo.poll_in(ctx.session, community_id=ctx.community.id, poll_id=number) \
        if number is not None else None
    if poll is None:
        raise UserError(STALE)
    return poll
