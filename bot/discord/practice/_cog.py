"""/practice start, drill, end, rewind and report, and the listener that plays thread messages."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.drills import plan_for
from bot.core.persona import Persona
from bot.core.practice import AlreadyPractising, NoActiveSession
from bot.core.rewind import CannotRewind
from bot.core.scores import CRITERIA, CRITERION_LABELS
from bot.core.session import Mode, Outcome, PracticeSession
from bot.core.store.errors import StoreError
from bot.discord.access import in_guild, officer_id
from bot.discord.delivery import ChannelGone, defer, post, respond
from bot.discord.limits import clip
from bot.discord.practice._buttons import DYNAMIC_ITEMS
from bot.discord.practice._catchup import catch_up
from bot.discord.practice._debrief import debrief_message
from bot.discord.practice._render import (
    DIFFICULTY_LABELS,
    debrief_embed,
    persona_choice_name,
    scene_embed,
)
from bot.discord.practice._report import open_report_form
from bot.discord.practice._resume import resume_sessions
from bot.discord.practice._threads import discard_thread, open_practice_thread
from bot.discord.practice._turns import end_gone_session, play_message
from bot.discord.practice._whatif import WhatIfForm, WhatIfTurn, offer_turns, own_transcript

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)

DIFFICULTIES = [
    app_commands.Choice(name=f"{level} - {label}", value=level)
    for level, label in DIFFICULTY_LABELS.items()
]
SKILLS = [app_commands.Choice(name=CRITERION_LABELS[c], value=c) for c in CRITERIA]


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


async def own_session_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The officer's latest finished practices with replies, newest first."""
    bot: CooldownBot = interaction.client  # type: ignore[assignment]
    history = await bot.run_blocking(bot.store.officer_history, officer_id(interaction.user), 50)
    typed = current.casefold().strip()
    choices = []
    for s in history:
        if s.outcome is Outcome.IN_PROGRESS or not s.turns:
            continue
        when = dt.datetime.fromtimestamp(s.started_at, dt.UTC).strftime("%d %b %H:%M")
        score = f"{s.overall:.0f}" if s.overall is not None else "-"
        name = clip(
            f"{s.persona_name.split(',')[0]} · {when} · {s.kind.label} · {score} · "
            f"{s.outcome.label.split(' - ')[0]}",
            100,
        )
        if typed in name.casefold() or typed in s.id:
            choices.append(app_commands.Choice(name=name, value=s.id))
    return choices[:25]


