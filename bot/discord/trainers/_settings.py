"""/settings: per-server choices trainers make (live coaching or assessment)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.session import Mode
from bot.discord.access import actor, trainer_only
from bot.discord.app import guild_scope
from bot.discord.delivery import defer, respond

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

MODES = [
    app_commands.Choice(name="live - a score and a tip after every reply", value=Mode.LIVE.value),
    app_commands.Choice(
        name="assessment - scores only in the debrief", value=Mode.ASSESSMENT.value
    ),
]


# Server-only: practices, teams and trainer roles all live in a server.
@app_commands.guild_only()
class SettingsCog(commands.GroupCog, group_name="settings"):
    """Server settings for practices."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="mode")
    @app_commands.describe(mode="Coaching after every reply, or only at the end")
    @app_commands.choices(mode=MODES)
    @trainer_only()
    async def mode(self, interaction: discord.Interaction, mode: str) -> None:
        """Choose live coaching or assessment for new practices on this server (trainers)."""
        await defer(interaction)
        assert interaction.guild_id is not None  # trainer_only refuses direct messages
        await self.bot.run_blocking(
            self.bot.store.set_setting,
            guild_scope(interaction.guild_id),
            "mode",
            Mode(mode).value,
            actor(interaction),
        )
        await respond(
            interaction,
            f"New practices on this server use **{mode}** mode. Running ones keep theirs.",
        )
