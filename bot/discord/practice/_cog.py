"""/practice start and /practice end, and the listener that plays officers' thread messages."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.practice import AlreadyPractising, NoActiveSession
from bot.core.session import PracticeSession
from bot.core.store.errors import StoreError
from bot.discord.access import in_guild, officer_id
from bot.discord.delivery import ChannelGone, defer, post, respond
from bot.discord.practice._catchup import catch_up
from bot.discord.practice._render import (
    DIFFICULTY_LABELS,
    debrief_embed,
    persona_choice_name,
    scene_embed,
)
from bot.discord.practice._resume import resume_sessions
from bot.discord.practice._threads import discard_thread, open_practice_thread
from bot.discord.practice._turns import end_gone_session, play_message

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
        """Practices that were running when the bot stopped carry on in their threads."""
        self.resumed = await resume_sessions(self.bot)

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
        await defer(interaction)
        room, officer = self.bot.room, officer_id(interaction.user)
        current = room.active(officer)
        if current is not None:
            raise AlreadyPractising(current)
        # Before any thread exists, so a wrong id or difficulty leaves nothing behind.
        chosen = room.choose_persona(persona, difficulty)
        mode = await self.bot.practice_mode(interaction.guild_id)
        thread, warning = await open_practice_thread(interaction, chosen)
        meta = {
            "guild_id": str(interaction.guild_id),
            "channel_id": str(thread.parent_id),
            "thread_id": str(thread.id),
            "officer_name": interaction.user.display_name,
        }
        try:
            await self.bot.run_blocking(
                self.bot.store.ensure_officer, officer, interaction.user.display_name
            )
            session = await self.bot.run_blocking(
                room.start, officer, chosen.id, mode=mode, meta=meta
            )
        except BaseException:
            await discard_thread(thread)
            raise
        try:
            scene = await post(
                thread,
                f"Practice for {interaction.user.display_name}.",
                embeds=[scene_embed(session)],
            )
            await self.bot.health.tell_thread(self.bot, session, thread)
            if scene is not None:  # catching up after a lost connection starts from here
                self.bot.turns.saw(session.id, scene.id)
        except ChannelGone:
            await end_gone_session(self.bot, session)
            raise
        text = f"Your practice with {chosen.short_name} is ready in {thread.mention}."
        await respond(interaction, f"{text}\n{warning}" if warning else text)

    @app_commands.command(name="end")
    @in_guild()
    async def end(self, interaction: discord.Interaction) -> None:
        """End your practice now and get the debrief."""
        officer = officer_id(interaction.user)
        session = self.bot.room.active(officer)
        if session is None:
            raise NoActiveSession()
        thread_id = int(session.meta.get("thread_id") or 0)
        in_thread = interaction.channel_id == thread_id
        await defer(interaction, ephemeral=not in_thread)
        note = None
        try:
            debrief = await self.bot.run_blocking(self.bot.room.end, officer)
        except StoreError as exc:
            # Ended all the same; the officer still gets the debrief of what was played.
            log.error("practice %s ended but could not be recorded: %s", session.id, exc)
            debrief = await self.bot.run_blocking(self.bot.room.debrief, session)
            note = "Your practice ended, but the bot could not save its end (the error was logged)."
        embed = debrief_embed(debrief)
        if in_thread:
            await respond(interaction, note, embeds=[embed], ephemeral=False)
            return
        try:
            if thread_id:
                await post(
                    self.bot.get_partial_messageable(thread_id), embeds=[debrief_embed(debrief)]
                )
        except ChannelGone:
            log.info("practice %s ended; its thread %s was already gone", session.id, thread_id)
        await respond(interaction, note, embeds=[embed])

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
