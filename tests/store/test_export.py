"""CSV export, an officer's data export, and forgetting an officer."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import yaml

from bot.core.persona import Persona, parse_persona
from bot.core.scores import CRITERIA
from bot.core.session import PracticeSession
from bot.core.store import OfficerNotFound, Store, TeamNotFound
from bot.core.store.export import CSV_COLUMNS, FORGOTTEN
from bot.core.visitor import VisitorRequest
from tests.conftest import PERSONA_DATA, FakeRubric
from tests.store.conftest import DAY, GOOD, NOW, play, record


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_one_row_per_turn_with_session_columns(store: Store, persona: Persona) -> None:
    store.create_team("Night", "t")
    store.add_member("Night", "cli:alice", "t")
    store.ensure_officer("cli:alice", "Alice")
    replies = ["Okay.", '=HYPERLINK("http://x")', "Okay."]
    done = play(store, persona, "cli:alice", replies, end=True)
    empty = record(store, persona, "cli:bob", [])
    out = io.StringIO()
    assert store.export_csv(out, actor="cli:trainer") == 4
    rows = _rows(out.getvalue())
    assert list(rows[0]) == list(CSV_COLUMNS)
    alice = [r for r in rows if r["session_id"] == done.id]
    assert [r["turn"] for r in alice] == ["1", "2", "3"]
    first = alice[0]
    assert (first["officer_name"], first["teams"], first["outcome"]) == (
        "Alice", "Night", "ended_by_officer",
    )  # fmt: skip
    assert first["officer_reply"] == "Okay." and first["visitor_line"] == done.opening_line
    assert first["overall"] == str(done.turns[0].score.overall)
    assert all(first[c] for c in CRITERIA)
    assert first["session_started"].count(":") == 2 and first["turn_at"]
    assert alice[1]["officer_reply"].startswith("'=HYPERLINK")  # stays text in a spreadsheet
    [bob] = [r for r in rows if r["session_id"] == empty.id]
    assert bob["turn"] == "" and bob["session_turns"] == "0"
    assert store.audit_log(1)[0].action == "export"


class SayingVisitor:
    """A visitor that always says one line (a model's output is free text too)."""

    def __init__(self, line: str) -> None:
        self.line = line

    def reply(self, request: VisitorRequest) -> str:
        return self.line


@pytest.mark.parametrize(
    "start", ["=", "+", "-", "@", "\t", "\r"], ids=["equals", "plus", "minus", "at", "tab", "cr"]
)
def test_csv_keeps_formula_like_text_as_text(store: Store, persona: Persona, start: str) -> None:
    text = start + "1+1|cmd!A0"
    session = PracticeSession.start(
        persona, "cli:alice", SayingVisitor(text), FakeRubric(), recorder=store
    )
    session.respond(text)
    out = io.StringIO()
    store.export_csv(out)
    [row] = _rows(out.getvalue())
    assert row["visitor_reply"] == "'" + text  # a spreadsheet shows it, never runs it
    # An officer's reply is stripped before scoring, so a tab or CR never starts it.
    said = session.turns[0].officer_text
    assert row["officer_reply"] == (said if start.isspace() else "'" + said)


def test_csv_file_filters_and_bom(store: Store, persona: Persona, tmp_path: Path) -> None:
    record(store, persona, "cli:in_team", [50], ended_at=NOW - 3600)
    record(store, persona, "cli:in_team", [50], ended_at=NOW - 40 * DAY)
    record(store, persona, "cli:outsider", [50], ended_at=NOW - 3600)
    store.create_team("Day", "t")
    store.add_member("Day", "cli:in_team", "t")
    path = tmp_path / "results.csv"
    assert store.export_csv(path, team="day", period="week") == 1
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    [row] = _rows(raw.decode("utf-8-sig"))
    assert row["officer_id"] == "cli:in_team"
    assert store.export_csv(io.StringIO(), period="month") == 2
    with pytest.raises(TeamNotFound):
        store.export_csv(tmp_path / "nope.csv", team="Nope")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]  # no half files
    assert store.export_csv(io.StringIO()) == 3


def test_export_officer_has_everything(store: Store, persona: Persona) -> None:
    store.ensure_officer("discord:5", "Eve")
    store.create_team("Night", "t")
    store.add_member("Night", "discord:5", "t")
    session = play(store, persona, "discord:5", [GOOD, GOOD], meta={"thread_id": "77"})
    data = store.export_officer("discord:5", actor="discord:trainer")
    json.dumps(data)  # JSON-able as promised
    assert data["officer"]["display_name"] == "Eve" and data["teams"] == ["Night"]
    [exported] = data["sessions"]
    assert exported["id"] == session.id and exported["meta"] == {"thread_id": "77"}
    assert [t["officer_text"] for t in exported["turns"]] == [GOOD, GOOD]
    assert exported["turns"][0]["score"] == session.turns[0].score.to_dict()
    with pytest.raises(OfficerNotFound):
        store.export_officer("discord:404")


