"""Trainer notes in Discord: comment and override from /review, seen in the next debrief."""

from __future__ import annotations

from bot.core.store import Store
from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, NEUTRAL_REPLY, PERSONA_ID
from tests.discord.harness import Harness, UserOption

OFFICER = f"discord:{p.OFFICER_ID}"


async def practised(h: Harness) -> str:
    await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
    thread_id = int(h.threads()[-1]["id"])
    await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)
    await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY + " Checking now.")
    await h.slash("practice end", p.OFFICER_ID)
    return h.bot.store.officer_history(OFFICER, 1)[0].id


async def test_trainer_comments_and_overrides_from_review(
    discord_bot: Harness, store: Store
) -> None:
    h = discord_bot
    session_id = await practised(h)
    before = store.session_transcript(session_id).summary.scores["overall"]

    await h.slash("review", p.TRAINER_ID, officer=UserOption(p.OFFICER_ID))
    page = h.responses()[-1]
    await h.click(p.TRAINER_ID, page, "Comment")
    assert h.calls[-1].payload["data"]["title"] == "Comment on a reply"
    await h.submit_modal(p.TRAINER_ID, {"Reply number": "7", "Comment": "x"})
    assert "This practice has no reply 7. Its replies: 1, 2." in h.responses()[-1].text()
    await h.click(p.TRAINER_ID, page, "Comment")
    await h.submit_modal(
        p.TRAINER_ID, {"Reply number": "2", "Comment": "Say what you are checking, and why."}
    )
    assert "Note saved on reply 2" in h.responses()[-1].text()

    await h.click(p.TRAINER_ID, page, "Override score")
    await h.submit_modal(p.TRAINER_ID, {
        "Reply number": "1", "Criterion": "explains reason", "New score": "90",
        "Reason": "She asked for time, he gave the reason in his tone",
    })  # fmt: skip
    changed = h.responses()[-1].text()
    assert "Score changed: reply 1 - tessa: Explains reason 50 -> 90" in changed
    after = store.session_transcript(session_id).summary.scores["overall"]
    assert after > before  # the session's means (and so the leaderboards) follow
    assert store.audit_log(1)[0].action == "score_override"

    await h.slash("review", p.TRAINER_ID, officer=UserOption(p.OFFICER_ID))
    text = h.responses()[-1].text()
    assert "📝 reply 2 - tessa: Say what you are checking, and why." in text
    assert "📝 reply 1 - tessa: Explains reason 50 -> 90" in text

    # The officer sees both in the debrief of their next practice, once.
    await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
    thread_id = int(h.threads()[-1]["id"])
    await h.say(p.OFFICER_ID, thread_id, GOOD_REPLY)
    await h.slash("practice end", p.OFFICER_ID, channel_id=thread_id)
    debrief = h.responses()[-1].message
    notes = next(e for e in debrief["embeds"] if e["title"] == "Trainer notes for you")
    assert "Say what you are checking" in notes["description"]
    assert "Explains reason 50 -> 90" in notes["description"]
    await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
    await h.slash("practice end", p.OFFICER_ID)
    assert all(e["title"] != "Trainer notes for you" for e in h.messages()[-1].message["embeds"])


async def test_bad_override_values_are_refused(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    session_id = await practised(h)
    await h.slash("review", p.TRAINER_ID, officer=UserOption(p.OFFICER_ID))
    page = h.responses()[-1]
    for values, message in (
        ({"Criterion": "empathy", "New score": "50"}, "Unknown criterion 'empathy'"),
        ({"Criterion": "explores", "New score": "high"}, "'high' is not a score"),
        ({"Criterion": "explores", "New score": "150"}, "A score is 0 to 100"),
    ):
        await h.click(p.TRAINER_ID, page, "Override score")
        await h.submit_modal(p.TRAINER_ID, {"Reply number": "1", "Reason": "r", **values})
        assert message in h.responses()[-1].text()
    assert store.session_notes(session_id) == []
