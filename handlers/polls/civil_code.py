"""Civil Code Art. 278: when owners' decisions are valid, in exact rational arithmetic.

业主共同决定事项，应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主
参与表决。决定前款第六项至第八项规定的事项，应当经参与表决专有部分面积四分之三以上的业主
且参与表决人数四分之三以上的业主同意。决定前款其他事项，应当经参与表决专有部分面积过半数的
业主且参与表决人数过半数的业主同意。

"以上" includes the bound (≥), "过半数" does not (>). Areas are Fractions built from the
decimal text of the roster's value, so 2/3 of 1043.1 m² is compared exactly, never in floats.
Owners are counted by household (one vote per 户).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

TWO_THIRDS = Fraction(2, 3)
HALF = Fraction(1, 2)
THREE_QUARTERS = Fraction(3, 4)


def exact_area(value: float | int | str | Decimal) -> Fraction:
    """An area as an exact fraction of its decimal text (78.5 is 157/2, not a binary float)."""
    return Fraction(Decimal(str(value)))


@dataclass(frozen=True, slots=True)
class Share:
    """Owners counted two ways: their exclusive floor area and their number (households)."""

    area: Fraction
    owners: int


@dataclass(frozen=True, slots=True)
class Threshold:
    """One condition: ``part`` of ``whole`` must reach ``ratio`` (or exceed it when ``strict``)."""

    label: str
    part: Fraction
    whole: Fraction
    ratio: Fraction
    strict: bool

    @property
    def met(self) -> bool:
        goal = self.ratio * self.whole
        return self.part > goal if self.strict else (self.part >= goal and self.whole > 0)

    @property
    def needed(self) -> Fraction:
        """The exact amount the condition asks for (at least, or more than, this)."""
        return self.ratio * self.whole

    @property
    def needed_count(self) -> int:
        """The smallest whole number that meets the condition (for owners, who come in ones)."""
        goal = self.ratio * self.whole
        return math.floor(goal) + 1 if self.strict else math.ceil(goal)


@dataclass(frozen=True, slots=True)
class Decision:
    """The four thresholds of an owners' decision and whether it passed."""

    special: bool
    turnout: tuple[Threshold, Threshold]
    approval: tuple[Threshold, Threshold]

    @property
    def quorate(self) -> bool:
        return all(t.met for t in self.turnout)

    @property
    def approved(self) -> bool:
        return all(t.met for t in self.approval)

    @property
    def passed(self) -> bool:
        return self.quorate and self.approved


def turnout(total: Share, participating: Share) -> tuple[Threshold, Threshold]:
    """Participation: at least 2/3 of the area and at least 2/3 of the owners."""
    return (
        Threshold("参与表决的专有面积", participating.area, total.area, TWO_THIRDS, strict=False),
        Threshold("参与表决的户数", Fraction(participating.owners), Fraction(total.owners), TWO_THIRDS, strict=False),
    )


def approval(participating: Share, approving: Share, *, special: bool) -> tuple[Threshold, Threshold]:
    """Consent: more than half of the participating area and owners, or at least 3/4 for special matters."""
    ratio, strict = (THREE_QUARTERS, False) if special else (HALF, True)
    return (
        Threshold("同意的专有面积", approving.area, participating.area, ratio, strict=strict),
        Threshold("同意的户数", Fraction(approving.owners), Fraction(participating.owners), ratio, strict=strict),
    )


def decide(*, total: Share, participating: Share, approving: Share, special: bool) -> Decision:
    """Evaluate an owners' decision under Art. 278."""
    return Decision(special, turnout(total, participating), approval(participating, approving, special=special))
