"""Rewind benchmark: from the officer's other reply to the branch's first visitor line.

Run: .venv/bin/python -m bench.rewind [--reps 30] [--model-ms 250] [--turns 8] [--encoder]

Target (issue 13): overhead beyond the model <= 200 ms (p95), measured two ways on a SQLite
file store with a recorded 8-reply practice:
- core: PracticeRoom.rewind (load the parent, rebuild the branch, read its history, record it)
  plus the first reply (rubric, reading, agitation, recording), minus the visitor's own time;
- Discord: the "What if?" form submitted through real discord.py objects (tests/discord
  harness, network recorded) until the visitor's line is posted in the thread, minus the
  visitor's own time.
The visitor is a stand-in that sleeps --model-ms like a model, so its time is known exactly;
the rubric is the real one (patterns only, or with the MiniLM encoder with --encoder).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bench.discord import ModelLikeVisitor
from bot.core.catalogue import PersonaCatalogue
from bot.core.persona import parse_persona
from bot.core.practice import PracticeRoom
from bot.core.scores import Rubric
from bot.core.store import Store
from bot.runtime import App
from tests.conftest import PERSONA_DATA
from tests.discord import payloads as p
from tests.discord.conftest import make_settings
from tests.discord.harness import start_bot

RESULTS = Path(__file__).resolve().parent / "results" / "rewind.json"
TARGET_MS = 200.0
PERSONA_ID = "bench_driver"
REPLIES = [
    "Okay, give me a moment to check the log.",
    "I understand you were only gone ten minutes. What's the registration?",
    "The system says it was towed at six.",
    "Sorry, I know this is not what you wanted to hear tonight.",
    "The pound is on Mill Road.",
    "Is there anyone who can give you a lift?",
    "I can print the address and phone number for you.",
    "Let me call them and check they are open.",
]
OTHER = "I can see how stressful this is. Let me find out where your car is - what's the reg?"


def _rubric(encoder: bool) -> tuple[Rubric, str]:
    from bot.core.rubric import build_rubric

    if not encoder:
        return build_rubric(None), "real rubric, patterns only"
    from bot.model.encoder import load_encoder

    return build_rubric(load_encoder()), "real rubric with the MiniLM encoder"


def _catalogue(store: Store) -> PersonaCatalogue:
    data = dict(PERSONA_DATA, max_turns=40, start_agitation=6)
    return PersonaCatalogue([parse_persona(yaml.safe_dump(data), PERSONA_ID, "bench")], store)


def _parent(room: PracticeRoom, officer: str, turns: int) -> str:
    session = room.start(officer, PERSONA_ID, meta={})
    for text in (REPLIES * 5)[:turns]:
        room.reply(officer, text)
    room.end(officer)
    return session.id


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {
        "median": round(statistics.median(values), 1),
        "p95": round(p95, 1),
        "max": round(max(values), 1),
    }


def bench_core(rubric: Rubric, model_ms: float, reps: int, turns: int, folder: Path) -> dict:
    """Rewind + first reply on the engine, minus the visitor's time."""
    store = Store(folder / "core.db")
    catalogue = _catalogue(store)
    room = PracticeRoom(catalogue, ModelLikeVisitor(model_ms), rubric, store)
    officer = "cli:bench"
    parent = _parent(room, officer, turns)
    rows = []
    for i in range(reps):
        turn = 1 + i % turns
        started = time.perf_counter()
        room.rewind(parent, turn)
        played = room.reply(officer, OTHER)
        total = (time.perf_counter() - started) * 1000
        rows.append({"turn": turn, "total_ms": total, "model_ms": played.reply_ms,
                     "overhead_ms": total - played.reply_ms})  # fmt: skip
        if room.active(officer) is not None:  # the better reply may have resolved it already
            room.end(officer)
    store.close()
    return {"name": "core: rewind + first reply", "reps": reps,
            "overhead_ms": _stats([r["overhead_ms"] for r in rows]),
            "model_ms": _stats([r["model_ms"] for r in rows])}  # fmt: skip


async def bench_discord(
    rubric: Rubric, model_ms: float, reps: int, turns: int, folder: Path
) -> dict:
    """The what-if form submitted in Discord until the visitor's line is posted."""
    settings = make_settings(folder, officer_messages_per_minute=10_000)
    store = Store(settings.database_path)
    catalogue = _catalogue(store)
    room = PracticeRoom(catalogue, ModelLikeVisitor(model_ms), rubric, store)
    h = await start_bot(settings, App(store, catalogue, room))
    officer = f"discord:{p.OFFICER_ID}"
    rows = []
    try:
        await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
        thread_id = int(h.threads()[-1]["id"])
        for text in (REPLIES * 5)[:turns]:
            await h.say(p.OFFICER_ID, thread_id, text)
        await h.slash("practice end", p.OFFICER_ID, channel_id=thread_id)
        [parent] = store.officer_history(officer, 1)
        for i in range(reps):
            turn = 1 + i % turns
            await h.slash("practice rewind", p.OFFICER_ID, session=parent.id, turn=turn)
            started = time.perf_counter()
            await h.submit_modal(p.OFFICER_ID, {"What would you say instead?": OTHER})
            line = next(
                c for c in reversed(h.messages(thread_id))
                if ((c.message or {}).get("content") or "").startswith("**What if?**")
            )  # fmt: skip
            [branch] = store.officer_history(officer, 1)
            model = store.load_session(branch.id).turns[-1].reply_ms
            total = (line.at - started) * 1000
            rows.append({"total_ms": total, "model_ms": model, "overhead_ms": total - model})
            if room.active(officer) is not None:
                await h.slash("practice end", p.OFFICER_ID)
    finally:
        await h.close()
        store.close()
    return {"name": "Discord: what-if form -> visitor line in the thread", "reps": reps,
            "overhead_ms": _stats([r["overhead_ms"] for r in rows]),
            "model_ms": _stats([r["model_ms"] for r in rows])}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run both measurements and write bench/results/rewind.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--model-ms", type=float, default=250.0)
    parser.add_argument("--turns", type=int, default=8, help="replies in the recorded practice")
    parser.add_argument("--encoder", action="store_true", help="the rubric with MiniLM")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    rubric, rubric_name = _rubric(args.encoder)
    with tempfile.TemporaryDirectory(prefix="cooldown-rewind-") as tmp:
        core = bench_core(rubric, args.model_ms, args.reps, args.turns, Path(tmp))
        chat = asyncio.run(bench_discord(rubric, args.model_ms, args.reps, args.turns, Path(tmp)))
    runs: list[dict[str, Any]] = [core, chat]
    for run in runs:
        run["met"] = run["overhead_ms"]["p95"] <= TARGET_MS
        o = run["overhead_ms"]
        print(f"{run['name']}: overhead median {o['median']} ms, p95 {o['p95']} ms, "
              f"max {o['max']} ms (model {run['model_ms']['median']} ms) "
              f"{'OK' if run['met'] else 'OVER'} (target p95 <= {TARGET_MS:.0f} ms)")  # fmt: skip
    report = {
        "command": " ".join([".venv/bin/python -m bench.rewind", *(argv or sys.argv[1:])]),
        "rubric": rubric_name,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},  # fmt: skip
        "runs": runs,
        "targets_met": all(r["met"] for r in runs),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return 0 if report["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
