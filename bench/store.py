"""Store benchmark: seed a realistic database, then time leaderboards, history and recording.

Run: .venv/bin/python -m bench.store [--sessions 100000] [--keep DIR]
Targets: leaderboards (week/month/all, team and individual) median <= 50 ms, an officer's
history <= 20 ms, recording a turn through the writer thread <= 5 ms median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.core.persona import parse_persona
from bot.core.scores import CRITERIA, DIMENSIONS, CriterionScore, RubricScore, dimensions_from
from bot.core.session import Outcome, PracticeSession, Turn
from bot.core.store import Store
from bot.core.store.schema import upgrade

RESULTS = Path(__file__).resolve().parent / "results" / "store.json"
DAY = 86400.0
OFFICERS, TEAMS = 500, 20
PERSONAS = [f"persona_{i:02d}" for i in range(24)]
TARGETS_MS = {"leaderboard": 50.0, "history": 20.0, "turn": 5.0}

VISITOR = [
    "Where is my mother? Nobody tells me anything and I've been here forty minutes!",
    "You can't just tow my car, I was gone ten minutes, this is robbery.",
    "I have a ticket, I paid for this concert, why won't you let me in?",
    "Don't touch me. I'm not leaving until someone explains this to me.",
    "Okay... okay. So what happens now? Can you at least find out?",
    "Fine, I'll wait, but I want a name and I want an answer soon.",
    "Thank you. Sorry for shouting, it's just been a terrible night.",
]
OFFICER = [
    "I can see how worried you are. Let me call the ward and find out where she is.",
    "Forty minutes with no news about your mum - that would scare anyone.",
    "Calm down, sir. Rules are rules.",
    "I understand, but there's nothing I can do about it.",
    "The pound is on Mill Road; I can print you the address and the phone number now.",
    "I'm not able to let you through with the bag, but we can check it at the cloakroom.",
    "What's your mother's name? I'll ask the nurse in charge right now.",
    "Please lower your voice or I'll have to ask you to leave.",
]
REASONS = ["empathy lowered agitation", "trigger: being told to calm down", "soother: options"]
EVIDENCE = ["I can see how worried you are", "let me call the ward", "rules are rules", "calm down"]
COACHING = [
    "Name the feeling before you explain the rule: 'I can hear how scared you are.'",
    "Give the reason behind the limit; people accept rules they understand.",
    "Offer a next step the visitor can choose, even a small one.",
    "Drop the order; ask a question that shows you want to help.",
]


def _score_variants(rng: random.Random, n: int = 400) -> list[tuple[str, list[int]]]:
    """Pre-built (score JSON, criterion+dimension columns): building a million is pointless."""
    variants = []
    for _ in range(n):
        base = rng.randint(15, 95)
        values = {c: max(0, min(100, base + rng.randint(-25, 25))) for c in CRITERIA}
        criteria = {
            c: CriterionScore(
                c, v, evidence=tuple(rng.sample(EVIDENCE, 2)), coaching=rng.choice(COACHING)
            )
            for c, v in values.items()
        }
        score = RubricScore(criteria, dimensions_from(values), coaching=(rng.choice(COACHING),))
        columns = [values[c] for c in CRITERIA] + [score.dimensions[d] for d in DIMENSIONS]
        variants.append((json.dumps(score.to_dict(), separators=(",", ":")), columns))
    return variants


def _turn_counts(rng: random.Random, sessions: int, turns: int) -> list[int]:
    counts = [rng.randint(3, 17) for _ in range(sessions)]
    # Nudge random sessions until the total is exact, keeping 1..20 turns each.
    diff = turns - sum(counts)
    while diff:
        i = rng.randrange(sessions)
        step = 1 if diff > 0 else -1
        if 1 <= counts[i] + step <= 20:
            counts[i] += step
            diff -= step
    return counts


def seed(path: Path, sessions: int, turns: int, now: float, rng: random.Random) -> dict[str, Any]:
    """Create the schema with the store's migrations and bulk-load a realistic history."""
    conn = sqlite3.connect(path)
    upgrade(Database(conn))
    # Bulk load only: no journal, no fsync. The store switches the file to WAL when it opens it.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -800000")
    officers = [f"discord:{rng.randrange(10**17, 10**18)}" for _ in range(OFFICERS)]
    # Some officers practise far more than others (Zipf-like weights).
    weights = [1.0 / (i + 3) ** 0.8 for i in range(OFFICERS)]
    conn.executemany(
        "INSERT INTO officers (id, display_name, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
        [(o, f"Officer {i:03d}", now - 400 * DAY, now) for i, o in enumerate(officers)],
    )
    conn.executemany(
        "INSERT INTO teams (id, name, created_at, created_by) VALUES (?, ?, ?, ?)",
        [(t + 1, f"Team {t + 1:02d}", now - 400 * DAY, "bench") for t in range(TEAMS)],
    )
    members = [(i % TEAMS + 1, o, now - 300 * DAY, "bench") for i, o in enumerate(officers[:480])]
    members += [((i + 7) % TEAMS + 1, o, now, "bench") for i, o in enumerate(officers[:60])]
    conn.executemany("INSERT OR IGNORE INTO memberships VALUES (?, ?, ?, ?)", members)

    variants = _score_variants(rng)
    counts = _turn_counts(rng, sessions, turns)
    owners = rng.choices(officers, weights=weights, k=sessions)
    outcomes = ["resolved"] * 5 + ["escalated"] * 2 + ["turn_limit"] * 2 + ["ended_by_officer"]
    session_rows, turn_rows = [], []

    def flush() -> None:
        conn.executemany(f"INSERT INTO sessions VALUES ({','.join('?' * 19)})", session_rows)
        conn.executemany(f"INSERT INTO turns VALUES ({','.join('?' * 27)})", turn_rows)
        session_rows.clear()
        turn_rows.clear()

    turn_id = 0
    for n in range(sessions):
        sid = f"{rng.getrandbits(48):012x}"
        started = now - rng.random() ** 1.3 * 365 * DAY  # busier recently
        in_progress = n >= sessions - 40
        status = "in_progress" if in_progress else rng.choice(outcomes)
        dims = [0.0] * 4
        at = started
        for number in range(1, counts[n] + 1):
            score_json, cols = rng.choice(variants)
            at += rng.uniform(15, 90)
            turn_id += 1
            turn_rows.append(
                (turn_id, sid, number, rng.choice(VISITOR), rng.choice(OFFICER),
                 rng.choice(VISITOR), 6, 5, json.dumps(rng.sample(REASONS, 1)), *cols, "[]",
                 score_json, at, rng.uniform(20, 90), rng.uniform(150, 900))
            )  # fmt: skip
            dims = [d + c for d, c in zip(dims, cols[-4:], strict=True)]
        means = [d / counts[n] for d in dims]
        session_rows.append(
            (sid, owners[n], rng.choice(PERSONAS), "Bench persona", rng.randint(1, 5), "live",
             status, rng.randint(0, 10), 7, rng.choice(VISITOR), "{}", started, at,
             None if in_progress else at, counts[n], *means)
        )  # fmt: skip
        if len(turn_rows) >= 100_000:
            flush()
    flush()
    conn.commit()
    conn.close()
    return {"officers": OFFICERS, "teams": TEAMS, "sessions": sessions, "turns": turns}


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm the page cache and the statement cache
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


