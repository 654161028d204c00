""""What if?" in Discord: the debrief button, the reply select, the form, the two paths."""

from __future__ import annotations

from bot.core.session import SessionKind
from bot.core.store import Store
from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, NEUTRAL_REPLY, PERSONA_ID
from tests.discord.harness import Call, Harness

OFFICER = f"discord:{p.OFFICER_ID}"
FORM_BOX = "What would you say instead?"


async def finished_practice(h: Harness) -> tuple[int, Call]:
    """Two neutral replies, ended in the thread: the thread id and the public debrief."""
    await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
    thread_id = int(h.threads()[-1]["id"])
    await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)
    await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY + " Still checking.")
    await h.slash("practice end", p.OFFICER_ID, channel_id=thread_id)
    return thread_id, h.responses()[-1]


async def test_what_if_from_the_debrief_plays_on_in_the_thread(
    discord_bot: Harness, store: Store
) -> None:
    h = discord_bot
    thread_id, debrief = await finished_practice(h)
    [parent] = store.officer_history(OFFICER)
    before = store.load_session(parent.id)

    await h.click(p.OFFICER_ID, debrief, "What if?", channel_id=thread_id)
    picker = h.responses()[-1]
    assert picker.ephemeral and "Pick the reply to say differently" in picker.text()
    options = picker.payload["components"][0]["components"][0]["options"]
    assert [o["value"] for o in options] == ["1", "2"]
    assert options[1]["description"] == NEUTRAL_REPLY + " Still checking."

    await h.choose(p.OFFICER_ID, picker, ["2"])
    form = h.calls[-1]
    assert form.payload["type"] == 9 and form.payload["data"]["title"] == "What if? Reply 2"
    await h.submit_modal(p.OFFICER_ID, {FORM_BOX: GOOD_REPLY})

    answer = [c for c in h.responses() if "plays on in" in c.text()][-1]
    assert answer.ephemeral and f"<#{thread_id}>" in answer.text()
    played = h.messages(thread_id)[-1]
    assert played.text().startswith("**What if?** From reply 2, instead:")
    assert "**Dana:**" in played.text() and "Reply 2: " in played.text()  # scored as reply 2
    branch = h.bot.room.active(OFFICER)
    assert branch is not None and branch.kind is SessionKind.REWIND and branch.inherited == 1

    await h.say(p.OFFICER_ID, thread_id, GOOD_REPLY + " Your car is at the pound.")
    end = h.messages(thread_id)[-1]  # the visitor calmed down: debrief with both paths
    titles = [e["title"] for e in end.message["embeds"]]
    assert titles == ["Debrief - Dana, driver whose car was towed", "What if? From reply 2"]
    paths = end.message["embeds"][1]
    assert [f["name"] for f in paths["fields"]] == ["As played", "What if"]
    assert "higher from there on" in paths["description"]
    assert paths["image"]["url"] == "attachment://paths.png" and end.files == ["paths.png"]
    assert store.load_session(parent.id) == before  # the original never changes


async def test_only_the_officer_can_rewind_their_practice(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id, debrief = await finished_practice(h)
    await h.click(p.COLLEAGUE_ID, debrief, "What if?", channel_id=thread_id)
    refusal = h.responses()[-1]
    assert refusal.ephemeral and "Only the officer who practised this" in refusal.text()
    assert h.bot.room.active(f"discord:{p.COLLEAGUE_ID}") is None


async def test_practice_rewind_command_reaches_any_past_practice(
    discord_bot: Harness, store: Store
) -> None:
    h = discord_bot
    thread_id, _ = await finished_practice(h)
    [parent] = store.officer_history(OFFICER)
    await h.slash("practice rewind", p.OFFICER_ID, focused="session", session="")
    choices = h.responses()[-1].payload["data"]["choices"]
    assert [c["value"] for c in choices] == [parent.id]
    assert choices[0]["name"].startswith("Dana · ") and "practice" in choices[0]["name"]

    await h.slash("practice rewind", p.OFFICER_ID, session=parent.id, turn=1)
    assert h.calls[-1].payload["data"]["title"] == "What if? Reply 1"  # the form, straight away
    await h.submit_modal(p.OFFICER_ID, {FORM_BOX: GOOD_REPLY})
    assert h.messages(thread_id)[-1].text().startswith("**What if?** From reply 1")

    await h.slash("practice rewind", p.OFFICER_ID, session=parent.id, turn=1)
    assert "already have a practice running" in h.responses()[-1].text()
    await h.slash("practice end", p.OFFICER_ID)
    await h.slash("practice rewind", p.OFFICER_ID, session=parent.id, turn=7)
    assert "Pick a reply from 1 to 2" in h.responses()[-1].text()
