"""The terminal under bad input and a failing store: the officer always gets a debrief."""

from __future__ import annotations

import io
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli_practice import play
from bot.core.persona import PersonaLibrary, parse_persona
from bot.core.practice import PracticeRoom
from bot.core.session import Outcome, PracticeSession
from bot.core.store import Store, StoreError
from bot.model.scripted import ScriptedVisitor
from bot.settings import PROJECT_ROOT
from tests.conftest import FakeRubric
from tests.discord.conftest import persona_yaml

# The input from the issue (NUL, bytes that are not UTF-8), plus escape sequences that clear the
# screen and retitle the window if they are ever echoed.
HOSTILE_INPUT = (
    b"hello\x00there I understand\n"
    b"\xff\xfe\xfd bad utf8 sorry\n"
    b"\x1b[2J\x1b]0;pwned\x07 I'm sorry, let me help\n"
    b"/end\n"
)


def cli_env(db: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_PATH": str(db), "RUBRIC_ENCODER": "none"}
    env.pop("PYTHONIOENCODING", None)
    return env


def read_until(proc: subprocess.Popen[bytes], marker: bytes, seconds: float) -> bool:
    """Read the child's output until `marker` shows; False when it does not within `seconds`
    (never blocks past the deadline: a read that would wait is not made)."""
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + seconds
    fd = proc.stdout.fileno()
    while marker not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return False
        chunk = os.read(fd, 4096)
        if not chunk:
            return marker in seen
        seen += chunk
    return True


def statuses(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT status, turn_count FROM sessions ORDER BY started_at"
        ).fetchall()


def test_hostile_bytes_on_stdin_still_give_a_debrief(tmp_path: Path) -> None:
    db = tmp_path / "cooldown.db"
    run = subprocess.run(
        # a visitor who starts fairly calm, so three replies cannot end it early
        [sys.executable, "-m", "bot", "practice", "--scripted", "--persona", "office_lobby_badge"],
        input=HOSTILE_INPUT,
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=cli_env(db),
        timeout=120,
    )
    out = run.stdout.decode("utf-8")  # what reached the terminal is valid UTF-8
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    assert b"Traceback" not in run.stderr
    assert "Debrief - " in out and "after 3 replies" in out
    assert "\x1b" not in out and "\x07" not in out and "\x00" not in out
    assert statuses(db) == [("ended_by_officer", 3)]
    with sqlite3.connect(db) as conn:
        said = [r[0] for r in conn.execute("SELECT officer_text FROM turns ORDER BY number")]
    # NUL and escape sequences gone; bytes that were not UTF-8 kept as U+FFFD
    assert said == ["hellothere I understand", "\ufffd\ufffd\ufffd bad utf8 sorry",
                    "I'm sorry, let me help"]  # fmt: skip


@pytest.fixture
def room_on(tmp_path: Path) -> Iterator[tuple[PracticeRoom, Store]]:
    library = PersonaLibrary()
    library.add(parse_persona(persona_yaml(max_turns=10), "towed_car_driver", "t.yaml"))
    store = Store(tmp_path / "cooldown.db", timeout=0.1)
    yield PracticeRoom(library, ScriptedVisitor(), FakeRubric(), store), store
    store.close()


def fill_the_disk(store: Store, session: PracticeSession) -> None:
    """SQLite's own "database or disk is full": the file may not grow, and what room is left in
    it is used up by turns of another session, so the next turn cannot be stored."""

    def cap(db: object) -> None:
        pages = db.execute("PRAGMA page_count").fetchone()[0]  # type: ignore[attr-defined]
        db.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[attr-defined]

    store._db.write(cap, transactional=False)
    ballast = PracticeSession(session.persona, "cli:ballast", session.visitor, session.rubric)
    for number in range(1, 1000):
        try:
            store.turn_recorded(ballast, replace(session.turns[0], number=number))
        except StoreError as exc:
            assert "Free some disk space" in str(exc)
            return
    raise AssertionError("the database never filled up")


def damage_the_file(store: Store) -> None:
    """Everything after the first page overwritten with noise (a bad disk, a bad copy)."""
    store._db.write(
        lambda db: db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone(), transactional=False
    )
    path = Path(store.path)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(16384)
        handle.write(os.urandom(size - 16384))


def lock_the_file(store: Store) -> sqlite3.Connection:
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.mark.parametrize("fault", ["full", "locked", "damaged"])
def test_a_store_failure_mid_practice_gives_a_message_and_the_debrief(
    room_on: tuple[PracticeRoom, Store], fault: str
) -> None:
    room, store = room_on
    session = room.start("cli:alice", "towed_car_driver")
    holders = []

    def replies() -> Iterator[str]:
        yield "I'm sorry, I can see this is stressful. Let me help."
        if fault == "full":
            fill_the_disk(store, session)
            yield "Let me find out where your car is " + "and why " * 200
        elif fault == "damaged":
            damage_the_file(store)
            yield "Let me find out where your car is."
        else:
            holders.append(lock_the_file(store))
            yield "Let me find out where your car is."
        yield "This reply is never played."

    out = io.StringIO()
    debrief = play(room, session, replies(), out)
    for holder in holders:
        holder.execute("ROLLBACK")
        holder.close()
    text = out.getvalue()
    assert "!! Your results could not be saved: " in text
    assert "The record keeps the first 1 reply, nothing half-written" in text
    assert "Debrief - Dana" in text and "after 1 reply" in text
    assert "Traceback" not in text
    assert debrief.turns == 1 and len(session.turns) == 1  # the failed turn was not kept
    if fault != "damaged":  # (a damaged file cannot be read back)
        assert len(store.load_session(session.id).turns) == 1  # memory and the record agree
    assert room.active("cli:alice") is None  # the officer can start again


def test_a_killed_practice_is_closed_on_the_next_start(tmp_path: Path) -> None:
    """kill -9 leaves a practice in progress; the next terminal start (another officer's: the
    same officer's would carry it on) closes it so stats never show it running."""
    db = tmp_path / "cooldown.db"
    env = cli_env(db)
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "bot", "practice", "--scripted", "--officer", "kim"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"I'm sorry, let me help you find your car.\n")
    proc.stdin.flush()
    assert read_until(proc, b"empathy", 60), "the first turn never showed"
    proc.send_signal(signal.SIGKILL)  # kill -9: no chance to close anything
    proc.wait(10)
    assert [s for s, _ in statuses(db)] == ["in_progress"]

    run = subprocess.run(
        [sys.executable, "-m", "bot", "practice", "--scripted", "--officer", "lee"],
        input=b"/end\n",
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0
    assert statuses(db) == [("ended_by_officer", 1), ("ended_by_officer", 0)]
    stats = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "cli:kim"],
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
    )
    assert "in progress" not in stats.stdout.decode()


