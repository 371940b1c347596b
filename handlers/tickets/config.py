"""The `tickets` section of the config: which council handles which category, and when a ticket is overdue."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The twelve categories of the labeling guide; the parser answers with one of them.
CATEGORIES = (
    "环境卫生", "设施维修", "安全隐患", "治安防范", "停车交通", "违章搭建",
    "绿化养护", "噪音扰民", "邻里纠纷", "物业服务", "便民服务", "其他",
)
OTHER = "其他"

# 四会一队: the resident councils and the volunteer team tickets can be assigned to.
COUNCILS = ("事务监督理事会", "矛盾调处理事会", "环境治理理事会", "乡风文明理事会", "平安巡逻队")

DEFAULT_CATEGORY_COUNCILS = {
    "环境卫生": "环境治理理事会",
    "绿化养护": "环境治理理事会",
    "违章搭建": "环境治理理事会",
    "邻里纠纷": "矛盾调处理事会",
    "噪音扰民": "矛盾调处理事会",
    "物业服务": "事务监督理事会",
    "便民服务": "乡风文明理事会",
    "治安防范": "平安巡逻队",
    "停车交通": "平安巡逻队",
    "安全隐患": "平安巡逻队",
}


class OverdueConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    remind_hours: int = Field(default=24, ge=1)  # pending this long: remind the grid leader
    escalate_hours: int = Field(default=72, ge=1)  # pending this long: escalate to staff
    stale_days: int = Field(default=7, ge=1)  # in progress with no update this long: ask the assignee

    @model_validator(mode="after")
    def _escalate_after_remind(self) -> "OverdueConfig":
        if self.escalate_hours <= self.remind_hours:
            raise ValueError("escalate_hours must be more than remind_hours")
        return self


class TicketsConfig(BaseModel):
    """Validated `tickets:` section; every field has a default, so the section is optional."""

    model_config = ConfigDict(extra="forbid")

    councils: list[str] = Field(default_factory=lambda: list(COUNCILS), min_length=1)
    category_councils: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_CATEGORY_COUNCILS))
    overdue: OverdueConfig = OverdueConfig()

    @model_validator(mode="after")
    def _known_names(self) -> "TicketsConfig":
        for category, council in self.category_councils.items():
            if category not in CATEGORIES:
                raise ValueError(f"category_councils: unknown category {category!r} (one of {'、'.join(CATEGORIES)})")
            if council not in self.councils:
                raise ValueError(f"category_councils.{category}: {council!r} is not in councils")
        return self

    def council_for(self, category: str) -> str | None:
        return self.category_councils.get(category)

    def find_council(self, text: str) -> str | None:
        """The council a leader named, also by a short form (环境治理 → 环境治理理事会)."""
        text = text.strip()
        if not text:
            return None
        for council in self.councils:
            if text == council or council.startswith(text) and len(text) >= 2:
                return council
        return None
