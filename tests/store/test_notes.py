"""Trainer notes: comments and audited score overrides that flow into leaderboards and exports."""

from __future__ import annotations

import csv
import io

import pytest

from bot.core.persona import Persona
from bot.core.store import NoteRefused, SessionNotFound, Store
from tests.store.conftest import Clock, record

TRAINER = "discord:3 (tessa)"


def test_an_override_changes_the_reply_the_session_and_the_leaderboard(
    store: Store, persona: Persona
) -> None:
    sessions = [record(store, persona, "cli:alice", [40, 60]) for _ in range(3)]
    board = store.individual_leaderboard("all")
    assert board.rows[0].score == 50.0
    target = sessions[0].id
    note = store.override_score(target, 1, "Explains reason", 94, "gave the reason", TRAINER)
    assert (note.criterion, note.old_score, note.new_score) == ("explains_reason", 40, 94)

    turn = store.load_session(target).turns[0]
    assert turn.score.criterion("explains_reason") == 94
    assert turn.score.dimensions["resolution"] == round((94 + 40 + 40) / 3)  # 58
    assert turn.score.overall == round((40 + 40 + 58) / 3)  # 46
    summary = store.session_transcript(target).summary
    assert summary.scores["overall"] == (46 + 60) / 2
    assert store.individual_leaderboard("all").rows[0].score == 51.0
    [entry] = store.audit_log(1)
    assert entry.action == "score_override" and entry.actor == TRAINER
    assert entry.detail == f"session {target} reply 1: explains_reason 40 -> 94 (gave the reason)"
    untouched = store.load_session(sessions[1].id).turns[0].score
    assert untouched.criterion("explains_reason") == 40


def test_comments_need_a_reply_that_exists_and_some_words(store: Store, persona: Persona) -> None:
    session = record(store, persona, "cli:alice", [50, 50])
    with pytest.raises(NoteRefused, match="no reply 3. Its replies: 1, 2"):
        store.add_note(session.id, 3, TRAINER, "x")
    with pytest.raises(NoteRefused, match="empty"):
        store.add_note(session.id, 1, TRAINER, "   ")
    with pytest.raises(SessionNotFound):
        store.add_note("nope", 1, TRAINER, "x")
    with pytest.raises(NoteRefused, match="Unknown criterion 'warmth'"):
        store.override_score(session.id, 1, "warmth", 50, "r", TRAINER)
    with pytest.raises(NoteRefused, match="0 to 100"):
        store.override_score(session.id, 1, "explores", 101, "r", TRAINER)
    with pytest.raises(NoteRefused, match="empty"):
        store.override_score(session.id, 1, "explores", 70, " ", TRAINER)
    assert store.session_notes(session.id) == [] and store.audit_log() == []


def test_the_officer_sees_each_note_once_and_exports_carry_them(
    store: Store, persona: Persona, clock: Clock
) -> None:
    session = record(store, persona, "cli:alice", [50, 50])
    before = store.load_session(session.id)
    store.add_note(session.id, 2, TRAINER, "Ask her name first.")
    assert store.load_session(session.id) == before  # a comment never changes a score
    clock.now += 1
    store.override_score(session.id, 1, "explores", 80, "it was a question", TRAINER)
    seen = store.take_unseen_notes("cli:alice")
    assert [n.describe() for n in seen] == [
        "reply 2 - tessa: Ask her name first.",
        "reply 1 - tessa: Explores 50 -> 80 (it was a question)",
    ]
    assert store.take_unseen_notes("cli:alice") == []
    assert len(store.officer_notes("cli:alice")) == 2  # still listed in stats

    out = io.StringIO()
    store.export_csv(out)
    rows = {r["turn"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert rows["2"]["trainer_notes"] == f"{TRAINER}: Ask her name first."
    assert rows["1"]["trainer_notes"].endswith("override explores 50 -> 80 (it was a question)")
    assert rows["1"]["explores"] == "80"
    data = store.export_officer("cli:alice")
    assert [n["comment"] for n in data["sessions"][0]["trainer_notes"]] == [
        "Ask her name first.", "it was a question",
    ]  # fmt: skip
    store.forget_officer("cli:alice")
    assert store.session_notes(session.id) == []
