"""The command tree: turns domain errors from any command into a private, readable answer."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.core.drills import NoDrillYet
from bot.core.persona import PersonaError, UnknownPersona
from bot.core.practice import AlreadyPractising, NoActiveSession, NoPersonaAvailable
from bot.core.report import ReportRefused
from bot.core.rewind import CannotRewind
from bot.core.session import ReplyRejected, SessionClosed
from bot.core.store import StoreError, UnknownPeriod
from bot.discord.delivery import ChannelGone, respond
from bot.discord.ratelimit import OfficerRateLimit, Pace

log = logging.getLogger(__name__)


class Refusal(app_commands.AppCommandError):
    """A command that cannot go ahead, with a message written for the person who asked."""


# Errors whose message is written for the person who caused them and can be shown as is.
SHOWN_AS_IS: tuple[type[BaseException], ...] = (
    Refusal,
    UnknownPersona,
    AlreadyPractising,
    NoActiveSession,
    NoPersonaAvailable,
    PersonaError,
    ReplyRejected,
    SessionClosed,
    CannotRewind,
    NoDrillYet,
    ReportRefused,
    StoreError,
    UnknownPeriod,
    app_commands.CheckFailure,
    app_commands.TransformerError,
)

MISSING_PERMISSION = (
    "I am missing a permission in this channel ({detail}). A server admin can fix it: my role "
    "needs View Channels, Send Messages, Send Messages in Threads, Create Private Threads, "
    "Create Public Threads, Embed Links, Attach Files and Read Message History."
)


def explain(error: BaseException) -> str | None:
    """The message for a known error, or None for a bug (logged, generic message)."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, SHOWN_AS_IS):
        return str(error)
    if isinstance(error, ChannelGone):
        return "That practice thread no longer exists, so the practice was closed."
    if isinstance(error, discord.Forbidden):
        return MISSING_PERMISSION.format(detail=error.text or "forbidden")
    if isinstance(error, discord.HTTPException):
        return (
            f"Discord refused part of that ({error.status}: {error.text or 'no reason given'}). "
            "Please try again in a moment."
        )
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    return None


# Slash commands per person per minute. A person clicking through the bot uses a handful; 40
# /leaderboard calls in a row (each a database read and a chart) is someone leaning on it.
COMMANDS_PER_MINUTE = 15


class CooldownTree(app_commands.CommandTree):
    """A CommandTree that paces each person's commands and answers errors privately."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.pacing = OfficerRateLimit(COMMANDS_PER_MINUTE)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Refuse, privately, a person's commands past COMMANDS_PER_MINUTE (autocomplete is free:
        Discord sends one per keystroke)."""
        if interaction.type is discord.InteractionType.autocomplete:
            return True
        pace = self.pacing.check(str(interaction.user.id))
        if pace is Pace.ACCEPT:
            return True
        wait = max(1, round(self.pacing.retry_after(str(interaction.user.id))))
        log.info("user %s is over the command limit", interaction.user.id)
        await respond(
            interaction,
            f"Slow down a little: at most {COMMANDS_PER_MINUTE} commands a minute. "
            f"Try again in about {wait} s.",
        )
        return False

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Show domain errors to the user; log anything else with its traceback."""
        message = explain(error)
        command = interaction.command.qualified_name if interaction.command else "?"
        if message is None:
            original = getattr(error, "original", error)
            log.error("command /%s failed", command, exc_info=original)
            message = "Something went wrong on my side; it has been logged. Please try again."
        else:
            log.info("command /%s refused: %s", command, message)
        if interaction.response.is_done() and interaction.extras.get("public"):
            # The public "thinking..." placeholder would otherwise show the error to everyone.
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                log.debug("could not delete the public placeholder", exc_info=True)
        await respond(interaction, message, ephemeral=True)