def test_a_running_terminal_practice_is_not_closed_by_another(
    room_on: tuple[PracticeRoom, Store],
) -> None:
    from bot.cli_practice import abandoned_here

    room, store = room_on
    import socket

    alive = {"adapter": "terminal", "pid": str(os.getpid()), "host": socket.gethostname()}
    room.start("cli:alice", "towed_car_driver", meta=alive)
    other = PracticeRoom(room.catalogue, ScriptedVisitor(), FakeRubric(), store)
    assert other.close_abandoned(abandoned_here) == []
    dead = {**alive, "pid": "999999999"}
    gone = PracticeRoom(room.catalogue, ScriptedVisitor(), FakeRubric(), store)
    gone.start("cli:bob", "towed_car_driver", meta=dead)
    closed = other.close_abandoned(abandoned_here)
    assert len(closed) == 1
    assert store.load_session(closed[0]).outcome is Outcome.ENDED_BY_OFFICER


def test_a_damaged_database_at_start_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "cooldown.db"
    db.write_bytes(os.urandom(20_000))
    run = subprocess.run(
        [sys.executable, "-m", "bot", "practice", "--scripted"],
        input=b"hello\n/end\n",
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=cli_env(db),
        timeout=120,
    )
    err = run.stderr.decode()
    assert run.returncode == 1 and "Traceback" not in err
    assert f"The database file {db} is damaged" in err and "move the file aside" in err
