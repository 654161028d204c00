"""The status extension: the bot's presence follows the visitor's health (bot.discord.health)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands, tasks

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

CHECK_EVERY_S = 30.0


class HealthCog(commands.Cog):
    """Keeps the bot's status in step with the visitor, even while nobody is practising."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot
        self.check.start()

    async def cog_unload(self) -> None:
        """Stop the periodic check."""
        self.check.cancel()

    @tasks.loop(seconds=CHECK_EVERY_S)
    async def check(self) -> None:
        """Refresh the status from the visitor's problem."""
        await self.bot.health.refresh_status(self.bot)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """A (re)connected bot states the visitor's problem at once."""
        self.bot.health.status_problem = ""
        await self.bot.health.refresh_status(self.bot)


async def setup(bot: CooldownBot) -> None:
    """Load the health check."""
    await bot.add_cog(HealthCog(bot))
