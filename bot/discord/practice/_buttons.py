"""The buttons of a practice: End and Hint on the scene; Try again, New visitor, What if?,
Write report, My stats and Details on the debrief.

They are dynamic items (what they act on is in the custom id), so they keep working after the
bot restarts and on any scene or debrief still in a thread, without the bot holding a view per
message. Callbacks import the practice flows when pressed: the flows post these views.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, ClassVar, Self

import discord

from bot.core.feedback import hint_for
from bot.discord.access import discord_user_id
from bot.discord.delivery import respond
from bot.discord.limits import NO_PINGS
from bot.discord.practice._render import details_embed
from bot.discord.progress import show_progress
from bot.discord.tree import explain

if TYPE_CHECKING:
    from bot.core.session import PracticeSession
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)

SESSION_ID = r"(?P<session>[0-9a-f]{6,32})"
PERSONA_ID = r"(?P<persona>[a-z0-9][a-z0-9_-]{1,63})"


def _button(
    label: str, custom_id: str, style: discord.ButtonStyle, emoji: str
) -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label, custom_id=custom_id, style=style, emoji=emoji)


class _SessionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cooldown:session:{SESSION_ID}"
):
    """A button acting on one practice, its id in the custom id (rebuilt after a restart too).

    Subclasses name their template (``cooldown:<action>:<session>``) and the button's look."""

    action: ClassVar[str]
    text: ClassVar[str]
    style: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary
    emoji: ClassVar[str]

    def __init__(self, session_id: str) -> None:
        custom_id = f"cooldown:{self.action}:{session_id}"
        super().__init__(_button(self.text, custom_id, self.style, self.emoji))
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the button from its custom id (after a restart too)."""
        return cls(match["session"])


class EndButton(_SessionButton, template=rf"cooldown:end:{SESSION_ID}"):
    """End the practice now and get the debrief (the practising officer only)."""

    action, text, emoji = "end", "End", "⏹️"
    style = discord.ButtonStyle.danger

    async def callback(self, interaction: discord.Interaction) -> None:
        """End the practice the way /practice end does in its thread."""
        from bot.discord.practice._flow import end_practice

        async def work() -> None:
            if await own_running_session(interaction, self.session_id) is not None:
                await end_practice(client(interaction), interaction)

        await answering_errors(interaction, work())


class HintButton(_SessionButton, template=rf"cooldown:hint:{SESSION_ID}"):
    """A nudge for the next reply that does not write it (the practising officer only)."""

    action, text, emoji = "hint", "Hint", "💡"

    async def callback(self, interaction: discord.Interaction) -> None:
        """Answer privately with a hint for the next reply."""

        async def work() -> None:
            session = await own_running_session(interaction, self.session_id)
            if session is not None:
                await respond(interaction, f"💡 {hint_for(session)}")

        await answering_errors(interaction, work())


class TryAgainButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cooldown:again:{PERSONA_ID}"
):
    """Practise again with the same visitor, in a new thread."""

    def __init__(self, persona_id: str) -> None:
        super().__init__(
            _button("Try again", f"cooldown:again:{persona_id}", discord.ButtonStyle.primary, "🔁")
        )
        self.persona_id = persona_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> TryAgainButton:
        """Rebuild the button from its custom id (after a restart too)."""
        return cls(match["persona"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Start a practice with this persona for whoever pressed it."""
        from bot.discord.practice._flow import begin_practice

        await answering_errors(
            interaction, begin_practice(client(interaction), interaction, self.persona_id)
        )


class NewVisitorButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cooldown:new:{PERSONA_ID}"
):
    """Practise with a different visitor (the same difficulty when there is one)."""

    def __init__(self, persona_id: str) -> None:
        super().__init__(
            _button(
                "New visitor", f"cooldown:new:{persona_id}", discord.ButtonStyle.secondary, "🆕"
            )
        )
        self.persona_id = persona_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> NewVisitorButton:
        """Rebuild the button from its custom id (after a restart too)."""
        return cls(match["persona"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Start a practice with another persona for whoever pressed it."""
        from bot.discord.practice._flow import another_persona, begin_practice

        bot = client(interaction)
        other = another_persona(bot, self.persona_id)
        await answering_errors(interaction, begin_practice(bot, interaction, other))


class StatsButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cooldown:stats"):
    """Your own progress, privately (what /stats shows)."""

    def __init__(self) -> None:
        super().__init__(_button("My stats", "cooldown:stats", discord.ButtonStyle.secondary, "📈"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> StatsButton:
        """Rebuild the button from its custom id (after a restart too)."""
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the presser's own progress."""
        await answering_errors(
            interaction, show_progress(client(interaction), interaction, interaction.user)
        )


class DetailsButton(_SessionButton, template=rf"cooldown:details:{SESSION_ID}"):
    """Every criterion, the best reply and every tip, privately."""

    action, text, emoji = "details", "Details", "📋"

    async def callback(self, interaction: discord.Interaction) -> None:
        """The debrief's details, rebuilt from the store (so it works after a restart)."""

        async def work() -> None:
            bot = client(interaction)
            await interaction.response.defer(ephemeral=True, thinking=True)
            debrief = await bot.run_blocking(bot.room.recorded_debrief, self.session_id)
            await respond(interaction, embeds=[details_embed(debrief)])

        await answering_errors(interaction, work())


class WhatIfButton(_SessionButton, template=rf"cooldown:whatif:{SESSION_ID}"):
    """Go back to a reply of this practice and try another one."""

    action, text, emoji = "whatif", "What if?", "↩️"
    style = discord.ButtonStyle.primary

    async def callback(self, interaction: discord.Interaction) -> None:
        """Offer the practice's replies to choose from."""
        from bot.discord.practice._whatif import offer_turns

        await answering_errors(interaction, offer_turns(interaction, self.session_id))


class ReportButton(_SessionButton, template=rf"cooldown:report:{SESSION_ID}"):
    """Write the incident report this practice would need."""

    action, text, emoji = "report", "Write report", "📝"

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the report form."""
        from bot.discord.practice._report import open_report_form

        await answering_errors(interaction, open_report_form(interaction, self.session_id))


def scene_view(session_id: str) -> discord.ui.View:
    """The buttons under a practice's opening scene."""
    view = discord.ui.View(timeout=None)
    view.add_item(EndButton(session_id))
    view.add_item(HintButton(session_id))
    return view


def debrief_view(session: PracticeSession, *, replies: bool = True) -> discord.ui.View:
    """The buttons under a finished practice's debrief: what to do next, and the details.

    What if? and Write report need replies to go back to or report on; a practice ended before
    any reply offers the rest. Discord lays six buttons out in two rows.
    """
    view = discord.ui.View(timeout=None)
    view.add_item(TryAgainButton(session.persona.id))
    view.add_item(NewVisitorButton(session.persona.id))
    if replies:
        view.add_item(WhatIfButton(session.id))
        view.add_item(ReportButton(session.id))
    view.add_item(StatsButton())
    view.add_item(DetailsButton(session.id))
    return view


async def own_running_session(
    interaction: discord.Interaction, session_id: str
) -> PracticeSession | None:
    """The running session behind a scene button, if the presser is its officer; otherwise
    they are told why not (and a finished practice's buttons are switched off)."""
    bot = client(interaction)
    session = next((s for s in bot.room.running() if s.id == session_id), None)
    if session is None:
        if interaction.message is not None:
            try:
                await interaction.message.edit(view=None, allowed_mentions=NO_PINGS)
            except discord.HTTPException as exc:
                log.debug("could not switch off finished practice buttons: %s", exc)
        await respond(
            interaction,
            "This practice has finished. Its debrief has Try again and New visitor buttons, "
            "or use `/practice start`.",
        )
        return None
    if discord_user_id(session.officer_id) != interaction.user.id:
        await respond(interaction, "Only the officer in this practice can use its buttons.")
        return None
    return session


async def answering_errors(interaction: discord.Interaction, work: Awaitable[None]) -> None:
    """Run a component's work; a refusal or a bug is answered privately, as for commands.

    discord.py only logs what a component callback raises, so the user would see nothing.
    """
    try:
        await work
    except Exception as error:  # noqa: BLE001 - every failure gets an answer
        message = explain(error)
        if message is None:
            log.error("component %s failed", interaction.data, exc_info=error)
            message = "Something went wrong on my side; it has been logged. Please try again."
        await respond(interaction, message)


def client(interaction: discord.Interaction) -> CooldownBot:
    """The bot behind an interaction, typed."""
    return interaction.client  # type: ignore[return-value]


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    EndButton,
    HintButton,
    TryAgainButton,
    NewVisitorButton,
    WhatIfButton,
    ReportButton,
    StatsButton,
    DetailsButton,
)
