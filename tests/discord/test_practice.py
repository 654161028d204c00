"""A practice in Discord: /practice start, replies in the thread, coaching, the debrief."""

from __future__ import annotations

import logging

import discord
import pytest

from bot.core.session import MAX_REPLY_CHARS, Outcome
from bot.core.store import Store
from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, NEUTRAL_REPLY, PERSONA_ID, POOR_REPLY
from tests.discord.harness import Call, Harness, discord_error


async def start_practice(h: Harness, user_id: int = p.OFFICER_ID, **options: object) -> int:
    """Run /practice start and return the new thread's id."""
    before = len(h.threads())
    await h.slash("practice start", user_id, **{"persona": PERSONA_ID, **options})
    threads = h.threads()
    assert len(threads) == before + 1, [c.text() for c in h.responses()]
    return int(threads[-1]["id"])


def last_response(h: Harness) -> Call:
    return h.responses()[-1]


def buttons(message: Call) -> list[str]:
    """The labels of the buttons under a message the bot sent."""
    rows = (message.response or {}).get("components") or []
    return [b.get("label") for row in rows for b in row["components"]]


async def test_full_practice_from_start_to_debrief(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)

    defer = h.responses()[0]
    assert defer.payload == {"type": 5, "data": {"flags": 64}}  # deferred, privately
    create = next(c for c in h.calls if c.path == "/channels/{channel_id}/threads")
    assert create.channel_id == p.PRACTICE_CHANNEL_ID
    assert create.payload["type"] == 12  # private
    thread_id = int(h.threads()[0]["id"])
    added = next(c for c in h.calls if "thread-members" in c.path)
    assert added.url.endswith(f"/{thread_id}/thread-members/{p.OFFICER_ID}")
    scene = h.messages(thread_id)[0]
    assert buttons(scene) == ["End", "Hint"]
    assert "Dana, driver whose car was towed" in scene.text()
    assert "Where is my car?" in scene.text()  # the visitor's opening line
    assert "Multi-storey car park office" in scene.text()
    ready = last_response(h)
    assert ready.ephemeral and f"<#{thread_id}>" in ready.text()

    await h.say(p.OFFICER_ID, thread_id, GOOD_REPLY)
    reply = h.messages(thread_id)[-1]
    assert reply.text().startswith("**Dana:**")
    coaching = reply.message["embeds"][0]
    assert coaching["title"].startswith("Reply 1: ")
    assert "Empathy" in coaching["description"] and "calmer" in coaching["description"]
    assert "*Why Dana calmed down:" in coaching["description"]
    assert "Strategy: cooperative" in coaching["description"]
    assert reply.message["message_reference"]  # answers the officer's message
    assert any(c.path == "/channels/{channel_id}/typing" for c in h.calls)

    await h.say(p.OFFICER_ID, thread_id, GOOD_REPLY + " Your car is at the pound.")
    posted = h.messages(thread_id)
    debrief = posted[-1].message["embeds"][0]
    assert debrief["title"] == "Debrief: Dana"
    first_line = debrief["description"].split("\n")[0]
    assert first_line.startswith("**Resolved** · Overall ")
    assert all(f"{d} " in first_line for d in ("Empathy", "Calmness", "Resolution"))
    assert debrief["color"] == discord.Colour.green().value
    assert not debrief.get("fields")  # the criteria table waits behind Details
    assert buttons(posted[-1]) == [
        "Try again", "New visitor", "What if?", "Write report", "My stats", "Details"
    ]
    assert h.bot.room.active(f"discord:{p.OFFICER_ID}") is None
    summary = store.recent_sessions(f"discord:{p.OFFICER_ID}", 1)[0]
    assert summary.outcome is Outcome.RESOLVED and summary.turns == 2
    # The finished thread is archived, and the scene's End and Hint buttons are switched off.
    archive = [c for c in h.calls if c.method == "PATCH" and c.path == "/channels/{channel_id}"]
    assert archive and archive[-1].channel_id == thread_id
    assert archive[-1].payload["archived"] is True
    edits = [c for c in h.calls if c.method == "PATCH" and c.path.endswith("{message_id}")]
    assert edits and edits[-1].payload["components"] == []
    assert str(scene.response["id"]) in edits[-1].url


