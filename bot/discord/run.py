"""Starting the bot for `cooldown run [--sync]`: settings in, exit code out, token kept secret.

It runs like a service: Discord out of reach at start is retried for DISCORD_CONNECT_TIMEOUT_S,
each refusal is one line and an exit code (bot.lifecycle.ExitCode), and SIGINT, SIGTERM or SIGHUP
stop it cleanly: turns in flight are answered, practices stay saved for the restart, exit 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot import lifecycle
from bot.discord.checks import PORTAL
from bot.discord.delivery import describe
from bot.discord.startup import (
    ATTEMPT_S,
    CannotStart,
    StopRequested,
    log_in,
    open_gateway,
    race,
    refusal,
)
from bot.lifecycle import ExitCode
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot
    from bot.runtime import App

log = logging.getLogger(__name__)

__all__ = ["CannotStart", "RedactToken", "read_token", "run_bot", "serve"]

STOP_SIGNALS = (signal.SIGINT, *lifecycle.STOP_SIGNALS)


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


class OneLineReconnects(logging.Filter):
    """discord.py logs each reconnect attempt with a full traceback; an operator reads that as
    a bug. The line keeps what failed and when it retries, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Shorten 'Attempting a reconnect' records; leave every other record alone."""
        if record.exc_info and str(record.msg).startswith("Attempting a reconnect"):
            exc = record.exc_info[1]
            reason = (describe(exc) if exc is not None else "no reason given").replace("%", "%%")
            record.msg = f"Discord connection lost ({reason}); reconnecting in %.0f s"
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def read_token(settings: Settings) -> str:
    """The bot token from settings; CannotStart (exit code 2) when it is not set."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise CannotStart(
            "DISCORD_TOKEN is not set. Create a bot in the Discord developer portal "
            f"({PORTAL} -> your application -> Bot -> Reset Token), put DISCORD_TOKEN=... in .env "
            "and start again. See docs/discord.md.",
            exit_code=ExitCode.USAGE,
        )
    return token


@contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP set `stop` (a second one only logs) while inside."""
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

    def requested(sig: signal.Signals) -> None:
        if stop.is_set():
            log.info("%s again: already stopping", sig.name)
            return
        log.info("%s: stopping (practices in progress are kept for the restart)", sig.name)
        stop.set()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, requested, sig)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            loop.remove_signal_handler(sig)
            signal.signal(sig, handler)


async def serve(
    settings: Settings, app: App, token: str, sync: bool, stop: asyncio.Event | None = None
) -> None:
    """Run the bot until `stop` is set (by a signal); CannotStart when Discord refuses it or
    stays out of reach. However it ends, the bot stops in order (CooldownBot.stop)."""
    from bot.discord.app import CooldownBot

    stop = stop or asyncio.Event()
    bot = CooldownBot(settings, app, sync=sync)
    with stop_on_signals(stop), operator_logs(token):
        async with bot:
            try:
                await _connected(bot, token, settings.discord_connect_timeout_s, stop)
            except StopRequested:
                log.info("stopped before the bot was connected")
            finally:
                await bot.stop(settings.shutdown_grace_s)
                await asyncio.sleep(0)  # the events the disconnect dispatched run, not linger


async def _connected(bot: CooldownBot, token: str, timeout: float, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    await log_in(bot, token, timeout, stop)
    # however long logging in took, the gateway gets at least one full try
    left = max(ATTEMPT_S, started + timeout - loop.time())
    gateway = await open_gateway(bot, left, stop)
    if stop.is_set():
        return
    try:
        await race(asyncio.shield(gateway), stop)
    except StopRequested:
        return
    exc = gateway.exception()
    if exc is None:
        return  # closed on purpose
    problem = refusal(exc)  # e.g. the token was reset while the bot ran
    raise problem or CannotStart(
        f"Discord closed the connection for good ({describe(exc)}); see the log above.",
        ExitCode.FAILED,
    )


def _build(settings: Settings, scripted: bool) -> App:
    """The app, or CannotStart when the database or the personas cannot be used."""
    from bot.core.store import StoreError
    from bot.runtime import PersonasUnusable, build_app

    try:
        # broken persona files are logged there; none usable at all stops the start
        return build_app(settings, scripted=scripted, require_personas=True)
    except StoreError as exc:
        raise CannotStart(str(exc), ExitCode.DATABASE) from None
    except PersonasUnusable as exc:
        raise CannotStart(str(exc), ExitCode.PERSONAS) from None


def run_bot(
    settings: Settings,
    sync: bool = False,
    *,
    scripted: bool = False,
    app: App | None = None,
    stop: asyncio.Event | None = None,
) -> int:
    """Run the Discord bot until stopped; returns the exit code, raises CannotStart with a reason.

    `sync` publishes the slash commands on start (to DEV_GUILD_ID when set, else globally);
    `scripted` uses the personas' own lines instead of the model; `app` is a ready-made one
    (its visitor is stopped with the bot, its store left open: whoever built it closes it);
    `stop` ends it when set (signals set it too).
    """
    token = read_token(settings)  # before anything slow: a missing token fails in a blink
    owned = app is None
    if app is None:
        app = _build(settings, scripted)
    try:
        asyncio.run(serve(settings, app, token, sync, stop))
    finally:
        if owned:
            app.close()
    return ExitCode.OK


@contextmanager
def operator_logs(token: str) -> Iterator[None]:
    """While inside, no log line shows the token, and reconnects are one line each."""
    redact, reconnects = RedactToken(token), OneLineReconnects()
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(redact)
    discord_client = logging.getLogger("discord.client")
    discord_client.addFilter(reconnects)
    try:
        yield
    finally:
        discord_client.removeFilter(reconnects)
        for handler in handlers:
            handler.removeFilter(redact)
