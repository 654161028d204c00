"""/practice start and /practice end, and the listener that plays officers' thread messages."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.session import PracticeSession
from bot.discord.access import in_guild
from bot.discord.practice._buttons import DYNAMIC_ITEMS
from bot.discord.practice._catchup import catch_up
from bot.discord.practice._flow import begin_practice, end_gone_session, end_practice
from bot.discord.practice._render import DIFFICULTY_LABELS, persona_choice_name
from bot.discord.practice._resume import resume_sessions
from bot.discord.practice._turns import play_message

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)

DIFFICULTIES = [
    app_commands.Choice(name=f"{level} - {label}", value=level)
    for level, label in DIFFICULTY_LABELS.items()
]


async def persona_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Enabled personas whose id or name contains what was typed (Discord shows 25 at most)."""
    bot: CooldownBot = interaction.client  # type: ignore[assignment]
    typed = current.casefold().strip()
    found = [
        persona
        for persona in bot.catalogue.at_difficulty(None)
        if typed in persona.id.casefold() or typed in persona.name.casefold()
    ]
    return [app_commands.Choice(name=persona_choice_name(p), value=p.id) for p in found[:25]]


# Server-only: practices, teams and trainer roles all live in a server.
@app_commands.guild_only()
class PracticeCog(commands.GroupCog, group_name="practice"):
    """Practice a hard conversation with a visitor, in a thread of your own."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot
        self.resumed: list[PracticeSession] = []
        super().__init__()

    async def cog_load(self) -> None:
        """Buttons of any scene or debrief answer again, and practices that were running when
        the bot stopped carry on in their threads."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.resumed = await resume_sessions(self.bot)

    async def cog_unload(self) -> None:
        """Stop answering the practice buttons."""
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    @app_commands.command(name="start")
    @app_commands.describe(
        persona="Who you will talk to (leave empty for a random visitor)",
        difficulty="Pick a random visitor at this difficulty",
    )
    @app_commands.choices(difficulty=DIFFICULTIES)
    @app_commands.autocomplete(persona=persona_autocomplete)
    @in_guild()
    async def start(
        self,
        interaction: discord.Interaction,
        persona: str | None = None,
        difficulty: int | None = None,
    ) -> None:
        """Start a practice with a frustrated visitor in a private thread."""
        await begin_practice(self.bot, interaction, persona, difficulty)

    @app_commands.command(name="end")
    @in_guild()
    async def end(self, interaction: discord.Interaction) -> None:
        """End your practice now and get the debrief."""
        await end_practice(self.bot, interaction)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Officers answer the visitor with ordinary messages in their practice thread."""
        await play_message(self.bot, message)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """After a connection Discord could not resume, play what officers wrote meanwhile."""
        await catch_up(self.bot)

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A deleted practice thread ends its practice cleanly."""
        session = self.bot.room.find("thread_id", str(payload.thread_id))
        if session is not None:
            await end_gone_session(self.bot, session)
