"""The points feature's router and its config section ``points``: rules, caps, rewards, summary times."""
from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.router import Router


class RuleConfig(BaseModel):
    """One way to earn points: 参加大扫除 +5 per time, 志愿服务 +10 per hour, with optional caps."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=32)
    points: int = Field(ge=1)
    unit: Literal["次", "小时"] = "次"
    aliases: list[str] = []
    # Caps on what one member may get from this rule, per local day and per week (Monday to Sunday).
    daily_cap: int | None = Field(default=None, ge=1)
    weekly_cap: int | None = Field(default=None, ge=1)


class RewardConfig(BaseModel):
    """A good put in the catalogue at start if it is not there yet (its stock then lives in the database)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=32)
    cost: int = Field(ge=1)
    stock: int = Field(default=0, ge=0)


def _default_rules() -> list[RuleConfig]:
    return [
        RuleConfig(name="参加大扫除", points=5, aliases=["大扫除", "打扫卫生"], daily_cap=10),
        RuleConfig(name="志愿服务", points=10, unit="小时", aliases=["志愿者"], weekly_cap=200),
        RuleConfig(name="报事被受理", points=2, aliases=["报事"], daily_cap=10),
        RuleConfig(name="参与投票", points=1, aliases=["投票"], daily_cap=5),
    ]


class PointsConfig(BaseModel):
    """Section ``points`` of the config file."""

    model_config = ConfigDict(extra="forbid")

    rules: list[RuleConfig] = Field(default_factory=_default_rules)
    # Caps per member over every rule together (None: no cap).
    daily_cap: int | None = Field(default=None, ge=1)
    weekly_cap: int | None = Field(default=None, ge=1)
    # Which rule each automatic source earns (None: that source earns nothing).
    checkin_rule: str | None = "参加大扫除"
    ticket_rule: str | None = "报事被受理"
    vote_rule: str | None = "参与投票"
    rewards: list[RewardConfig] = []
    # The weekly summary: weekday (0 = Monday … 6 = Sunday) and local time.
    summary_weekday: int = Field(default=6, ge=0, le=6)
    summary_time: time = time(20, 0)
    # The quarterly ranking (晾晒) on the first day of each quarter.
    quarterly_time: time = time(9, 0)
    top: int = Field(default=10, ge=1, le=50)
    recent_entries: int = Field(default=5, ge=1, le=20)

    @field_validator("summary_time", "quarterly_time", mode="before")
    @classmethod
    def _quoted(cls, value):
        # YAML reads an unquoted 20:00 as the number 1200 (base 60).
        if isinstance(value, int):
            raise ValueError('write the time in quotes, e.g. "20:00"')
        return value

    @model_validator(mode="after")
    def _rules_known(self) -> "PointsConfig":
        names = [r.name for r in self.rules]
        if len(set(names)) != len(names):
            raise ValueError("rule names must be unique")
        for field in ("checkin_rule", "ticket_rule", "vote_rule"):
            value = getattr(self, field)
            if value is not None and value not in names:
                raise ValueError(f"{field} {value!r} is not one of the rules")
        return self

    def rule(self, name: str) -> RuleConfig | None:
        return next((r for r in self.rules if r.name == name), None)


router = Router("积分", config_key="points", config_model=PointsConfig)


def config(ctx) -> PointsConfig:
    return ctx.config("points")
