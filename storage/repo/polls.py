"""Queries and race-free writes for polls, ballots, fee payments and proposal supports.

One vote per voter rests on the unique key (poll, voter) and ``INSERT … ON CONFLICT``,
which SQLite and PostgreSQL both run atomically: two concurrent votes of one household can
never both be stored, and the later one replaces the earlier.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from storage.models import (
    Ballot,
    Building,
    Chat,
    FeeCollection,
    FeePayment,
    Household,
    Member,
    Poll,
    PollBuilding,
    PollChat,
    PollVoter,
    Proposal,
    ProposalSupport,
    Role,
)


def _insert(session: Session, model):
    """An INSERT that understands ON CONFLICT on the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def _insert_once(session: Session, model, keys: list[str], **values) -> bool:
    """Insert a row unless its unique key exists; True when this call inserted it."""
    statement = _insert(session, model).values(**values).on_conflict_do_nothing(index_elements=keys)
    # RETURNING, not rowcount: psycopg reports no row count for INSERT … ON CONFLICT here.
    return session.execute(statement.returning(model.id)).first() is not None


# -- polls ------------------------------------------------------------------------------


def poll_in(session: Session, *, community_id: int, poll_id: int) -> Poll | None:
    poll = session.get(Poll, poll_id)
    return poll if poll is not None and poll.community_id == community_id else None


def lock_poll(session: Session, *, poll_id: int) -> Poll | None:
    """The poll, locked against concurrent ballots until commit (PostgreSQL; SQLite has one writer)."""
    return session.exec(
        select(Poll).where(Poll.id == poll_id).with_for_update().execution_options(populate_existing=True)
    ).first()


def current_state(session: Session, *, poll_id: int) -> tuple[str, datetime]:
    """The poll's status and deadline as committed now, holding a share lock so closing waits for us."""
    return session.execute(
        select(Poll.status, Poll.deadline).where(Poll.id == poll_id).with_for_update(read=True)
    ).one()


def scope_buildings(session: Session, *, poll_id: int) -> list[Building]:
    return list(
        session.exec(
            select(Building)
            .join(PollBuilding, PollBuilding.building_id == Building.id)
            .where(PollBuilding.poll_id == poll_id)
            .order_by(Building.id)
        ).all()
    )


def poll_chats(session: Session, *, poll_id: int) -> list[Chat]:
    return list(
        session.exec(
            select(Chat).join(PollChat, PollChat.chat_id == Chat.id).where(PollChat.poll_id == poll_id).order_by(Chat.id)
        ).all()
    )


def open_polls_in_chat(session: Session, *, chat_id: int) -> list[Poll]:
    """Open polls posted to a chat, newest first."""
    return list(
        session.exec(
            select(Poll)
            .join(PollChat, PollChat.poll_id == Poll.id)
            .where(PollChat.chat_id == chat_id, Poll.status == "open")
            .order_by(Poll.id.desc())
        ).all()
    )


def open_polls(session: Session, *, community_id: int) -> list[Poll]:
    return list(
        session.exec(select(Poll).where(Poll.community_id == community_id, Poll.status == "open").order_by(Poll.id))
    )


def households_in(session: Session, *, building_ids: list[int]) -> list[Household]:
    if not building_ids:
        return []
    return list(
        session.exec(select(Household).where(Household.building_id.in_(building_ids)).order_by(Household.id)).all()
    )


def scope_households(session: Session, *, poll_id: int) -> list[Household]:
    """Every household of the poll's buildings."""
    return households_in(session, building_ids=[b.id for b in scope_buildings(session, poll_id=poll_id)])


# -- ballots ----------------------------------------------------------------------------


def upsert_ballot(
    session: Session, *, poll_id: int, voter: str, member_id: int, household_id: int | None,
    building_id: int | None, choices: list[int], now: datetime,
) -> None:
    """Store a voter's ballot, replacing the one they had: the latest vote wins."""
    statement = _insert(session, Ballot).values(
        poll_id=poll_id, voter=voter, member_id=member_id, household_id=household_id,
        building_id=building_id, choices=choices, cast_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["poll_id", "voter"],
        set_={
            "member_id": statement.excluded.member_id,
            "household_id": statement.excluded.household_id,
            "building_id": statement.excluded.building_id,
            "choices": statement.excluded.choices,
            "cast_at": statement.excluded.cast_at,
        },
    )
    session.execute(statement)


