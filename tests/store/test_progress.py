"""Progress that shows learning: criteria and strategy over time, most improved, team digest."""

from __future__ import annotations

import pytest

from bot.core.persona import Persona
from bot.core.store import Store, UnknownPeriod
from tests.store.conftest import DAY, GOOD, NOW, POOR, play, record


def test_progress_has_criteria_and_strategy_per_session(store: Store, persona: Persona) -> None:
    play(store, persona, "cli:alice", [POOR, POOR], end=True)
    play(store, persona, "cli:alice", [GOOD, GOOD], end=True)
    progress = store.officer_progress("cli:alice")
    first, latest = progress.points
    assert first.strategy["competitive"] >= 1 and latest.strategy["cooperative"] == 2
    assert latest.shares()["cooperative"] == 1.0
    labelled = sum(first.strategy.values()) + sum(latest.strategy.values())
    assert progress.strategy_share()["cooperative"] == pytest.approx(
        (first.strategy["cooperative"] + 2) / labelled
    )
    trend = progress.criterion_trend(window=1)
    assert trend["acknowledges_emotion"][1] > trend["acknowledges_emotion"][0]
    assert set(latest.criteria) == set(trend)


def improving(store: Store, persona: Persona, officer: str, scores: list[int]) -> None:
    """Two-reply practices with these scores, one a day, the last one yesterday."""
    for i, score in enumerate(scores):
        record(store, persona, officer, [score, score], ended_at=NOW - (len(scores) - i) * DAY)


def test_most_improved_compares_the_latest_three_with_the_three_before(
    store: Store, persona: Persona
) -> None:
    improving(store, persona, "cli:alice", [40, 40, 40, 70, 70, 70])  # +30
    improving(store, persona, "cli:bob", [80, 80, 80, 90, 90, 90])  # +10
    improving(store, persona, "cli:carol", [90, 90, 90, 60, 60, 60])  # worse: not listed
    improving(store, persona, "cli:dave", [10, 90, 90, 90, 90])  # only 5: not listed
    record(store, persona, "cli:bob", [10], ended_at=NOW - 3.5 * DAY)  # 1 reply: not counted
    board = store.most_improved("month")
    assert [(r.display_name, r.improvement) for r in board.rows] == [("alice", 30.0), ("bob", 10.0)]
    assert (board.rows[0].recent, board.rows[0].baseline) == (70.0, 40.0)


def test_most_improved_needs_the_latest_three_in_the_period(
    store: Store, persona: Persona
) -> None:
    for i, score in enumerate([40, 40, 40, 70, 70]):
        record(store, persona, "cli:erin", [score, score], ended_at=NOW - (40 - i) * DAY)
    record(store, persona, "cli:erin", [70, 70], ended_at=NOW - DAY)
    assert store.most_improved("week").rows == []  # only 1 of the latest 3 is this week
    assert [r.display_name for r in store.most_improved("all").rows] == ["erin"]


def test_team_weeks_and_digest(store: Store, persona: Persona) -> None:
    store.create_team("Night", "t")
    for officer in ("cli:alice", "cli:bob", "cli:carl"):
        store.add_member("Night", officer, "t")
    record(store, persona, "cli:alice", [40, 40], ended_at=NOW - 10 * DAY)
    record(store, persona, "cli:alice", [70, 80], ended_at=NOW - DAY)
    record(store, persona, "cli:bob", [60], ended_at=NOW - 2 * DAY)
    weeks = store.team_weeks("night", weeks=4, now=NOW)
    assert [w.sessions for w in weeks] == [1, 2] and weeks[-1].officers == 2

    digest = store.team_digest("night", "week", now=NOW)
    assert digest.title().startswith("Team Night - the last 7 days")
    assert [o.name for o in digest.practised] == ["alice", "bob"]
    assert [o.name for o in digest.idle] == ["carl"]
    assert [(o.name, o.change) for o in digest.improved] == [("alice", 35.0)]
    assert len(digest.weak_criteria) == 3
    text = digest.as_text()
    assert "alice: 40 -> 75 (+35.0)" in text and "Did not practise:\n  - carl" in text
    with pytest.raises(UnknownPeriod):
        store.team_digest("night", "all", now=NOW)