async def test_other_people_and_bots_in_the_thread_are_ignored(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id = await start_practice(h)
    sent = len(h.messages())
    await h.say(p.COLLEAGUE_ID, thread_id, GOOD_REPLY)
    await h.say(p.BOT_ID, thread_id, GOOD_REPLY)
    await h.say(p.OFFICER_ID, p.PRACTICE_CHANNEL_ID, GOOD_REPLY)  # not in the thread
    assert len(h.messages()) == sent
    session = h.bot.room.active(f"discord:{p.OFFICER_ID}")
    assert session is not None and session.turns == []


async def test_empty_and_overlong_replies_get_the_engine_message(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id = await start_practice(h)
    await h.say(p.OFFICER_ID, thread_id, "   ")
    assert "empty" in h.messages(thread_id)[-1].text()
    await h.say(p.OFFICER_ID, thread_id, "x" * (MAX_REPLY_CHARS + 1))
    assert "keep it under" in h.messages(thread_id)[-1].text()
    assert h.bot.room.active(f"discord:{p.OFFICER_ID}").turns == []


async def test_too_many_messages_get_one_notice_that_counts_the_rest(
    discord_bot: Harness,
) -> None:
    h = discord_bot
    h.bot.pacing.per_minute = 2
    thread_id = await start_practice(h)
    for _ in range(5):
        await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)
    texts = [c.text() for c in h.messages(thread_id)[1:]]
    notices = [t for t in texts if "Take a breath" in t]
    assert len(notices) == 1
    assert len(h.bot.room.active(f"discord:{p.OFFICER_ID}").turns) == 2
    # The two messages after the notice are not silently lost: the notice now counts them.
    edits = [c for c in h.calls if c.method == "PATCH" and c.path.endswith("{message_id}")]
    assert "2 more messages sent since then were not played either" in edits[-1].text()


async def test_a_message_in_a_finished_practice_gets_a_way_forward(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id = await start_practice(h)
    await h.say(p.OFFICER_ID, thread_id, POOR_REPLY)  # escalates: the practice is over
    await h.say(p.COLLEAGUE_ID, thread_id, "Unlucky!")
    sent = len(h.messages(thread_id))
    await h.say(p.OFFICER_ID, thread_id, "Can I try that again?")
    answer = h.messages(thread_id)[-1]
    assert len(h.messages(thread_id)) == sent + 1  # the colleague got no answer, the officer one
    assert "This practice has finished" in answer.text() and "Try again" in answer.text()


async def test_one_practice_at_a_time(discord_bot: Harness) -> None:
    h = discord_bot
    await start_practice(h)
    await h.slash("practice start", p.OFFICER_ID)
    refusal = last_response(h)
    assert refusal.ephemeral and "already have a practice running" in refusal.text()
    assert len(h.threads()) == 1


async def test_unknown_persona_points_to_the_list_not_an_id_dump(discord_bot: Harness) -> None:
    h = discord_bot
    await h.slash("practice start", p.OFFICER_ID, persona="no_such_visitor")
    refusal = last_response(h)
    assert refusal.ephemeral and "No persona 'no_such_visitor'" in refusal.text()
    assert PERSONA_ID not in refusal.text() and "alarm_shopper" not in refusal.text()
    assert "pick a visitor from the list" in refusal.text()
    await h.slash("practice start", p.OFFICER_ID, persona="towed_car_drivr")
    assert f"Did you mean `{PERSONA_ID}`?" in last_response(h).text()  # a near miss is named
    assert h.threads() == []


async def test_random_persona_at_a_difficulty(discord_bot: Harness) -> None:
    h = discord_bot
    await h.slash("practice start", p.OFFICER_ID, difficulty=4)
    assert "Vic, shopper" in h.messages()[0].text()


async def test_end_outside_the_thread_posts_the_debrief_there_and_a_link_here(
    discord_bot: Harness,
) -> None:
    h = discord_bot
    thread_id = await start_practice(h)
    await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)
    await h.slash("practice end", p.OFFICER_ID)
    in_thread = h.messages(thread_id)[-1]
    assert "Debrief: Dana" in in_thread.text() and buttons(in_thread)[0] == "Try again"
    answer = last_response(h)
    assert answer.ephemeral and not answer.message.get("embeds")  # not the debrief twice
    assert answer.text().startswith("Practice ended: **Ended early** · Overall ")
    assert f"<#{thread_id}>" in answer.text()
    assert f"/channels/{p.GUILD_ID}/{thread_id}/" in answer.text()  # a link that opens it
    await h.slash("practice end", p.OFFICER_ID)
    assert "no practice running" in last_response(h).text()


async def test_end_inside_the_thread_answers_there_publicly(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id = await start_practice(h)
    await h.slash("practice end", p.OFFICER_ID, channel_id=thread_id)
    answer = last_response(h)
    assert not answer.ephemeral and "no replies were scored" in answer.text()
    assert "Try again" in buttons(answer)


async def test_assessment_mode_keeps_scores_for_the_debrief(discord_bot: Harness) -> None:
    h = discord_bot
    await h.slash("settings mode", p.TRAINER_ID, mode="assessment")
    thread_id = await start_practice(h)
    await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)
    reply = h.messages(thread_id)[-1]
    assert reply.text().startswith("**Dana:**") and not reply.message.get("embeds")
    await h.slash("practice end", p.OFFICER_ID, channel_id=thread_id)
    text = last_response(h).text()
    assert "Overall 50" in text and f"**You:** {NEUTRAL_REPLY}" in text


async def test_public_thread_with_a_warning_when_private_is_not_allowed(
    discord_bot: Harness,
) -> None:
    h = discord_bot
    h.app_permissions = discord.Permissions(p.BOT_PERMISSIONS.value)
    h.app_permissions.create_private_threads = False
    await start_practice(h)
    create = next(c for c in h.calls if c.path == "/channels/{channel_id}/threads")
    assert create.payload["type"] == 11
    assert "public thread" in last_response(h).text()


async def test_private_thread_refused_by_discord_falls_back_to_public(
    discord_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = discord_bot
    h.recorder.fail(
        lambda c: c.path == "/channels/{channel_id}/threads" and c.payload["type"] == 12,
        discord_error(403, 50001, "Missing Access"),
    )
    await start_practice(h)
    assert "public thread" in last_response(h).text()
    assert "private thread refused" in caplog.text


async def test_no_thread_permissions_is_a_clear_refusal(discord_bot: Harness) -> None:
    h = discord_bot
    h.app_permissions = discord.Permissions(view_channel=True, send_messages=True)
    await h.slash("practice start", p.OFFICER_ID)
    refusal = last_response(h)
    assert refusal.ephemeral and "Send Messages in Threads" in refusal.text()
    assert h.bot.room.active(f"discord:{p.OFFICER_ID}") is None


async def test_deleted_thread_ends_the_practice(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    thread_id = await start_practice(h)
    h.recorder.fail(
        lambda c: c.channel_id == thread_id and c.path.endswith("/messages"),
        discord_error(404, 10003, "Unknown Channel"),
    )
    await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)
    assert h.bot.room.active(f"discord:{p.OFFICER_ID}") is None
    assert store.active_sessions() == []
    await start_practice(h)  # free to practise again


async def test_thread_delete_event_ends_the_practice(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id = await start_practice(h)
    h.bot._connection.parse_thread_delete(
        {"id": str(thread_id), "guild_id": str(p.GUILD_ID), "parent_id": "1", "type": 12}
    )
    await h.settle()
    assert h.bot.room.active(f"discord:{p.OFFICER_ID}") is None


async def test_missing_permission_to_post_is_logged_not_fatal(
    discord_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = discord_bot
    thread_id = await start_practice(h)
    h.recorder.fail(
        lambda c: c.channel_id == thread_id and c.path.endswith("/messages"),
        discord_error(403, 50013, "Missing Permissions"),
    )
    with caplog.at_level(logging.WARNING):
        await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)
    assert "missing permission to post" in caplog.text
    await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)  # the next one goes through
    assert len(h.bot.room.active(f"discord:{p.OFFICER_ID}").turns) == 2


async def test_persona_autocomplete_offers_enabled_personas(discord_bot: Harness) -> None:
    h = discord_bot
    h.bot.catalogue.disable("alarm_shopper", "test")
    await h.slash("practice start", p.OFFICER_ID, focused="persona", persona="d")
    answer = last_response(h)
    assert answer.payload["type"] == 8
    choices = answer.payload["data"]["choices"]
    assert [c["value"] for c in choices] == [PERSONA_ID]


async def test_an_escalated_visitor_ends_the_practice_with_a_debrief(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id = await start_practice(h)
    await h.say(p.OFFICER_ID, thread_id, POOR_REPLY)
    visitor, debrief = h.messages(thread_id)[-2:]
    assert "more agitated" in visitor.text()
    assert "Why Dana got more agitated: being told to calm down (a trigger, +1)" in visitor.text()
    text = debrief.text()
    assert "**Escalated**" in text and "Best reply" not in text  # one reply is nobody's best
    assert "**Your reply** (" in text and f"**You:** {POOR_REPLY}" in text
    assert "Where is my car?" in text  # the visitor line it answered
    assert buttons(debrief)[:2] == ["Try again", "New visitor"]
