"""Discord misuse: leaking autocomplete, markdown in transcripts, command floods, hostile uploads
and messages, a visitor that lost its model, and a restart next to a terminal practice."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator

import pytest

from bot.core.catalogue import PersonaCatalogue
from bot.core.practice import PracticeRoom
from bot.core.store import Store
from bot.core.visitor import VisitorRequest
from bot.discord.tree import COMMANDS_PER_MINUTE
from bot.model.scripted import ScriptedVisitor
from bot.runtime import App
from bot.settings import Settings
from tests.conftest import FakeRubric
from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, NEUTRAL_REPLY, PERSONA_ID, make_app, make_library
from tests.discord.harness import Harness, Upload, UserOption, start_bot
from tests.hostile.conftest import BILLION_LAUGHS

MASKED_LINK = "[Click to verify your badge](https://evil.example/verify)"


class ProblemVisitor(ScriptedVisitor):
    """The scripted visitor standing in for a model that could not load."""

    problem = ""

    def reply(self, request: VisitorRequest) -> str:
        return super().reply(request)


@pytest.fixture
async def sick_bot(settings: Settings, store: Store) -> AsyncIterator[Harness]:
    visitor = ProblemVisitor()
    catalogue = PersonaCatalogue(make_library(), store)
    room = PracticeRoom(catalogue, visitor, FakeRubric(), store)
    harness = await start_bot(settings, App(store, catalogue, room))
    yield harness
    await harness.close()
    harness.assert_no_pings()


async def start_practice(h: Harness, user_id: int = p.OFFICER_ID) -> int:
    await h.slash("practice start", user_id, persona=PERSONA_ID)
    return int(h.threads()[-1]["id"])


def choices(h: Harness) -> list[str]:
    answer = h.responses()[-1]
    assert answer.payload["type"] == 8  # an autocomplete answer
    return [c["value"] for c in answer.payload["data"]["choices"]]


async def test_persona_autocomplete_shows_officers_nothing(discord_bot: Harness) -> None:
    h = discord_bot
    h.bot.catalogue.disable("alarm_shopper", "test")
    for command in ("persona show", "persona enable", "persona disable"):
        await h.slash(command, p.OFFICER_ID, focused="persona", persona="")
        assert choices(h) == [], command
    await h.slash("persona show", p.TRAINER_ID, focused="persona", persona="")
    assert sorted(choices(h)) == ["alarm_shopper", PERSONA_ID]  # trainers see disabled ones


async def test_review_shows_officer_markdown_as_typed(discord_bot: Harness) -> None:
    h = discord_bot
    thread_id = await start_practice(h)
    await h.say(p.OFFICER_ID, thread_id, f"Sorry, I can help. {MASKED_LINK} **now** # loud")
    await h.slash("practice end", p.OFFICER_ID, channel_id=thread_id)
    await h.slash("review", p.TRAINER_ID, officer=UserOption(p.OFFICER_ID))
    embed = h.responses()[-1].message["embeds"][0]
    description = embed["description"]
    assert MASKED_LINK not in description  # would render as a live masked link
    assert r"\[Click to verify your badge\](https://evil.example/verify)" in description
    assert r"\*\*now\*\*" in description
    # the officer's own debrief in the thread quotes it the same way
    debrief = h.messages(thread_id)[-1].text() + str(h.responses()[-1 - 2].message)
    assert MASKED_LINK not in debrief


async def test_a_flood_of_slash_commands_is_paced(discord_bot: Harness) -> None:
    h = discord_bot
    for _ in range(40):
        await h.slash("leaderboard", p.OFFICER_ID)
    answers = [c for c in h.responses() if c.message is not None]
    refused = [a for a in answers if "Slow down" in a.text()]
    served = len(answers) - len(refused)
    assert served <= COMMANDS_PER_MINUTE + 1  # deferred answers can add a follow-up
    assert len(refused) == 40 - COMMANDS_PER_MINUTE
    assert all(a.ephemeral for a in refused)
    # someone else is not affected
    await h.slash("leaderboard", p.TRAINER_ID)
    assert "Slow down" not in h.responses()[-1].text()


async def test_bomb_and_deep_uploads_are_refused_without_stalling_the_bot(
    discord_bot: Harness,
) -> None:
    h = discord_bot
    for name, data in (("bomb.yaml", BILLION_LAUGHS), ("deep.yaml", "[" * 50_000)):
        started = time.monotonic()
        await asyncio.wait_for(
            h.slash("persona add", p.TRAINER_ID, file=Upload(name, data.encode())), 10
        )
        answer = h.responses()[-1]
        assert time.monotonic() - started < 5
        assert answer.ephemeral and answer.text().startswith(f"{name}: field '(YAML syntax)'")
        assert "Something went wrong" not in answer.text()
    assert h.bot.catalogue.ids(include_disabled=True) == ["alarm_shopper", PERSONA_ID]


async def test_a_burst_of_bad_messages_is_answered_and_the_practice_goes_on(
    discord_bot: Harness, store: Store
) -> None:
    h = discord_bot
    h.bot.pacing.per_minute = 1000  # the pace limit is tested elsewhere; here every one counts
    thread_id = await start_practice(h)
    bad = ["\x00", "\x1b[2J\x1b]0;pwned\x07", "x" * 5000, "\u200b\u200d", "\r\n\t"]
    for content in bad * 20:  # 100 messages, none of them a reply
        await h.say(p.OFFICER_ID, thread_id, content, settle=False)
    await h.settle()
    refusals = [m for m in h.messages(thread_id) if "Your reply is" in m.text()]
    assert len(refusals) == 100
    for content in ("\udcff\udcfe okay", "<@&1> @everyone \x1b[31mhello", NEUTRAL_REPLY):
        await h.say(p.OFFICER_ID, thread_id, content)
    session = h.bot.room.active(f"discord:{p.OFFICER_ID}")
    assert session is not None and not session.finished
    stored = store.load_session(session.id)
    assert len(stored.turns) == len(session.turns)  # nothing in memory that is not stored
    for turn in stored.turns:
        assert "\x00" not in turn.officer_text and "\x1b" not in turn.officer_text
        assert "\udcff" not in turn.officer_text
    assert [t.officer_text for t in stored.turns][:2] == [
        "\ufffd\ufffd okay",
        "<@&1> @everyone hello",
    ]
    assert not any("went wrong" in c.text() for c in h.sent())


async def test_visitor_problem_is_said_once_in_the_thread_and_in_the_status(
    sick_bot: Harness,
) -> None:
    h = sick_bot
    visitor = h.bot.room.visitor
    visitor.problem = "the visitor model could not load (Cannot copy out of meta tensor)"
    thread_id = await start_practice(h)
    await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)
    await h.say(p.OFFICER_ID, thread_id, GOOD_REPLY)
    notes = [m for m in h.messages(thread_id) if "could not load" in m.text()]
    assert len(notes) == 1
    assert "scripted lines" in notes[0].text()
    presence = h.recorder.presences[-1]
    assert presence["status"] == "idle"
    assert "could not load" in presence["activities"][0]["state"]

    visitor.problem = ""  # the model came back
    await h.bot.health.refresh_status(h.bot)
    assert h.recorder.presences[-1] == {"status": "online", "activities": []}


async def test_restart_does_not_take_over_terminal_practices(settings: Settings) -> None:
    store = Store(settings.database_path)
    make_app(store).room.start("cli:alice", PERSONA_ID, meta={"adapter": "terminal", "pid": "1"})
    harness = await start_bot(settings, make_app(store))
    try:
        assert harness.bot.room.running() == []
        assert harness.bot.room.active("cli:alice") is None
        assert [s.officer_id for s in store.active_sessions()] == ["cli:alice"]  # not the bot's
    finally:
        await harness.close()
        store.close()


async def test_a_store_that_fails_mid_practice(settings: Settings) -> None:
    store = Store(settings.database_path, timeout=0.1)
    h = await start_bot(settings, make_app(store))
    thread_id = await start_practice(h)
    await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock past the timeout
    try:
        await h.say(p.OFFICER_ID, thread_id, GOOD_REPLY)
        answer = h.messages(thread_id)[-1].text()
        assert "could not answer just now" in answer and "Send your reply again" in answer
        session = h.bot.room.active(f"discord:{p.OFFICER_ID}")
        assert session is not None and len(session.turns) == 1  # the failed turn was not kept
        await h.slash("practice end", p.OFFICER_ID, channel_id=thread_id)
        end = h.responses()[-1]
        assert "could not save its end" in end.text() and "Debrief" in end.text()
        assert h.bot.room.active(f"discord:{p.OFFICER_ID}") is None  # free to start again
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        await h.close()
    assert len(store.load_session(session.id).turns) == 1
    store.close()
    h.assert_no_pings()
