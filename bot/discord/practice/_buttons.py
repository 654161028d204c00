"""The buttons under a debrief: "What if?" and "Write report".

They are dynamic items (the session id is in the custom id), so they keep working after the bot
restarts and for any debrief still in a thread, without the bot holding a view per message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.delivery import respond
from bot.discord.tree import explain

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)

SESSION_ID = r"(?P<session>[0-9a-f]{6,32})"


class WhatIfButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cooldown:whatif:{SESSION_ID}"
):
    """Go back to a reply of this practice and try another one."""

    def __init__(self, session_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="What if?",
                emoji="↩️",
                style=discord.ButtonStyle.primary,
                custom_id=f"cooldown:whatif:{session_id}",
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Button[Any],
        match: re.Match[str],
        /,
    ) -> WhatIfButton:
        """Rebuild the button from its custom id (after a restart too)."""
        return cls(match["session"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Offer the practice's replies to choose from."""
        from bot.discord.practice._whatif import offer_turns

        await answering_errors(interaction, offer_turns(interaction, self.session_id))


class ReportButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cooldown:report:{SESSION_ID}"
):
    """Write the incident report this practice would need."""

    def __init__(self, session_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Write report",
                emoji="📝",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cooldown:report:{session_id}",
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Button[Any],
        match: re.Match[str],
        /,
    ) -> ReportButton:
        """Rebuild the button from its custom id (after a restart too)."""
        return cls(match["session"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the report form."""
        from bot.discord.practice._report import open_report_form

        await answering_errors(interaction, open_report_form(interaction, self.session_id))


def debrief_view(session_id: str) -> discord.ui.View:
    """The buttons under a finished practice's debrief."""
    view = discord.ui.View(timeout=None)
    view.add_item(WhatIfButton(session_id))
    view.add_item(ReportButton(session_id))
    return view


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


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (WhatIfButton, ReportButton)
