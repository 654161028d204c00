"""The stats, leaderboard, export, forget and team commands against an in-memory store."""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import pytest

from bot.cli_stats import add_stats_parsers, officer_id, table
from bot.core.persona import Persona
from bot.core.store import Store, TeamNotFound
from tests.store.conftest import Clock, record


def run(store: Store, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="cooldown")
    add_stats_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.store_func(args, store)


@pytest.fixture
def seeded(store: Store, persona: Persona) -> Store:
    run(store, "team", "create", "Night Shift")
    run(store, "team", "add", "night shift", "alice", "bob", "discord:3")
    for name, score in (("alice", 80), ("bob", 60), ("discord:3", 70)):
        for i in range(3):
            record(store, persona, officer_id(name), [score, score - 10 * i])
    return store


def test_officer_names_map_to_ids() -> None:
    assert officer_id("alice") == "cli:alice" and officer_id("discord:12") == "discord:12"


def test_table_aligns_numbers_right() -> None:
    assert table(("Name", "Score"), [("a", 5.5), ("bb", 10.0)]).splitlines() == [
        "Name  Score",
        "----  -----",
        "a       5.5",
        "bb     10.0",
    ]


def test_team_commands(seeded: Store, capsys: pytest.CaptureFixture[str]) -> None:
    run(seeded, "team", "list")
    assert "Night Shift" in capsys.readouterr().out
    run(seeded, "team", "list", "Night Shift")
    out = capsys.readouterr().out
    assert "cli:alice" in out and "discord:3" in out
    run(seeded, "team", "remove", "Night Shift", "bob")
    assert [o.id for o in seeded.team_members("Night Shift")] == ["discord:3", "cli:alice"]
    run(seeded, "team", "delete", "Night Shift")
    assert seeded.teams() == []
    assert seeded.audit_log(1)[0].actor.startswith("cli:")


def test_stats_and_chart(seeded: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chart = tmp_path / "alice.png"
    assert run(seeded, "stats", "alice", "--chart", str(chart)) == 0
    out = capsys.readouterr().out
    assert "alice (cli:alice) - teams: Night Shift" in out and "Overall" in out
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert run(seeded, "stats", "nobody") == 1


def test_leaderboards(seeded: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(seeded, "leaderboard", "--period", "all")
    lines = capsys.readouterr().out.splitlines()
    ranked = [line.split()[1] for line in lines[3:6]]
    assert ranked == ["alice", "3", "bob"]
    chart = tmp_path / "teams.png"
    run(seeded, "leaderboard", "--teams", "--chart", str(chart))
    out = capsys.readouterr().out
    assert "Night Shift" in out and "3/3" in out and chart.stat().st_size > 1000


def test_export_and_forget(
    seeded: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_csv = tmp_path / "all.csv"
    run(seeded, "export", "--out", str(out_csv), "--team", "Night Shift", "--period", "week")
    with out_csv.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 18
    out_json = tmp_path / "alice.json"
    run(seeded, "export", "--out", str(out_json), "--officer", "alice")
    assert len(json.loads(out_json.read_text())["sessions"]) == 3
    assert run(seeded, "forget", "alice") == 2  # refuses without --yes
    assert seeded.officer("cli:alice") is not None
    assert run(seeded, "forget", "alice", "--yes") == 0
    assert seeded.officer("cli:alice") is None
    assert "forgot cli:alice: 3 session(s), 6 turn(s), 1 team membership(s)" in (
        capsys.readouterr().out
    )


def test_stats_show_criteria_strategy_and_a_teams_weeks(
    store: Store,
    persona: Persona,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    clock: Clock,
) -> None:
    from tests.store.conftest import GOOD, POOR, play

    clock.now = time.time() + 60  # play() records sessions at the real time

    run(store, "team", "create", "Night")
    run(store, "team", "add", "Night", "alice")
    play(store, persona, "cli:alice", [POOR, POOR], end=True)
    play(store, persona, "cli:alice", [GOOD, GOOD], end=True)
    capsys.readouterr()
    chart = tmp_path / "criteria.png"
    assert run(store, "stats", "alice", "--criteria-chart", str(chart)) == 0
    out = capsys.readouterr().out
    assert "Criterion" in out and "Acknowledges emotion" in out and "Latest 1" in out
    # The poor practice escalated at its first reply: 2 of 3 replies were cooperative.
    shares = "cooperative 67%, mixed 0%, neutral 0%, competitive 33%"
    assert f"Strategy, all sessions:    {shares}" in out
    assert chart.read_bytes().startswith(b"\x89PNG")

    assert run(store, "stats", "--team", "night", "--weeks", "4") == 0
    out = capsys.readouterr().out
    assert out.startswith("Team night - the last 4 weeks") and "Coop" in out
    assert run(store, "stats") == 2


def test_most_improved_board_and_digest(
    seeded: Store, persona: Persona, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.store.conftest import NOW

    for i, score in enumerate([30, 30, 30, 60, 60, 60]):
        record(seeded, persona, "cli:zoe", [score, score], ended_at=NOW - 3600 * (7 - i))
    capsys.readouterr()
    assert run(seeded, "leaderboard", "--improved", "--period", "week") == 0
    out = capsys.readouterr().out
    assert out.startswith("Most improved - last 7 days")
    assert [line.split()[1:3] for line in out.splitlines()[3:4]] == [["zoe", "+30.0"]]
    assert run(seeded, "digest", "--team", "Night Shift") == 0
    out = capsys.readouterr().out
    assert out.startswith("Team Night Shift - the last 7 days")
    assert "Weakest criteria:" in out and "Did not practise:" in out
    with pytest.raises(TeamNotFound):  # the command prints it (see _with_store)
        run(seeded, "digest", "--team", "nope")
