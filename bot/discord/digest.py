"""/digest: one team's week for its trainers, on request or posted every week.

`/digest weekly team on:True` in a channel makes the bot post that team's digest there every 7
days (checked hourly, so a restart only delays it); `on:False` stops it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.core.digest import TeamDigest
from bot.core.store import TeamNotFound
from bot.discord.access import actor, trainer_only
from bot.discord.app import guild_scope
from bot.discord.delivery import ChannelGone, defer, post, respond
from bot.discord.limits import FIELD_VALUE, clip
from bot.discord.teams import team_autocomplete

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)
WEEK_S = 7 * 86400
SETTING = "digests"  # per server: {team: {"channel": id, "last": sent at}}
PERIODS = [
    app_commands.Choice(name="last 7 days", value="week"),
    app_commands.Choice(name="last 30 days", value="month"),
]


def digest_embed(digest: TeamDigest) -> discord.Embed:
    """The digest's sections as embed fields."""
    embed = discord.Embed(title=digest.title(), colour=discord.Colour.dark_gold())
    for heading, items in digest.sections():
        value = "\n".join(f"• {discord.utils.escape_markdown(i)}" for i in items)
        embed.add_field(name=heading, value=clip(value, FIELD_VALUE), inline=False)
    return embed


@app_commands.guild_only()
class DigestCog(commands.GroupCog, group_name="digest"):
    """Trainer digests of a team's practice."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="team")
    @app_commands.describe(team="The team", period="Which practices")
    @app_commands.choices(period=PERIODS)
    @app_commands.autocomplete(team=team_autocomplete)
    @trainer_only()
    async def team(
        self, interaction: discord.Interaction, team: str, period: str = "week"
    ) -> None:
        """A team's week (or month): who practised, who improved, the weakest criteria."""
        await defer(interaction)
        digest = await self.bot.run_blocking(self.bot.store.team_digest, team, period)
        await respond(interaction, embeds=[digest_embed(digest)])

    @app_commands.command(name="weekly")
    @app_commands.describe(team="The team", on="Post its digest in this channel every week")
    @app_commands.autocomplete(team=team_autocomplete)
    @trainer_only()
    async def weekly_setting(self, interaction: discord.Interaction, team: str, on: bool) -> None:
        """Post a team's digest in this channel every week, or stop it (trainers)."""
        await defer(interaction)
        await respond(interaction, await configure_weekly(self.bot, interaction, team, on))

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Start the weekly digests once the bot is connected (again after a reconnect)."""
        if not self.weekly.is_running():
            self.weekly.start()

    async def cog_unload(self) -> None:
        """Stop the weekly digests."""
        self.weekly.cancel()

    @tasks.loop(hours=1)
    async def weekly(self) -> None:
        """Post every configured digest that is due."""
        await self.send_due(self.bot.store.now())

    async def send_due(self, now: float) -> int:
        """Post the digests that are 7 days old or were never sent; returns how many."""
        sent = 0
        for guild in self.bot.guilds:
            scope = guild_scope(guild.id)
            configs: dict[str, Any] = await self.bot.run_blocking(
                self.bot.store.get_setting, scope, SETTING, {}
            )
            changed = False
            for team, config in list(configs.items()):
                if now - float(config.get("last", 0)) < WEEK_S:
                    continue
                try:
                    digest = await self.bot.run_blocking(
                        self.bot.store.team_digest, team, "week", now
                    )
                    channel = self.bot.get_partial_messageable(int(config["channel"]))
                    await post(channel, embeds=[digest_embed(digest)])
                except (TeamNotFound, ChannelGone) as exc:
                    log.warning("weekly digest for %s stopped: %s", team, exc)
                    del configs[team]
                else:
                    config["last"] = now
                    sent += 1
                changed = True
            if changed:
                await self.bot.run_blocking(
                    self.bot.store.set_setting, scope, SETTING, configs, "system (weekly digest)"
                )
        return sent


async def configure_weekly(
    bot: CooldownBot, interaction: discord.Interaction, team: str, weekly: bool
) -> str:
    """Turn a team's weekly digest on (in this channel) or off; the answer to show."""
    assert interaction.guild_id is not None and interaction.channel_id is not None
    scope = guild_scope(interaction.guild_id)
    teams = {t.name.casefold(): t.name for t in await bot.run_blocking(bot.store.teams)}
    name = teams.get(team.strip().casefold())
    if name is None:
        raise TeamNotFound(team, sorted(teams.values()))
    configs: dict[str, Any] = await bot.run_blocking(bot.store.get_setting, scope, SETTING, {})
    if weekly:
        configs[name] = {"channel": interaction.channel_id, "last": 0}
        text = f"The weekly digest for **{name}** will be posted in this channel."
    else:
        configs.pop(name, None)
        text = f"No more weekly digest for **{name}**."
    await bot.run_blocking(bot.store.set_setting, scope, SETTING, configs, actor(interaction))
    return text


async def setup(bot: CooldownBot) -> None:
    """Load the digest cog."""
    await bot.add_cog(DigestCog(bot))
