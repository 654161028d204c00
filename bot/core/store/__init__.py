"""The SQLite store: results per officer, teams, leaderboards, trainer records, export."""

from bot.core.store.errors import (
    AlreadyMember,
    DatabaseUnusable,
    InvalidTeamName,
    NotAMember,
    OfficerNotFound,
    SessionNotFound,
    StoreClosed,
    StoreError,
    TeamExists,
    TeamNotFound,
)
from bot.core.store.leaderboard import UnknownPeriod
from bot.core.store.records import (
    AuditEntry,
    Leaderboard,
    LeaderboardRow,
    Officer,
    Progress,
    ProgressPoint,
    SessionSummary,
    StoredReport,
    StoredSession,
    Team,
    TeamLeaderboardRow,
    TrainerPersona,
    Transcript,
)
from bot.core.store.store import Store

__all__ = [
    "AlreadyMember",
    "AuditEntry",
    "DatabaseUnusable",
    "InvalidTeamName",
    "Leaderboard",
    "LeaderboardRow",
    "NotAMember",
    "Officer",
    "OfficerNotFound",
    "Progress",
    "ProgressPoint",
    "SessionNotFound",
    "SessionSummary",
    "Store",
    "StoreClosed",
    "StoreError",
    "StoredReport",
    "StoredSession",
    "Team",
    "TeamExists",
    "TeamLeaderboardRow",
    "TeamNotFound",
    "TrainerPersona",
    "Transcript",
    "UnknownPeriod",
]
