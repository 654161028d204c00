"""Soak: simulated officers practising at once through the Discord adapter, with faults injected.

Run: .venv/bin/python -m bench.soak [--officers 20] [--turns 30]            # real model + rubric
     .venv/bin/python -m bench.soak --scripted --officers 20 --turns 30   # no model (minutes)

The bot runs for real (cogs, listeners, blocking threads, a SQLite file in a temp folder) against
the recording HTTP and webhook layers of tests/discord/harness.py. Each officer answers the
visitor, waits for the answer like a person would, starts a new practice when one ends, and
honours the bot's "take a breath" notice. Faults, at a quarter, half and three quarters of the
turns played:

- the database locked by another program for 2 s (BEGIN EXCLUSIVE on a second connection);
- the model worker killed and restarted (LocalVisitor.restart_worker: the model loads again);
- a burst of 100 bad messages (NUL, escape sequences, 5,000 characters, zero-width characters)
  from one officer in their practice thread.

Targets (issue 11): turns lost 0; sessions left in a wrong state 0; longest event-loop stall
<= 100 ms; peak RSS reported. Writes bench/results/soak.json (bench/results/soak-scripted.json
with --scripted).

A turn is lost when an officer's reply got no answer at all, or the officer was shown a visitor
line the database does not hold. A session is in a wrong state when the database and the bot
disagree about it (outcome, turn count) or, after everyone has ended, one is still in progress.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import re
import resource
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.discord import CallbackTimer, ReplyWatch
from bot.core.catalogue import PersonaCatalogue
from bot.core.persona import PersonaLibrary
from bot.core.practice import PracticeRoom
from bot.core.scores import Rubric
from bot.core.session import Outcome
from bot.core.store import Store
from bot.core.visitor import Visitor
from bot.runtime import App
from bot.settings import PROJECT_ROOT, get_settings
from tests.discord import payloads as p
from tests.discord.conftest import make_settings
from tests.discord.harness import Harness, start_bot

RESULTS = Path(__file__).resolve().parent / "results"
STALL_TARGET_MS = 100.0
HEARTBEAT_S = 0.005
ANSWER_TIMEOUT_S = 900.0  # a reply that never comes, on the slowest machine
LOCK_SECONDS = 2.0
BURST = 100
PERSONAS = (
    "hospital_emergency_son",
    "car_park_towed",
    "office_lobby_badge",
    "library_closing_time",
    "mall_lost_child",
)
REPLIES = (
    "I can see this is really stressful. Let me find out what is going on for you.",
    "Can you tell me your name and what happened?",
    "I'm sorry you've been kept waiting. I'll ring my supervisor now.",
    "Okay, give me a moment to check.",
    "You need to calm down.",
    "Rules are rules, I can't let you through.",
    "Thanks for bearing with me. I can call them for you, or we can wait together over here.",
    "That sounds frightening. What would help most right now?",
)
BAD = ("\x00", "\x1b[2J\x1b]0;pwned\x07", "x" * 5000, "\u200b\u200d", "\r\n\t ")
_WAIT = re.compile(r"in about (\d+) s")


@dataclass
class Tally:
    """What the officers saw, to check against what the bot and the database hold."""

    played: int = 0
    shown: dict[str, int] = field(default_factory=dict)  # session id -> visitor lines shown
    sessions: dict[str, str] = field(default_factory=dict)  # session id -> officer id
    unanswered: int = 0
    retried: int = 0  # "could not answer just now, send it again", and the officer did
    paced: int = 0  # the officer was told to slow down and waited
    fallbacks_during_restart: int = 0
    latencies: list[float] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)


class Heartbeat:
    """Measures how late the event loop wakes a 5 ms sleeper: the longest stall any officer or
    Discord event would have felt."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _beat(self) -> None:
        while True:
            expected = time.perf_counter() + HEARTBEAT_S
            await asyncio.sleep(HEARTBEAT_S)
            self.longest = max(self.longest, time.perf_counter() - expected)

    def start(self) -> None:
        self._task = asyncio.create_task(self._beat(), name="soak-heartbeat")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


