"""Teams, leaderboards and progress: embeds, charts attached, trainer-only parts refused."""

from __future__ import annotations

from bot.core.practice import PracticeRoom
from bot.core.store import Store
from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, NEUTRAL_REPLY, PERSONA_ID
from tests.discord.harness import Harness, UserOption

PNG = b"\x89PNG\r\n\x1a\n"


def last(h: Harness):  # noqa: ANN201 - a Call
    return h.responses()[-1]


def practise(room: PracticeRoom, store: Store, user_id: int, replies: list[str]) -> None:
    """One finished practice for a Discord user, straight through the room."""
    officer = f"discord:{user_id}"
    store.ensure_officer(officer, p.NAMES[user_id].title())
    room.start(officer, PERSONA_ID)
    for reply in replies:
        room.reply(officer, reply)
    if room.active(officer):
        room.end(officer)


async def test_teams_from_creation_to_membership(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    await h.slash("team create", p.TRAINER_ID, name="Night shift")
    assert "Team **Night shift** created" in last(h).text()
    await h.slash("team join", p.OFFICER_ID, team="night shift")
    await h.slash("team add", p.TRAINER_ID, team="Night shift", member=UserOption(p.COLLEAGUE_ID))
    await h.slash("team list", p.OFFICER_ID)
    listing = last(h)
    assert listing.ephemeral and "**Night shift** - 2 member(s)" in listing.text()
    assert "Your teams: Night shift" in listing.text()
    await h.slash("team list", p.OFFICER_ID, team="Night shift")
    assert "Alice" in last(h).text() and "Bob" in last(h).text()
    await h.slash("team join", p.OFFICER_ID, team="Night shift")
    assert "already a member" in last(h).text()
    await h.slash("team leave", p.OFFICER_ID, team="Day shift")
    assert "No team 'Day shift'. Teams: Night shift" in last(h).text()
    await h.slash(
        "team remove", p.TRAINER_ID, team="Night shift", member=UserOption(p.COLLEAGUE_ID)
    )
    await h.slash("team delete", p.TRAINER_ID, team="Night shift")
    assert "deleted (1 member(s) freed)" in last(h).text()
    assert store.teams() == []
    actions = [e.action for e in store.audit_log()]
    assert {"team_create", "team_add", "team_remove", "team_delete"} <= set(actions)


async def test_team_autocomplete(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    store.create_team("Night shift", "test")
    store.create_team("Day shift", "test")
    await h.slash("team join", p.OFFICER_ID, focused="team", team="nig")
    assert [c["value"] for c in last(h).payload["data"]["choices"]] == ["Night shift"]


async def test_individual_leaderboard(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    await h.slash("leaderboard", p.OFFICER_ID)
    assert "No one qualifies yet" in last(h).text()
    for _ in range(3):
        practise(h.bot.room, store, p.OFFICER_ID, [GOOD_REPLY, GOOD_REPLY])
        practise(h.bot.room, store, p.COLLEAGUE_ID, [NEUTRAL_REPLY])
    await h.slash("leaderboard", p.COLLEAGUE_ID, board="individual", period="week")
    board = last(h)
    assert not board.ephemeral  # leaderboards are for everyone
    embed = board.payload["embeds"][0]
    assert embed["title"] == "Leaderboard - individual (last 7 days)"
    first, second = embed["description"].splitlines()
    assert first.startswith("**1.** Alice") and "3 practices, 100% resolved" in first
    assert second.startswith("**2.** Bob")


async def test_team_leaderboard_has_the_chart(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    store.create_team("Night shift", "test")
    for user_id in (p.OFFICER_ID, p.COLLEAGUE_ID):
        for _ in range(3):
            practise(h.bot.room, store, user_id, [GOOD_REPLY])
        store.add_member("Night shift", f"discord:{user_id}", "test")
    await h.slash("leaderboard", p.OFFICER_ID, board="team", period="all")
    board = last(h)
    assert board.files == ["teams.png"]
    embed = board.payload["embeds"][0]
    assert embed["image"]["url"] == "attachment://teams.png"
    assert embed["description"].startswith("**1.** Night shift")


async def test_stats_shows_progress_with_chart(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    await h.slash("stats", p.OFFICER_ID)
    assert "You have no scored practice yet" in last(h).text()
    practise(h.bot.room, store, p.OFFICER_ID, [GOOD_REPLY, GOOD_REPLY])
    await h.slash("stats", p.OFFICER_ID)
    stats = last(h)
    assert stats.ephemeral and stats.files == ["progress.png", "criteria.png"]
    assert "1 scored practice(s), 1 resolved (100%)" in stats.text()


async def test_stats_of_someone_else_is_for_trainers(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    practise(h.bot.room, store, p.OFFICER_ID, [GOOD_REPLY])
    await h.slash("stats", p.COLLEAGUE_ID, officer=UserOption(p.OFFICER_ID))
    assert "Only trainers" in last(h).text()
    await h.slash("stats", p.TRAINER_ID, officer=UserOption(p.OFFICER_ID))
    assert last(h).files == ["progress.png", "criteria.png"]
