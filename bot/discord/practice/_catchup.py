"""Officer messages Discord never delivered: sent while the bot's connection was down for longer
than Discord keeps a session. A resumed connection gets them replayed; a new one does not."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.discord.delivery import TRANSIENT, describe
from bot.discord.practice._turns import play_message, session_for

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)

MISSED_LIMIT = 20  # messages read back per practice: more than an officer writes in an outage


async def catch_up(bot: CooldownBot) -> int:
    """Play, in order, the officer messages posted in running practices' threads after the last
    one the bot had; how many were read back. Each is played once (replays are recognised)."""
    found = 0
    for session in bot.room.running():
        last = bot.turns.last_seen(session.id)
        thread_id = session.meta.get("thread_id", "")
        if last is None or not thread_id.isdigit():
            continue  # practices resumed after a restart get the restart note instead
        guild_id = session.meta.get("guild_id", "")
        thread = bot.get_partial_messageable(
            int(thread_id), guild_id=int(guild_id) if guild_id.isdigit() else None
        )
        try:
            missed = [
                m
                async for m in thread.history(
                    limit=MISSED_LIMIT, after=discord.Object(last), oldest_first=True
                )
            ]
        except (discord.HTTPException, *TRANSIENT) as exc:
            log.warning("practice %s: could not read back missed messages (%s)",
                        session.id, describe(exc))  # fmt: skip
            continue
        for message in missed:
            if session_for(bot, message) is session:
                found += 1
                await play_message(bot, message)
    if found:
        log.info("caught up with %d officer message(s) sent while disconnected", found)
    return found
