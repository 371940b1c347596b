"""The ``wechat`` section of the config: which puppet service to use and how fast to send."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

ENDPOINT = re.compile(r"^[A-Za-z0-9.-]+:\d{1,5}$")


class WechatConfig(BaseModel):
    """A WeChat account reached through a wechaty puppet service (gRPC)."""

    model_config = ConfigDict(extra="forbid")

    # host:port of the puppet service (the python client speaks plain gRPC, no TLS).
    endpoint: str
    # The puppet service token; it also names the service to the gRPC server.
    token: str = Field(min_length=1)
    # Least time between two messages the account sends (WeChat's risk control watches the rate).
    min_interval_s: float = Field(default=1.0, ge=0, le=60)
    # Longest text in one message; longer ones are split on line boundaries.
    max_text: int = Field(default=1500, ge=200, le=10_000)
    # Pauses between reconnection attempts double from 0.5 s up to this.
    reconnect_max_s: float = Field(default=30.0, ge=1, le=600)

    @field_validator("endpoint")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        value = value.strip()
        if not ENDPOINT.match(value) or not 0 < int(value.rsplit(":", 1)[1]) < 65536:
            raise ValueError("must be host:port of the puppet service, e.g. 127.0.0.1:8788")
        return value

    @field_validator("token")
    @classmethod
    def _no_spaces(cls, value: str) -> str:
        if any(ch.isspace() for ch in value):
            raise ValueError("must not contain spaces")
        return value
