"""/leaderboard: individual or team rankings for a period, with a chart for teams."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.store import Leaderboard
from bot.core.store.leaderboard import MIN_SESSIONS, MIN_TEAM_MEMBERS
from bot.discord.access import in_guild
from bot.discord.delivery import defer, respond
from bot.discord.teams import team_autocomplete

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)
CHART_NAME = "teams.png"
PERIOD_WORDS = {"week": "last 7 days", "month": "last 30 days", "all": "all time"}
PERIODS = [app_commands.Choice(name=words, value=key) for key, words in PERIOD_WORDS.items()]
BOARDS = [
    app_commands.Choice(name="individual", value="individual"),
    app_commands.Choice(name="team", value="team"),
    app_commands.Choice(name="most improved", value="improved"),
]


def _name(text: str) -> str:
    return discord.utils.escape_markdown(text)


def improved_embed(board: Leaderboard, team: str | None = None) -> discord.Embed:
    """The most-improved board; an empty one says what it takes to appear."""
    scope = f" - {team}" if team else ""
    embed = discord.Embed(
        title=f"Most improved{scope} ({PERIOD_WORDS.get(board.period, board.period)})",
        colour=discord.Colour.gold(),
    )
    lines = [
        f"**{r.rank}.** {_name(r.display_name)} - **+{r.improvement:.1f}** "
        f"({r.baseline:.0f} → {r.recent:.0f})"
        for r in board.rows
    ]
    embed.description = "\n".join(lines) or (
        "No one qualifies yet: 6 practices of 2+ replies, the latest 3 in the period."
    )
    embed.set_footer(text="Gain: mean of the latest 3 practices minus the 3 before them. Drills "
                     "and what-ifs do not count.")  # fmt: skip
    return embed


def leaderboard_embed(board: Leaderboard, kind: str, team: str | None = None) -> discord.Embed:
    """The ranking as numbered lines; an empty board says what it takes to appear."""
    scope = f" - {team}" if team else ""
    embed = discord.Embed(
        title=f"Leaderboard - {kind}{scope} ({PERIOD_WORDS.get(board.period, board.period)})",
        colour=discord.Colour.gold(),
    )
    if kind == "team":
        lines = [
            f"**{r.rank}.** {_name(r.team)} - **{r.score:.1f}** ({r.qualifying_members}/"
            f"{r.members} members qualify, {r.resolution_rate:.0%} resolved, top: "
            f"{_name(r.top_officer)})"
            for r in board.rows
        ]
        empty = (
            f"No team qualifies yet: a team needs {MIN_TEAM_MEMBERS} members with "
            f"{MIN_SESSIONS} scored practices each in the period."
        )
    else:
        lines = [
            f"**{r.rank}.** {_name(r.display_name)} - **{r.score:.1f}** ({r.sessions} practices, "
            f"{r.resolution_rate:.0%} resolved"
            + (f", {r.resolved_streak} resolved in a row" if r.resolved_streak > 1 else "")
            + ")"
            for r in board.rows
        ]
        empty = f"No one qualifies yet: {MIN_SESSIONS} scored practices in the period are needed."
    embed.description = "\n".join(lines) if lines else empty
    embed.set_footer(text="Score: mean of each officer's best 5 practices (0-100).")
    return embed


class LeaderboardCog(commands.Cog):
    """Who is doing best, alone or as a team."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot

    @app_commands.command(name="leaderboard")
    @app_commands.guild_only()
    @app_commands.describe(
        board="Individual officers or teams",
        period="Which practices count",
        team="Only this team's officers (individual board)",
    )
    @app_commands.choices(board=BOARDS, period=PERIODS)
    @app_commands.autocomplete(team=team_autocomplete)
    @in_guild()
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        board: str = "individual",
        period: str = "week",
        team: str | None = None,
    ) -> None:
        """Show the individual or team leaderboard for a period."""
        await defer(interaction, ephemeral=False)
        store = self.bot.store
        files: list[discord.File] = []
        if board == "team":
            result = await self.bot.run_blocking(store.team_leaderboard, period, 10)
            embed = leaderboard_embed(result, "team")
            if result.rows:
                from bot.core.charts import team_chart

                title = f"Teams - {PERIOD_WORDS.get(period, period)}"
                png = await self.bot.run_blocking(team_chart, result.rows, title)
                files.append(discord.File(io.BytesIO(png), CHART_NAME))
                embed.set_image(url=f"attachment://{CHART_NAME}")
        elif board == "improved":
            result = await self.bot.run_blocking(store.most_improved, period, team, 10)
            embed = improved_embed(result, team)
        else:
            result = await self.bot.run_blocking(store.individual_leaderboard, period, team, 10)
            embed = leaderboard_embed(result, "individual", team)
        await respond(interaction, embeds=[embed], files=files, ephemeral=False)


async def setup(bot: CooldownBot) -> None:
    """Load the leaderboard cog."""
    await bot.add_cog(LeaderboardCog(bot))
