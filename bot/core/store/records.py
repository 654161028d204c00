"""What the store hands back (plain dataclasses) and how sessions and turns become rows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.scores import CRITERIA, DIMENSIONS, RubricScore
from bot.core.session import Mode, Outcome, PracticeSession, Turn

SCORE_DIMENSIONS: tuple[str, ...] = ("empathy", "calmness", "resolution", "overall")


@dataclass(frozen=True)
class StoredSession:
    """A stored session with everything needed to rebuild its PracticeSession."""

    id: str
    officer_id: str
    persona_id: str
    mode: Mode
    agitation: int
    opening_line: str
    turns: list[Turn]
    started_at: float
    meta: dict[str, str]
    outcome: Outcome = Outcome.IN_PROGRESS
    ended_at: float | None = None
    persona_name: str = ""


@dataclass(frozen=True)
class SessionSummary:
    """One session as listed in a history: persona, outcome, turn count and mean scores."""

    id: str
    officer_id: str
    persona_id: str
    persona_name: str
    mode: Mode
    outcome: Outcome
    started_at: float
    ended_at: float | None
    turns: int
    agitation: int
    start_agitation: int
    scores: dict[str, float | None]  # empathy, calmness, resolution, overall (None: no turns)

    @property
    def overall(self) -> float | None:
        """Mean overall score of the session's turns."""
        return self.scores["overall"]


@dataclass(frozen=True)
class Transcript:
    """A session's summary and its turns in order (for review and debriefs)."""

    summary: SessionSummary
    opening_line: str
    turns: list[Turn]
    meta: dict[str, str]


@dataclass(frozen=True)
class Officer:
    """An officer as the store knows them."""

    id: str
    display_name: str
    created_at: float
    last_seen_at: float | None = None


@dataclass(frozen=True)
class Team:
    """A team and how many officers are in it."""

    name: str
    members: int
    created_at: float
    created_by: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One trainer action."""

    id: int
    at: float
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class ProgressPoint:
    """One scored session on an officer's progress line."""

    session_id: str
    started_at: float
    persona_id: str
    outcome: Outcome
    scores: dict[str, float]


@dataclass(frozen=True)
class Progress:
    """An officer's scores over time, best result per persona, and streaks."""

    officer_id: str
    display_name: str
    points: list[ProgressPoint]  # scored sessions, oldest first
    best_by_persona: dict[str, float]  # persona id -> best session overall
    sessions: int  # finished sessions with at least one turn
    resolved: int
    resolved_streak: int
    day_streak: int

    @property
    def resolution_rate(self) -> float:
        """Share of scored sessions that ended resolved (0.0 when none)."""
        return self.resolved / self.sessions if self.sessions else 0.0


@dataclass(frozen=True)
class LeaderboardRow:
    """An officer's place on the individual leaderboard."""

    rank: int
    officer_id: str
    display_name: str
    score: float
    sessions: int
    resolved: int
    last_session_at: float
    resolved_streak: int = 0
    day_streak: int = 0

    @property
    def resolution_rate(self) -> float:
        """Share of the period's scored sessions that ended resolved."""
        return self.resolved / self.sessions if self.sessions else 0.0


@dataclass(frozen=True)
class TeamLeaderboardRow:
    """A team's place on the team leaderboard."""

    rank: int
    team: str
    score: float
    qualifying_members: int
    members: int
    sessions: int
    resolved: int
    top_officer: str = ""

    @property
    def resolution_rate(self) -> float:
        """Share of qualifying members' scored sessions that ended resolved."""
        return self.resolved / self.sessions if self.sessions else 0.0


@dataclass
class Leaderboard:
    """Rows plus what they were computed over, so adapters can say so."""

    period: str
    since: float | None
    rows: list[Any] = field(default_factory=list)


def session_row(session: PracticeSession, now: float) -> dict[str, Any]:
    """The sessions row for a session as it stands now."""
    row: dict[str, Any] = {
        "id": session.id,
        "officer_id": session.officer_id,
        "persona_id": session.persona.id,
        "persona_name": session.persona.name,
        "difficulty": session.persona.difficulty,
        "mode": str(session.mode),
        "status": str(session.outcome),
        "agitation": session.agitation,
        "start_agitation": session.persona.start_agitation,
        "opening_line": session.opening_line,
        "meta": json.dumps(session.meta, sort_keys=True),
        "started_at": session.started_at,
        "updated_at": now,
        "ended_at": session.ended_at,
    }
    return row


def turn_row(session_id: str, turn: Turn) -> dict[str, Any]:
    """The turns row for one turn: scores as columns and the full RubricScore as JSON."""
    row: dict[str, Any] = {
        "session_id": session_id,
        "number": turn.number,
        "visitor_line": turn.visitor_line,
        "officer_text": turn.officer_text,
        "visitor_reply": turn.visitor_reply,
        "agitation_before": turn.agitation_before,
        "agitation_after": turn.agitation_after,
        "reasons": json.dumps(list(turn.reasons)),
        "flags": json.dumps(list(turn.score.flags)),
        "score_json": json.dumps(turn.score.to_dict(), separators=(",", ":")),
        "at": turn.at,
        "score_ms": turn.score_ms,
        "reply_ms": turn.reply_ms,
    }
    # A criterion the moment did not call for is NULL, so SQL averages leave it out.
    for name in CRITERIA:
        criterion = turn.score.criteria.get(name)
        row[name] = criterion.score if criterion and criterion.applicable else None
    for name in DIMENSIONS:
        row[name] = turn.score.dimensions.get(name)
    return row


def turn_from_row(row: Mapping[str, Any]) -> Turn:
    """Inverse of turn_row."""
    return Turn(
        number=row["number"],
        visitor_line=row["visitor_line"] or "",
        officer_text=row["officer_text"],
        score=RubricScore.from_dict(json.loads(row["score_json"])),
        agitation_before=row["agitation_before"],
        agitation_after=row["agitation_after"],
        reasons=tuple(json.loads(row["reasons"] or "[]")),
        visitor_reply=row["visitor_reply"] or "",
        at=row["at"],
        score_ms=row["score_ms"] or 0.0,
        reply_ms=row["reply_ms"] or 0.0,
    )


def summary_from_row(row: Mapping[str, Any]) -> SessionSummary:
    """A SessionSummary from a sessions row."""
    return SessionSummary(
        id=row["id"],
        officer_id=row["officer_id"],
        persona_id=row["persona_id"],
        persona_name=row["persona_name"] or row["persona_id"],
        mode=Mode(row["mode"]),
        outcome=Outcome(row["status"]),
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        turns=row["turn_count"],
        agitation=row["agitation"],
        start_agitation=row["start_agitation"],
        scores={d: row[d] for d in SCORE_DIMENSIONS},
    )


def stored_session(row: Mapping[str, Any], turns: list[Turn]) -> StoredSession:
    """A StoredSession from a sessions row and its turns."""
    return StoredSession(
        id=row["id"],
        officer_id=row["officer_id"],
        persona_id=row["persona_id"],
        mode=Mode(row["mode"]),
        agitation=row["agitation"],
        opening_line=row["opening_line"] or "",
        turns=turns,
        started_at=row["started_at"],
        meta={str(k): str(v) for k, v in json.loads(row["meta"] or "{}").items()},
        outcome=Outcome(row["status"]),
        ended_at=row["ended_at"],
        persona_name=row["persona_name"] or "",
    )
