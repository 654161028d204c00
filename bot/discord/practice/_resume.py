"""After a restart: practices that were running carry on in their threads."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.core.practice import StoredSessionLike
from bot.core.session import PracticeSession
from bot.discord.delivery import ChannelGone, post
from bot.discord.practice._render import resumed_note
from bot.discord.practice._turns import end_gone_session

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)


async def _announce(bot: CooldownBot, session: PracticeSession) -> None:
    thread_id = session.meta.get("thread_id", "")
    guild_id = session.meta.get("guild_id", "")
    channel = bot.get_partial_messageable(
        int(thread_id), guild_id=int(guild_id) if guild_id.isdigit() else None
    )
    try:
        await post(channel, resumed_note(session))
    except ChannelGone:
        await end_gone_session(bot, session)


def in_a_thread(stored: StoredSessionLike) -> bool:
    """A Discord practice: it has a thread to carry on in. Terminal ones belong to the terminal
    (it closes those whose process is gone) and are never taken into the bot's active set."""
    return stored.meta.get("thread_id", "").isdigit()


async def resume_sessions(bot: CooldownBot) -> list[PracticeSession]:
    """Bring back the room's interrupted practices and tell each thread it carries on."""
    in_threads = await bot.run_blocking(bot.room.resume, in_a_thread)
    results = await asyncio.gather(*(_announce(bot, s) for s in in_threads), return_exceptions=True)
    for session, result in zip(in_threads, results, strict=True):
        # A missing note is a pity, not a reason to keep the bot from starting.
        if isinstance(result, Exception):
            log.warning("practice %s resumed without a note: %r", session.id, result)
    if in_threads:
        log.info("resumed %d practice(s) in Discord threads", len(in_threads))
    return in_threads
