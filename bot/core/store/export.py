"""Spreadsheet export of results, and an officer's right to a copy of their data and erasure.

The CSV is one file with a row per turn; every row repeats its session's columns so a filter or a
pivot table works without lookups. A session with no turns yet still gets one row (turn columns
empty). It is UTF-8 with a byte-order mark (Excel otherwise guesses the encoding wrong), times are
UTC as `YYYY-MM-DD HH:MM:SS`, and text that a spreadsheet would run as a formula (starting with
= + - @) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, TextIO

from sqlite_utils import Database

from bot.core.scores import CRITERIA
from bot.core.store.admin import record_audit
from bot.core.store.errors import OfficerNotFound

SESSION_COLUMNS = (
    "session_id", "officer_id", "officer_name", "teams", "persona_id", "persona_name", "mode",
    "outcome", "session_started", "session_ended", "session_turns", "start_agitation",
    "final_agitation", "session_empathy", "session_calmness", "session_resolution",
    "session_overall", "session_kind", "parent_session", "branch_turn", "drill_skill",
    "incident_report", "report_verdict", "report_findings",
)  # fmt: skip
TURN_COLUMNS = (
    ("turn", "visitor_line", "officer_reply", "visitor_reply", "agitation_before",
     "agitation_after", "agitation_reasons")
    + CRITERIA
    + ("empathy", "calmness", "resolution", "overall", "flags", "turn_at", "score_ms", "reply_ms",
       "strategy", "trainer_notes")
)  # fmt: skip
_SESSION_SELECTED = 24  # the session columns the query selects (teams are added after)
CSV_COLUMNS = SESSION_COLUMNS + TURN_COLUMNS
FORGOTTEN = "[forgotten officer]"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def utc(ts: float | None) -> str:
    """A timestamp as a UTC date-time a spreadsheet recognises ('' for None)."""
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        # Officer replies are free text; "=HYPERLINK(...)" must stay text in a trainer's sheet.
        return "'" + value
    if isinstance(value, float):
        return round(value, 1)
    return value


def _csv_rows(
    db: Database, team_id: int | None, since: float | None
) -> Iterator[tuple[Any, ...]]:
    teams: dict[str, list[str]] = defaultdict(list)
    for officer_id, name in db.execute(
        "SELECT m.officer_id, t.name FROM memberships m JOIN teams t ON t.id = m.team_id "
        "ORDER BY t.name COLLATE NOCASE"
    ):
        teams[officer_id].append(name)
    notes: dict[tuple[str, int], list[str]] = defaultdict(list)
    for note in db.query("SELECT * FROM notes ORDER BY at, id"):
        notes[(note["session_id"], note["turn"])].append(_note_text(note))
    where, params = ["1"], []
    if since is not None:
        where.append("s.started_at >= ?")
        params.append(since)
    if team_id is not None:
        where.append("s.officer_id IN (SELECT officer_id FROM memberships WHERE team_id = ?)")
        params.append(team_id)
    turn_cols = ", ".join(
        ["t.number", "t.visitor_line", "t.officer_text", "t.visitor_reply", "t.agitation_before",
         "t.agitation_after", "t.reasons"]
        + [f"t.{c}" for c in CRITERIA]
        + ["t.empathy", "t.calmness", "t.resolution", "t.overall", "t.flags", "t.at",
           "t.score_ms", "t.reply_ms", "t.strategy"]
    )  # fmt: skip
    sql = f"""
        SELECT s.id, s.officer_id, o.display_name, s.persona_id, s.persona_name, s.mode,
               s.status, s.started_at, s.ended_at, s.turn_count, s.start_agitation, s.agitation,
               s.empathy, s.calmness, s.resolution, s.overall, s.kind, s.parent_id,
               s.branch_turn, s.focus, r.text, r.complete, r.consistent, r.findings, {turn_cols}
        FROM sessions s JOIN officers o ON o.id = s.officer_id
        LEFT JOIN reports r ON r.session_id = s.id
        LEFT JOIN turns t ON t.session_id = s.id
        WHERE {" AND ".join(where)}
        ORDER BY s.started_at, s.id, t.number
    """
    for row in db.execute(sql, params):
        session = list(row[:_SESSION_SELECTED])
        turn = list(row[_SESSION_SELECTED:])
        session[7], session[8] = utc(session[7]), utc(session[8])
        report, complete, consistent, found = session[20:24]
        messages = "; ".join(f["message"] for f in json.loads(found or "[]"))
        session[20:24] = [report or "", _verdict(report, complete, consistent), messages]
        session.insert(3, "; ".join(teams.get(session[1], [])))
        if turn[0] is not None:
            turn[6] = "; ".join(json.loads(turn[6] or "[]"))
            turn[-5] = ", ".join(json.loads(turn[-5] or "[]"))
            turn[-4] = utc(turn[-4])
        said = notes.get((session[0], turn[0]), [])
        turn.append("; ".join(said) if turn[0] is not None else None)
        yield tuple(_cell(v) for v in session + turn)


def _note_text(note: dict[str, Any]) -> str:
    """A note for a spreadsheet cell: who, and the comment or the score change with its reason."""
    if note["criterion"]:
        return (f"{note['author']}: override {note['criterion']} {note['old_score']} -> "
                f"{note['new_score']} ({note['comment']})")  # fmt: skip
    return f"{note['author']}: {note['comment']}"


def _verdict(report: str | None, complete: int | None, consistent: int | None) -> str:
    if report is None:
        return ""
    return ", ".join([
        "complete" if complete else "incomplete",
        "consistent" if consistent else "not consistent with the transcript",
    ])  # fmt: skip


def write_csv(out: TextIO, db: Database, team_id: int | None, since: float | None) -> int:
    """Write the results CSV to an open text stream; returns the number of data rows."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in _csv_rows(db, team_id, since):
        writer.writerow(row)
        count += 1
    return count