def _library() -> PersonaLibrary:
    settings = get_settings()
    shipped = PersonaLibrary.from_directory(settings.path(settings.personas_dir))
    library = PersonaLibrary()
    for pid in PERSONAS:
        library.add(shipped.get(pid))
    return library


async def _start(h: Harness, user_id: int, persona: str, tally: Tally) -> str:
    await h.slash("practice start", user_id, persona=persona, settle=False)
    session = h.bot.room.active(f"discord:{user_id}")
    assert session is not None, [c.text() for c in h.responses()[-2:]]
    tally.sessions[session.id] = session.officer_id
    return session.id


async def _say(h: Harness, watch: ReplyWatch, user_id: int, thread_id: int, text: str) -> str:
    data = p.message(thread_id, user_id, text)
    answered = watch.expect(int(data["id"]))
    h.bot._connection.parse_message_create(data)  # type: ignore[arg-type]
    call = await asyncio.wait_for(answered, ANSWER_TIMEOUT_S)
    return call.text()


class Faults:
    """Injects each fault once, when the turns played pass its mark."""

    def __init__(self, h: Harness, total: int, tally: Tally, db: Path) -> None:
        self.h, self.tally, self.db = h, tally, db
        self.marks = {"database locked": total // 4, "model worker restarted": total // 2,
                      "burst of bad messages": 3 * total // 4}  # fmt: skip
        self.done: set[str] = set()
        self.burst_by: int | None = None
        self.tasks: list[asyncio.Task[None]] = []

    def check(self, user_id: int) -> None:
        played = self.tally.played
        for name, mark in self.marks.items():
            if name in self.done or played < mark:
                continue
            self.done.add(name)
            if name == "burst of bad messages":
                self.burst_by = user_id  # this officer sends it before their next reply
            else:
                self.tasks.append(asyncio.create_task(self._run(name)))

    async def _run(self, name: str) -> None:
        started = time.perf_counter()
        if name == "database locked":
            detail = await asyncio.to_thread(_hold_lock, self.db, LOCK_SECONDS)
        else:
            visitor = self.h.bot.room.visitor
            restart = getattr(visitor, "restart_worker", None)
            if restart is None:
                detail = "skipped: the visitor has no model worker"
            else:
                await asyncio.to_thread(restart)
                ready = await asyncio.to_thread(visitor.wait_ready, 600)  # type: ignore[attr-defined]
                detail = f"model reloaded in {time.perf_counter() - started:.1f} s, ready={ready}"
        self.tally.faults.append(
            {"fault": name, "at_turn": self.marks[name], "detail": detail,
             "seconds": round(time.perf_counter() - started, 2)}  # fmt: skip
        )


def _hold_lock(db: Path, seconds: float) -> str:
    holder = sqlite3.connect(db, isolation_level=None, timeout=30)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        time.sleep(seconds)
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    return f"BEGIN EXCLUSIVE held for {seconds:.0f} s by another connection"


async def _burst(h: Harness, user_id: int, thread_id: int, tally: Tally) -> float:
    """100 bad messages as fast as Discord delivers them; the seconds the bot asked to wait."""
    before = len(h.messages(thread_id))
    for i in range(BURST):
        data = p.message(thread_id, user_id, BAD[i % len(BAD)])
        h.bot._connection.parse_message_create(data)  # type: ignore[arg-type]
    await h.settle()  # every message handled
    answers = [c.text() for c in h.messages(thread_id)[before:]]
    notes = [text for text in answers if "Take a breath" in text]
    refusals = sum("Your reply is" in text for text in answers)
    tally.faults.append(
        {"fault": "burst of bad messages", "at_turn": tally.played, "messages": BURST,
         "detail": f"{refusals} refused as not a reply, {len(notes)} slow-down notice, "
                   f"{BURST - refusals - len(notes)} dropped by the pace limit"}  # fmt: skip
    )
    match = _WAIT.search(notes[-1]) if notes else None
    return float(match.group(1)) + 1 if match else 0.0


async def _officer(
    h: Harness, watch: ReplyWatch, user_id: int, turns: int, tally: Tally, faults: Faults
) -> None:
    officer = f"discord:{user_id}"
    persona = PERSONAS[user_id % len(PERSONAS)]
    session_id = await _start(h, user_id, persona, tally)
    i = 0
    mine = 0
    while mine < turns:
        session = h.bot.room.active(officer)
        if session is None:
            session_id = await _start(h, user_id, persona, tally)
            session = h.bot.room.active(officer)
            assert session is not None
        thread_id = int(session.meta["thread_id"])
        if faults.burst_by == user_id:
            faults.burst_by = None
            wait = await _burst(h, user_id, thread_id, tally)
            tally.paced += 1
            await asyncio.sleep(wait)
        text = REPLIES[(user_id + i) % len(REPLIES)]
        i += 1
        started = time.perf_counter()
        try:
            answer = await _say(h, watch, user_id, thread_id, text)
        except TimeoutError:
            tally.unanswered += 1
            continue
        if answer.startswith(f"**{session.persona.short_name}:**"):
            tally.latencies.append(time.perf_counter() - started)
            tally.shown[session_id] = tally.shown.get(session_id, 0) + 1
            tally.played += 1
            mine += 1
            faults.check(user_id)
        elif "Take a breath" in answer:
            match = _WAIT.search(answer)
            tally.paced += 1
            await asyncio.sleep(float(match.group(1)) + 1 if match else 5)
        elif "could not answer just now" in answer:
            tally.retried += 1
        else:
            raise AssertionError(f"unexpected answer to a reply: {answer[:200]}")
    if h.bot.room.active(officer) is not None:
        await h.slash("practice end", user_id, settle=False)


def _check_store(store: Store, room: PracticeRoom, tally: Tally) -> dict[str, Any]:
    lost_shown = 0
    wrong: list[str] = []
    for session_id, shown in tally.shown.items():
        stored = store.load_session(session_id)
        if len(stored.turns) < shown:
            lost_shown += shown - len(stored.turns)
    for session_id in tally.sessions:
        stored = store.load_session(session_id)
        if stored.outcome is Outcome.IN_PROGRESS:
            wrong.append(f"{session_id}: still in progress after everyone ended")
        if stored.outcome is not Outcome.IN_PROGRESS and stored.ended_at is None:
            wrong.append(f"{session_id}: {stored.outcome} without an end time")
        if len(stored.turns) != tally.shown.get(session_id, 0):
            wrong.append(
                f"{session_id}: {len(stored.turns)} turns stored, "
                f"{tally.shown.get(session_id, 0)} shown"
            )
    wrong += [f"{s.id}: still running in the bot" for s in room.running()]
    return {"lost_shown": lost_shown, "wrong": wrong}


async def soak(
    officers: int, turns: int, visitor: Visitor, rubric: Rubric, folder: Path
) -> dict[str, Any]:
    """Run the officers, inject the faults, and check every session afterwards."""
    settings = make_settings(folder)
    store = Store(settings.database_path)
    catalogue = PersonaCatalogue(_library(), store)
    room = PracticeRoom(catalogue, visitor, rubric, store)
    h = await start_bot(settings, App(store, catalogue, room))
    watch = ReplyWatch(h.recorder)
    tally = Tally()
    faults = Faults(h, officers * turns, tally, Path(settings.database_path))
    heartbeat = Heartbeat()
    users = [600000000000000000 + i for i in range(officers)]
    started = time.perf_counter()
    heartbeat.start()
    try:
        with CallbackTimer() as timer:
            await asyncio.gather(*(_officer(h, watch, u, turns, tally, faults) for u in users))
            await asyncio.gather(*faults.tasks)
            await h.settle()
    finally:
        heartbeat.stop()
    wall = time.perf_counter() - started
    checked = await asyncio.to_thread(_check_store, store, room, tally)
    await h.close()
    store.close()
    latencies = sorted(tally.latencies)
    return {
        "officers": officers,
        "turns_per_officer": turns,
        "turns_played": tally.played,
        "sessions": len(tally.sessions),
        "wall_s": round(wall, 1),
        "turns_lost": tally.unanswered + checked["lost_shown"],
        "unanswered_replies": tally.unanswered,
        "shown_but_not_stored": checked["lost_shown"],
        "replies_sent_again_after_an_error": tally.retried,
        "told_to_slow_down": tally.paced,
        "sessions_in_wrong_state": len(checked["wrong"]),
        "wrong_states": checked["wrong"][:20],
        "longest_event_loop_stall_ms": round(heartbeat.longest * 1000, 1),
        "longest_callback_ms": round(timer.longest * 1000, 1),
        "longest_callback": timer.longest_what,
        "reply_latency_s": {
            "median": round(latencies[len(latencies) // 2], 2) if latencies else None,
            "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 2) if latencies else None,
            "max": round(latencies[-1], 2) if latencies else None,
        },
        "faults": tally.faults,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the soak, print the figures and save them."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--turns", type=int, default=30, help="turns each officer plays")
    parser.add_argument("--scripted", action="store_true", help="persona lines, patterns rubric")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    settings = get_settings()
    if args.scripted:
        from bot.core.rubric import build_rubric
        from bot.model.scripted import ScriptedVisitor

        visitor: Visitor = ScriptedVisitor()
        rubric: Rubric = build_rubric(None)
        label = "scripted visitor, rubric on patterns only"
    else:
        from bot import runtime

        encoder = runtime.build_encoder(settings)
        visitor = runtime.build_visitor(settings, encoder=encoder)
        rubric = runtime.build_rubric(settings, encoder)
        if not visitor.wait_ready(600):  # type: ignore[attr-defined]
            print(f"the visitor model did not load: {visitor.problem}", file=sys.stderr)  # type: ignore[attr-defined]
            return 2
        label = "local gemma-3-270m visitor, full rubric (MiniLM)"
    with tempfile.TemporaryDirectory(prefix="cooldown-soak-") as tmp:
        result = asyncio.run(soak(args.officers, args.turns, visitor, rubric, Path(tmp)))
    close = getattr(visitor, "close", None)
    if close is not None:
        close()
    met = (
        result["turns_lost"] == 0
        and result["sessions_in_wrong_state"] == 0
        and result["longest_event_loop_stall_ms"] <= STALL_TARGET_MS
    )
    report = {
        "command": " ".join([".venv/bin/python -m bench.soak", *(argv or sys.argv[1:])]),
        "visitor": label,
        "targets": {"turns_lost": 0, "sessions_in_wrong_state": 0,
                    "longest_event_loop_stall_ms": STALL_TARGET_MS},  # fmt: skip
        "targets_met": met,
        **result,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "threads_at_end": threading.active_count(),
        },
    }
    for key in ("turns_played", "sessions", "wall_s", "turns_lost", "sessions_in_wrong_state",
                "longest_event_loop_stall_ms", "longest_callback_ms", "peak_rss_mib"):  # fmt: skip
        print(f"{key:<32} {report[key]}")
    for fault in report["faults"]:
        print(f"fault: {fault['fault']:<24} at turn {fault['at_turn']:<5} {fault['detail']}")
    print(f"targets met: {'yes' if met else 'NO'}")
    out = RESULTS / ("soak-scripted.json" if args.scripted else "soak.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out.relative_to(PROJECT_ROOT)}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
