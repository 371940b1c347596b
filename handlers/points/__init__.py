"""Points (issue 6): an append-only ledger, leaders' awards and approvals, automatic points from
check-ins, accepted tickets and votes, weekly summaries with charts, rankings and rewards.

Importing the package registers every handler on ``router``.
"""
from handlers.points import award, claims, export, rewards, summary, views  # noqa: F401  (registers handlers)
from handlers.points.feature import PointsConfig, router

__all__ = ["PointsConfig", "router"]
