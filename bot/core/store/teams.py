"""Officers, teams and memberships."""

from __future__ import annotations

from sqlite_utils import Database

from bot.core.store.admin import record_audit
from bot.core.store.errors import (
    AlreadyMember,
    InvalidTeamName,
    NotAMember,
    TeamExists,
    TeamNotFound,
)
from bot.core.store.records import Officer, Team
from bot.core.store.sessions import default_display_name

MAX_TEAM_NAME = 50


def ensure_officer(db: Database, officer_id: str, display_name: str | None, now: float) -> None:
    """Create the officer or update their display name (None keeps the current one)."""
    name = (display_name or "").strip() or default_display_name(officer_id)
    db.execute(
        "INSERT INTO officers (id, display_name, created_at, last_seen_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET last_seen_at = excluded.last_seen_at"
        + (", display_name = excluded.display_name" if display_name else ""),
        [officer_id, name, now, now],
    )


def officer(db: Database, officer_id: str) -> Officer | None:
    """The officer's row, or None."""
    row = db.execute(
        "SELECT id, display_name, created_at, last_seen_at FROM officers WHERE id = ?",
        [officer_id],
    ).fetchone()
    return Officer(*row) if row else None


def _team_names(db: Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT name FROM teams ORDER BY name COLLATE NOCASE")]


def team_id(db: Database, name: str) -> tuple[int, str]:
    """(id, stored name) of a team, matched ignoring case; TeamNotFound lists the others."""
    row = db.execute(
        "SELECT id, name FROM teams WHERE name = ? COLLATE NOCASE", [name.strip()]
    ).fetchone()
    if row is None:
        raise TeamNotFound(name, _team_names(db))
    return row[0], row[1]


def clean_team_name(name: str) -> str:
    """The name stripped; InvalidTeamName when empty or too long."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidTeamName("A team name cannot be empty.")
    if len(cleaned) > MAX_TEAM_NAME:
        raise InvalidTeamName(
            f"Team names are at most {MAX_TEAM_NAME} characters; '{cleaned[:20]}...' is "
            f"{len(cleaned)}."
        )
    return cleaned


def create_team(db: Database, name: str, actor: str, now: float) -> Team:
    """A new team; TeamExists when the name is taken (ignoring case)."""
    cleaned = clean_team_name(name)
    existing = db.execute(
        "SELECT name FROM teams WHERE name = ? COLLATE NOCASE", [cleaned]
    ).fetchone()
    if existing:
        raise TeamExists(existing[0])
    db.execute(
        "INSERT INTO teams (name, created_at, created_by) VALUES (?, ?, ?)", [cleaned, now, actor]
    )
    record_audit(db, actor, "team_create", cleaned, now)
    return Team(cleaned, 0, now, actor)


def delete_team(db: Database, name: str, actor: str, now: float) -> int:
    """Delete a team and its memberships (officers and results stay); returns members removed."""
    tid, stored = team_id(db, name)
    removed = db.execute("DELETE FROM memberships WHERE team_id = ?", [tid]).rowcount
    db.execute("DELETE FROM teams WHERE id = ?", [tid])
    record_audit(db, actor, "team_delete", f"{stored} ({removed} members)", now)
    return removed


def add_member(db: Database, team: str, officer_id: str, actor: str, now: float) -> str:
    """Put an officer in a team (creating the officer if they have not practised yet); the
    team's name as stored."""
    tid, stored = team_id(db, team)
    ensure_officer(db, officer_id, None, now)
    exists = db.execute(
        "SELECT 1 FROM memberships WHERE team_id = ? AND officer_id = ?", [tid, officer_id]
    ).fetchone()
    if exists:
        raise AlreadyMember(stored, officer_id)
    db.execute(
        "INSERT INTO memberships (team_id, officer_id, added_at, added_by) VALUES (?, ?, ?, ?)",
        [tid, officer_id, now, actor],
    )
    record_audit(db, actor, "team_add", f"{stored}: {officer_id}", now)
    return stored


def remove_member(db: Database, team: str, officer_id: str, actor: str, now: float) -> str:
    """Take an officer out of a team (the team's name as stored); NotAMember when they were
    not in it."""
    tid, stored = team_id(db, team)
    cursor = db.execute(
        "DELETE FROM memberships WHERE team_id = ? AND officer_id = ?", [tid, officer_id]
    )
    if not cursor.rowcount:
        raise NotAMember(stored, officer_id)
    record_audit(db, actor, "team_remove", f"{stored}: {officer_id}", now)
    return stored


def teams(db: Database) -> list[Team]:
    """Every team with its member count, by name."""
    return [
        Team(r["name"], r["members"], r["created_at"], r["created_by"])
        for r in db.query(
            "SELECT t.name, t.created_at, t.created_by, count(m.officer_id) AS members "
            "FROM teams t LEFT JOIN memberships m ON m.team_id = t.id "
            "GROUP BY t.id ORDER BY t.name COLLATE NOCASE"
        )
    ]


def team_members(db: Database, team: str) -> list[Officer]:
    """The officers in a team, by display name."""
    tid, _ = team_id(db, team)
    return [
        Officer(*row)
        for row in db.execute(
            "SELECT o.id, o.display_name, o.created_at, o.last_seen_at FROM memberships m "
            "JOIN officers o ON o.id = m.officer_id WHERE m.team_id = ? "
            "ORDER BY o.display_name COLLATE NOCASE, o.id",
            [tid],
        )
    ]


def teams_of(db: Database, officer_id: str) -> list[str]:
    """Names of the teams an officer is in."""
    return [
        r[0]
        for r in db.execute(
            "SELECT t.name FROM memberships m JOIN teams t ON t.id = m.team_id "
            "WHERE m.officer_id = ? ORDER BY t.name COLLATE NOCASE",
            [officer_id],
        )
    ]
