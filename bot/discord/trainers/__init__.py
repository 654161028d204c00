"""The trainer extension: personas, transcript review, export and server settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.trainers._personas import PersonaCog
from bot.discord.trainers._review import ReviewCog
from bot.discord.trainers._settings import SettingsCog

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

__all__ = ["PersonaCog", "ReviewCog", "SettingsCog", "setup"]


async def setup(bot: CooldownBot) -> None:
    """Load the trainer cogs."""
    await bot.add_cog(PersonaCog(bot))
    await bot.add_cog(ReviewCog(bot))
    await bot.add_cog(SettingsCog(bot))
