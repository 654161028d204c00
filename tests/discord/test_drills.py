"""/practice drill: the weakest skill, a short session from a hard moment, spaced in /stats."""

from __future__ import annotations

from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, PERSONA_ID, POOR_REPLY
from tests.discord.harness import Harness


async def test_drill_after_a_practice_and_its_schedule_in_stats(discord_bot: Harness) -> None:
    h = discord_bot
    await h.slash("practice drill", p.OFFICER_ID)
    assert "no scored replies yet" in h.responses()[-1].text()
    assert h.threads() == []

    await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
    await h.say(p.OFFICER_ID, int(h.threads()[-1]["id"]), POOR_REPLY)  # escalates: finished

    await h.slash("practice drill", p.OFFICER_ID)
    ready = h.responses()[-1]
    assert ready.ephemeral and "Your drill with" in ready.text()
    thread_id = int(h.threads()[-1]["id"])
    scene = h.messages(thread_id)[0]
    intro = "Drill for Alice.\nDrill: Acknowledges emotion - your weakest skill"
    assert scene.text().startswith(intro)
    drill_field = next(f for f in scene.message["embeds"][0]["fields"] if f["name"] == "Drill")
    assert drill_field["value"] == "Acknowledges emotion, 4 replies"
    assert "Agitation: 8/10" in scene.text()

    for _ in range(4):
        session = h.bot.room.active(f"discord:{p.OFFICER_ID}")
        if session is None:
            break
        await h.say(p.OFFICER_ID, thread_id, GOOD_REPLY)
    debrief = h.messages(thread_id)[-1]
    text = debrief.text()
    assert "Drill score - Acknowledges emotion: **" in text
    assert "Spaced drills: Drills on Acknowledges emotion so far: " in text and "in 2 days" in text

    await h.slash("stats", p.OFFICER_ID)
    stats = h.responses()[-1].text()
    assert "Drills (/practice drill): Acknowledges emotion: **in 2 days** · scores " in stats


async def test_a_chosen_skill_can_be_drilled_from_the_start(discord_bot: Harness) -> None:
    h = discord_bot
    await h.slash("practice drill", p.OFFICER_ID, skill="explains_reason")
    scene = h.messages(int(h.threads()[-1]["id"]))[0]
    assert "Drill: Explains reason - the skill you chose" in scene.text()
    assert "Agitation: 8/10" in scene.text()
