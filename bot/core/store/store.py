"""The Store: the SQLite record of officers, sessions, teams and trainer actions."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database

from bot.core.digest import TeamDigest, build_digest
from bot.core.drills import DrillResult
from bot.core.persona import Persona
from bot.core.report.findings import ReportCheck
from bot.core.session import Outcome, PracticeSession, Turn
from bot.core.store import (
    admin,
    drills,
    export,
    history,
    leaderboard,
    notes,
    progress,
    reports,
    sessions,
    teams,
)
from bot.core.store.connection import MEMORY, Connections
from bot.core.store.records import (
    AuditEntry,
    Leaderboard,
    Officer,
    Progress,
    SessionSummary,
    StoredReport,
    StoredSession,
    Team,
    TrainerNote,
    TrainerPersona,
    Transcript,
    WeekPoint,
    session_row,
    turn_row,
)

log = logging.getLogger(__name__)


class Store:
    """Results per officer, teams, trainer personas, settings and audit, in one SQLite file.

    One writer thread owns the write connection; every write (including the SessionRecorder
    calls) is a function run there in its own transaction, and the caller waits for it, so
    nothing acknowledged is ever lost and callers on many threads are serialised. Reads borrow a
    connection from a small pool (WAL mode lets them run while a write is going on).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = Connections(path, timeout)
        self.path, self.in_memory, self._clock = self._db.path, self._db.in_memory, clock
        self._write, self._read = self._db.write, self._db.read
        log.debug("store open at %s", self.path)

    @classmethod
    def memory(cls, clock: Callable[[], float] = time.time) -> Store:
        """An in-memory store (tests): reads go through the writer's single connection."""
        return cls(MEMORY, clock=clock)

    def now(self) -> float:
        """The store's clock (time.time unless a test gave another)."""
        return self._clock()

    def close(self) -> None:
        """Finish queued writes and close every connection; safe to call twice."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- SessionRecorder -------------------------------------------------------------------

    def session_started(self, session: PracticeSession) -> None:
        """Record a new session (status in_progress) before the officer's first reply."""
        self._write(sessions.save_session, session_row(session, self.now()))

    def turn_recorded(self, session: PracticeSession, turn: Turn) -> None:
        """Record one turn and the session's new state, atomically."""
        row = session_row(session, self.now())
        self._write(sessions.save_turn, row, turn_row(session.id, turn))

    def session_finished(self, session: PracticeSession) -> None:
        """Record the session's outcome and end time."""
        self._write(sessions.save_session, session_row(session, self.now()))

    # --- resume ----------------------------------------------------------------------------

    def active_sessions(self) -> list[StoredSession]:
        """Sessions that were in progress (e.g. when the process stopped), with their turns."""
        return self._read(sessions.active_sessions)

    def load_session(self, session_id: str) -> StoredSession:
        """One stored session with its turns; SessionNotFound when unknown."""
        return self._read(sessions.load_session, session_id)

    def close_session(
        self, session_id: str, outcome: Outcome | str = Outcome.ENDED_BY_OFFICER
    ) -> bool:
        """Give an abandoned session an outcome; False when it was already finished."""
        return self._write(sessions.close_session, session_id, str(outcome), self.now())

    def set_session_meta(self, session_id: str, meta: dict[str, str]) -> None:
        """Replace a session's adapter context (pid and host of the process now playing it)."""
        self._write(sessions.set_session_meta, session_id, meta, self.now())

    # --- officers and teams ----------------------------------------------------------------

    def ensure_officer(self, officer_id: str, display_name: str | None = None) -> None:
        """Create the officer, or update their display name."""
        self._write(teams.ensure_officer, officer_id, display_name, self.now())

    def officer(self, officer_id: str) -> Officer | None:
        """The officer, or None when unknown."""
        return self._read(teams.officer, officer_id)

    def create_team(self, name: str, actor: str) -> Team:
        """Create a team; TeamExists / InvalidTeamName on a bad name."""
        return self._write(teams.create_team, name, actor, self.now())

    def delete_team(self, name: str, actor: str) -> int:
        """Delete a team (results stay with the officers); returns how many members it had."""
        return self._write(teams.delete_team, name, actor, self.now())

    def add_member(self, team: str, officer_id: str, actor: str) -> None:
        """Add an officer to a team; TeamNotFound / AlreadyMember."""
        self._write(teams.add_member, team, officer_id, actor, self.now())

    def remove_member(self, team: str, officer_id: str, actor: str) -> None:
        """Remove an officer from a team; TeamNotFound / NotAMember."""
        self._write(teams.remove_member, team, officer_id, actor, self.now())

    def teams(self) -> list[Team]:
        """Every team with its member count."""
        return self._read(teams.teams)

    def team_members(self, team: str) -> list[Officer]:
        """The officers in a team; TeamNotFound when there is no such team."""
        return self._read(teams.team_members, team)

    def teams_of(self, officer_id: str) -> list[str]:
        """Names of the teams an officer belongs to."""
        return self._read(teams.teams_of, officer_id)

    # --- trainer personas, settings, audit --------------------------------------------------

    def save_persona(self, persona: Persona, yaml_text: str, actor: str) -> bool:
        """Store a trainer's persona (parsed from yaml_text by the catalogue); True if replaced.

        Taking the parsed Persona means only valid YAML can reach the table, without parsing it
        a second time here.
        """
        return self._write(
            admin.save_persona, persona.id, persona.name, yaml_text, actor, self.now()
        )

    def trainer_personas(self) -> list[TrainerPersona]:
        """Every persona a trainer saved, by id (which are disabled: disabled_personas)."""
        return self._read(admin.trainer_personas)

    def disabled_personas(self) -> set[str]:
        """Ids of disabled personas (shipped or uploaded)."""
        return self._read(admin.disabled_personas)

    def set_persona_enabled(self, persona_id: str, enabled: bool, actor: str) -> None:
        """Enable or disable any persona by id."""
        self._write(admin.set_persona_enabled, persona_id, enabled, actor, self.now())

    def audit(self, actor: str, action: str, detail: str = "") -> None:
        """Record a trainer action."""
        self._write(admin.record_audit, actor, action, detail, self.now())

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        """The latest trainer actions, newest first."""
        return self._read(admin.audit_log, limit)

    def get_setting(self, scope: str, key: str, default: Any = None) -> Any:
        """A per-scope setting (e.g. scope = a Discord server id), or the default."""
        return self._read(admin.get_setting, scope, key, default)

    def set_setting(self, scope: str, key: str, value: Any, actor: str) -> None:
        """Store a JSON-able per-scope setting and audit it."""
        self._write(admin.set_setting, scope, key, value, actor, self.now())

    # --- history and leaderboards -----------------------------------------------------------

    def officer_history(self, officer_id: str, limit: int = 20) -> list[SessionSummary]:
        """An officer's latest sessions with persona, outcome and mean scores."""
        return self._read(history.officer_history, officer_id, limit)

    def recent_sessions(
        self, officer_id: str | None = None, limit: int = 20
    ) -> list[SessionSummary]:
        """Latest sessions of one officer, or of everyone (officer_id=None)."""
        return self._read(history.recent_sessions, officer_id, limit)

    def officer_progress(self, officer_id: str, now: float | None = None) -> Progress:
        """Per-dimension scores over time, best per persona, resolution rate and streaks."""
        return self._read(history.officer_progress, officer_id, now or self.now())

    def session_transcript(self, session_id: str) -> Transcript:
        """A session's summary and turns; SessionNotFound when unknown."""
        return self._read(history.session_transcript, session_id)

    def individual_leaderboard(
        self,
        period: str = "week",
        team: str | None = None,
        limit: int = 10,
        now: float | None = None,
    ) -> Leaderboard:
        """Top officers by best-5 mean overall (see docs/leaderboard.md)."""
        return self._read(_individual, period, team, limit, now or self.now())

    def team_leaderboard(
        self, period: str = "week", limit: int = 10, now: float | None = None
    ) -> Leaderboard:
        """Teams by the mean score of their qualifying members (see docs/leaderboard.md)."""
        return self._read(leaderboard.team_leaderboard, period, limit, now or self.now())

    # --- incident reports --------------------------------------------------------------------

    def save_report(self, session_id: str, officer_id: str, text: str, check: ReportCheck) -> None:
        """Store (or replace) an officer's incident report on a session, with its findings."""
        self._write(reports.save_report, session_id, officer_id, text, check, self.now())

    def report(self, session_id: str) -> StoredReport | None:
        """A session's incident report, or None."""
        return self._read(reports.load_report, session_id)

    # --- trainer notes and score overrides ---------------------------------------------------

    def add_note(self, session_id: str, turn: int, author: str, comment: str) -> TrainerNote:
        """A trainer's comment on one reply (audited); NoteRefused says what is wrong."""
        return self._write(notes.add_comment, session_id, turn, author, comment, self.now())

    def override_score(
        self, session_id: str, turn: int, criterion: str, score: int, reason: str, author: str
    ) -> TrainerNote:
        """Replace one criterion score of one reply, with the reason (audited); the reply's
        dimensions and the session's means follow, and so do leaderboards and exports."""
        return self._write(
            notes.override_score, session_id, turn, criterion, score, reason, author, self.now()
        )

    def session_notes(self, session_id: str) -> list[TrainerNote]:
        """Every note on a session, by reply."""
        return self._read(notes.session_notes, session_id)

    def officer_notes(
        self, officer_id: str, *, unseen: bool = False, limit: int = 20
    ) -> list[TrainerNote]:
        """Notes on an officer's sessions, newest first (only those not shown yet if asked)."""
        return self._read(notes.officer_notes, officer_id, unseen, limit)

    def mark_notes_seen(self, note_ids: list[int]) -> None:
        """Record that the officer has been shown these notes."""
        if note_ids:
            self._write(notes.mark_seen, list(note_ids), self.now())

    def take_unseen_notes(self, officer_id: str) -> list[TrainerNote]:
        """The notes the officer has not been shown yet, oldest first, now marked as shown."""
        unseen = list(reversed(self.officer_notes(officer_id, unseen=True, limit=50)))
        self.mark_notes_seen([n.id for n in unseen])
        return unseen

    # --- drills ------------------------------------------------------------------------------

    def criterion_levels(self, officer_id: str, sessions: int = 10) -> dict[str, float]:
        """The officer's mean per criterion over their latest practices and drills."""
        return self._read(drills.criterion_levels, officer_id, sessions)

    def drill_results(self, officer_id: str) -> list[DrillResult]:
        """The officer's finished drills with their score on the drilled criterion, oldest
        first."""
        return self._read(drills.drill_results, officer_id)

    # --- learning: most improved, team weeks, digest -----------------------------------------

    def most_improved(
        self,
        period: str = "month",
        team: str | None = None,
        limit: int = 10,
        now: float | None = None,
    ) -> Leaderboard:
        """Officers by how much their latest 3 practices beat the 3 before (see
        docs/leaderboard.md)."""
        return self._read(_improved, period, team, limit, now or self.now())

    def team_weeks(self, team: str, weeks: int = 8, now: float | None = None) -> list[WeekPoint]:
        """A team's criterion means and strategy shares per week; TeamNotFound when unknown."""
        return self._read(_team_weeks, team, weeks, now or self.now())

    def team_digest(
        self, team: str, period: str = "week", now: float | None = None
    ) -> TeamDigest:
        """Who practised, who improved and the weakest criteria of one team over a period."""
        return self._read(_digest, team, period, now or self.now())

    # --- export and privacy -----------------------------------------------------------------

    def export_csv(
        self,
        out: str | Path | TextIO,
        team: str | None = None,
        period: str | None = None,
        actor: str = "system",
    ) -> int:
        """Write results as CSV, one row per turn (docs/leaderboard.md); returns rows written."""
        now = self.now()
        since = leaderboard.since_for(period, now) if period else None
        if isinstance(out, (str, Path)):
            # Written aside and moved into place, so a failed export leaves no half file behind.
            target = Path(out)
            partial = target.with_name(target.name + ".part")
            try:
                with open(partial, "w", encoding="utf-8-sig", newline="") as handle:
                    rows = self._read(_export, handle, team, since)
                partial.replace(target)
            finally:
                partial.unlink(missing_ok=True)
        else:
            rows = self._read(_export, out, team, since)
        detail = f"csv: {rows} rows, team={team or 'all'}, period={period or 'all'}"
        self._write(admin.record_audit, actor, "export", detail, now)
        return rows

    def export_officer(self, officer_id: str, actor: str = "system") -> dict[str, Any]:
        """All data about one officer as a JSON-able dict (a data-access request)."""
        data = self._read(export.officer_data, officer_id)
        self._write(admin.record_audit, actor, "export_officer", officer_id, self.now())
        return data

    def forget_officer(self, officer_id: str, actor: str = "system") -> dict[str, int]:
        """Delete every row about an officer (erasure request); returns rows deleted per table."""
        counts = self._write(export.forget_officer, officer_id, actor, self.now())
        # The write-ahead log still holds copies of the erased pages until a checkpoint.
        self._db.truncate_wal()
        return counts