def test_forget_officer_removes_every_row(store: Store, persona: Persona) -> None:
    for _ in range(3):
        record(store, persona, "discord:9", [90])
        record(store, persona, "discord:8", [50])
        record(store, persona, "discord:7", [60])
    play(store, persona, "discord:9", [GOOD])  # one in progress too
    store.create_team("Night", "discord:9")  # they were a trainer as well
    for officer in ("discord:9", "discord:8", "discord:7"):
        store.add_member("Night", officer, "discord:lead")
    assert store.team_leaderboard(now=NOW).rows[0].score == 66.7
    counts = store.forget_officer("discord:9", actor="discord:lead")
    assert counts == {
        "reports": 0, "notes": 0, "turns": 4, "sessions": 4, "memberships": 1, "officers": 1,
    }  # fmt: skip
    assert store.officer("discord:9") is None
    assert store.officer_history("discord:9") == [] and store.active_sessions() == []
    assert [o.id for o in store.team_members("Night")] == ["discord:7", "discord:8"]
    assert [r.officer_id for r in store.individual_leaderboard(now=NOW).rows] == [
        "discord:7", "discord:8",
    ]  # fmt: skip
    assert store.team_leaderboard(now=NOW).rows[0].score == 55.0
    csv_text = io.StringIO()
    store.export_csv(csv_text)
    assert "discord:9" not in csv_text.getvalue()
    log = store.audit_log(100)
    assert not any("discord:9" in f"{e.actor} {e.detail}" for e in log)
    assert log[1].action == "forget" and log[-1].actor == FORGOTTEN
    with pytest.raises(OfficerNotFound):
        store.forget_officer("discord:9")


def _cells_mentioning(db_path: Path, needles: set[str]) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text cell in every table that contains a needle."""
    found = []
    with closing(sqlite3.connect(db_path)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                found += [
                    (table, column, value)
                    for column, value in zip(columns, row, strict=True)
                    if isinstance(value, str) and any(n in value for n in needles)
                ]
    return found


def test_forget_officer_leaves_no_row_in_any_table(
    file_store: Store, persona: Persona, db_path: Path
) -> None:
    secret = "My badge number is QX-SECRET-4471, I can see how worried you are."
    gone, kept = "discord:9", "discord:8"
    sessions = [
        play(file_store, persona, gone, [secret, GOOD], end=True),
        play(file_store, persona, gone, [secret]),  # still in progress
        play(file_store, persona, kept, [GOOD], end=True),
    ]
    file_store.ensure_officer(gone, "Eve Quillfeather")
    file_store.create_team("Night", gone)  # they were a trainer as well
    file_store.add_member("Night", gone, "discord:lead")
    file_store.add_member("Night", kept, gone)
    text = yaml.safe_dump(PERSONA_DATA)
    file_store.save_persona(parse_persona(text, "towed_car"), text, gone)
    file_store.set_persona_enabled("towed_car", False, gone)
    file_store.set_setting("guild:1", "mode", "assessment", gone)
    file_store.export_officer(gone, actor="discord:lead")
    file_store.export_officer(kept, actor=gone)
    needles = {gone, "Eve Quillfeather", secret, sessions[0].id, sessions[1].id}
    assert {t for t, _, _ in _cells_mentioning(db_path, needles)} >= {
        "officers", "sessions", "turns", "memberships", "teams", "personas",
        "disabled_personas", "settings", "audit",
    }  # fmt: skip
    file_store.forget_officer(gone, actor="discord:lead")
    assert _cells_mentioning(db_path, needles) == []
    still = {t for t, _, _ in _cells_mentioning(db_path, {kept, sessions[2].id})}
    assert still == {"officers", "sessions", "turns", "memberships", "audit"}


def test_forget_officer_spares_ids_that_merely_start_with_theirs(store: Store) -> None:
    for officer in ("discord:9", "discord:99", "cli:al", "cli:al-b"):
        store.ensure_officer(officer)
    store.create_team("Night", "discord:lead")
    for officer in ("discord:99", "discord:9", "cli:al-b", "cli:al"):
        store.add_member("Night", officer, "discord:lead")
    store.forget_officer("discord:9", actor="discord:lead")
    store.forget_officer("cli:al", actor="discord:lead")
    details = [e.detail for e in reversed(store.audit_log()) if e.action == "team_add"]
    assert details == [
        "Night: discord:99", f"Night: {FORGOTTEN}", "Night: cli:al-b", f"Night: {FORGOTTEN}",
    ]  # fmt: skip


def test_forgotten_text_is_gone_from_the_files(
    file_store: Store, persona: Persona, db_path: Path
) -> None:
    secret = "My badge number is QX-SECRET-4471, I can see how worried you are."
    play(file_store, persona, "discord:42", [secret, secret], end=True)
    play(file_store, persona, "discord:43", [GOOD], end=True)
    file_store.forget_officer("discord:42", actor="discord:lead")
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    assert files and not any(b"QX-SECRET-4471" in p.read_bytes() for p in files)
    assert file_store.recent_sessions()[0].officer_id == "discord:43"
