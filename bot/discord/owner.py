"""The bot owner's maintenance command: `@Cooldown sync` publishes the slash commands."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

from discord.ext import commands

from bot.discord.limits import NO_PINGS

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)


class OwnerCog(commands.Cog):
    """Owner-only commands, called by mentioning the bot (they work before any slash sync)."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot

    @commands.command(name="sync")
    @commands.is_owner()
    async def sync(
        self, ctx: commands.Context, scope: Literal["here", "dev", "global"] = "here"
    ) -> None:
        """Publish slash commands: here (this server, instant), dev (DEV_GUILD_ID) or global."""
        if scope == "global":
            count = await self.bot.sync_commands(None)
            where = "globally (Discord may take up to an hour to show them)"
        else:
            guild_id = (
                self.bot.settings.dev_guild_id if scope == "dev" else ctx.guild and ctx.guild.id
            )
            if not guild_id:
                await ctx.reply(
                    "No server to sync to: use it in a server, or set DEV_GUILD_ID.",
                    mention_author=False,
                    allowed_mentions=NO_PINGS,
                )
                return
            count = await self.bot.sync_commands(guild_id)
            where = f"to server {guild_id}"
        await ctx.reply(
            f"Synced {count} slash commands {where}.",
            mention_author=False,
            allowed_mentions=NO_PINGS,
        )

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context, error: commands.CommandError) -> None:
        """Mentions that are not commands, and non-owners trying `sync`, are ignored quietly."""
        if isinstance(error, (commands.CommandNotFound, commands.CheckFailure)):
            return
        if isinstance(error, commands.UserInputError):
            await ctx.reply(str(error), mention_author=False, allowed_mentions=NO_PINGS)
            return
        log.error("prefix command %s failed", ctx.command, exc_info=error)


async def setup(bot: CooldownBot) -> None:
    """Load the owner cog."""
    await bot.add_cog(OwnerCog(bot))
