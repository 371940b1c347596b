"""SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``."""
from storage.models.community import (
    BindingRequest,
    Building,
    Chat,
    ChatKind,
    Community,
    Compound,
    Grid,
    Household,
    Member,
    MemberIdentity,
    Role,
)
from storage.models.messaging import Outbox, PendingChoice, ProcessedMessage
from storage.models.polls import (
    Ballot,
    FeeCollection,
    FeePayment,
    Poll,
    PollBuilding,
    PollChat,
    PollKind,
    PollVoter,
    Proposal,
    ProposalSupport,
)
from storage.models.points import PointBalance, PointClaim, PointEntry, Redemption, Reward
from storage.models.reminders import Reminder, ReminderChat, ReminderCheckin, ReminderOccurrence, ReminderStatus
from storage.models.scheduling import JobRun
from storage.models.tickets import (
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketOffer,
    TicketReminder,
    TicketStatus,
    TicketSupport,
)

__all__ = [
    "BindingRequest", "Building", "Chat", "ChatKind", "Community", "Compound", "Grid",
    "Household", "JobRun", "Member", "MemberIdentity", "Outbox", "PendingChoice",
    "ProcessedMessage", "Reminder", "ReminderChat", "ReminderCheckin", "ReminderOccurrence",
    "ReminderStatus", "Role", "Ticket", "TicketCounter", "TicketEvent", "TicketOffer",
    "TicketReminder", "TicketStatus", "TicketSupport",
    "Ballot", "FeeCollection", "FeePayment", "Poll", "PollBuilding", "PollChat", "PollKind",
    "PollVoter", "Proposal", "ProposalSupport",
    "PointBalance", "PointClaim", "PointEntry", "Redemption", "Reward",
]