def officer_data(db: Database, officer_id: str) -> dict[str, Any]:
    """Everything stored about one officer, as a JSON-able dict."""
    officer = list(db.query("SELECT * FROM officers WHERE id = ?", [officer_id]))
    sessions = list(
        db.query("SELECT * FROM sessions WHERE officer_id = ? ORDER BY started_at", [officer_id])
    )
    if not officer and not sessions:
        raise OfficerNotFound(officer_id)
    for session in sessions:
        session["meta"] = json.loads(session["meta"] or "{}")
        turns = list(
            db.query(
                "SELECT * FROM turns WHERE session_id = ? ORDER BY number", [session["id"]]
            )
        )
        for turn in turns:
            turn.pop("id", None)
            turn.pop("session_id", None)
            turn["reasons"] = json.loads(turn["reasons"] or "[]")
            turn["flags"] = json.loads(turn["flags"] or "[]")
            turn["score"] = json.loads(turn.pop("score_json"))
        session["turns"] = turns
        session["trainer_notes"] = [
            {k: n[k] for k in ("turn", "author", "comment", "criterion", "old_score",
                               "new_score", "at", "seen_at")}
            for n in db.query("SELECT * FROM notes WHERE session_id = ? ORDER BY at, id",
                              [session["id"]])
        ]  # fmt: skip
        report = db.execute(
            "SELECT text, findings, written_at FROM reports WHERE session_id = ?", [session["id"]]
        ).fetchone()
        session["incident_report"] = (
            {"text": report[0], "findings": json.loads(report[1] or "[]"), "written_at": report[2]}
            if report
            else None
        )
    teams = [
        r["name"]
        for r in db.query(
            "SELECT t.name FROM memberships m JOIN teams t ON t.id = m.team_id "
            "WHERE m.officer_id = ? ORDER BY t.name",
            [officer_id],
        )
    ]
    actions = list(
        db.query("SELECT at, action, detail FROM audit WHERE actor = ? ORDER BY at", [officer_id])
    )
    return {
        "officer": officer[0] if officer else {"id": officer_id},
        "teams": teams,
        "sessions": sessions,
        "trainer_actions": actions,
    }


def forget_id(officer_id: str) -> str:
    """A short one-way token for an erased officer, so the erasure itself can be audited."""
    return hashlib.sha256(officer_id.encode()).hexdigest()[:12]


def forget_officer(db: Database, officer_id: str, actor: str, now: float) -> dict[str, int]:
    """Delete every row about an officer and scrub their id from the trainer records."""
    counts = {
        "reports": db.execute("DELETE FROM reports WHERE officer_id = ?", [officer_id]).rowcount,
        "notes": db.execute(
            "DELETE FROM notes WHERE session_id IN (SELECT id FROM sessions WHERE officer_id = ?)",
            [officer_id],
        ).rowcount,
        "turns": db.execute(
            "DELETE FROM turns WHERE session_id IN (SELECT id FROM sessions WHERE officer_id = ?)",
            [officer_id],
        ).rowcount,
        "sessions": db.execute(
            "DELETE FROM sessions WHERE officer_id = ?", [officer_id]
        ).rowcount,
        "memberships": db.execute(
            "DELETE FROM memberships WHERE officer_id = ?", [officer_id]
        ).rowcount,
        "officers": db.execute("DELETE FROM officers WHERE id = ?", [officer_id]).rowcount,
    }
    if not counts["officers"] and not counts["sessions"]:
        raise OfficerNotFound(officer_id)
    # A trainer who is forgotten leaves their actions behind, but not their id.
    for table, column in (
        ("teams", "created_by"),
        ("memberships", "added_by"),
        ("personas", "added_by"),
        ("disabled_personas", "disabled_by"),
        ("settings", "updated_by"),
        ("notes", "author"),
        ("audit", "actor"),
    ):
        db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [FORGOTTEN, officer_id])
    # Whole ids only: forgetting "discord:9" must not rewrite "discord:99" in someone's line.
    mention = re.compile(rf"(?<![\w-]){re.escape(officer_id)}(?![\w-]|[.:]\w)")
    for audit_id, detail in db.execute(
        "SELECT id, detail FROM audit WHERE instr(detail, ?) > 0", [officer_id]
    ).fetchall():
        scrubbed = mention.sub(FORGOTTEN, detail)
        if scrubbed != detail:
            db["audit"].update(audit_id, {"detail": scrubbed})
    record_audit(db, actor, "forget", f"officer #{forget_id(officer_id)}", now)
    return counts
