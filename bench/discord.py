"""Discord adapter benchmark: reply overhead, and many officers at once on one event loop.

Run: .venv/bin/python -m bench.discord [--replies 40] [--model-ms 250] [--officers 20]
     .venv/bin/python -m bench.discord --real-model --replies 12 --crowd-replies 3

The bot runs for real (cogs, listeners, store on disk, blocking threads) against the recording
HTTP and webhook layers from tests/discord/harness.py, so Discord's own latency is not in the
numbers: they are what the adapter and engine add.

Targets:
(a) officer message -> visitor reply sent, minus the model's own reply time: <= 200 ms (p95);
    measured with the scripted visitor and with one that sleeps like a model.
(b) 20 officers practising at once with asyncio debug on (slow_callback_duration = 0.1 s): no
    "Executing ... took" warning, i.e. no callback blocks the event loop for 100 ms or more.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from bot.core.catalogue import PersonaCatalogue
from bot.core.persona import PersonaLibrary, parse_persona
from bot.core.practice import PracticeRoom
from bot.core.scores import Rubric
from bot.core.store import Store
from bot.core.visitor import Visitor, VisitorRequest
from bot.model.scripted import ScriptedVisitor
from bot.runtime import App
from tests.conftest import PERSONA_DATA, FakeRubric
from tests.discord import payloads as p
from tests.discord.conftest import make_settings
from tests.discord.harness import Call, Harness, Recorder, start_bot

RESULTS = Path(__file__).resolve().parent / "results" / "discord.json"
PERSONA_ID = "bench_driver"
OVERHEAD_TARGET_MS = 200.0
SLOW_CALLBACK_S = 0.1
REPLIES = [
    "I can see how stressful this is. Let me find out where your car is.",
    "Okay, give me a moment to check the log.",
    "I understand you were only gone ten minutes. What's the registration?",
    "The pound is on Mill Road; I can print the address and phone number for you.",
    "Sorry, I know this is not what you wanted to hear tonight.",
]


class ModelLikeVisitor:
    """Scripted lines after a fixed sleep, one request at a time: a stand-in for the model,
    which has a single worker thread of its own."""

    def __init__(self, model_ms: float) -> None:
        self.delay, self.lines = model_ms / 1000, ScriptedVisitor()
        self._worker = threading.Lock()

    def reply(self, request: VisitorRequest) -> str:
        """Sleep like a generation, then say a persona line."""
        with self._worker:
            time.sleep(self.delay)
            return self.lines.reply(request)


def _rubric() -> tuple[Rubric, str]:
    """The real rubric on patterns only, when it is importable and works; else the test one."""
    try:
        from bot.core.rubric import build_rubric

        rubric = build_rubric(None)
        rubric.score("I can see this is stressful.", "Where is my car?")  # it must really work
        return rubric, "real rubric, patterns only"
    except Exception as exc:  # noqa: BLE001 - any failure means: measure with the test rubric
        return FakeRubric(), f"marker-word test rubric (real rubric unusable: {exc!r:.80})"


def _library() -> PersonaLibrary:
    # Long sessions, so a run measures replies rather than session starts.
    data = dict(PERSONA_DATA, max_turns=40, start_agitation=6)
    library = PersonaLibrary()
    library.add(parse_persona(yaml.safe_dump(data), PERSONA_ID, "bench.yaml"))
    return library


class ReplyWatch:
    """Wakes whoever waits for the bot's answer to a given officer message."""

    def __init__(self, recorder: Recorder) -> None:
        self.waiting: dict[int, asyncio.Future[Call]] = {}
        original = recorder.record

        async def record(call: Call) -> None:
            await original(call)
            ref = ((call.payload or {}).get("message_reference") or {}).get("message_id")
            future = self.waiting.pop(int(ref), None) if ref else None
            if future is not None and not future.done():
                future.set_result(call)

        recorder.record = record  # type: ignore[method-assign]

    def expect(self, message_id: int) -> asyncio.Future[Call]:
        """A future resolved with the call that answers this message."""
        future: asyncio.Future[Call] = asyncio.get_running_loop().create_future()
        self.waiting[message_id] = future
        return future


async def _start(h: Harness, user_id: int) -> int:
    await h.slash("practice start", user_id, persona=PERSONA_ID, settle=False)
    session = h.bot.room.active(f"discord:{user_id}")
    assert session is not None, [c.text() for c in h.responses()[-2:]]
    return int(session.meta["thread_id"])


