"""Per-officer reads: history, progress over time, streaks and transcripts."""

from __future__ import annotations

import json

from sqlite_utils import Database

from bot.core.scores import CRITERIA
from bot.core.session import Outcome
from bot.core.store.records import (
    SCORE_DIMENSIONS,
    Progress,
    ProgressPoint,
    SessionSummary,
    Transcript,
    summary_from_row,
)
from bot.core.store.sessions import session_rows

# A "scored" session: a full practice (not a drill or a "what if?" branch), finished with at least
# one turn. Leaderboards, progress and streaks of results use only these (docs/leaderboard.md).
SCORED = "status != 'in_progress' AND turn_count > 0 AND kind = 'practice'"
DAY = 86400
_SUMMARY_COLUMNS = (
    "id, officer_id, persona_id, persona_name, mode, status, started_at, ended_at, turn_count, "
    "agitation, start_agitation, empathy, calmness, resolution, overall, kind, parent_id, "
    "branch_turn, focus"
)


def officer_history(db: Database, officer_id: str, limit: int) -> list[SessionSummary]:
    """An officer's sessions, newest first (in-progress ones included)."""
    return [
        summary_from_row(r)
        for r in db.query(
            f"SELECT {_SUMMARY_COLUMNS} FROM sessions WHERE officer_id = ? "
            "ORDER BY started_at DESC, id DESC LIMIT ?",
            [officer_id, limit],
        )
    ]


def recent_sessions(db: Database, officer_id: str | None, limit: int) -> list[SessionSummary]:
    """The latest sessions of one officer, or of everyone when officer_id is None."""
    if officer_id is not None:
        return officer_history(db, officer_id, limit)
    return [
        summary_from_row(r)
        for r in db.query(
            f"SELECT {_SUMMARY_COLUMNS} FROM sessions ORDER BY started_at DESC, id DESC LIMIT ?",
            [limit],
        )
    ]


def resolved_streak(db: Database, officer_id: str) -> int:
    """How many of the officer's latest scored sessions in a row ended resolved."""
    streak = 0
    for (status,) in db.execute(
        f"SELECT status FROM sessions WHERE officer_id = ? AND {SCORED} "
        "ORDER BY started_at DESC",
        [officer_id],
    ):
        if status != Outcome.RESOLVED.value:
            break
        streak += 1
    return streak


def day_streak(db: Database, officer_id: str, now: float) -> int:
    """Consecutive UTC days with a practised turn, ending today (or yesterday, if not yet today)."""
    today = int(now // DAY)
    streak, expected = 0, None
    for (started_at,) in db.execute(
        "SELECT started_at FROM sessions WHERE officer_id = ? AND turn_count > 0 "
        "ORDER BY started_at DESC",
        [officer_id],
    ):
        day = int(started_at // DAY)
        if expected is None:
            # Not having practised yet today does not break a streak that ran until yesterday.
            if today - day > 1:
                return 0
            expected = day
        if day == expected:
            streak += 1
            expected -= 1
        elif day < expected:
            break  # a day without practice: the streak ends here
    return streak


_STRATEGIES = ("cooperative", "competitive", "mixed", "neutral")


def officer_progress(db: Database, officer_id: str, now: float) -> Progress:
    """Scores per dimension and criterion and strategy shares over the officer's scored
    sessions, best per persona, streaks."""
    display = db.execute(
        "SELECT display_name FROM officers WHERE id = ?", [officer_id]
    ).fetchone()
    criteria = ", ".join(f"avg(t.{c}) AS {c}" for c in CRITERIA)
    strategies = ", ".join(f"sum(t.strategy = '{s}') AS n_{s}" for s in _STRATEGIES)
    points = [
        ProgressPoint(
            session_id=r["id"],
            started_at=r["started_at"],
            persona_id=r["persona_id"],
            outcome=Outcome(r["status"]),
            scores={d: round(r[d], 1) for d in SCORE_DIMENSIONS},
            criteria={c: round(r[c], 1) for c in CRITERIA if r[c] is not None},
            strategy={s: r[f"n_{s}"] or 0 for s in _STRATEGIES},
        )
        for r in db.query(
            f"SELECT s.id, s.started_at, s.persona_id, s.status, "
            f"{', '.join('s.' + d for d in SCORE_DIMENSIONS)}, {criteria}, {strategies} "
            f"FROM sessions s JOIN turns t ON t.session_id = s.id "
            f"WHERE s.officer_id = ? AND {SCORED} GROUP BY s.id ORDER BY s.started_at, s.id",
            [officer_id],
        )
    ]
    best: dict[str, float] = {}
    for point in points:
        best[point.persona_id] = max(best.get(point.persona_id, 0.0), point.scores["overall"])
    return Progress(
        officer_id=officer_id,
        display_name=display[0] if display else officer_id,
        points=points,
        best_by_persona=dict(sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))),
        sessions=len(points),
        resolved=sum(p.outcome is Outcome.RESOLVED for p in points),
        resolved_streak=resolved_streak(db, officer_id),
        day_streak=day_streak(db, officer_id, now),
    )


def session_transcript(db: Database, session_id: str) -> Transcript:
    """A session's summary and every turn, in order."""
    row, turns, inherited = session_rows(db, session_id)
    meta = {str(k): str(v) for k, v in json.loads(row["meta"] or "{}").items()}
    return Transcript(summary_from_row(row), row["opening_line"] or "", turns, meta, inherited)
