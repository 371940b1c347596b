"""Settings: one ``Settings`` class, read from a YAML file with environment overrides.

Environment variables win over the file: ``DATABASE_URL`` and any ``COCREATE_<FIELD>``
(for example ``COCREATE_TIMEZONE``). Errors name the file and line so an operator can fix
them without reading a traceback.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from storage.models import Role

Platform = Literal["console", "wechat", "telegram"]
SCOPE_PATTERN = re.compile(r"^(community|leaders|(building|grid|compound):[\w-]+)$")


class ConfigError(Exception):
    """The configuration cannot be used; ``str()`` is a message for the operator."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CompoundConfig(_Strict):
    key: str
    name: str


class GridConfig(_Strict):
    key: str
    name: str


class BuildingConfig(_Strict):
    number: str
    grid: str | None = None
    compound: str | None = None
    units: int | None = None

    @field_validator("number", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> str:
        return str(value).strip()


class HouseholdConfig(_Strict):
    code: str
    area_m2: float | None = Field(default=None, ge=0)


class ChatConfig(_Strict):
    key: str
    name: str
    scope: str
    platform: Platform = "console"
    id: str | None = None
    # Offers to register report-like messages. Unset: staff switch it in the chat (#自动登记), on by default;
    # set here, the config wins on every start.
    passive_reports: bool | None = None

    @field_validator("scope")
    @classmethod
    def _scope_form(cls, value: str) -> str:
        if not SCOPE_PATTERN.match(value):
            raise ValueError("scope must be community, leaders, building:<号>, grid:<key> or compound:<key>")
        return value

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> str | None:
        return None if value is None else str(value)

    @property
    def external_id(self) -> str:
        """The platform's chat id; console chats are addressed by their key."""
        return self.id or self.key


class MemberConfig(_Strict):
    key: str
    name: str
    role: Role = Role.resident
    building: str | None = None
    grid: str | None = None
    household: str | None = None
    wechat: str | None = None
    telegram: str | None = None

    @field_validator("building", "wechat", "telegram", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> str | None:
        return None if value is None else str(value)

    @model_validator(mode="after")
    def _scope_for_role(self) -> "MemberConfig":
        if self.role == Role.building_leader and not self.building:
            raise ValueError(f"member {self.key}: a building_leader needs `building`")
        if self.role == Role.grid_leader and not self.grid:
            raise ValueError(f"member {self.key}: a grid_leader needs `grid`")
        return self

    def identities(self) -> list[tuple[str, str]]:
        """Platform identities: the key itself on the console, plus configured platform ids."""
        ids = [("console", self.key)]
        if self.wechat:
            ids.append(("wechat", self.wechat))
        if self.telegram:
            ids.append(("telegram", self.telegram))
        return ids


class CommunityConfig(_Strict):
    key: str
    name: str
    compounds: list[CompoundConfig] = []
    grids: list[GridConfig] = []
    buildings: list[BuildingConfig] = []
    households: list[HouseholdConfig] = []
    chats: list[ChatConfig] = []
    members: list[MemberConfig] = []

    @model_validator(mode="after")
    def _references_resolve(self) -> "CommunityConfig":
        grids = {g.key for g in self.grids}
        compounds = {c.key for c in self.compounds}
        buildings = {b.number for b in self.buildings}
        for b in self.buildings:
            if b.grid and b.grid not in grids:
                raise ValueError(f"building {b.number}: unknown grid {b.grid!r}")
            if b.compound and b.compound not in compounds:
                raise ValueError(f"building {b.number}: unknown compound {b.compound!r}")
        for c in self.chats:
            kind, _, ref = c.scope.partition(":")
            known = {"building": buildings, "grid": grids, "compound": compounds}.get(kind)
            if known is not None and ref not in known:
                raise ValueError(f"chat {c.key}: scope {c.scope!r} names an unknown {kind}")
        for m in self.members:
            if m.building and m.building not in buildings:
                raise ValueError(f"member {m.key}: unknown building {m.building!r}")
            if m.grid and m.grid not in grids:
                raise ValueError(f"member {m.key}: unknown grid {m.grid!r}")
        _unique("building", [b.number for b in self.buildings])
        _unique("chat", [c.key for c in self.chats])
        _unique("member", [m.key for m in self.members])
        return self


def _unique(what: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"duplicate {what} {key!r}")
        seen.add(key)


class QuietHours(_Strict):
    start: time = time(22, 0)
    end: time = time(7, 0)

    def contains(self, moment: time) -> bool:
        """True when a local time of day falls inside the quiet window (which may wrap midnight)."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def release(self, moment: datetime) -> datetime:
        """When a broadcast due at ``moment`` (aware, local) goes out: then, or at the window's end."""
        if not self.contains(moment.time()):
            return moment
        end = moment.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= moment:
            end += timedelta(days=1)
        return end


class Workers(_Strict):
    """Several workers on one PostgreSQL database: how often they look for work no one leads."""

    # A follower tries to take the scheduler this often; a dead leader is replaced within it.
    lead_retry_seconds: float = Field(default=5.0, gt=0, le=25)
    # The leader looks at the job store at least this often, for jobs other workers wrote.
    store_poll_seconds: float = Field(default=5.0, gt=0, le=60)


class Settings(BaseSettings):
    """Everything configurable. Feature sections (tickets, polls, …) are validated by their feature."""

    model_config = SettingsConfigDict(env_prefix="COCREATE_", extra="allow")

    database_url: str = Field(
        default="sqlite:///data/cocreate.db",
        validation_alias=AliasChoices("DATABASE_URL", "COCREATE_DATABASE_URL", "database_url"),
    )
    timezone: str = "Asia/Shanghai"
    bot_name: str = "共建助手"
    data_dir: Path = Path("data")
    log_level: str = "INFO"
    quiet_hours: QuietHours = QuietHours()
    choice_ttl_hours: int = Field(default=72, ge=1)
    workers: Workers = Workers()
    communities: list[CommunityConfig] = []

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _globally_unique_keys(self) -> "Settings":
        _unique("community", [c.key for c in self.communities])
        _unique("chat", [ch.key for c in self.communities for ch in c.chats])
        _unique("member", [m.key for c in self.communities for m in c.members])
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The YAML file arrives as init kwargs; the environment must win over it.
        return env_settings, init_settings

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def section(self, name: str) -> dict[str, Any]:
        """A feature's raw config section (validated by the feature's own model)."""
        extra = self.model_extra or {}
        value = extra.get(name) or {}
        if not isinstance(value, dict):
            raise ConfigError(f"section `{name}` must be a mapping")
        return value


def validate_section(settings: Settings, name: str, model: type[BaseModel]) -> Any:
    """A section of the config validated by its owner's model; errors name the section and field."""
    try:
        return model.model_validate(settings.section(name))
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(section)'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"section `{name}`: {details}") from exc


def load_settings(path: str | Path | None, **overrides: Any) -> Settings:
    """Read settings from a YAML file (or defaults when ``path`` is None), then the environment."""
    data: dict[str, Any] = {}
    nodes = None
    if path is not None:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from exc
        try:
            nodes = yaml.compose(text)
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark else str(path)
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConfigError(f"{where}: YAML error: {problem}") from exc
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}:1: the config file must be a mapping of settings")
        data = loaded
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, nodes)) from exc


def _describe(exc: ValidationError, path: Path | None, root) -> str:
    lines = []
    for error in exc.errors():
        loc = [p for p in error["loc"]]
        line = _line_of(root, loc)
        where = f"{path}:{line}" if path and line else (str(path) if path else "settings")
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        lines.append(f"{where}: {dotted}: {error['msg']}")
    return "\n".join(lines)


def _line_of(node, loc: list) -> int | None:
    """The 1-based line of the deepest YAML node that the error location reaches."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            match = node.value[part]
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line