async def _reply(h: Harness, watch: ReplyWatch, user_id: int, thread_id: int, text: str) -> dict:
    """One officer reply; its timings (ms)."""
    officer = f"discord:{user_id}"
    session = h.bot.room.active(officer)
    assert session is not None
    started = time.perf_counter()
    # The id is known only after the payload is built; create it first to wait on it.
    data = p.message(thread_id, user_id, text)
    answered = watch.expect(int(data["id"]))
    h.bot._connection.parse_message_create(data)  # type: ignore[arg-type]
    call = await asyncio.wait_for(answered, timeout=60)
    total = (call.at - started) * 1000
    turn = session.turns[-1]
    return {
        "total_ms": total,
        "model_ms": turn.reply_ms,
        "rubric_ms": turn.score_ms,
        "overhead_ms": total - turn.reply_ms,
        "adapter_ms": total - turn.reply_ms - turn.score_ms,
        "finished": session.finished,
    }


async def _session_loop(
    h: Harness, watch: ReplyWatch, user_id: int, replies: int, out: list[dict]
) -> None:
    thread_id = await _start(h, user_id)
    for i in range(replies):
        result = await _reply(h, watch, user_id, thread_id, REPLIES[i % len(REPLIES)])
        out.append(result)
        if result["finished"]:
            thread_id = await _start(h, user_id)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _summary(name: str, rows: list[dict], **extra: Any) -> dict[str, Any]:
    def stats(key: str) -> dict[str, float]:
        values = [r[key] for r in rows]
        return {
            "median": round(statistics.median(values), 2),
            "p95": round(_pct(values, 0.95), 2),
            "max": round(max(values), 2),
        }

    overhead = stats("overhead_ms")
    return {
        "name": name,
        "replies": len(rows),
        "total_ms": stats("total_ms"),
        "model_ms": stats("model_ms"),
        "rubric_ms": stats("rubric_ms"),
        "adapter_ms": stats("adapter_ms"),
        "overhead_ms": overhead,
        "target_ms": OVERHEAD_TARGET_MS,
        "met": overhead["p95"] <= OVERHEAD_TARGET_MS,
        **extra,
    }


async def _with_bot(visitor: Visitor, rubric: Rubric, folder: Path, run: Any) -> Any:
    settings = make_settings(folder, officer_messages_per_minute=10_000)
    store = Store(settings.database_path)
    catalogue = PersonaCatalogue(_library(), store)
    room = PracticeRoom(catalogue, visitor, rubric, store)
    harness = await start_bot(settings, App(store, catalogue, room))
    try:
        return await run(harness, ReplyWatch(harness.recorder))
    finally:
        await harness.close()
        store.close()


async def latency(visitor: Visitor, rubric: Rubric, replies: int, folder: Path) -> list[dict]:
    """(a) One officer, replies one after another."""

    async def run(h: Harness, watch: ReplyWatch) -> list[dict]:
        rows: list[dict] = []
        await _session_loop(h, watch, p.OFFICER_ID, replies + 1, rows)
        return rows[1:]  # the first reply warms caches (imports, SQLite pages)

    return await _with_bot(visitor, rubric, folder, run)


class SlowCallbacks(logging.Handler):
    """Counts asyncio's debug-mode "Executing <handle> took 0.123 seconds" warnings."""

    PATTERN = re.compile(r"Executing .* took (\d+\.\d+) seconds")

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.durations: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the duration of each slow-callback warning."""
        match = self.PATTERN.search(record.getMessage())
        if match:
            self.durations.append(float(match.group(1)))


class CallbackTimer:
    """Times every event-loop callback (the debug warning only reports the slow ones)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.longest_what = ""
        self._original = asyncio.events.Handle._run

    def __enter__(self) -> CallbackTimer:
        timer, original = self, self._original

        def timed(handle: asyncio.events.Handle) -> None:
            t0 = time.perf_counter()
            try:
                original(handle)
            finally:
                took = time.perf_counter() - t0
                if took > timer.longest:
                    timer.longest, timer.longest_what = took, repr(handle)[:160]

        asyncio.events.Handle._run = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]


async def crowd(
    officers: int, replies: int, visitor: Visitor, label: str, rubric: Rubric, folder: Path
) -> dict[str, Any]:
    """(b) Many officers at once, with asyncio debug on."""
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = SLOW_CALLBACK_S
    slow = SlowCallbacks()
    logging.getLogger("asyncio").addHandler(slow)

    async def run(h: Harness, watch: ReplyWatch) -> list[dict]:
        rows: list[dict] = []
        users = [500000000000000000 + i for i in range(officers)]
        await asyncio.gather(*(_session_loop(h, watch, u, replies, rows) for u in users))
        return rows

    started = time.perf_counter()
    try:
        with CallbackTimer() as timer:
            rows = await _with_bot(visitor, rubric, folder, run)
    finally:
        logging.getLogger("asyncio").removeHandler(slow)
        loop.set_debug(False)
    return {
        **_summary(f"{officers} officers at once ({label})", rows),
        "wall_s": round(time.perf_counter() - started, 2),
        "max_callback_ms": round(timer.longest * 1000, 2),
        "max_callback": timer.longest_what,
        "callbacks_over_100ms": len(slow.durations),
        "slow_callbacks_s": slow.durations[:20],
        "met": not slow.durations,
    }


