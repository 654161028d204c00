"""Charts: valid PNGs at embed size, with or without data."""

from __future__ import annotations

import struct

from bot.core.charts import progress_chart, team_chart
from bot.core.persona import Persona
from bot.core.store import Store
from tests.store.conftest import NOW, record

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_progress_chart(store: Store, persona: Persona) -> None:
    for i in range(8):
        record(store, persona, "cli:alice", [30 + 7 * i, 40 + 5 * i], ended_at=NOW - 1000 + i)
    png = progress_chart(store.officer_progress("cli:alice", now=NOW), "Alice - progress")
    assert _size(png) == (800, 450)
    assert 10_000 < len(png) < 400_000


def test_progress_chart_without_sessions(store: Store) -> None:
    png = progress_chart(store.officer_progress("cli:new", now=NOW), "New officer")
    assert _size(png) == (800, 450)


def test_team_chart(store: Store, persona: Persona) -> None:
    for team, score in (("Night Shift", 80), ("Day", 60), ("A very long team name indeed", 40)):
        store.create_team(team, "t")
        for n in range(2):
            officer = f"cli:{team[:3]}{n}"
            store.add_member(team, officer, "t")
            for _ in range(3):
                record(store, persona, officer, [score])
    rows = store.team_leaderboard("week", now=NOW).rows
    png = team_chart(rows, "Teams - this week")
    assert _size(png) == (800, 450) and 5_000 < len(png) < 400_000
    officers = store.individual_leaderboard("week", now=NOW).rows
    assert _size(team_chart(officers, "Officers")) == (800, 450)
    assert _size(team_chart([], "Nobody yet")) == (800, 450)


def test_learning_chart_for_an_officer(store: Store, persona: Persona) -> None:
    from bot.core.charts import learning_chart
    from tests.store.conftest import GOOD, POOR, play

    for replies in ([POOR, GOOD], [GOOD, GOOD], [GOOD]):
        play(store, persona, "cli:alice", replies, end=True)
    points = store.officer_progress("cli:alice").points
    png = learning_chart([str(i) for i in range(1, 4)], [p.criteria for p in points],
                         [p.shares() for p in points], "Alice - criteria")  # fmt: skip
    assert _size(png) == (800, 600) and len(png) > 20_000
    assert _size(learning_chart([], [], [], "Nobody")) == (800, 450)