def _team_id(db: Database, team: str | None) -> int | None:
    return teams.team_id(db, team)[0] if team else None


def _individual(
    db: Database, period: str, team: str | None, limit: int, now: float
) -> Leaderboard:
    return leaderboard.individual_leaderboard(db, period, _team_id(db, team), limit, now)


def _export(db: Database, out: TextIO, team: str | None, since: float | None) -> int:
    return export.write_csv(out, db, _team_id(db, team), since)


def _improved(
    db: Database, period: str, team: str | None, limit: int, now: float
) -> Leaderboard:
    return progress.most_improved(db, period, _team_id(db, team), limit, now)


def _team_weeks(db: Database, team: str, weeks: int, now: float) -> list[WeekPoint]:
    return progress.team_weeks(db, teams.team_id(db, team)[0], weeks, now)


def _digest(db: Database, team: str, period: str, now: float) -> TeamDigest:
    team_id, name = teams.team_id(db, team)
    since = leaderboard.since_for(period, now)
    if since is None:
        raise leaderboard.UnknownPeriod("A digest covers a week or a month, not all time.")
    length = now - since
    members = [(o.id, o.display_name) for o in teams.team_members(db, name)]
    ids = [m[0] for m in members]
    overrides = db.execute(
        "SELECT count(*) FROM notes n JOIN sessions s ON s.id = n.session_id "
        "WHERE n.criterion IS NOT NULL AND n.at >= ? AND s.officer_id IN "
        "(SELECT officer_id FROM memberships WHERE team_id = ?)",
        [since, team_id],
    ).fetchone()[0]
    return build_digest(
        name, period, since, now, members,
        progress.officer_period(db, ids, since, now),
        progress.officer_period(db, ids, since - length, since),
        overrides,
    )  # fmt: skip