def _print(latencies: list[dict], load: dict[str, Any]) -> None:
    print(f"{'(a) reply latency':<44} {'total':>8} {'model':>8} {'rubric':>8} "
          f"{'adapter':>8} {'overhead':>9} {'target':>7}  ok")  # fmt: skip
    for row in latencies:
        print(
            f"{row['name']:<44} {row['total_ms']['p95']:>8.1f} {row['model_ms']['p95']:>8.1f} "
            f"{row['rubric_ms']['p95']:>8.1f} {row['adapter_ms']['p95']:>8.1f} "
            f"{row['overhead_ms']['p95']:>9.1f} {row['target_ms']:>7.0f}  "
            f"{'yes' if row['met'] else 'NO'}"
        )
    print("    (p95 in ms over the replies; overhead = total - model; adapter = overhead - rubric)")
    print()
    print(f"{'(b) ' + load['name']:<56} {'value':>10}")
    print(f"{'replies played':<56} {load['replies']:>10}")
    print(f"{'wall time (s)':<56} {load['wall_s']:>10}")
    print(f"{'reply latency median / p95 (ms)':<56} "
          f"{load['total_ms']['median']:>5.0f}/{load['total_ms']['p95']:<5.0f}")  # fmt: skip
    print(f"{'overhead p95 (ms, queueing for the 1 model worker excluded)':<56} "
          f"{load['overhead_ms']['p95']:>10.1f}")  # fmt: skip
    print(f"{'longest event-loop callback (ms)':<56} {load['max_callback_ms']:>10.1f}")
    print(f"{'asyncio slow-callback warnings (>= 100 ms), target 0':<56} "
          f"{load['callbacks_over_100ms']:>10}  {'yes' if load['met'] else 'NO'}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Measure, print and save the results."""
    parser = argparse.ArgumentParser(prog="python -m bench.discord", description=__doc__)
    parser.add_argument("--replies", type=int, default=40, help="replies per latency run")
    parser.add_argument("--model-ms", type=float, default=250.0, help="simulated model time")
    parser.add_argument("--officers", type=int, default=20, help="officers at once in (b)")
    parser.add_argument("--crowd-replies", type=int, default=8, help="replies per officer in (b)")
    parser.add_argument("--crowd-model-ms", type=float, default=50.0, help="model time in (b)")
    parser.add_argument(
        "--real-model", action="store_true",
        help="use the real local model and the full rubric (MiniLM) in (a) and (b)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    rubric, rubric_name = _rubric()
    runs: list[tuple[str, Visitor, Rubric]] = [
        ("scripted visitor", ScriptedVisitor(), rubric),
        (f"model-like visitor ({args.model_ms:.0f} ms)", ModelLikeVisitor(args.model_ms), rubric),
    ]
    crowd_run = (
        f"model {args.crowd_model_ms:.0f} ms, 1 worker",
        ModelLikeVisitor(args.crowd_model_ms),
        rubric,
    )
    if args.real_model:
        from bot import runtime
        from bot.settings import get_settings

        settings = get_settings()
        model = runtime.build_visitor(settings)
        model.wait_ready()  # type: ignore[attr-defined]
        full_rubric = runtime.build_rubric(settings)
        runs.append(("local gemma-3-270m + MiniLM rubric", model, full_rubric))
        crowd_run = ("local gemma-3-270m + MiniLM rubric", model, full_rubric)
        rubric_name += "; real model runs: full rubric with MiniLM"

    async def run_all(folder: Path) -> tuple[list[dict], dict[str, Any]]:
        latencies = []
        for i, (name, visitor, judge) in enumerate(runs):
            sub = folder / f"run{i}"
            sub.mkdir()
            rows = await latency(visitor, judge, args.replies, sub)
            latencies.append(_summary(name, rows))
        sub = folder / "crowd"
        sub.mkdir()
        label, visitor, judge = crowd_run
        load = await crowd(args.officers, args.crowd_replies, visitor, label, judge, sub)
        return latencies, load

    with tempfile.TemporaryDirectory(prefix="cooldown-bench-") as tmp:
        latencies, load = asyncio.run(run_all(Path(tmp)))
    print(f"rubric: {rubric_name}; store: SQLite file (WAL) in a temp folder\n")
    _print(latencies, load)
    report = {
        "command": " ".join([".venv/bin/python -m bench.discord", *(argv or sys.argv[1:])]),
        "rubric": rubric_name,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "latency": latencies,
        "crowd": load,
        "targets_met": all(r["met"] for r in latencies) and load["met"],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {RESULTS}")
    return 0 if report["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