def locked_ballot(session: Session, *, poll_id: int, voter: str) -> Ballot | None:
    """The voter's ballot locked for a read-modify-write (adding or removing one choice)."""
    return session.exec(
        select(Ballot)
        .where(Ballot.poll_id == poll_id, Ballot.voter == voter)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def claim_ballot(session: Session, *, poll_id: int, voter: str, member_id: int, now: datetime) -> None:
    """Make sure the voter's ballot row exists (empty) so it can be locked; takes SQLite's write lock."""
    _insert_once(session, Ballot, ["poll_id", "voter"], poll_id=poll_id, voter=voter, member_id=member_id,
                 choices=[], cast_at=now)


def delete_ballot(session: Session, *, poll_id: int, voter: str) -> bool:
    """Withdraw a ballot; False when there was none."""
    statement = delete(Ballot).where(Ballot.poll_id == poll_id, Ballot.voter == voter).returning(Ballot.id)
    return session.execute(statement).first() is not None


def ballot_of(session: Session, *, poll_id: int, voter: str) -> Ballot | None:
    return session.exec(
        select(Ballot).where(Ballot.poll_id == poll_id, Ballot.voter == voter)
        .execution_options(populate_existing=True)
    ).first()


def ballots(session: Session, *, poll_id: int) -> list[Ballot]:
    """The counted ballots of a poll (empty rows left by a withdrawn multi-choice vote excluded)."""
    rows = session.exec(
        select(Ballot).where(Ballot.poll_id == poll_id).order_by(Ballot.id).execution_options(populate_existing=True)
    ).all()
    return [b for b in rows if b.choices]


def note_voter(session: Session, *, poll_id: int, member_id: int, now: datetime) -> bool:
    """Record that a member voted in a poll; True only the first time."""
    return _insert_once(session, PollVoter, ["poll_id", "member_id"], poll_id=poll_id, member_id=member_id,
                        first_at=now)


# -- fees -------------------------------------------------------------------------------


def collection_of(session: Session, *, poll_id: int) -> FeeCollection | None:
    return session.exec(select(FeeCollection).where(FeeCollection.poll_id == poll_id)).first()


def open_collections(session: Session, *, community_id: int) -> list[FeeCollection]:
    return list(
        session.exec(
            select(FeeCollection)
            .join(Poll, Poll.id == FeeCollection.poll_id)
            .where(Poll.community_id == community_id)
            .order_by(FeeCollection.id.desc())
        ).all()
    )


def record_payment(session: Session, *, collection_id: int, household_id: int, member_id: int,
                   now: datetime) -> bool:
    """Record a household's payment; False when it was recorded before."""
    return _insert_once(session, FeePayment, ["collection_id", "household_id"], collection_id=collection_id,
                        household_id=household_id, recorded_by_id=member_id, recorded_at=now)


def paid_households(session: Session, *, collection_id: int) -> set[int]:
    return set(session.exec(select(FeePayment.household_id).where(FeePayment.collection_id == collection_id)))


# -- proposals --------------------------------------------------------------------------


def add_support(session: Session, *, proposal_id: int, household_id: int, member_id: int, now: datetime) -> bool:
    """Count a household's support once; False when the household supported it before."""
    return _insert_once(session, ProposalSupport, ["proposal_id", "household_id"], proposal_id=proposal_id,
                        household_id=household_id, member_id=member_id, created_at=now)


def support_count(session: Session, *, proposal_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(ProposalSupport).where(ProposalSupport.proposal_id == proposal_id)
    ).one()


def proposal_in(session: Session, *, community_id: int, proposal_id: int) -> Proposal | None:
    proposal = session.get(Proposal, proposal_id)
    return proposal if proposal is not None and proposal.community_id == community_id else None


def staff_of(session: Session, *, community_id: int) -> list[Member]:
    return list(
        session.exec(
            select(Member).where(Member.community_id == community_id, Member.role == Role.staff).order_by(Member.id)
        ).all()
    )
