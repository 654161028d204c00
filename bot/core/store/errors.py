"""Domain errors of the store; each message says what went wrong and what to do about it."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(RuntimeError):
    """Base of every error the store raises on purpose; adapters show the message as is."""


class DatabaseUnusable(StoreError):
    """The database file cannot be opened or written (corrupt, locked, unwritable)."""


class SessionNotFound(StoreError, LookupError):
    """No stored session has this id."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        super().__init__(f"No practice session with id '{session_id}'.")


class OfficerNotFound(StoreError, LookupError):
    """No stored data for this officer."""

    def __init__(self, officer_id: str) -> None:
        self.officer_id = officer_id
        super().__init__(f"No officer '{officer_id}' in the records (nothing practised yet?).")


class TeamNotFound(StoreError, LookupError):
    """No team with this name; carries the names that exist."""

    def __init__(self, name: str, existing: list[str]) -> None:
        self.name, self.existing = name, existing
        choices = ", ".join(existing) if existing else "(no teams yet: create one first)"
        super().__init__(f"No team '{name}'. Teams: {choices}")


class TeamExists(StoreError):
    """A team with this name (ignoring case) already exists."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"A team called '{name}' already exists. Pick another name.")


class InvalidTeamName(StoreError, ValueError):
    """A team name that is empty or too long."""


class AlreadyMember(StoreError):
    """The officer is already in the team."""

    def __init__(self, team: str, officer_id: str) -> None:
        self.team, self.officer_id = team, officer_id
        super().__init__(f"'{officer_id}' is already a member of team '{team}'.")


class NotAMember(StoreError, LookupError):
    """The officer is not in the team."""

    def __init__(self, team: str, officer_id: str) -> None:
        self.team, self.officer_id = team, officer_id
        super().__init__(f"'{officer_id}' is not a member of team '{team}'.")


class NoteRefused(StoreError, ValueError):
    """A trainer note or score override that cannot be recorded; the message says why."""


class StoreClosed(StoreError):
    """The store was closed; nothing more can be written."""


def unusable(path: Path | str, exc: sqlite3.Error) -> StoreError:
    """A sqlite3 error about the database file turned into a message naming the path and a fix."""
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return DatabaseUnusable(
            f"The database file {path} is damaged or is not a Cooldown database ({exc}). "
            "Stop the bot, move the file aside (or restore it from a backup) and start again: "
            "a new, empty database is created when the path is free."
        )
    if "locked" in text or "busy" in text:
        return DatabaseUnusable(
            f"The database {path} is locked by another program ({exc}). "
            "Is another Cooldown bot or a `cooldown` command using it? Stop it, or close the "
            "program that has the file open (e.g. a database browser), then try again."
        )
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return DatabaseUnusable(
            f"The database {path} cannot be opened for writing ({exc}). Check that the folder "
            "exists and that this user may write to it, or set DATABASE_PATH to another file."
        )
    if "disk" in text and ("full" in text or "i/o" in text):
        return DatabaseUnusable(
            f"The database {path} cannot be written ({exc}). Free some disk space and try again."
        )
    return DatabaseUnusable(f"Database error on {path}: {exc}")


def is_file_problem(exc: sqlite3.Error) -> bool:
    """True for sqlite3 errors about the file itself (as opposed to a bug in a query)."""
    text = str(exc).lower()
    return any(
        word in text
        for word in (
            "not a database",
            "malformed",
            "encrypted",
            "locked",
            "busy",
            "unable to open",
            "readonly",
            "read-only",
            "disk",
        )
    )
