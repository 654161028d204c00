"""Teams, memberships and their errors; every trainer action lands in the audit log."""

from __future__ import annotations

import pytest

from bot.core.store import (
    AlreadyMember,
    InvalidTeamName,
    NotAMember,
    Store,
    TeamExists,
    TeamNotFound,
)


def test_team_lifecycle(store: Store) -> None:
    team = store.create_team("  Night   Shift ", "cli:trainer")
    assert team.name == "Night Shift"
    store.ensure_officer("discord:1", "Alice Smith")
    store.add_member("night shift", "discord:1", "cli:trainer")  # names ignore case
    store.add_member("Night Shift", "cli:bob", "cli:trainer")  # creates the officer
    assert [(o.id, o.display_name) for o in store.team_members("NIGHT SHIFT")] == [
        ("discord:1", "Alice Smith"),
        ("cli:bob", "bob"),
    ]
    assert store.teams_of("discord:1") == ["Night Shift"]
    assert [(t.name, t.members) for t in store.teams()] == [("Night Shift", 2)]
    store.remove_member("Night Shift", "cli:bob", "cli:trainer")
    assert store.delete_team("Night Shift", "cli:trainer") == 1
    assert store.teams() == [] and store.teams_of("discord:1") == []
    assert store.officer("discord:1") is not None  # officers outlive their teams
    actions = [e.action for e in reversed(store.audit_log())]
    assert actions == ["team_create", "team_add", "team_add", "team_remove", "team_delete"]
    assert store.audit_log(1)[0].actor == "cli:trainer"


def test_team_errors(store: Store) -> None:
    store.create_team("Alpha", "t")
    with pytest.raises(TeamExists, match="already exists"):
        store.create_team("ALPHA", "t")
    with pytest.raises(TeamNotFound, match="No team 'Beta'. Teams: Alpha"):
        store.add_member("Beta", "cli:x", "t")
    with pytest.raises(TeamNotFound):
        store.delete_team("Beta", "t")
    with pytest.raises(InvalidTeamName):
        store.create_team("   ", "t")
    with pytest.raises(InvalidTeamName, match="at most 50"):
        store.create_team("x" * 51, "t")
    store.add_member("Alpha", "cli:x", "t")
    with pytest.raises(AlreadyMember):
        store.add_member("alpha", "cli:x", "t")
    with pytest.raises(NotAMember):
        store.remove_member("Alpha", "cli:y", "t")
    # Failed actions change nothing and are not audited.
    assert [e.action for e in store.audit_log()] == ["team_add", "team_create"]


def test_ensure_officer_updates_name(store: Store) -> None:
    store.ensure_officer("discord:7", "First")
    store.ensure_officer("discord:7", "Second")
    store.ensure_officer("discord:7")  # no name: keeps the last one
    officer = store.officer("discord:7")
    assert officer is not None and officer.display_name == "Second"
    assert store.officer("discord:8") is None
