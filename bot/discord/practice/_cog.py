"""/practice start, drill, end, rewind and report, and the listener that plays thread messages."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.rewind import CannotRewind
from bot.core.scores import CRITERIA, CRITERION_LABELS
from bot.core.session import Outcome, PracticeSession
from bot.discord.access import in_guild, officer_id
from bot.discord.limits import clip
from bot.discord.practice._buttons import DYNAMIC_ITEMS
from bot.discord.practice._catchup import catch_up
from bot.discord.practice._flow import begin_drill, begin_practice, end_gone_session, end_practice
from bot.discord.practice._render import DIFFICULTY_LABELS, persona_choice_name
from bot.discord.practice._report import open_report_form
from bot.discord.practice._resume import resume_sessions
from bot.discord.practice._turns import play_message
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
        """Buttons of any scene or debrief (and What if?'s reply select) answer again, and
        practices that were running when the bot stopped carry on in their threads."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS, WhatIfTurn)
        self.resumed = await resume_sessions(self.bot)

    async def cog_unload(self) -> None:
        """Stop answering the practice buttons."""
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
        await begin_practice(self.bot, interaction, persona, difficulty)

    @app_commands.command(name="drill")
    @app_commands.describe(skill="Drill this skill instead of your weakest one")
    @app_commands.choices(skill=SKILLS)
    @in_guild()
    async def drill(self, interaction: discord.Interaction, skill: str | None = None) -> None:
        """A few replies on your weakest skill, from a hard moment (spaced over days)."""
        await begin_drill(self.bot, interaction, skill)

    @app_commands.command(name="end")
    @in_guild()
    async def end(self, interaction: discord.Interaction) -> None:
        """End your practice now and get the debrief."""
        await end_practice(self.bot, interaction)

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
