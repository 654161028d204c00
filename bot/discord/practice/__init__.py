"""The practice extension: /practice start|end and the conversation in the practice thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.practice._cog import PracticeCog
from bot.discord.practice._resume import resume_sessions

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

__all__ = ["PracticeCog", "resume_sessions", "setup"]


async def setup(bot: CooldownBot) -> None:
    """Load the practice cog."""
    await bot.add_cog(PracticeCog(bot))
