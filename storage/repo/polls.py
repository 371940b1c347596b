"""Queries and race-free writes for polls, ballots, fee payments and proposal supports.

One vote per voter rests on the unique key (poll, voter) and ``INSERT … ON CONFLICT``,
which SQLite and PostgreSQL both run atomically: two concurrent votes of one household can
never both be stored, and the later one replaces the earlier.
"""
from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, delete, func
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
from storage.repo.conflict import INSERT_FOR, insert_once


def _insert_once(session: Session, model, keys: list[str], **values) -> bool:
    """Insert a row unless its unique key exists; True when this call inserted it."""
    return insert_once(session, model, values, keys=tuple(keys)) is not None


_BALLOT_REPLACED = ("member_id", "household_id", "building_id", "choices", "cast_at")


@cache
def _upsert_ballot_statement(dialect: str):
    # Built once per database kind: building ``excluded`` columns cost more than the vote itself.
    statement = INSERT_FOR[dialect](Ballot.__table__)
    return statement.on_conflict_do_update(
        index_elements=["poll_id", "voter"], set_={key: statement.excluded[key] for key in _BALLOT_REPLACED},
    )


_CURRENT_STATE = select(Poll.status, Poll.deadline).where(Poll.id == bindparam("poll_id")).with_for_update(read=True)
_BALLOT_OF = (
    select(Ballot).where(Ballot.poll_id == bindparam("poll_id"), Ballot.voter == bindparam("voter"))
    .execution_options(populate_existing=True)
)
_COVERS = select(PollBuilding.id).where(
    PollBuilding.poll_id == bindparam("poll_id"), PollBuilding.building_id == bindparam("building_id")
)


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
    return session.execute(_CURRENT_STATE, {"poll_id": poll_id}).one()


def scope_buildings(session: Session, *, poll_id: int) -> list[Building]:
    return list(
        session.exec(
            select(Building)
            .join(PollBuilding, PollBuilding.building_id == Building.id)
            .where(PollBuilding.poll_id == poll_id)
            .order_by(Building.id)
        ).all()
    )


def covers(session: Session, *, poll_id: int, building_id: int) -> bool:
    """Whether a building is in the poll's scope."""
    return session.exec(_COVERS, params={"poll_id": poll_id, "building_id": building_id}).first() is not None


def covers_community(session: Session, *, poll_id: int, community_id: int) -> bool:
    """Whether the poll's scope is every building of the community."""
    in_scope = session.exec(select(func.count()).select_from(PollBuilding).where(PollBuilding.poll_id == poll_id)).one()
    total = session.exec(select(func.count()).select_from(Building).where(Building.community_id == community_id)).one()
    return in_scope == total


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
    session.execute(_upsert_ballot_statement(session.get_bind().dialect.name), dict(
        poll_id=poll_id, voter=voter, member_id=member_id, household_id=household_id,
        building_id=building_id, choices=choices, cast_at=now,
    ))


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
    return session.exec(_BALLOT_OF, params={"poll_id": poll_id, "voter": voter}).first()


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
