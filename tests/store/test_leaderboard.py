"""Leaderboards: best-5 metric, qualification, periods, tie-breaks, teams, rates and streaks."""

from __future__ import annotations

import pytest

from bot.core.persona import Persona
from bot.core.session import Outcome
from bot.core.store import Store, TeamNotFound, UnknownPeriod
from tests.store.conftest import DAY, NOW, play, record


def board(store: Store, period: str = "week", team: str | None = None) -> list[tuple[str, float]]:
    return [
        (r.officer_id, r.score)
        for r in store.individual_leaderboard(period, team=team, limit=50, now=NOW).rows
    ]


def test_best_five_and_qualification(store: Store, persona: Persona) -> None:
    for overall in (90, 80, 70, 60, 50, 40, 30):
        record(store, persona, "cli:alice", [overall])
    record(store, persona, "cli:bob", [100])
    record(store, persona, "cli:bob", [100])  # 2 sessions: does not qualify
    for _ in range(3):
        record(store, persona, "cli:carol", [80, 40])  # a session scores its turns' mean: 60
    record(store, persona, "cli:dan", [90])
    record(store, persona, "cli:dan", [90])
    record(store, persona, "cli:dan", [])  # no turns: not a scored session
    play(store, persona, "cli:dan", ["Okay."])  # in progress: not scored either
    assert board(store) == [("cli:alice", 70.0), ("cli:carol", 60.0)]
    [alice, carol] = store.individual_leaderboard("week", now=NOW).rows
    assert (alice.rank, alice.sessions, carol.rank) == (1, 7, 2)


def test_periods_are_rolling_windows(store: Store, persona: Persona) -> None:
    for days_ago in (0, 1, 2):
        record(store, persona, "cli:recent", [50], ended_at=NOW - days_ago * DAY - 60)
    for days_ago in (10, 11, 12):
        record(store, persona, "cli:month", [90], ended_at=NOW - days_ago * DAY)
    for days_ago in (100, 101, 102):
        record(store, persona, "cli:old", [99], ended_at=NOW - days_ago * DAY)
    assert [o for o, _ in board(store, "week")] == ["cli:recent"]
    assert [o for o, _ in board(store, "month")] == ["cli:month", "cli:recent"]
    assert [o for o, _ in board(store, "all")] == ["cli:old", "cli:month", "cli:recent"]
    with pytest.raises(UnknownPeriod, match="week, month, all"):
        store.individual_leaderboard("year")


def test_tie_breaks(store: Store, persona: Persona) -> None:
    for _ in range(3):
        record(store, persona, "cli:few", [50])
    for _ in range(4):
        record(store, persona, "cli:many", [50])  # same score, more sessions: first
    for i in range(3):
        record(store, persona, "cli:late", [40], ended_at=NOW - 100 + i)
        record(store, persona, "cli:early", [40], ended_at=NOW - 200 + i)  # got there first
    for _ in range(3):
        record(store, persona, "cli:zz", [30])
        record(store, persona, "cli:aa", [30])  # identical: officer id decides
    # 70.03 and 70.0 are the same score at the shown precision; more sessions wins.
    for _ in range(3):
        record(store, persona, "cli:raw_higher", [70] * 29 + [71])
    for _ in range(4):
        record(store, persona, "cli:more_sessions", [70])
    assert board(store) == [
        ("cli:more_sessions", 70.0),
        ("cli:raw_higher", 70.0),
        ("cli:many", 50.0),
        ("cli:few", 50.0),
        ("cli:early", 40.0),
        ("cli:late", 40.0),
        ("cli:aa", 30.0),
        ("cli:zz", 30.0),
    ]
    assert [r.rank for r in store.individual_leaderboard(now=NOW, limit=3).rows] == [1, 2, 3]


def test_team_filter_and_team_board(store: Store, persona: Persona) -> None:
    for officer, score in (("a1", 80), ("a2", 60), ("b1", 90), ("c1", 70), ("c2", 70)):
        for _ in range(3):
            record(store, persona, f"cli:{officer}", [score])
    record(store, persona, "cli:b2", [100])  # not qualifying: one session
    for team, members in (("Alpha", "a1 a2"), ("Beta", "b1 b2"), ("Gamma", "c1 c2")):
        store.create_team(team, "t")
        for m in members.split():
            store.add_member(team, f"cli:{m}", "t")
    assert board(store, team="alpha") == [("cli:a1", 80.0), ("cli:a2", 60.0)]
    rows = store.team_leaderboard("week", now=NOW).rows
    # Alpha and Gamma tie on 70.0 with 2 qualifying members each: name decides. Beta has only
    # one qualifying member and is left out.
    assert [(r.team, r.score, r.qualifying_members, r.members) for r in rows] == [
        ("Alpha", 70.0, 2, 2),
        ("Gamma", 70.0, 2, 2),
    ]
    assert rows[0].top_officer == "a1" and rows[0].sessions == 6
    with pytest.raises(TeamNotFound):
        store.individual_leaderboard(team="Delta")


def test_resolution_rate_and_streaks(store: Store, persona: Persona) -> None:
    outcomes = [Outcome.RESOLVED, Outcome.ESCALATED, Outcome.RESOLVED, Outcome.RESOLVED]
    for days_ago, outcome in zip((3, 2, 1, 0), outcomes, strict=True):
        record(store, persona, "cli:streak", [60], ended_at=NOW - days_ago * DAY - 60,
               outcome=outcome)  # fmt: skip
    [row] = store.individual_leaderboard("week", now=NOW).rows
    assert (row.resolved, row.sessions, row.resolution_rate) == (3, 4, 0.75)
    assert (row.resolved_streak, row.day_streak) == (2, 4)
    progress = store.officer_progress("cli:streak", now=NOW)
    assert (progress.resolved_streak, progress.day_streak, progress.resolution_rate) == (2, 4, 0.75)
    # Not practised yet today: the streak up to yesterday still counts; two days off ends it.
    assert store.officer_progress("cli:streak", now=NOW + DAY).day_streak == 4
    assert store.officer_progress("cli:streak", now=NOW + 2 * DAY).day_streak == 0


def test_progress_points_and_best_per_persona(store: Store, persona: Persona) -> None:
    record(store, persona, "cli:p", [40], ended_at=NOW - 300)
    record(store, persona, "cli:p", [80, 60], ended_at=NOW - 200)
    record(store, persona, "cli:p", [], ended_at=NOW - 100)  # no turns: not a point
    progress = store.officer_progress("cli:p", now=NOW)
    assert [p.scores["overall"] for p in progress.points] == [40.0, 70.0]
    assert set(progress.points[0].scores) == {"empathy", "calmness", "resolution", "overall"}
    assert progress.best_by_persona == {persona.id: 70.0}
    assert progress.sessions == 2 and progress.display_name == "p"
    empty = store.officer_progress("cli:nobody", now=NOW)
    assert empty.points == [] and empty.resolution_rate == 0.0 and empty.day_streak == 0
