"""A restart mid-practice: a new bot on the same database carries on in the same thread."""

from __future__ import annotations

from pathlib import Path

from bot.core.session import PracticeSession
from bot.core.store import Store
from bot.settings import Settings
from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, NEUTRAL_REPLY, PERSONA_ID, make_app
from tests.discord.harness import Harness, Recorder, discord_error, start_bot


def resumed(h: Harness) -> list[PracticeSession]:
    """What the practice cog picked up as it loaded (discord.py loads extensions as fresh
    modules, so the cog is found by name, not by class)."""
    cog = h.bot.get_cog("PracticeCog")
    assert cog is not None
    return cog.resumed  # type: ignore[attr-defined]


async def test_restart_resumes_the_practice_in_its_thread(settings: Settings) -> None:
    store = Store(settings.database_path)
    first = await start_bot(settings, make_app(store))
    await first.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
    thread_id = int(first.threads()[0]["id"])
    await first.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)
    await first.close()
    store.close()  # the process stops here, mid-practice

    store = Store(settings.database_path)
    recorder = Recorder()
    second = await start_bot(settings, make_app(store), recorder)
    try:
        note = second.messages(thread_id)
        assert len(note) == 1 and "Cooldown restarted" in note[0].text()
        session = second.bot.room.active(f"discord:{p.OFFICER_ID}")
        assert session is not None and len(session.turns) == 1
        assert resumed(second) == [session]

        # The thread is not in the new bot's cache; the message must still be played.
        await second.say(p.OFFICER_ID, thread_id, GOOD_REPLY)
        reply = second.messages(thread_id)[-1]
        assert reply.text().startswith("**Dana:**") and "Reply 2:" in reply.text()
        assert len(store.load_session(session.id).turns) == 2
        second.assert_no_pings()
    finally:
        await second.close()
        store.close()


async def test_resumed_practice_whose_thread_is_gone_is_closed(
    settings: Settings, tmp_path: Path
) -> None:
    store = Store(settings.database_path)
    first = await start_bot(settings, make_app(store))
    await first.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
    thread_id = int(first.threads()[0]["id"])
    await first.close()

    recorder = Recorder()
    recorder.fail(lambda c: c.channel_id == thread_id, discord_error(404, 10003, "Unknown Channel"))
    second = await start_bot(settings, make_app(store), recorder)
    try:
        assert second.bot.room.running() == []
        assert store.active_sessions() == []
    finally:
        await second.close()
        store.close()


async def test_terminal_sessions_are_left_alone(settings: Settings) -> None:
    store = Store(settings.database_path)
    # a terminal practice interrupted in the same database
    make_app(store).room.start("cli:alice", PERSONA_ID)
    harness = await start_bot(settings, make_app(store))
    try:
        assert harness.messages() == [] and resumed(harness) == []
    finally:
        await harness.close()
        store.close()
