"""The end of a practice in Discord: the debrief, a rewind's two paths, and what to do next."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord

from bot.core.scores import CRITERION_LABELS
from bot.core.session import PracticeSession, SessionKind
from bot.discord.delivery import post
from bot.discord.practice._buttons import debrief_view
from bot.discord.practice._render import (
    comparison_embed,
    debrief_embed,
    drill_note,
    notes_embed,
)

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
    notes = await bot.run_blocking(bot.store.take_unseen_notes, session.officer_id)
    if notes:
        embeds.append(notes_embed(notes))
    if session.kind is SessionKind.DRILL and debrief.turns and session.focus:
        embeds[0].add_field(name="Spaced drills", value=await _drill_note(bot, session))
    return embeds, files, debrief_view(session.id) if debrief.turns else None


async def _drill_note(bot: CooldownBot, session: PracticeSession) -> str:
    from bot.core.drills import due_drills

    assert session.focus is not None
    now = bot.store.now()
    results = await bot.run_blocking(bot.store.drill_results, session.officer_id)
    due = await bot.run_blocking(due_drills, bot.store, session.officer_id, now)
    nxt = next((d for d in due if d.criterion == session.focus), None)
    scores = [r.score for r in results if r.criterion == session.focus]
    return drill_note(scores, CRITERION_LABELS[session.focus], nxt.when(now) if nxt else "-")


async def post_debrief(
    bot: CooldownBot, session: PracticeSession, channel: discord.abc.Messageable
) -> None:
    """Post the debrief message in the practice's thread."""
    embeds, files, view = await debrief_message(bot, session)
    await post(channel, embeds=embeds, files=files, view=view)
