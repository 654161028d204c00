"""Buttons that close the loop: End and Hint on the scene; Try again, New visitor, My stats and
Details on the debrief; each pressed through discord.py, before and after a restart."""

from __future__ import annotations

from bot.core.store import Store
from bot.settings import Settings
from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, NEUTRAL_REPLY, PERSONA_ID, make_app
from tests.discord.harness import Call, Harness, Recorder, start_bot

OFFICER = f"discord:{p.OFFICER_ID}"


def buttons(message: Call) -> list[str]:
    """The labels of the buttons under a message the bot sent."""
    rows = (message.response or {}).get("components") or []
    return [b.get("label") for row in rows for b in row["components"]]


async def practice(h: Harness, *replies: str, persona: str = PERSONA_ID) -> tuple[int, Call]:
    """Start a practice and play these replies: the thread id and the scene message."""
    await h.slash("practice start", p.OFFICER_ID, persona=persona)
    thread_id = int(h.threads()[-1]["id"])
    for reply in replies:
        await h.say(p.OFFICER_ID, thread_id, reply)
    return thread_id, h.messages(thread_id)[0]


async def finished(h: Harness) -> tuple[int, Call]:
    """A practice with one neutral reply, ended with the End button: thread id and debrief."""
    thread_id, scene = await practice(h, NEUTRAL_REPLY)
    await h.click(p.OFFICER_ID, scene, "End", channel_id=thread_id)
    return thread_id, h.responses()[-1]


async def test_end_button_finishes_with_the_debrief_in_the_thread(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id, debrief = await finished(h)
    assert not debrief.ephemeral and debrief.text().startswith("Debrief: Dana")
    assert buttons(debrief) == [
        "Try again", "New visitor", "What if?", "Write report", "My stats", "Details"
    ]
    assert h.bot.room.active(OFFICER) is None
    archive = [c for c in h.calls if c.method == "PATCH" and c.channel_id == thread_id]
    assert any(c.payload.get("archived") for c in archive if c.path == "/channels/{channel_id}")


async def test_scene_buttons_are_the_officers_own(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id, scene = await practice(h)
    await h.click(p.COLLEAGUE_ID, scene, "End", channel_id=thread_id)
    refusal = h.responses()[-1]
    assert refusal.ephemeral and "Only the officer in this practice" in refusal.text()
    assert h.bot.room.active(OFFICER) is not None


async def test_hint_points_the_way_without_writing_the_reply(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id, scene = await practice(h)
    await h.click(p.OFFICER_ID, scene, "Hint", channel_id=thread_id)
    hint = h.responses()[-1]
    assert hint.ephemeral and "Dana is at agitation 7/10" in hint.text()
    assert hint.text().endswith("?") and '"' not in hint.text()  # a question, no words to copy
    assert h.messages(thread_id)[-1] is scene  # nothing posted in the thread


async def test_a_finished_practices_scene_buttons_say_so(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id, scene = await practice(h)
    await h.slash("practice end", p.OFFICER_ID)

    def edits() -> list[Call]:
        return [c for c in h.calls if c.method == "PATCH" and c.path.endswith("{message_id}")]

    before = len(edits())
    await h.click(p.OFFICER_ID, scene, "Hint", channel_id=thread_id)
    answer = h.responses()[-1]
    assert answer.ephemeral and "This practice has finished" in answer.text()
    assert len(edits()) == before + 1 and edits()[-1].payload["components"] == []


async def test_try_again_opens_the_same_visitor_in_a_new_thread(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id, debrief = await finished(h)
    await h.click(p.OFFICER_ID, debrief, "Try again", channel_id=thread_id)
    session = h.bot.room.active(OFFICER)
    assert session is not None and session.persona.id == PERSONA_ID
    new_thread = int(h.threads()[-1]["id"])
    assert new_thread != thread_id and str(new_thread) == session.meta["thread_id"]
    create = [c for c in h.calls if c.path == "/channels/{channel_id}/threads"][-1]
    assert create.channel_id == p.PRACTICE_CHANNEL_ID  # opened in #practice, not in the thread
    assert f"<#{new_thread}>" in h.responses()[-1].text()


async def test_new_visitor_is_someone_else(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id, debrief = await finished(h)
    await h.click(p.OFFICER_ID, debrief, "New visitor", channel_id=thread_id)
    session = h.bot.room.active(OFFICER)
    assert session is not None and session.persona.id == "alarm_shopper"


async def test_my_stats_answers_privately_with_visitor_names(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id, debrief = await finished(h)
    await h.click(p.OFFICER_ID, debrief, "My stats", channel_id=thread_id)
    stats = h.responses()[-1]
    assert stats.ephemeral and stats.files == ["progress.png", "criteria.png"]  # as /stats
    assert "Dana" in stats.text() and PERSONA_ID not in stats.text()


async def test_details_show_every_criterion_privately(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id, debrief = await finished(h)
    await h.click(p.OFFICER_ID, debrief, "Details", channel_id=thread_id)
    details = h.responses()[-1]
    assert details.ephemeral and "Acknowledges emotion" in details.text()
    assert "Sets boundary respectfully" in details.text()


async def test_buttons_work_after_a_restart(settings: Settings) -> None:
    store = Store(settings.database_path)
    first = await start_bot(settings, make_app(store))
    thread_id, debrief = await finished(first)
    _, running_scene = await practice(first, GOOD_REPLY, persona="alarm_shopper")
    running_thread = int(first.threads()[-1]["id"])
    threads = dict(first.recorder.threads)
    await first.close()
    store.close()  # the process stops; one practice finished, one running

    store = Store(settings.database_path)
    recorder = Recorder()
    recorder.threads.update(threads)  # Discord still has the threads
    second = await start_bot(settings, make_app(store), recorder)
    try:
        await second.click(p.OFFICER_ID, debrief, "Details", channel_id=thread_id)
        details = second.responses()[-1]
        assert details.ephemeral and "Criteria" in details.text()

        await second.click(p.OFFICER_ID, running_scene, "End", channel_id=running_thread)
        ended = second.responses()[-1]
        assert ended.text().startswith("Debrief: Vic") and not ended.ephemeral
        assert second.bot.room.active(OFFICER) is None

        await second.click(p.OFFICER_ID, debrief, "Try again", channel_id=thread_id)
        session = second.bot.room.active(OFFICER)
        assert session is not None and session.persona.id == PERSONA_ID
        second.assert_no_pings()
    finally:
        await second.close()
        store.close()


async def test_a_persona_and_a_difficulty_that_disagree_are_said(discord_bot: Harness) -> None:
    h = discord_bot
    await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID, difficulty=4)
    ready = h.responses()[-1]
    assert h.bot.room.active(OFFICER).persona.id == PERSONA_ID
    assert "Dana, who is difficulty 2, so difficulty 4 was not used" in ready.text()
