"""Sessions as they happen: started, one turn at a time, finished; and read back for resume."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from bot.core.session import Outcome, Turn
from bot.core.store.errors import SessionNotFound
from bot.core.store.records import StoredSession, stored_session, turn_from_row

_AGGREGATE = """
UPDATE sessions SET (turn_count, empathy, calmness, resolution, overall) = (
    SELECT count(*), avg(empathy), avg(calmness), avg(resolution), avg(overall)
    FROM turns WHERE session_id = :id
) WHERE id = :id
"""

_UPSERT_OFFICER = """
INSERT INTO officers (id, display_name, created_at, last_seen_at)
VALUES (:id, :name, :now, :now)
ON CONFLICT(id) DO UPDATE SET last_seen_at = excluded.last_seen_at
"""


def default_display_name(officer_id: str) -> str:
    """A name to show until the adapter tells us a better one ("cli:alice" -> "alice")."""
    return officer_id.split(":", 1)[-1] or officer_id


def touch_officer(db: Database, officer_id: str, now: float) -> None:
    """Make sure the officer has a row (sessions reference it) and mark them seen now."""
    db.execute(
        _UPSERT_OFFICER, {"id": officer_id, "name": default_display_name(officer_id), "now": now}
    )


def _upsert_session(db: Database, row: dict[str, Any]) -> None:
    touch_officer(db, row["officer_id"], row["updated_at"])
    columns = list(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("id", "officer_id"))
    db.execute(
        f"INSERT INTO sessions ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)}) "
        f"ON CONFLICT(id) DO UPDATE SET {updates}",
        row,
    )


def save_session(db: Database, row: dict[str, Any]) -> None:
    """Insert or update a session row; aggregates are recomputed from its stored turns."""
    _upsert_session(db, row)
    db.execute(_AGGREGATE, {"id": row["id"]})


def save_turn(db: Database, session: dict[str, Any], turn: dict[str, Any]) -> None:
    """Store one turn and bring its session row up to date, in the caller's transaction."""
    # Upserting the session too means a recorder attached mid-session still stores whole rows.
    _upsert_session(db, session)
    # A replayed turn (same number) replaces the earlier copy rather than duplicating it.
    columns = list(turn)
    db.execute(
        f"INSERT OR REPLACE INTO turns ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)})",
        turn,
    )
    db.execute(_AGGREGATE, {"id": session["id"]})


def close_session(db: Database, session_id: str, outcome: str, now: float) -> bool:
    """Give an unfinished session an outcome; False when it already had one."""
    outcome = Outcome(outcome).value
    if outcome == Outcome.IN_PROGRESS.value:
        raise ValueError("close_session needs a final outcome, not in_progress")
    cursor = db.execute(
        "UPDATE sessions SET status = ?, ended_at = ?, updated_at = ? "
        "WHERE id = ? AND status = 'in_progress'",
        [outcome, now, now, session_id],
    )
    if cursor.rowcount:
        return True
    if not db.execute("SELECT 1 FROM sessions WHERE id = ?", [session_id]).fetchone():
        raise SessionNotFound(session_id)
    return False


def set_session_meta(db: Database, session_id: str, meta: dict[str, str], now: float) -> None:
    """Replace a session's adapter context (a carried-on terminal practice has a new pid)."""
    db.execute(
        "UPDATE sessions SET meta = ?, updated_at = ? WHERE id = ?",
        [json.dumps(meta, sort_keys=True), now, session_id],
    )


def session_rows(db: Database, session_id: str) -> tuple[dict[str, Any], list[Turn], int]:
    """A session's row, its turns in order and how many of them are inherited.

    A rewind stores only the turns played in it; the turns before its branch point are read
    from its parent (and its parent's parent), so it always reads as the whole conversation.
    SessionNotFound when there is no such session.
    """
    rows = list(db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
    if not rows:
        raise SessionNotFound(session_id)
    row = rows[0]
    turns = [
        turn_from_row(r)
        for r in db.query("SELECT * FROM turns WHERE session_id = ? ORDER BY number", [session_id])
    ]
    inherited: list[Turn] = []
    if row.get("parent_id") and row.get("branch_turn"):
        try:
            _, parent_turns, _ = session_rows(db, row["parent_id"])
        except SessionNotFound:
            parent_turns = []  # the parent was erased; the branch still reads on its own
        inherited = parent_turns[: row["branch_turn"] - 1]
    return row, inherited + turns, len(inherited)


def load_session(db: Database, session_id: str) -> StoredSession:
    """A stored session with its turns; SessionNotFound when there is none."""
    row, turns, inherited = session_rows(db, session_id)
    return stored_session(row, turns, inherited)


def active_sessions(db: Database) -> list[StoredSession]:
    """Sessions still in progress, oldest first, with their turns."""
    ids = [
        r["id"]
        for r in db.query(
            "SELECT id FROM sessions WHERE status = 'in_progress' ORDER BY started_at, id"
        )
    ]
    return [load_session(db, session_id) for session_id in ids]
