"""The end of a practice in Discord: the debrief, a rewind's two paths, and what to do next."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord

from bot.core.session import PracticeSession, SessionKind
from bot.discord.delivery import post
from bot.discord.practice._buttons import debrief_view
from bot.discord.practice._render import comparison_embed, debrief_embed

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

PATHS_CHART = "paths.png"


async def debrief_message(
    bot: CooldownBot, session: PracticeSession
) -> tuple[list[discord.Embed], list[discord.File], discord.ui.View | None]:
    """The debrief (and for a rewind the two paths with their chart), with the next steps."""
    debrief = await bot.run_blocking(bot.room.debrief, session)
    embeds = [debrief_embed(debrief)]
    files: list[discord.File] = []
    if session.kind is SessionKind.REWIND and debrief.turns:
        from bot.core.charts import branch_chart

        comparison = await bot.run_blocking(bot.room.comparison, session.id)
        title = f"What if? {session.persona.short_name}, from reply {comparison.branch_turn}"
        png = await bot.run_blocking(branch_chart, comparison, title)
        embeds.append(comparison_embed(comparison, PATHS_CHART))
        files.append(discord.File(io.BytesIO(png), PATHS_CHART))
    return embeds, files, debrief_view(session.id) if debrief.turns else None


async def post_debrief(
    bot: CooldownBot, session: PracticeSession, channel: discord.abc.Messageable
) -> None:
    """Post the debrief message in the practice's thread."""
    embeds, files, view = await debrief_message(bot, session)
    await post(channel, embeds=embeds, files=files, view=view)
