"""/stats: an officer's progress over time, with the chart attached."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.store import Progress
from bot.discord.access import in_guild, officer_id, require_trainer
from bot.discord.delivery import defer, respond
from bot.discord.limits import FIELD_VALUE, clip

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)
CHART_NAME = "progress.png"


def _day(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%d %b")


def progress_embed(
    progress: Progress, name: str, persona_names: dict[str, str] | None = None
) -> discord.Embed:
    """An officer's numbers: sessions, resolution rate, streaks, latest and best results, with
    visitors by name (a persona id means nothing to an officer)."""
    names = persona_names or {}
    embed = discord.Embed(
        title=f"Progress - {discord.utils.escape_markdown(name)}",
        description=(
            f"{progress.sessions} scored practice(s), {progress.resolved} resolved "
            f"({progress.resolution_rate:.0%}). Resolved in a row: {progress.resolved_streak}. "
            f"Days in a row: {progress.day_streak}."
        ),
        colour=discord.Colour.blurple(),
    )
    latest = [
        f"{_day(p.started_at)} · {names.get(p.persona_id, p.persona_id)} · "
        f"{p.scores['overall']:.0f} · {p.outcome.label}"
        for p in reversed(progress.points[-5:])
    ]
    if latest:
        embed.add_field(name="Latest", value=clip("\n".join(latest), FIELD_VALUE), inline=False)
    best = [
        f"{names.get(pid, pid)}: {score:.0f}"
        for pid, score in list(progress.best_by_persona.items())[:10]
    ]
    if best:
        embed.add_field(name="Best per persona", value=clip("\n".join(best), FIELD_VALUE))
    return embed


class ProgressCog(commands.Cog):
    """Officers' own progress."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot

    @app_commands.command(name="stats")
    @app_commands.guild_only()
    @app_commands.describe(officer="Whose progress (trainers only for someone else)")
    @in_guild()
    async def stats(
        self, interaction: discord.Interaction, officer: discord.Member | None = None
    ) -> None:
        """Show practice progress over time with a chart (yours, or an officer's for trainers)."""
        target = officer or interaction.user
        if target.id != interaction.user.id:
            require_trainer(interaction)
        await show_progress(self.bot, interaction, target)


def persona_names(bot: CooldownBot) -> dict[str, str]:
    """Every known persona's visitor name by id (disabled ones too: old results name them)."""
    return {entry.persona.id: entry.persona.short_name for entry in bot.catalogue.entries()}


async def show_progress(
    bot: CooldownBot, interaction: discord.Interaction, target: discord.abc.User
) -> None:
    """Answer privately with someone's progress and chart (/stats and the My stats button)."""
    await defer(interaction)
    progress = await bot.run_blocking(bot.store.officer_progress, officer_id(target))
    name = target.display_name
    if not progress.sessions:
        who = "You have" if target.id == interaction.user.id else f"{name} has"
        await respond(interaction, f"{who} no scored practice yet. `/practice start` begins one.")
        return
    from bot.core.charts import progress_chart

    png = await bot.run_blocking(progress_chart, progress, f"Progress - {name}")
    embed = progress_embed(progress, name, persona_names(bot))
    embed.set_image(url=f"attachment://{CHART_NAME}")
    await respond(interaction, embeds=[embed], files=[discord.File(io.BytesIO(png), CHART_NAME)])


async def setup(bot: CooldownBot) -> None:
    """Load the progress cog."""
    await bot.add_cog(ProgressCog(bot))
