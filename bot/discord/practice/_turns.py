"""An officer's message in a practice thread becomes a turn: scored, answered, maybe debriefed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import discord

from bot.core.practice import NoActiveSession
from bot.core.session import PracticeSession, ReplyRejected, SessionClosed, check_reply
from bot.discord.access import discord_user_id
from bot.discord.delivery import ChannelGone, post
from bot.discord.practice._debrief import post_debrief
from bot.discord.practice._render import slow_down_note, turn_message
from bot.discord.ratelimit import Pace

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)

PLAYABLE = (discord.MessageType.default, discord.MessageType.reply)


def session_for(bot: CooldownBot, message: discord.Message) -> PracticeSession | None:
    """The practice this message is a reply in, or None when it is anything else."""
    if message.author.bot or message.guild is None or message.type not in PLAYABLE:
        return None
    # Looked up by id, not by type: after a restart the thread may not be cached yet and
    # arrives as a PartialMessageable.
    session = bot.room.find("thread_id", str(message.channel.id))
    # Trainers or colleagues may chat in a practice thread; only the officer's words are played.
    if session is None or discord_user_id(session.officer_id) != message.author.id:
        return None
    return session


@asynccontextmanager
async def typing_in(channel: discord.abc.Messageable) -> AsyncIterator[None]:
    """Show "is typing" while the visitor thinks.

    The indicator runs in its own task: awaiting its request first would add a Discord round
    trip to every reply, and a refused indicator is not worth failing a turn over.
    """

    async def keep_typing() -> None:
        try:
            async with channel.typing():
                await asyncio.Event().wait()  # until cancelled when the reply is ready
        except discord.HTTPException as exc:
            log.debug("no typing indicator: %s", exc)

    task = asyncio.create_task(keep_typing(), name="cooldown-typing")
    try:
        yield
    finally:
        task.cancel()


async def end_gone_session(bot: CooldownBot, session: PracticeSession) -> None:
    """Close a practice whose thread was deleted, so the officer can start another."""
    try:
        await bot.run_blocking(bot.room.end, session.officer_id)
    except NoActiveSession:
        return
    log.info("practice %s closed: its thread %s is gone", session.id, session.meta.get("thread_id"))


async def play_message(bot: CooldownBot, message: discord.Message) -> None:
    """Play an officer's thread message as a turn (or say why it was not played)."""
    session = session_for(bot, message)
    if session is None or not bot.turns.first_time(message.id, session.id):
        return
    thread = message.channel
    async with bot.turns.turn() as playing:  # a stopping bot answers it before disconnecting
        if not playing:
            return  # the bot is stopping: after the restart the officer is asked to answer
        try:
            await _play(bot, session, message, thread)
        except ChannelGone:
            await end_gone_session(bot, session)


async def _play(
    bot: CooldownBot,
    session: PracticeSession,
    message: discord.Message,
    thread: discord.abc.Messageable,
) -> None:
    pace = bot.pacing.check(session.officer_id)
    if pace is Pace.DROP:
        return
    if pace is Pace.NOTICE:
        wait = bot.pacing.retry_after(session.officer_id)
        await post(thread, slow_down_note(wait, bot.pacing.per_minute), reference=message)
        return
    try:
        text = check_reply(message.content)
    except ReplyRejected as exc:
        await post(thread, str(exc), reference=message)
        return
    await play_reply(bot, session, text, thread, reference=message)


async def play_reply(
    bot: CooldownBot,
    session: PracticeSession,
    text: str,
    thread: discord.abc.Messageable,
    *,
    reference: discord.Message | None = None,
    preface: str = "",
) -> None:
    """Play one officer reply and post the visitor's answer (and the debrief when it ends)."""
    try:
        async with typing_in(thread):
            turn = await bot.run_blocking(bot.room.reply, session.officer_id, text)
    except (SessionClosed, NoActiveSession):
        return  # ended by /practice end while this reply waited; the debrief is already out
    except ReplyRejected as exc:
        await post(thread, str(exc), reference=reference)
        return
    except Exception:
        log.exception("practice %s: the reply could not be played", session.id)
        await post(
            thread,
            "The visitor could not answer just now (the error was logged). Send your reply again.",
            reference=reference,
        )
        return
    await bot.health.tell_thread(bot, session, thread)
    content, embeds = turn_message(session, turn)
    answer = await post(thread, f"{preface}{content}", embeds=embeds, reference=reference)
    if answer is not None:
        bot.turns.saw(session.id, answer.id)
    if session.finished:
        bot.health.forget(session)
        await post_debrief(bot, session, thread)
