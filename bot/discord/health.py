"""The visitor's health, said loudly: in the bot's status, and once in each practice it affects.

When the visitor model cannot load or its server is down, the engine keeps the practice going
with persona lines (bot.core.visitor.visitor_problem says why). An officer must not practise
against fallbacks without knowing, and whoever runs the bot should see it at a glance: the
bot goes "idle" with the problem as its status, and each practice thread gets one note.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.core.session import PracticeSession
from bot.core.visitor import visitor_problem
from bot.discord.delivery import post
from bot.discord.limits import clip

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)

STATUS_CHARS = 128  # Discord's limit for a custom status


def problem_note(problem: str) -> str:
    """The one note a practice thread gets when its visitor lost the model."""
    return (
        f"⚠️ {problem[0].upper()}{problem[1:]}. The visitor now speaks the persona's scripted "
        "lines, not the model's: your replies are still scored, but the visitor will sound "
        "less natural. A trainer has been told through the bot's status."
    )


class VisitorHealth:
    """What has been said about the visitor so far: the status shown, the threads told."""

    def __init__(self) -> None:
        self.status_problem = ""  # what the bot's presence says now ('' = all well)
        self._told: dict[str, str] = {}  # session id -> the problem its thread was told

    async def refresh_status(self, bot: CooldownBot) -> None:
        """Show the visitor's problem as the bot's status (and clear it when it is solved)."""
        problem = visitor_problem(bot.room.visitor)
        if problem == self.status_problem:
            return
        if bot.ws is None:  # not connected yet: on_ready refreshes it
            return
        try:
            if problem:
                activity = discord.CustomActivity(name=clip(f"⚠ {problem}", STATUS_CHARS))
                await bot.change_presence(status=discord.Status.idle, activity=activity)
            else:
                await bot.change_presence(status=discord.Status.online, activity=None)
        except Exception as exc:  # noqa: BLE001 - a status is not worth failing a turn over
            log.warning("could not update the bot's status: %s", exc)
            return
        if problem:
            log.warning("visitor problem, shown in the bot's status: %s", problem)
        else:
            log.info("the visitor model answers again; status cleared")
        self.status_problem = problem

    async def tell_thread(
        self, bot: CooldownBot, session: PracticeSession, thread: discord.abc.Messageable
    ) -> None:
        """Post the problem in the practice's thread once (again only if it changes)."""
        problem = visitor_problem(bot.room.visitor)
        if problem and self._told.get(session.id) != problem:
            self._told[session.id] = problem
            await post(thread, problem_note(problem))
        await self.refresh_status(bot)

    def forget(self, session: PracticeSession) -> None:
        """A finished practice needs no more notes."""
        self._told.pop(session.id, None)