class _FixedRubric:
    def __init__(self, score: RubricScore) -> None:
        self._score = score

    def score(self, reply: str, visitor_line: str = "", context: Any = None) -> RubricScore:
        return self._score

    def score_many(self, pairs: Any) -> list[RubricScore]:
        return [self._score for _ in pairs]


class _EchoVisitor:
    def reply(self, request: Any) -> str:
        return VISITOR[len(request.history) % len(VISITOR)]


def _persona_yaml() -> str:
    lines = {band: [f"{band} line {i}" for i in range(4)] for band in ("high", "medium", "low")}
    return json.dumps(
        {"name": "Bench visitor", "setting": "A door", "difficulty": 2, "start_agitation": 6,
         "backstory": "b", "wants": "w", "triggers": ["calm down"], "soothers": ["options"],
         "opening_lines": ["Let me in!"], "lines": lines, "max_turns": 40}
    )  # fmt: skip


def _recorded_turns(store: Store, count: int, rng: random.Random) -> Iterator[float]:
    """Time store.turn_recorded for `count` turns of fresh sessions (writer thread included)."""
    persona = parse_persona(_persona_yaml(), "bench_visitor")
    values = {c: 60 for c in CRITERIA}
    criteria = {c: CriterionScore(c, 60, ("quoted words",), COACHING[0]) for c in CRITERIA}
    rubric = _FixedRubric(RubricScore(criteria, dimensions_from(values), (COACHING[1],)))
    session = None
    for i in range(count):
        if session is None or len(session.turns) >= 10:
            session = PracticeSession.start(
                persona, f"discord:{rng.randrange(10**17)}", _EchoVisitor(), rubric
            )
        turn = Turn(
            len(session.turns) + 1, session.last_visitor_line, rng.choice(OFFICER),
            rubric.score(""), 6, 5, ("empathy lowered agitation",), VISITOR[i % 7], time.time(),
        )  # fmt: skip
        session.turns.append(turn)
        t0 = time.perf_counter()
        store.turn_recorded(session, turn)
        yield (time.perf_counter() - t0) * 1000
    if session is not None:
        session.outcome = Outcome.RESOLVED