# Server-only: practices, teams and trainer roles all live in a server.
@app_commands.guild_only()
class PracticeCog(commands.GroupCog, group_name="practice"):
    """Practice a hard conversation with a visitor, in a thread of your own."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot
        self.resumed: list[PracticeSession] = []
        super().__init__()

    async def cog_load(self) -> None:
        """Debrief buttons answer again, and practices that were running when the bot stopped
        carry on in their threads."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS, WhatIfTurn)
        self.resumed = await resume_sessions(self.bot)

    async def cog_unload(self) -> None:
        """Stop answering the debrief buttons."""
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS, WhatIfTurn)

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
        self._refuse_if_practising(interaction)
        # Before any thread exists, so a wrong id or difficulty leaves nothing behind.
        chosen = self.bot.room.choose_persona(persona, difficulty)
        await self._open(interaction, chosen, lambda officer, mode, meta: self.bot.room.start(
            officer, chosen.id, mode=mode, meta=meta))  # fmt: skip

    @app_commands.command(name="drill")
    @app_commands.describe(skill="Drill this skill instead of your weakest one")
    @app_commands.choices(skill=SKILLS)
    @in_guild()
    async def drill(self, interaction: discord.Interaction, skill: str | None = None) -> None:
        """A few replies on your weakest skill, from a hard moment (spaced over days)."""
        await defer(interaction)
        self._refuse_if_practising(interaction)
        me = officer_id(interaction.user)
        plan = await self.bot.run_blocking(plan_for, self.bot.store, self.bot.catalogue, me, skill)
        await self._open(
            interaction,
            plan.persona,
            lambda officer, mode, meta: self.bot.room.start_drill(officer, plan, mode, meta),
            note=plan.describe(),
        )

    def _refuse_if_practising(self, interaction: discord.Interaction) -> None:
        current = self.bot.room.active(officer_id(interaction.user))
        if current is not None:
            raise AlreadyPractising(current)

    async def _open(
        self,
        interaction: discord.Interaction,
        persona: Persona,
        begin: Callable[[str, Mode, dict[str, str]], PracticeSession],
        note: str = "",
    ) -> None:
        """Open the thread, start the session in it (`begin`) and set the scene there."""
        officer = officer_id(interaction.user)
        mode = await self.bot.practice_mode(interaction.guild_id)
        thread, warning = await open_practice_thread(interaction, persona)
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
            session = await self.bot.run_blocking(begin, officer, mode, meta)
        except BaseException:
            await discard_thread(thread)
            raise
        try:
            intro = f"{'Drill' if note else 'Practice'} for {interaction.user.display_name}."
            scene = await post(
                thread, f"{intro}\n{note}" if note else intro, embeds=[scene_embed(session)]
            )
            await self.bot.health.tell_thread(self.bot, session, thread)
            if scene is not None:  # catching up after a lost connection starts from here
                self.bot.turns.saw(session.id, scene.id)
        except ChannelGone:
            await end_gone_session(self.bot, session)
            raise
        kind = "drill" if note else "practice"
        text = f"Your {kind} with {persona.short_name} is ready in {thread.mention}."
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
            await self.bot.run_blocking(self.bot.room.end, officer)
        except StoreError as exc:
            # Ended all the same; the officer still gets the debrief of what was played.
            log.error("practice %s ended but could not be recorded: %s", session.id, exc)
            note = "Your practice ended, but the bot could not save its end (the error was logged)."
        try:
            embeds, files, view = await debrief_message(self.bot, session)
        except StoreError as exc:  # the extras (notes, drills) need the store; the debrief not
            log.error("debrief extras for %s unavailable: %s", session.id, exc)
            debrief = await self.bot.run_blocking(self.bot.room.debrief, session)
            embeds, files, view = [debrief_embed(debrief)], [], None
        if in_thread:
            await respond(
                interaction, note, embeds=embeds, files=files, view=view, ephemeral=False
            )
            return
        try:
            if thread_id:
                thread = self.bot.get_partial_messageable(thread_id)
                await post(thread, embeds=embeds, files=files, view=view)
        except ChannelGone:
            log.info("practice %s ended; its thread %s was already gone", session.id, thread_id)
        await respond(interaction, note, embeds=embeds[:1])

    @app_commands.command(name="rewind")
    @app_commands.describe(
        session="Which of your practices (latest first)",
        turn="The reply to say differently (leave empty to choose from a list)",
    )
    @app_commands.autocomplete(session=own_session_autocomplete)
    @in_guild()
    async def rewind(
        self,
        interaction: discord.Interaction,
        session: str,
        turn: app_commands.Range[int, 1, 40] | None = None,
    ) -> None:
        """What if? Go back to a reply of a past practice, say something else, and play on."""
        if turn is None:
            await offer_turns(interaction, session)
            return
        transcript = await own_transcript(interaction, session)
        original = next((t for t in transcript.turns if t.number == turn), None)
        if original is None:
            raise CannotRewind(
                f"Pick a reply from 1 to {len(transcript.turns)}: that practice had "
                f"{len(transcript.turns)}."
            )
        await interaction.response.send_modal(WhatIfForm(session, turn, original.officer_text))

    @app_commands.command(name="report")
    @app_commands.describe(session="Which of your practices (latest first)")
    @app_commands.autocomplete(session=own_session_autocomplete)
    @in_guild()
    async def report(self, interaction: discord.Interaction, session: str) -> None:
        """Write the incident report you would file for a practice; it is checked for you."""
        await open_report_form(interaction, session)

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
