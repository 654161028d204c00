"""Trainer notes on single replies: comments, and criterion scores overridden with a reason.

An override is the only way a stored score ever changes: the turn's criterion, its dimensions
and the session's means are recomputed in the same transaction that records the note (with the
score before and after) and the audit line, so leaderboards and exports follow at once and the
change can always be traced.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from bot.core.scores import CRITERIA, CRITERION_LABELS, DIMENSIONS, RubricScore, dimensions_from
from bot.core.store.admin import record_audit
from bot.core.store.errors import NoteRefused, SessionNotFound
from bot.core.store.records import TrainerNote

MAX_COMMENT = 1000
_AGGREGATE = """
UPDATE sessions SET (empathy, calmness, resolution, overall) = (
    SELECT avg(empathy), avg(calmness), avg(resolution), avg(overall)
    FROM turns WHERE session_id = :id
) WHERE id = :id
"""


def _turn_row(db: Database, session_id: str, turn: int) -> dict[str, Any]:
    session = db.execute(
        "SELECT parent_id, branch_turn, turn_count FROM sessions WHERE id = ?", [session_id]
    ).fetchone()
    if session is None:
        raise SessionNotFound(session_id)
    rows = list(
        db.query("SELECT * FROM turns WHERE session_id = ? AND number = ?", [session_id, turn])
    )
    if rows:
        return rows[0]
    parent, branch_turn, _ = session
    if parent and branch_turn and turn < branch_turn:
        raise NoteRefused(
            f"Reply {turn} of this what-if belongs to the practice it was rewound from "
            f"({parent}); put the note there."
        )
    numbers = [n for (n,) in db.execute(
        "SELECT number FROM turns WHERE session_id = ? ORDER BY number", [session_id])]  # fmt: skip
    raise NoteRefused(
        f"This practice has no reply {turn}. Its replies: "
        f"{', '.join(map(str, numbers)) or 'none'}."
    )


def _comment(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise NoteRefused("The note is empty. Write what the officer should know.")
    if len(cleaned) > MAX_COMMENT:
        raise NoteRefused(f"Keep a note under {MAX_COMMENT} characters ({len(cleaned)} now).")
    return cleaned


def criterion_name(text: str) -> str:
    """A criterion from its name or label, any case ("explains reason" -> explains_reason)."""
    wanted = text.strip().lower().replace("-", " ").replace("_", " ")
    for name in CRITERIA:
        if wanted in (name.replace("_", " "), CRITERION_LABELS[name].lower()):
            return name
    raise NoteRefused(f"Unknown criterion '{text}'. Choose one of: {', '.join(CRITERIA)}.")


def add_comment(
    db: Database, session_id: str, turn: int, author: str, text: str, now: float
) -> TrainerNote:
    """A trainer's comment on one reply (audited)."""
    _turn_row(db, session_id, turn)
    comment = _comment(text)
    note_id = db["notes"].insert(
        {"session_id": session_id, "turn": turn, "author": author, "comment": comment, "at": now}
    ).last_pk
    record_audit(db, author, "note", f"session {session_id} reply {turn}", now)
    return note(db, int(note_id))


def override_score(
    db: Database,
    session_id: str,
    turn: int,
    criterion: str,
    score: int,
    reason: str,
    author: str,
    now: float,
) -> TrainerNote:
    """Set one criterion of one reply to a trainer's score, with the reason; recompute the turn's
    dimensions and the session's means; record the note and the audit line."""
    name = criterion_name(criterion)
    if not 0 <= score <= 100:
        raise NoteRefused(f"A score is 0 to 100; {score} is not.")
    why = _comment(reason)
    row = _turn_row(db, session_id, turn)
    rubric = RubricScore.from_dict(json.loads(row["score_json"]))
    old = rubric.criteria[name].score
    criteria = {**rubric.criteria, name: replace(rubric.criteria[name], score=score)}
    dims = dimensions_from({c: criteria[c].score for c in CRITERIA})
    updated = RubricScore(criteria, dims, rubric.coaching, rubric.flags)
    columns: dict[str, Any] = {name: score, **{d: dims[d] for d in DIMENSIONS}}
    columns["score_json"] = json.dumps(updated.to_dict(), separators=(",", ":"))
    db["turns"].update(row["id"], columns)
    db.execute(_AGGREGATE, {"id": session_id})
    note_id = db["notes"].insert(
        {"session_id": session_id, "turn": turn, "author": author, "comment": why,
         "criterion": name, "old_score": old, "new_score": score, "at": now}
    ).last_pk  # fmt: skip
    record_audit(
        db, author, "score_override",
        f"session {session_id} reply {turn}: {name} {old} -> {score} ({why})", now,
    )  # fmt: skip
    return note(db, int(note_id))


def _from_row(row: dict[str, Any]) -> TrainerNote:
    return TrainerNote(
        id=row["id"], session_id=row["session_id"], turn=row["turn"], author=row["author"],
        comment=row["comment"], at=row["at"], criterion=row["criterion"],
        old_score=row["old_score"], new_score=row["new_score"], seen_at=row["seen_at"],
        officer_id=row.get("officer_id", ""), persona_name=row.get("persona_name") or "",
    )  # fmt: skip


_SELECT = (
    "SELECT n.*, s.officer_id, s.persona_name FROM notes n JOIN sessions s ON s.id = n.session_id"
)


def note(db: Database, note_id: int) -> TrainerNote:
    """One note by id."""
    return _from_row(next(db.query(f"{_SELECT} WHERE n.id = ?", [note_id])))


def session_notes(db: Database, session_id: str) -> list[TrainerNote]:
    """A session's notes, by reply then time."""
    return [
        _from_row(r)
        for r in db.query(f"{_SELECT} WHERE n.session_id = ? ORDER BY n.turn, n.at, n.id",
                          [session_id])  # fmt: skip
    ]


def officer_notes(db: Database, officer_id: str, unseen: bool, limit: int) -> list[TrainerNote]:
    """Notes on an officer's sessions, newest first (only the ones not shown yet if asked)."""
    where = "s.officer_id = ?" + (" AND n.seen_at IS NULL" if unseen else "")
    return [
        _from_row(r)
        for r in db.query(f"{_SELECT} WHERE {where} ORDER BY n.at DESC, n.id DESC LIMIT ?",
                          [officer_id, limit])  # fmt: skip
    ]


def mark_seen(db: Database, note_ids: list[int], now: float) -> None:
    """Record that the officer was shown these notes."""
    for note_id in note_ids:
        db.execute("UPDATE notes SET seen_at = ? WHERE id = ? AND seen_at IS NULL", [now, note_id])
