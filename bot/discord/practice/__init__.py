"""The practice extension: /practice start|drill|end|rewind|report, and the thread talk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.practice._cog import PracticeCog

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

__all__ = ["PracticeCog", "setup"]


async def setup(bot: CooldownBot) -> None:
    """Load the practice cog."""
    await bot.add_cog(PracticeCog(bot))
