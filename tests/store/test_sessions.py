"""Sessions recorded as they go, read back, resumed after a restart, and safe under threads."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from bot.core.persona import Persona, PersonaLibrary
from bot.core.practice import PracticeRoom
from bot.core.session import Outcome
from bot.core.store import SessionNotFound, Store, StoreClosed
from bot.model.scripted import ScriptedVisitor
from tests.conftest import FakeRubric
from tests.store.conftest import GOOD, POOR, play, record

PROJECT = Path(__file__).resolve().parents[2]


def test_full_session_is_read_back_exactly(store: Store, persona: Persona) -> None:
    session = play(store, persona, "cli:alice", [GOOD] * 10, meta={"thread_id": "42"})
    assert session.outcome is Outcome.RESOLVED
    stored = store.load_session(session.id)
    assert stored.turns == session.turns  # RubricScore, reasons, timings all round-trip
    assert (stored.officer_id, stored.persona_id, stored.mode) == ("cli:alice", persona.id, "live")
    assert stored.outcome is Outcome.RESOLVED and stored.ended_at == session.ended_at
    assert stored.opening_line == session.opening_line and stored.meta == {"thread_id": "42"}
    assert stored.agitation == session.agitation and stored.started_at == session.started_at
    [summary] = store.officer_history("cli:alice")
    overall = sum(t.score.overall for t in session.turns) / len(session.turns)
    assert summary.turns == len(session.turns) and summary.overall == pytest.approx(overall)
    transcript = store.session_transcript(session.id)
    assert [t.officer_text for t in transcript.turns] == [GOOD] * len(session.turns)


def test_session_in_progress_is_stored_as_it_goes(store: Store, persona: Persona) -> None:
    session = play(store, persona, "cli:bob", [GOOD])
    [active] = store.active_sessions()
    assert active.id == session.id and active.outcome is Outcome.IN_PROGRESS
    assert active.agitation == session.agitation and len(active.turns) == 1
    turn = active.turns[0]
    assert turn.agitation_before == persona.start_agitation
    assert turn.score.to_dict() == session.turns[0].score.to_dict()


def test_resume_after_restart(db_path: Path, persona: Persona) -> None:
    store = Store(db_path)
    session = play(store, persona, "discord:1", [GOOD, "Okay."], meta={"thread_id": "9"})
    store.close()

    store = Store(db_path)
    [stored] = store.active_sessions()
    assert stored.id == session.id and stored.turns == session.turns
    library = PersonaLibrary()
    library.add(persona)
    room = PracticeRoom(library, ScriptedVisitor(), FakeRubric(), store)
    [resumed] = room.resume()
    assert resumed.turns == session.turns and resumed.meta == {"thread_id": "9"}
    while not resumed.finished:
        resumed.respond(GOOD)
    assert store.active_sessions() == []
    final = store.load_session(session.id)
    assert [t.number for t in final.turns] == list(range(1, len(resumed.turns) + 1))
    assert final.outcome is Outcome.RESOLVED
    store.close()


def test_close_abandoned_session(store: Store, persona: Persona) -> None:
    session = play(store, persona, "cli:carol", [GOOD])
    assert store.close_session(session.id, Outcome.ENDED_BY_OFFICER.value) is True
    assert store.close_session(session.id) is False  # already closed: left as it was
    assert store.load_session(session.id).outcome is Outcome.ENDED_BY_OFFICER
    assert store.active_sessions() == []
    with pytest.raises(SessionNotFound, match="nope"):
        store.close_session("nope")


def test_crash_between_turns_loses_nothing_recorded(db_path: Path) -> None:
    """A child process records two turns and dies without closing anything."""
    script = textwrap.dedent(
        f"""
        import os, yaml
        from tests.conftest import PERSONA_DATA, FakeRubric
        from bot.core.persona import parse_persona
        from bot.core.session import PracticeSession
        from bot.core.store import Store
        from bot.model.scripted import ScriptedVisitor
        persona = parse_persona(yaml.safe_dump(PERSONA_DATA), "towed_car_driver")
        store = Store({str(db_path)!r})
        s = PracticeSession.start(persona, "cli:crash", ScriptedVisitor(), FakeRubric(),
                                  recorder=store, id="crashed")
        s.respond({GOOD!r})
        s.respond("Okay.")
        os._exit(3)  # no close(), no atexit: the turn in flight would be the only loss
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, timeout=60)
    assert done.returncode == 3
    with Store(db_path) as store:
        [stored] = store.active_sessions()
        assert stored.id == "crashed"
        assert [t.officer_text for t in stored.turns] == [GOOD, "Okay."]


def test_many_threads_lose_nothing(file_store: Store, persona: Persona) -> None:
    threads, turns = 16, 50
    long_persona = Persona(**{**persona.__dict__, "max_turns": 40})
    errors: list[BaseException] = []

    def officer(n: int) -> None:
        try:
            for _ in range(turns // 10):
                # "Okay." keeps agitation level, so each session runs its 10 turns.
                session = play(file_store, long_persona, f"cli:o{n}", ["Okay."] * 10, end=True)
                assert len(session.turns) == 10
                file_store.officer_history(f"cli:o{n}", 5)  # reads interleaved with writes
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    pool = [threading.Thread(target=officer, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    stored = file_store.recent_sessions(limit=1000)
    assert len(stored) == threads * turns // 10
    assert sum(s.turns for s in stored) == threads * turns
    assert {s.outcome for s in stored} == {Outcome.ENDED_BY_OFFICER}


def test_escalated_session_and_meta_json(store: Store, persona: Persona) -> None:
    session = play(store, persona, "cli:dave", [POOR] * 6, meta={"guild": "1", "n": "ü"})
    assert store.load_session(session.id).outcome is Outcome.ESCALATED
    assert json.loads(json.dumps(store.load_session(session.id).meta)) == {"guild": "1", "n": "ü"}


def test_writes_after_close_are_refused(persona: Persona) -> None:
    store = Store.memory()
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StoreClosed):
        store.create_team("Late", "t")
    with pytest.raises(StoreClosed):
        store.teams()


def test_history_order_and_recent_sessions(store: Store, persona: Persona) -> None:
    first = record(store, persona, "cli:eve", [50, 60], ended_at=1000.0)
    second = record(store, persona, "cli:eve", [70], ended_at=2000.0)
    other = record(store, persona, "cli:zed", [40], ended_at=3000.0)
    assert [s.id for s in store.officer_history("cli:eve")] == [second.id, first.id]
    assert [s.id for s in store.recent_sessions(limit=2)] == [other.id, second.id]
    assert [s.id for s in store.recent_sessions("cli:eve", limit=1)] == [second.id]
    with pytest.raises(SessionNotFound):
        store.session_transcript("missing")
