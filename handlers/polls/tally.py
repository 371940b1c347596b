"""Counting a poll: options, turnout per building, and the Art. 278 thresholds of a formal decision."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlmodel import Session

from handlers.polls import civil_code
from storage.models import Building, Household, Member, Poll, PollKind
from storage.repo import polls as polls_repo

AGREE = 1  # formal decisions: 1 同意, 2 反对, 3 弃权
FORMAL_OPTIONS = ["同意", "反对", "弃权"]


@dataclass
class BuildingTurnout:
    """How many of a building's eligible households have voted, and how many people."""

    building: Building
    eligible: int
    voted: int
    people: int

    @property
    def rate(self) -> Fraction:
        return Fraction(self.voted, self.eligible) if self.eligible else Fraction(0)


@dataclass
class Tally:
    """One poll counted across all its chats."""

    poll: Poll
    counts: list[int]
    areas: list[Fraction]
    names: list[list[str]]
    voters: int
    ballots: int
    households_voted: int
    households_eligible: int
    area_eligible: Fraction
    buildings: list[BuildingTurnout]
    unbound: int
    no_area: list[Household]
    not_voted: list[Household]
    decision: civil_code.Decision | None

    @property
    def rate(self) -> Fraction:
        """Household turnout across the whole scope: the average buildings are compared with."""
        return Fraction(self.households_voted, self.households_eligible) if self.households_eligible else Fraction(0)


def electorate(session: Session, poll: Poll) -> tuple[list[Household], list[Household]]:
    """(households who may vote, households left out because the roster has no area for them)."""
    households = polls_repo.scope_households(session, poll_id=poll.id)
    if poll.kind != PollKind.formal:
        return households, []
    return [h for h in households if h.area_m2 is not None], [h for h in households if h.area_m2 is None]


def count(session: Session, poll: Poll) -> Tally:
    """Count the poll's ballots as they stand now."""
    buildings = polls_repo.scope_buildings(session, poll_id=poll.id)
    eligible, no_area = electorate(session, poll)
    by_id = {h.id: h for h in eligible}
    ballots = polls_repo.ballots(session, poll_id=poll.id)
    if poll.kind == PollKind.formal:
        ballots = [b for b in ballots if b.household_id in by_id]
    size = len(poll.options)
    counts, areas, names = [0] * size, [Fraction(0)] * size, [[] for _ in range(size)]
    for ballot in ballots:
        household = by_id.get(ballot.household_id)
        area = civil_code.exact_area(household.area_m2) if household and household.area_m2 is not None else 0
        shown = _shown_as(session, poll, ballot.member_id, household) if poll.named else None
        for choice in ballot.choices:
            if 1 <= choice <= size:
                counts[choice - 1] += 1
                areas[choice - 1] += area
                if shown is not None:
                    names[choice - 1].append(shown)
    voted = {b.household_id for b in ballots if b.household_id in by_id}
    turnout = [
        BuildingTurnout(
            building,
            sum(1 for h in eligible if h.building_id == building.id),
            sum(1 for h in eligible if h.building_id == building.id and h.id in voted),
            sum(1 for b in ballots if b.building_id == building.id),
        )
        for building in buildings
    ]
    decision = None
    area_eligible = sum((civil_code.exact_area(h.area_m2) for h in eligible if h.area_m2 is not None), Fraction(0))
    if poll.kind == PollKind.formal:
        participating = civil_code.Share(
            sum((civil_code.exact_area(by_id[h].area_m2) for h in voted), Fraction(0)), len(voted)
        )
        approving = civil_code.Share(areas[AGREE - 1], counts[AGREE - 1])
        decision = civil_code.decide(
            total=civil_code.Share(area_eligible, len(eligible)), participating=participating,
            approving=approving, special=poll.special,
        )
    return Tally(
        poll=poll, counts=counts, areas=areas, names=names,
        voters=len({b.member_id for b in ballots}), ballots=len(ballots),
        households_voted=len(voted), households_eligible=len(eligible), area_eligible=area_eligible,
        buildings=turnout, unbound=sum(1 for b in ballots if b.household_id is None),
        no_area=no_area, not_voted=[h for h in eligible if h.id not in voted], decision=decision,
    )


def _shown_as(session: Session, poll: Poll, member_id: int, household: Household | None) -> str:
    """Named polls show people by name, household votes by door number."""
    if poll.kind != PollKind.quick and household is not None:
        return household.code
    member = session.get(Member, member_id)
    return member.display_name if member else "?"
