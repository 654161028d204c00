"""/stats: an officer's progress over time, with the chart attached."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.drills import DrillDue, due_drills
from bot.core.scores import CRITERION_LABELS
from bot.core.store import Progress, WeekPoint
from bot.core.strategy import describe_shares
from bot.discord.access import in_guild, officer_id, require_trainer
from bot.discord.delivery import defer, respond
from bot.discord.limits import EMBED_DESCRIPTION, FIELD_VALUE, clip
from bot.discord.teams import team_autocomplete

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)
CHART_NAME = "progress.png"
CRITERIA_CHART = "criteria.png"


def _day(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%d %b")


def progress_embed(progress: Progress, name: str) -> discord.Embed:
    """An officer's numbers: sessions, resolution rate, streaks, latest and best results."""
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
        f"{_day(p.started_at)} · {p.persona_id} · {p.scores['overall']:.0f} · {p.outcome.label}"
        for p in reversed(progress.points[-5:])
    ]
    if latest:
        embed.add_field(name="Latest", value=clip("\n".join(latest), FIELD_VALUE), inline=False)
    best = [f"{pid}: {score:.0f}" for pid, score in list(progress.best_by_persona.items())[:10]]
    if best:
        embed.add_field(name="Best per persona", value=clip("\n".join(best), FIELD_VALUE))
    return embed


def drills_value(due: list[DrillDue], now: float) -> str:
    """Each drilled skill: when the next drill is due and the drill scores so far."""
    lines = [
        f"{d.label}: **{d.when(now)}**"
        + (f" · scores {' → '.join(f'{x:.0f}' for x in d.scores)}" if d.scores else "")
        for d in due
    ]
    return clip("\n".join(lines), FIELD_VALUE)


def learning_embed(progress: Progress, name: str) -> discord.Embed:
    """Criteria from the first sessions to the latest, and the share of cooperative replies."""
    trend, size = progress.criterion_trend(), progress.trend_window()
    lines = [
        f"{CRITERION_LABELS[c]}: {first:.0f} → **{latest:.0f}**"
        for c, (first, latest) in trend.items()
    ]
    embed = discord.Embed(
        title=f"Criteria and strategy - {discord.utils.escape_markdown(name)}",
        description=clip(f"First {size} practice(s) → latest {size}\n" + "\n".join(lines),
                         EMBED_DESCRIPTION),  # fmt: skip
        colour=discord.Colour.dark_teal(),
    )
    overall = describe_shares(progress.strategy_share())
    embed.add_field(name="Strategy, all practices", value=overall)
    embed.add_field(name="Latest 5", value=describe_shares(progress.strategy_share(last=5)))
    embed.set_image(url=f"attachment://{CRITERIA_CHART}")
    return embed


def team_embed(team: str, points: list[WeekPoint]) -> discord.Embed:
    """A team's weeks: who practised, the weakest criteria of the latest week, strategy."""
    latest = points[-1]
    weakest = sorted(latest.criteria, key=lambda c: latest.criteria[c])[:3]
    lines = [
        f"**{p.label}**: {p.officers} officer(s), {p.sessions} session(s), cooperative "
        f"{p.shares().get('cooperative', 0):.0%}, competitive "
        f"{p.shares().get('competitive', 0):.0%}"
        for p in points
    ]
    embed = discord.Embed(
        title=f"Team {discord.utils.escape_markdown(team)} - progress by week",
        description=clip("\n".join(lines), EMBED_DESCRIPTION),
        colour=discord.Colour.dark_teal(),
    )
    embed.add_field(
        name="Weakest criteria, latest week",
        value=", ".join(f"{CRITERION_LABELS[c]} {latest.criteria[c]:.0f}" for c in weakest)
        or "-",
        inline=False,
    )
    embed.set_image(url=f"attachment://{CRITERIA_CHART}")
    return embed


class ProgressCog(commands.Cog):
    """Officers' own progress, and a team's."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot

    @app_commands.command(name="stats")
    @app_commands.guild_only()
    @app_commands.describe(
        officer="Whose progress (trainers only for someone else)",
        team="A team's criteria and strategy by week instead",
    )
    @app_commands.autocomplete(team=team_autocomplete)
    @in_guild()
    async def stats(
        self,
        interaction: discord.Interaction,
        officer: discord.Member | None = None,
        team: str | None = None,
    ) -> None:
        """Show practice progress over time with charts (yours, an officer's, or a team's)."""
        if team:
            await self._team(interaction, team)
            return
        target = officer or interaction.user
        if target.id != interaction.user.id:
            require_trainer(interaction)
        await defer(interaction)
        progress = await self.bot.run_blocking(self.bot.store.officer_progress, officer_id(target))
        name = target.display_name
        if not progress.sessions:
            who = "You have" if target.id == interaction.user.id else f"{name} has"
            await respond(
                interaction, f"{who} no scored practice yet. `/practice start` begins one."
            )
            return
        from bot.core.charts import learning_chart, progress_chart

        png = await self.bot.run_blocking(progress_chart, progress, f"Progress - {name}")
        points = progress.points[-30:]
        first = len(progress.points) - len(points) + 1
        learning = await self.bot.run_blocking(
            learning_chart, [str(first + i) for i in range(len(points))],
            [p.criteria for p in points], [p.shares() for p in points],
            f"Criteria and strategy - {name}",
        )  # fmt: skip
        embed = progress_embed(progress, name)
        now = self.bot.store.now()
        due = await self.bot.run_blocking(due_drills, self.bot.store, officer_id(target), now)
        if due:
            embed.add_field(name="Drills (/practice drill)", value=drills_value(due, now),
                            inline=False)  # fmt: skip
        notes = await self.bot.run_blocking(self.bot.store.officer_notes, officer_id(target),
                                            limit=5)  # fmt: skip
        if notes:
            lines = [f"{n.persona_name.split(',')[0]}, {n.describe()}" for n in notes]
            embed.add_field(name="Trainer notes", value=clip("\n".join(lines), FIELD_VALUE),
                            inline=False)  # fmt: skip
            if target.id == interaction.user.id:  # shown to the officer: no longer news
                await self.bot.run_blocking(self.bot.store.mark_notes_seen, [n.id for n in notes])
        embed.set_image(url=f"attachment://{CHART_NAME}")
        await respond(
            interaction,
            embeds=[embed, learning_embed(progress, name)],
            files=[discord.File(io.BytesIO(png), CHART_NAME),
                   discord.File(io.BytesIO(learning), CRITERIA_CHART)],
        )  # fmt: skip

    async def _team(self, interaction: discord.Interaction, team: str) -> None:
        await defer(interaction)
        points = await self.bot.run_blocking(self.bot.store.team_weeks, team, 8)
        if not points:
            await respond(interaction, f"Team {team} has no scored replies in the last 8 weeks.")
            return
        from bot.core.charts import learning_chart

        png = await self.bot.run_blocking(
            learning_chart, [p.label for p in points], [p.criteria for p in points],
            [p.shares() for p in points], f"Team {team} - criteria and strategy by week",
        )  # fmt: skip
        await respond(interaction, embeds=[team_embed(team, points)],
                      files=[discord.File(io.BytesIO(png), CRITERIA_CHART)])  # fmt: skip


async def setup(bot: CooldownBot) -> None:
    """Load the progress cog."""
    await bot.add_cog(ProgressCog(bot))