def measure(store: Store, now: float, rng: random.Random, repeat: int) -> list[dict[str, Any]]:
    """Median / p95 / max timings of each query."""
    officers = [r.officer_id for r in store.individual_leaderboard("all", limit=500, now=now).rows]
    cases: list[tuple[str, str, Callable[[], object]]] = []
    for period in ("week", "month", "all"):
        cases.append(
            (f"individual leaderboard ({period})", "leaderboard",
             lambda p=period: store.individual_leaderboard(p, now=now))
        )  # fmt: skip
        cases.append(
            (f"team leaderboard ({period})", "leaderboard",
             lambda p=period: store.team_leaderboard(p, now=now))
        )  # fmt: skip
    cases.append(
        ("individual leaderboard (month, one team)", "leaderboard",
         lambda: store.individual_leaderboard("month", team="Team 03", now=now))
    )  # fmt: skip
    cases.append(
        ("officer history (20 latest)", "history",
         lambda: store.officer_history(rng.choice(officers), 20))
    )  # fmt: skip
    cases.append(
        ("officer progress (all sessions)", "",
         lambda: store.officer_progress(rng.choice(officers), now=now))
    )  # fmt: skip
    results = []
    for name, target, fn in cases:
        times = _timed(fn, repeat)
        results.append(_row(name, target, times))
    recorded = list(_recorded_turns(store, 300, rng))
    results.append(_row("record a turn (turn_recorded)", "turn", recorded))
    # The same with another thread reading leaderboards non-stop (a busy Discord server).
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            store.team_leaderboard("month", now=now)

    background = threading.Thread(target=reader)
    background.start()
    try:
        busy = list(_recorded_turns(store, 300, rng))
    finally:
        stop.set()
        background.join()
    results.append(_row("record a turn, leaderboards read meanwhile", "", busy))
    return results


def _row(name: str, target: str, times: list[float]) -> dict[str, Any]:
    times = sorted(times)
    median = statistics.median(times)
    limit = TARGETS_MS.get(target)
    return {
        "name": name,
        "runs": len(times),
        "median_ms": round(median, 2),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
        "max_ms": round(times[-1], 2),
        "target_ms": limit,
        "met": None if limit is None else median <= limit,
    }


def _print_table(results: list[dict[str, Any]]) -> None:
    print(f"{'query':<42} {'median':>8} {'p95':>8} {'max':>8} {'target':>8}  ok")
    for r in results:
        target = f"{r['target_ms']:.0f}" if r["target_ms"] else "-"
        ok = {True: "yes", False: "NO", None: ""}[r["met"]]
        print(
            f"{r['name']:<42} {r['median_ms']:>8.2f} {r['p95_ms']:>8.2f} {r['max_ms']:>8.2f} "
            f"{target:>8}  {ok}"
        )


def main(argv: list[str] | None = None) -> int:
    """Seed, measure, print and save the results."""
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=None, help="default: 10 per session")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query")
    parser.add_argument("--keep", type=Path, help="seed into this folder and keep the file")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    turns = args.turns if args.turns is not None else args.sessions * 10
    rng = random.Random(args.seed)
    now = time.time()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cooldown-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.db"
    if path.exists():
        path.unlink()
    t0 = time.perf_counter()
    counts = seed(path, args.sessions, turns, now, rng)
    seed_s = time.perf_counter() - t0
    size_mb = path.stat().st_size / 1e6
    print(
        f"seeded {counts['sessions']:,} sessions / {counts['turns']:,} turns / "
        f"{counts['officers']} officers / {counts['teams']} teams in {seed_s:.1f} s; "
        f"database {size_mb:,.0f} MB at {path}"
    )
    store = Store(path)
    try:
        results = measure(store, now, rng, args.repeat)
    finally:
        store.close()
    _print_table(results)
    report = {
        "command": " ".join([".venv/bin/python -m bench.store", *sys.argv[1:]]),
        "seeded": counts,
        "seed_seconds": round(seed_s, 1),
        "db_size_mb": round(size_mb, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "sqlite": sqlite3.sqlite_version},
        "results": results,
        "all_targets_met": all(r["met"] is not False for r in results),
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        folder.rmdir()
    return 0 if report["all_targets_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
