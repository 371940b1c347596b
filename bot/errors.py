"""Errors a handler raises to answer the member; the dispatcher rolls back and replies."""
from __future__ import annotations


class UserError(Exception):
    """Something the member can fix; ``message`` is the Chinese text they see."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        # Set by the dispatcher so a usage reply can quote the command's usage and example.
        self.command = None


class UsageError(UserError):
    """A malformed command; the reply adds the command's usage and example."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)


class Forbidden(UserError):
    """The sender's role or scope does not allow this; the message names who can."""


class NotFound(UserError):
    """The thing named (ticket number, household, poll) does not exist."""
