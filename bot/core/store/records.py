"""What the store hands back (plain dataclasses) and how sessions and turns become rows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.report.findings import ReportCheck
from bot.core.scores import CRITERIA, CRITERION_LABELS, DIMENSIONS, RubricScore
from bot.core.session import Mode, Outcome, PracticeSession, SessionKind, Turn

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
    start_agitation: int | None = None
    kind: SessionKind = SessionKind.PRACTICE
    parent_id: str | None = None
    branch_turn: int | None = None
    focus: str | None = None
    max_turns: int | None = None
    inherited: int = 0  # a rewind: how many of `turns` are its parent's, before the branch


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
    kind: SessionKind = SessionKind.PRACTICE
    parent_id: str | None = None
    branch_turn: int | None = None
    focus: str | None = None

    @property
    def overall(self) -> float | None:
        """Mean overall score of the session's turns."""
        return self.scores["overall"]


@dataclass(frozen=True)
class Transcript:
    """A session's summary and its turns in order (for review and debriefs)."""

    summary: SessionSummary
    opening_line: str
    turns: list[Turn]  # a rewind's include its parent's turns before the branch
    meta: dict[str, str]
    inherited: int = 0  # a rewind: how many of `turns` are its parent's


@dataclass(frozen=True)
class TrainerNote:
    """A trainer's note on one reply: a comment, or a criterion score overridden with a reason."""

    id: int
    session_id: str
    turn: int
    author: str
    comment: str  # for an override: the reason
    at: float
    criterion: str | None = None
    old_score: int | None = None
    new_score: int | None = None
    seen_at: float | None = None  # when the officer was shown it
    officer_id: str = ""
    persona_name: str = ""

    @property
    def is_override(self) -> bool:
        """Whether the note changed a score."""
        return self.criterion is not None

    @property
    def author_name(self) -> str:
        """The author as the audit log has them, without the id ("tessa")."""
        if "(" in self.author and self.author.endswith(")"):
            return self.author[self.author.index("(") + 1 : -1]
        return self.author.split(":", 1)[-1]

    def describe(self) -> str:
        """The note in one line: "reply 2 - tessa: ..." (overrides say the score change)."""
        head = f"reply {self.turn} - {self.author_name}"
        if self.is_override:
            label = CRITERION_LABELS.get(self.criterion or "", self.criterion)
            return f"{head}: {label} {self.old_score} -> {self.new_score} ({self.comment})"
        return f"{head}: {self.comment}"


@dataclass(frozen=True)
class StoredReport:
    """An officer's incident report on a session, with what the check found."""

    session_id: str
    officer_id: str
    text: str
    check: ReportCheck
    written_at: float


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
class TrainerPersona:
    """A persona a trainer saved: its id and YAML as written, and who saved it when."""

    id: str
    yaml: str
    added_by: str
    added_at: float
    updated_at: float | None = None


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
    criteria: dict[str, float] = field(default_factory=dict)  # mean per criterion
    strategy: dict[str, int] = field(default_factory=dict)  # replies per strategy label

    def shares(self) -> dict[str, float]:
        """Share (0-1) of the session's labelled replies per strategy."""
        total = sum(self.strategy.values())
        return {k: (v / total if total else 0.0) for k, v in self.strategy.items()}


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

    def strategy_share(self, last: int | None = None) -> dict[str, float]:
        """Share (0-1) of replies per strategy over all sessions (or the latest `last`)."""
        points = self.points[-last:] if last else self.points
        counts: dict[str, int] = {}
        for point in points:
            for label, n in point.strategy.items():
                counts[label] = counts.get(label, 0) + n
        total = sum(counts.values())
        return {k: (v / total if total else 0.0) for k, v in counts.items()}

    def trend_window(self, window: int = 3) -> int:
        """How many sessions each end of a trend averages: `window`, or fewer so the first and
        the latest never overlap (1 each with 2 sessions)."""
        return max(1, min(window, len(self.points) // 2))

    def criterion_trend(self, window: int = 3) -> dict[str, tuple[float, float]]:
        """Per criterion: the mean of the first sessions and of the latest (trend_window each)."""
        size = self.trend_window(window)
        first, latest = self.points[:size], self.points[-size:]

        def mean(points: list[ProgressPoint], c: str) -> float:
            values = [p.criteria[c] for p in points if c in p.criteria]
            return round(sum(values) / len(values), 1) if values else 0.0

        names = {c for p in self.points for c in p.criteria}
        return {c: (mean(first, c), mean(latest, c)) for c in CRITERIA if c in names}


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


@dataclass(frozen=True)
class ImprovedRow:
    """An officer's place on the most-improved board (docs/leaderboard.md)."""

    rank: int
    officer_id: str
    display_name: str
    improvement: float  # recent mean - baseline mean, points
    recent: float  # mean overall of the latest 3 practices
    baseline: float  # mean overall of the 3 before them
    sessions: int  # practices in the period

    @property
    def score(self) -> float:
        """What the board ranks on (charts draw it)."""
        return self.improvement


@dataclass(frozen=True)
class WeekPoint:
    """A team's week: how many practised, criterion means and strategy counts of its replies."""

    label: str  # the week's first day, "06 Jan"
    start: float
    sessions: int
    officers: int
    criteria: dict[str, float]
    strategy: dict[str, int]

    def shares(self) -> dict[str, float]:
        """Share (0-1) of the week's labelled replies per strategy."""
        total = sum(self.strategy.values())
        return {k: (v / total if total else 0.0) for k, v in self.strategy.items()}


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
        "kind": str(session.kind),
        "parent_id": session.parent_id,
        "branch_turn": session.branch_turn,
        "focus": session.focus,
        "max_turns": session.persona.max_turns,
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
        "strategy": turn.strategy or None,
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
        strategy=row.get("strategy") or "",
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
        kind=SessionKind(row.get("kind") or "practice"),
        parent_id=row.get("parent_id"),
        branch_turn=row.get("branch_turn"),
        focus=row.get("focus"),
    )


def stored_session(
    row: Mapping[str, Any], turns: list[Turn], inherited: int = 0
) -> StoredSession:
    """A StoredSession from a sessions row and its turns (a rewind's parent turns first)."""
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
        start_agitation=row["start_agitation"],
        kind=SessionKind(row.get("kind") or "practice"),
        parent_id=row.get("parent_id"),
        branch_turn=row.get("branch_turn"),
        focus=row.get("focus"),
        max_turns=row.get("max_turns"),
        inherited=inherited,
    )
