"""The ``telegram`` section of the config: the bot token, where the Bot API is, polling or webhook."""
from __future__ import annotations

import hashlib
import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class WebhookConfig(BaseModel):
    """Telegram posts updates to ``url``; a small server on ``listen:port`` receives them."""

    model_config = ConfigDict(extra="forbid")

    # The public HTTPS address Telegram posts to (usually a reverse proxy in front of listen:port).
    url: str
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, gt=0, lt=65536)
    # Sent back by Telegram in a header with every update; derived from the token if not set.
    secret_token: str | None = None

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("must be the public https:// address Telegram posts updates to")
        return value

    @field_validator("secret_token")
    @classmethod
    def _secret_form(cls, value: str | None) -> str | None:
        if value is not None and not SECRET.match(value):
            raise ValueError("may only use A-Z, a-z, 0-9, _ and -, up to 256 characters")
        return value

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


class TelegramConfig(BaseModel):
    """A Telegram bot (token from @BotFather) serving the group chats bound in the config."""

    model_config = ConfigDict(extra="forbid")

    token: str
    # A self-hosted Bot API server, e.g. http://127.0.0.1:8081/bot and http://127.0.0.1:8081/file/bot
    base_url: str | None = None
    base_file_url: str | None = None
    # An HTTP(S) proxy for reaching the Bot API, e.g. http://127.0.0.1:7890
    proxy: str | None = None
    mode: Literal["polling", "webhook"] = "polling"
    webhook: WebhookConfig | None = None

    @field_validator("token")
    @classmethod
    def _token_form(cls, value: str) -> str:
        value = value.strip()
        if not TOKEN.match(value):
            raise ValueError("must look like 123456789:AAE… (the token @BotFather gave you)")
        return value

    @field_validator("base_url", "base_file_url", "proxy")
    @classmethod
    def _url_form(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _webhook_needs_its_section(self) -> "TelegramConfig":
        if self.mode == "webhook" and self.webhook is None:
            raise ValueError("mode webhook needs a `webhook` section with at least `url`")
        return self

    def webhook_secret(self) -> str:
        """The secret Telegram must send with each update (configured, else derived from the token)."""
        if self.webhook is not None and self.webhook.secret_token:
            return self.webhook.secret_token
        return hashlib.sha256(f"cocreate webhook {self.token}".encode()).hexdigest()[:48]
