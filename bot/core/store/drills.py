"""Per-officer reads the drills need: criterion means over the latest sessions, drill results."""

from __future__ import annotations

from sqlite_utils import Database

from bot.core.drills import DrillResult
from bot.core.scores import CRITERIA

# Drills and full practices both show a skill; a "what if?" retry is not a fair sample of it.
SKILL_SESSIONS = (
    "status != 'in_progress' AND turn_count > 0 AND kind IN ('practice', 'drill')"
)
# The drill's own criterion, picked per row (names come from CRITERIA, never from input).
_FOCUS_SCORE = "CASE s.focus " + " ".join(f"WHEN '{c}' THEN t.{c}" for c in CRITERIA) + " END"


def criterion_levels(db: Database, officer_id: str, sessions: int) -> dict[str, float]:
    """The officer's mean on each criterion over the replies of their latest sessions."""
    means = ", ".join(f"avg(t.{c}) AS {c}" for c in CRITERIA)
    row = db.execute(
        f"SELECT {means} FROM turns t WHERE t.session_id IN ("
        f"  SELECT id FROM sessions WHERE officer_id = ? AND {SKILL_SESSIONS}"
        "   ORDER BY started_at DESC LIMIT ?)",
        [officer_id, sessions],
    ).fetchone()
    return {c: round(v, 1) for c, v in zip(CRITERIA, row or (), strict=False) if v is not None}


def drill_results(db: Database, officer_id: str) -> list[DrillResult]:
    """Every finished drill of the officer with its score on its criterion, oldest first."""
    rows = db.execute(
        f"SELECT s.id, s.focus, s.persona_id, s.ended_at, avg({_FOCUS_SCORE}) "
        "FROM sessions s JOIN turns t ON t.session_id = s.id "
        "WHERE s.officer_id = ? AND s.kind = 'drill' AND s.status != 'in_progress' "
        "GROUP BY s.id ORDER BY s.ended_at, s.id",
        [officer_id],
    ).fetchall()
    return [
        DrillResult(sid, focus, persona, ended, round(score, 1))
        for sid, focus, persona, ended, score in rows
        if focus in CRITERIA and score is not None
    ]
