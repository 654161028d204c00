"""The stats, leaderboard, export, forget and team commands against an in-memory store."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import pytest

from bot.cli_stats import add_stats_parsers, officer_id, table
from bot.core.persona import Persona
from bot.core.store import Store
from tests.store.conftest import record


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
