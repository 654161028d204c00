"""The schema as an ordered list of small migrations; the store applies the pending ones."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.core.scores import CRITERIA, DIMENSIONS

migrations = Migrations("cooldown")
# A turn row carries the full RubricScore JSON (~2 KB); with the default 4 KB pages only one fits
# per page and half the file is empty space. 16 KB pages hold about seven.
PAGE_SIZE = 16384


def upgrade(db: Database) -> None:
    """Bring a database (new or old) to the current schema; page size is set while it is new.

    Pending migrations run inside one BEGIN IMMEDIATE transaction: two processes opening a new
    file at once used to both create `_sqlite_migrations` ("table already exists") or fail with
    "database is locked". The write lock makes the second wait (busy timeout), and it then finds
    nothing left to do. Each migration is a savepoint inside that transaction.
    """
    if not db.table_names():
        # Only possible before the first table exists (and before WAL is on).
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    if not migrations.pending(db):
        return  # the usual start: no write lock needed
    db.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(db)
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@migrations()
def m001_officers_and_teams(db: Database) -> None:
    """Officers, teams and who is in which team."""
    db["officers"].create(
        {"id": str, "display_name": str, "created_at": float, "last_seen_at": float},
        pk="id",
        not_null={"display_name", "created_at"},
    )
    db["teams"].create(
        {"id": int, "name": str, "created_at": float, "created_by": str},
        pk="id",
        not_null={"name", "created_at"},
    )
    # Team names are typed by people in chat: "Night Shift" and "night shift" are the same team.
    db.execute("CREATE UNIQUE INDEX idx_teams_name ON teams(name COLLATE NOCASE)")
    db["memberships"].create(
        {"team_id": int, "officer_id": str, "added_at": float, "added_by": str},
        pk=("team_id", "officer_id"),
        foreign_keys=[("team_id", "teams", "id"), ("officer_id", "officers", "id")],
        not_null={"added_at"},
    )
    db["memberships"].create_index(["officer_id"], index_name="idx_memberships_officer")


@migrations()
def m002_sessions_and_turns(db: Database) -> None:
    """Practice sessions (one row, updated as it goes) and their turns."""
    db["sessions"].create(
        {
            "id": str,
            "officer_id": str,
            "persona_id": str,
            "persona_name": str,
            "difficulty": int,
            "mode": str,
            "status": str,  # an Outcome value; in_progress until it ends
            "agitation": int,
            "start_agitation": int,
            "opening_line": str,
            "meta": str,  # JSON object of adapter context
            "started_at": float,
            "updated_at": float,
            "ended_at": float,
            "turn_count": int,
            # Means over the session's turns; NULL until the first turn.
            "empathy": float,
            "calmness": float,
            "resolution": float,
            "overall": float,
        },
        pk="id",
        foreign_keys=[("officer_id", "officers", "id")],
        not_null={"officer_id", "persona_id", "mode", "status", "started_at", "turn_count"},
        defaults={"turn_count": 0, "meta": "{}"},
    )
    columns: dict[str, type] = {
        "id": int,
        "session_id": str,
        "number": int,
        "visitor_line": str,
        "officer_text": str,
        "visitor_reply": str,
        "agitation_before": int,
        "agitation_after": int,
        "reasons": str,  # JSON list
    }
    columns.update({name: int for name in CRITERIA + DIMENSIONS})
    columns.update(
        {"flags": str, "score_json": str, "at": float, "score_ms": float, "reply_ms": float}
    )
    db["turns"].create(
        columns,
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "number", "officer_text", "score_json"},
    )
    db["turns"].create_index(["session_id", "number"], "idx_turns_session", unique=True)


@migrations()
def m003_session_indexes(db: Database) -> None:
    """Indexes for history, resume and the leaderboards (see bench/store.py for the targets)."""
    # Covers the streak scans (newest first, stop at the first break) without table lookups.
    db.execute(
        "CREATE INDEX idx_sessions_officer "
        "ON sessions(officer_id, started_at DESC, status, turn_count)"
    )
    db.execute(
        "CREATE INDEX idx_sessions_active ON sessions(status) WHERE status = 'in_progress'"
    )
    # Scored sessions only (the leaderboards never look at others), in each officer's best-first
    # order: per-officer counts and the best-5 lookups read this index and never the table.
    db.execute(
        "CREATE INDEX idx_sessions_scored_by_officer ON sessions(officer_id, overall DESC, "
        "ended_at, status) WHERE status != 'in_progress' AND turn_count > 0"
    )


@migrations()
def m004_trainer_tables(db: Database) -> None:
    """Trainer-added personas, disabled persona ids, per-guild settings and the audit log."""
    db["personas"].create(
        {"id": str, "yaml": str, "added_by": str, "added_at": float, "updated_at": float},
        pk="id",
        not_null={"yaml", "added_at"},
    )
    db["disabled_personas"].create(
        {"persona_id": str, "disabled_by": str, "disabled_at": float}, pk="persona_id"
    )
    db["settings"].create(
        {"scope": str, "key": str, "value": str, "updated_by": str, "updated_at": float},
        pk=("scope", "key"),
    )
    db["audit"].create(
        {"id": int, "at": float, "actor": str, "action": str, "detail": str},
        pk="id",
        not_null={"at", "actor", "action"},
    )
    db["audit"].create_index(["at"], index_name="idx_audit_at")


@migrations()
def m005_learning_loop(db: Database) -> None:
    """Rewinds and drills, per-turn strategy labels, incident reports, trainer notes/overrides."""
    sessions = db["sessions"]
    sessions.add_column("kind", str, not_null_default="practice")  # a SessionKind value
    sessions.add_column("parent_id", str)  # a rewind: the session it branches from
    sessions.add_column("branch_turn", int)  # a rewind: the parent's turn it replaces
    sessions.add_column("focus", str)  # a drill: the criterion it works on
    sessions.add_column("max_turns", int)  # the turn limit the session ran with
    db["turns"].add_column("strategy", str)  # a Strategy value
    _label_strategies(db)
    # Leaderboards rank full practices only (docs/leaderboard.md): the partial index says so.
    db.execute("DROP INDEX idx_sessions_scored_by_officer")
    db.execute(
        "CREATE INDEX idx_sessions_scored_by_officer ON sessions(officer_id, overall DESC, "
        "ended_at, status) WHERE status != 'in_progress' AND turn_count > 0 "
        "AND kind = 'practice'"
    )
    db.execute(
        "CREATE INDEX idx_sessions_parent ON sessions(parent_id) WHERE parent_id IS NOT NULL"
    )
    db["reports"].create(
        {
            "session_id": str,
            "officer_id": str,
            "text": str,
            "findings": str,  # JSON list of {kind, part, message}
            "complete": int,
            "consistent": int,
            "written_at": float,
        },
        pk="session_id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"officer_id", "text", "findings", "written_at"},
    )
    db["notes"].create(
        {
            "id": int,
            "session_id": str,
            "turn": int,
            "author": str,
            "comment": str,
            "criterion": str,  # set when the note overrides a criterion score
            "old_score": int,
            "new_score": int,
            "at": float,
            "seen_at": float,  # when the officer was shown it (NULL: not yet)
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "turn", "author", "comment", "at"},
    )
    db["notes"].create_index(["session_id", "turn"], index_name="idx_notes_session")


def _label_strategies(db: Database) -> None:
    """Label the turns stored before strategies were recorded."""
    from bot.core.strategy import label_reply

    rows = db.execute("SELECT id, officer_text FROM turns WHERE strategy IS NULL").fetchall()
    for turn_id, text in rows:
        db.execute(
            "UPDATE turns SET strategy = ? WHERE id = ?",
            [label_reply(text or "").strategy.value, turn_id],
        )
