"""Starting the bot for `cooldown run [--sync]`: settings in, exit code out, token kept secret."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.runtime import App

log = logging.getLogger(__name__)

PORTAL = "https://discord.com/developers/applications"


class CannotStart(Exception):
    """The bot cannot start; the message says why and what to do. No traceback is needed."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        self.exit_code = exit_code
        super().__init__(message)


class RedactToken(logging.Filter):
    """Replaces the token in any log line, in case a library ever puts it in one."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record when its text contains the token; never drop it."""
        message = record.getMessage()
        if self.token and self.token in message:
            record.msg, record.args = message.replace(self.token, "[DISCORD_TOKEN]"), None
        return True


def read_token(settings: Settings) -> str:
    """The bot token from settings; CannotStart (exit code 2) when it is not set."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise CannotStart(
            "DISCORD_TOKEN is not set. Create a bot in the Discord developer portal "
            f"({PORTAL} -> your application -> Bot -> Reset Token), put DISCORD_TOKEN=... in .env "
            "and start again. See docs/discord.md.",
            exit_code=2,
        )
    return token


async def serve(settings: Settings, app: App, token: str, sync: bool) -> None:
    """Run the bot until it is stopped; CannotStart for a refused token or a missing intent."""
    from bot.discord.app import CooldownBot

    bot = CooldownBot(settings, app, sync=sync)
    async with bot:
        try:
            await bot.start(token)
        except discord.LoginFailure:
            raise CannotStart(
                "Discord refused the bot token (DISCORD_TOKEN). It may have been reset or copied "
                f"incompletely: in {PORTAL} -> your application -> Bot, press Reset Token, put "
                "the new token in .env and start again.",
                exit_code=2,
            ) from None
        except discord.PrivilegedIntentsRequired:
            raise CannotStart(
                "Discord refused the Message Content intent. In "
                f"{PORTAL} -> your application -> Bot -> Privileged Gateway Intents, switch on "
                "MESSAGE CONTENT INTENT, save, and start again.",
            ) from None


def run_bot(
    settings: Settings,
    sync: bool = False,
    *,
    scripted: bool = False,
    app: App | None = None,
) -> int:
    """Run the Discord bot until stopped; returns the exit code, raises CannotStart with a reason.

    `sync` publishes the slash commands on start (to DEV_GUILD_ID when set, else globally);
    `scripted` uses the personas' own lines instead of the model; `app` is a ready-made one
    (left open: whoever built it closes it).
    """
    token = read_token(settings)  # before anything slow: a missing token fails in a blink
    redact = RedactToken(token)
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(redact)
    owned = app is None
    try:
        if app is None:
            from bot.runtime import build_app

            app = build_app(settings, scripted=scripted)  # broken persona files: logged there
        try:
            asyncio.run(serve(settings, app, token, sync))
        finally:
            if owned:
                app.close()
    finally:
        for handler in handlers:
            handler.removeFilter(redact)
    return 0
