"""Progress that shows learning in Discord: criteria and strategy in /stats, a team's weeks,
the most-improved board, and trainer digests (on request and weekly)."""

from __future__ import annotations

import time

from bot.core.persona import Persona
from bot.core.store import Store
from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, PERSONA_ID, POOR_REPLY
from tests.discord.harness import Harness
from tests.store.conftest import record

ALICE = f"discord:{p.OFFICER_ID}"
BOB = f"discord:{p.COLLEAGUE_ID}"


async def test_stats_show_criteria_and_strategy_with_a_second_chart(discord_bot: Harness) -> None:
    h = discord_bot
    for reply in (POOR_REPLY, GOOD_REPLY):
        await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
        await h.say(p.OFFICER_ID, int(h.threads()[-1]["id"]), reply)
        if h.bot.room.active(ALICE):
            await h.slash("practice end", p.OFFICER_ID)
    await h.slash("stats", p.OFFICER_ID)
    answer = h.responses()[-1]
    assert answer.files == ["progress.png", "criteria.png"]
    learning = answer.message["embeds"][1]
    assert learning["title"] == "Criteria and strategy - Alice"
    assert "Acknowledges emotion: 0 → **" in learning["description"]
    strategy = {f["name"]: f["value"] for f in learning["fields"]}
    assert strategy["Strategy, all practices"] == (
        "cooperative 50%, mixed 0%, neutral 0%, competitive 50%"
    )
    assert learning["image"]["url"] == "attachment://criteria.png"


async def test_team_weeks_improved_board_and_digests(
    discord_bot: Harness, store: Store, persona: Persona
) -> None:
    h = discord_bot
    now = time.time()
    store.create_team("Night", "t")
    for officer, name in ((ALICE, "Alice"), (BOB, "Bob")):
        store.ensure_officer(officer, name)
        store.add_member("Night", officer, "t")
    for i, score in enumerate([30, 30, 30, 70, 70, 70]):
        record(store, persona, ALICE, [score, score], ended_at=now - 3600 * (7 - i))

    await h.slash("stats", p.OFFICER_ID, team="Night")
    answer = h.responses()[-1]
    assert answer.files == ["criteria.png"]
    assert answer.message["embeds"][0]["title"] == "Team Night - progress by week"

    await h.slash("leaderboard", p.COLLEAGUE_ID, board="improved", period="week")
    board = h.responses()[-1].text()
    assert "Most improved (last 7 days)" in board and "**1.** Alice - **+40.0** (30 → 70)" in board

    await h.slash("digest team", p.OFFICER_ID, team="Night")
    assert "Only trainers" in h.responses()[-1].text()
    await h.slash("digest team", p.TRAINER_ID, team="Night")
    digest = h.responses()[-1]
    assert digest.ephemeral
    fields = {f["name"]: f["value"] for f in digest.message["embeds"][0]["fields"]}
    assert fields["Did not practise"] == "• Bob" and "Alice: 6 practice(s)" in fields["Practised"]

    cog = h.bot.get_cog("DigestCog")
    await h.slash("digest weekly", p.TRAINER_ID, team="night", on=True)
    assert "weekly digest for **Night** will be posted in this channel" in h.responses()[-1].text()
    assert await cog.send_due(now) == 1  # type: ignore[union-attr]
    posted = h.messages(p.PRACTICE_CHANNEL_ID)[-1]
    assert posted.message["embeds"][0]["title"].startswith("Team Night - the last 7 days")
    assert await cog.send_due(now + 3600) == 0  # type: ignore[union-attr]
    assert await cog.send_due(now + 7 * 86400) == 1  # type: ignore[union-attr]
    await h.slash("digest weekly", p.TRAINER_ID, team="Night", on=False)
    assert await cog.send_due(now + 30 * 86400) == 0  # type: ignore[union-attr]
