"""Polls (issue 4): quick polls, household votes and formal owners' decisions across the 1+N chats,
with turnout nudges, fee collection after a decision, and residents' proposals.

Importing the package registers every handler on ``router``.
"""
from handlers.polls import closing, create, export, fees, proposals, voting  # noqa: F401  (registers handlers)
from handlers.polls.feature import router

__all__ = ["router"]
