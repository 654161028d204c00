"""The incident report in Discord: the debrief's button, the form, private feedback, storage."""

from __future__ import annotations

from bot.core.store import Store
from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, PERSONA_ID
from tests.discord.harness import Harness

BOX = "Your report"
REPORT = (
    "At about 18:05 in the multi-storey car park office, Dana, a driver whose car had been towed "
    "from the loading bay, came in shouting that her car was gone. I listened, apologised and "
    "asked where she had parked. I explained what had happened to the car and offered to help "
    "her get it back tonight. She calmed down and agreed to go to the pound."
)


async def test_report_from_the_debrief_button_gets_private_feedback(
    discord_bot: Harness, store: Store
) -> None:
    h = discord_bot
    await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
    thread_id = int(h.threads()[-1]["id"])
    await h.say(p.OFFICER_ID, thread_id, GOOD_REPLY)
    await h.say(p.OFFICER_ID, thread_id, GOOD_REPLY + " Your car is at the pound.")
    debrief = h.messages(thread_id)[-1]
    labels = [b["label"] for b in debrief.message["components"][0]["components"]]
    assert labels == ["What if?", "Write report"]

    await h.click(p.COLLEAGUE_ID, debrief, "Write report", channel_id=thread_id)
    assert "only file the report for your own" in h.responses()[-1].text()

    await h.click(p.OFFICER_ID, debrief, "Write report", channel_id=thread_id)
    form = h.calls[-1]
    assert form.payload["type"] == 9 and form.payload["data"]["title"] == "Incident report"
    await h.submit_modal(p.OFFICER_ID, {BOX: "She was cross. Sorted."})
    feedback = h.responses()[-1]
    assert feedback.ephemeral
    embed = feedback.message["embeds"][0]
    assert embed["title"] == "Incident report - to fix"
    assert "➕ **time**: Say when it happened" in embed["description"]

    [session] = store.officer_history(f"discord:{p.OFFICER_ID}", 1)
    await h.slash("practice report", p.OFFICER_ID, session=session.id)
    again = h.calls[-1]  # the form again, with the last draft in it
    assert again.payload["data"]["components"][0]["component"]["value"] == "She was cross. Sorted."
    await h.submit_modal(p.OFFICER_ID, {BOX: REPORT})
    embed = h.responses()[-1].message["embeds"][0]
    assert embed["title"] == "Incident report - ready to file", embed["description"]
    assert store.report(session.id).text == REPORT


async def test_a_running_practice_has_no_report_yet(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
    [session] = store.officer_history(f"discord:{p.OFFICER_ID}", 1)
    await h.slash("practice report", p.OFFICER_ID, session=session.id)
    refusal = h.responses()[-1]
    assert refusal.ephemeral and "still running" in refusal.text()
